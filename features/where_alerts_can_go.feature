Feature: Alerts are published only where the ilert app can post, and ilert says when they fail
  A private channel shows the ilert app nothing until someone invites it. Linking a source there
  would publish nothing, so the menu says so at once, to the person alone, and links nothing. An
  alert action that cannot deliver shows it in ilert, with Slack's own reason.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @DELIVER-1 @smoke
  Scenario: Choosing a source in a private channel the bot is not in links nothing and says what to do
    Given the Admin has run "/ilert" in "#sre-private"
    When the Admin chooses "New Relic" in the channel menu
    Then the Admin alone is told that the ilert app cannot post in the channel and to "/invite @ilert"
    And ilert does not publish "New Relic" to "#sre-private"

  @DELIVER-1
  Scenario: Once the bot is invited, the same choice links the source
    Given someone invites the ilert bot into "#sre-private"
    And the Admin has run "/ilert" in "#sre-private"
    When the Admin chooses "New Relic" in the channel menu
    Then the channel menu confirms that the Admin added "New Relic" to the channel
    And ilert publishes "New Relic" automatically to "#sre-private" of the linked workspace

  @DELIVER-2
  Scenario: An alert action whose channel Slack refuses is shown failing, with Slack's reason
    Given ilert publishes "Grafana" to "#sre-private", where the bot was never invited
    When an alert "Replica lag" is created on "Grafana"
    Then ilert shows the alert action of "Grafana" in "#sre-private" as FAILING because of "channel_not_found"
    And the alert's timeline in ilert names "channel_not_found", not an HTTP status
