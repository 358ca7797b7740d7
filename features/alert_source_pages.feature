Feature: The alert source's pages in ilert
  Each alert source has a page in ilert. Slack links to it; its Alert actions tab shows where its
  alerts are published and adds Slack channels; Create Alert sends a test alert.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @CHAN-4 @smoke
  Scenario: The source's name in Slack opens its page in ilert
    Given "New Relic" is linked to "#ops-alerts"
    And the Admin has run "/ilert" in "#ops-alerts"
    When the Admin follows the link of "New Relic" in the channel menu
    Then ilert shows the page of the alert source "New Relic"

  @CHAN-5 @smoke
  Scenario: The Alert actions tab shows that alerts are published to Slack
    Given "New Relic" is linked to "#ops-alerts"
    When the Admin opens the Alert actions of "New Relic" in ilert
    Then the Alert actions tab lists this alert action:
      | Label        | Slack #ops-alerts           |
      | Connector    | Slack Workspace Integration |
      | Trigger mode | Automatic                   |
      | Status       | Okay                        |
      | Channel      | #ops-alerts                 |

  @CHAN-6 @smoke
  Scenario: Create Alert on the source's page sends a test alert to the linked channel
    Given "New Relic" is linked to "#ops-alerts"
    When the Admin creates an alert "Test alert from ilert" on the page of "New Relic"
    Then "#ops-alerts" shows the alert "[Pending] Test alert from ilert" linked to the alert in ilert

  @FAQ-5 @smoke
  Scenario: The channel picker offers public channels and not the private ones without the bot
    When the Admin opens the Alert actions of "New Relic" in ilert
    Then the channel picker offers "#ops-alerts", "#incidents" and "#general"
    And the channel picker does not offer "#sre-private"

  @FAQ-5
  Scenario: A private channel appears once the bot is invited and the page is refreshed
    Given someone invites the ilert bot into "#sre-private"
    When the Admin opens the Alert actions of "New Relic" in ilert
    Then the channel picker offers "#sre-private" as a private channel

  @FAQ-5 @CHAN-5
  Scenario: A Slack alert action made on the tab publishes to the chosen channel
    Given someone invites the ilert bot into "#sre-private"
    And the Admin has added a Slack alert action for "#sre-private" on the Alert actions of "New Relic"
    When an alert "Latency above target" is created on "New Relic"
    Then "#sre-private" shows the alert "[Pending] Latency above target" linked to the alert in ilert
