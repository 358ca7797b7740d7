Feature: ilert's alerting behaviour in Slack
  What ilert decides before anything reaches Slack holds for the channels too: an alert action's
  filter chooses which alerts its channel sees, and a job that stops reporting raises an alert
  there by itself.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @ILR-1
  Scenario: Only HIGH alerts go to #ops-alerts
    Given "New Relic" is linked to "#ops-alerts"
    And the alert action of "New Relic" in "#ops-alerts" publishes only alerts of priority "HIGH"
    When a LOW alert "Disk almost full" is created on "New Relic"
    And a HIGH alert "Checkout down" is created on "New Relic"
    Then "#ops-alerts" shows the alert "Checkout down" and not the alert "Disk almost full"

  @ILR-2
  Scenario: A heartbeat that stops arriving posts an alert in the linked channel
    Given a heartbeat alert source "Nightly backup" that expects a ping every 10 minutes
    And "Nightly backup" is linked to "#ops-alerts"
    And "Nightly backup" has sent its ping
    When 10 minutes pass without a ping from "Nightly backup"
    Then "#ops-alerts" shows the alert "[Pending] Nightly backup did not report" linked to the alert in ilert
    When "Nightly backup" sends its ping again
    Then the alert's message reads "[Resolved] Nightly backup did not report"
