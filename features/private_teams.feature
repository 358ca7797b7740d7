Feature: Alert sources of private teams
  Sources that belong to a private team are managed in ilert's web interface only: /ilert neither
  offers them nor links them, whatever the request says. Linked from ilert, they publish like any
  other source.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account
    And a private team "Payments" with the Admin and the User, owning the alert source "Payments Gateway"

  @FAQ-4 @smoke
  Scenario: /ilert does not offer a private team's source, even to its members
    When the User runs "/ilert" in "#ops-alerts"
    Then the channel menu does not offer "Payments Gateway"
    And the channel menu offers "New Relic"

  @FAQ-4
  Scenario: A crafted choice of a private team's source is refused
    Given the User has run "/ilert" in "#ops-alerts"
    When the User's channel menu sends the choice of "Payments Gateway" although it is not offered
    Then the User alone is told that private teams' sources are linked in ilert's web interface
    And ilert does not publish "Payments Gateway" to "#ops-alerts"

  @FAQ-4
  Scenario: Linked on ilert's Alert actions tab, a private team's source publishes to Slack
    Given the Admin has added a Slack alert action for "#ops-alerts" on the Alert actions of "Payments Gateway"
    When an alert "Card payments failing" is created on "Payments Gateway"
    Then "#ops-alerts" shows the alert "[Pending] Card payments failing" linked to the alert in ilert
