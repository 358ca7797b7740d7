Feature: What Slack tells the ilert app
  Slack tells the ilert app when its bot is invited into a channel, when a channel is renamed or
  archived, and when the app is removed from the workspace. ilert follows without anyone
  refreshing anything: links wait for the bot and then deliver, follow a renamed channel, show
  an archived one as broken, and a removed app leaves the workspace unlinked.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @EVT-1
  Scenario: An alert a private channel missed arrives once the bot is invited
    Given ilert publishes "New Relic" to "#sre-private", where the ilert bot is not a member
    And an alert "Disk almost full" on "New Relic" could not be posted in "#sre-private"
    When someone invites the ilert bot into "#sre-private"
    Then "#sre-private" soon shows the alert "[Pending] Disk almost full"
    And "#sre-private" has exactly one message for the alert
    And ilert shows the alert action of "New Relic" for "#sre-private" as "OKAY"

  @EVT-1
  Scenario: A private channel is offered to ilert as soon as the bot is invited
    When someone invites the ilert bot into "#sre-private"
    And the Admin opens the Alert actions of "New Relic" in ilert
    Then the channel picker offers "#sre-private" as a private channel

  @EVT-2
  Scenario: A renamed public channel keeps its link under its new name
    Given "New Relic" is linked to "#ops-alerts"
    And an alert "Queue backlog" on "New Relic" is posted in "#ops-alerts"
    When someone renames "#ops-alerts" to "#ops-alerts-eu"
    Then ilert names the channel of the alert action of "New Relic" "#ops-alerts-eu"
    When the Admin opens the Alert actions of "New Relic" in ilert
    Then the Alert actions tab lists this alert action:
      | Label   | Slack #ops-alerts-eu |
      | Status  | Okay                 |
      | Channel | #ops-alerts-eu       |
    When the Admin accepts the alert through ilert's API
    Then the alert's message reads "[Accepted] Queue backlog"

  @EVT-2
  Scenario: A renamed private channel keeps its link under its new name
    Given someone invites the ilert bot into "#sre-private"
    And "New Relic" is linked to "#sre-private"
    When someone renames "#sre-private" to "#sre-oncall"
    Then ilert names the channel of the alert action of "New Relic" "#sre-oncall"
    When the Admin opens the Alert actions of "New Relic" in ilert
    Then the Alert actions tab lists this alert action:
      | Label   | Slack #sre-oncall |
      | Channel | #sre-oncall       |

  @EVT-3
  Scenario: An archived public channel's link is shown as broken in ilert
    Given "New Relic" is linked to "#ops-alerts"
    And an alert "Cache misses" on "New Relic" is posted in "#ops-alerts"
    When someone archives "#ops-alerts"
    Then ilert shows the alert action of "New Relic" for "#ops-alerts" as "FAILING" because "archived"
    When the Admin opens the Alert actions of "New Relic" in ilert
    Then the Alert actions tab lists this alert action:
      | Label  | Slack #ops-alerts |
      | Status | Failing           |

  @EVT-3
  Scenario: A channel brought back from the archive gets its alerts again
    Given "New Relic" is linked to "#ops-alerts"
    When someone archives "#ops-alerts"
    Then ilert shows the alert action of "New Relic" for "#ops-alerts" as "FAILING" because "archived"
    When someone unarchives "#ops-alerts"
    Then ilert shows the alert action of "New Relic" for "#ops-alerts" as "OKAY"
    When an alert "Cache misses" is created on "New Relic"
    Then "#ops-alerts" soon shows the alert "[Pending] Cache misses"

  @EVT-3
  Scenario: An archived private channel's link is shown as broken in ilert
    Given someone invites the ilert bot into "#sre-private"
    And "New Relic" is linked to "#sre-private"
    When someone archives "#sre-private"
    Then ilert shows the alert action of "New Relic" for "#sre-private" as "FAILING" because "archived"

  @EVT-4
  Scenario Outline: Removing the ilert app from Slack unlinks the workspace in ilert
    Given "New Relic" is linked to "#ops-alerts"
    And an alert "Checkout slow" on "New Relic" is posted in "#ops-alerts"
    When a Slack admin <removal>
    Then the workspace is soon no longer linked to the ilert account
    And ilert's Slack Workspace Integration offers "Authorize" again
    And an alert "Checkout down" created on "New Relic" is sent nowhere

    Examples:
      | removal                       |
      | uninstalls the ilert app      |
      | revokes the ilert app's token |

  @EVT-4
  Scenario: The workspace can be authorized again after the app was removed
    Given "New Relic" is linked to "#ops-alerts"
    And a Slack admin has uninstalled the ilert app
    When the Admin authorizes the workspace and allows access in Slack
    Then the Slack workspace is linked to the ilert account
    And "New Relic" can be linked to "#ops-alerts" again

  @EVT-5
  Scenario: An event Slack sends again is acknowledged at once and acted on once
    Given "New Relic" is linked to "#ops-alerts"
    And an alert "Queue backlog" on "New Relic" is posted in "#ops-alerts"
    And someone has renamed "#ops-alerts" to "#ops-eu" and then to "#ops-emea"
    When Slack sends the first rename again, as its first retry
    Then the connector acknowledged it within 3 seconds
    And ilert still names the channel of the alert action of "New Relic" "#ops-emea"
