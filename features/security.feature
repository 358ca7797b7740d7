Feature: Security and isolation
  Everything Slack sends the connector is signed and fresh; one workspace never reaches another's
  channels, and one ilert account never sees another's data.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account
    And "New Relic" is linked to "#ops-alerts"

  @SEC-1 @smoke
  Scenario Outline: A click that Slack did not sign, or signed long ago, changes nothing
    Given an alert "Payment errors" on "New Relic" is posted in "#ops-alerts"
    When someone sends the connector a click on "Accept" for that alert <how>
    Then the connector answers 401
    And the alert is still PENDING in ilert
    And the alert's message reads "[Pending] Payment errors"

    Examples:
      | how                                   |
      | without a signature                   |
      | signed with another secret            |
      | signed correctly six minutes ago      |
      | signed correctly for a different body |

  @SEC-1
  Scenario: A slash command that Slack did not sign gets no menu
    When someone sends the connector "/ilert" for "#ops-alerts" signed with another secret
    Then the connector answers 401
    And nobody sees a new configuration menu in "#ops-alerts"

  @SEC-1
  Scenario: A correctly signed, fresh request is accepted
    When someone sends the connector "/ilert" for "#ops-alerts" signed correctly just now
    Then the connector answers 200

  @SEC-2 @smoke
  Scenario: A workspace's bot token cannot reach another workspace's channels
    Given a second Slack workspace with a channel "#secret-plans"
    When the connector's bot token for the first workspace posts to "#secret-plans"
    Then Slack answers "channel_not_found"
    And "#secret-plans" has no messages

  @SEC-2
  Scenario: An ilert account's key sees nothing of another account
    Given a second ilert account with an alert source "Other company's API"
    When the first account's owner lists alert sources and alerts
    Then none of the second account's alert sources or alerts are listed
    And asking for the second account's alert source by id is answered 404
