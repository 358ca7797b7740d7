Feature: Re-authorizing the workspace
  Newer features of the app can need permissions that an older installation did not grant. ilert
  says so, the feature explains itself instead of failing silently, and re-authorizing fixes it
  without losing anything already set up.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace was linked when the app did not yet ask for "users:read.email"

  @REAUTH-1 @smoke
  Scenario: ilert shows that re-authorization is needed
    When the Admin opens the Slack Workspace Integration in ilert
    Then the page says that re-authorization is needed
    And the page offers the button "Re-authorize Slack"

  @REAUTH-1 @MAP-1
  Scenario: A feature that needs the missing permission says so
    When the Admin runs "/ilert" in "#ops-alerts"
    Then the Admin alone is told that the app lacks "users:read.email" and an Admin can re-authorize

  @REAUTH-2 @smoke
  Scenario: Re-authorizing keeps what is linked and gains the permission
    Given ilert publishes "New Relic" to "#ops-alerts" through an alert action made in ilert
    When the Admin re-authorizes Slack and allows access
    Then ilert shows a success message naming the workspace's address and team name
    And the ilert account keeps the same Slack connector, now with every permission
    And ilert still publishes "New Relic" to "#ops-alerts"

  @REAUTH-2
  Scenario: Once re-authorized, ilert no longer asks for it
    Given the Admin has re-authorized Slack
    When the Admin opens the Slack Workspace Integration in ilert
    Then the page does not say that re-authorization is needed

  @REAUTH-2
  Scenario: Once re-authorized, the channel menu still lists what was linked
    Given ilert publishes "New Relic" to "#ops-alerts" through an alert action made in ilert
    And the Admin has re-authorized Slack
    When the Admin runs "/ilert" in "#ops-alerts"
    Then the channel menu says "1 Alert source(s) configured for this channel"
