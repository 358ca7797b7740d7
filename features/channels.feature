Feature: Linking alert sources to Slack channels with /ilert
  In a channel, /ilert opens a menu that shows which ilert alert sources publish there, adds new
  ones and removes them. ilert decides who may change the links.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @CHAN-1 @smoke
  Scenario: /ilert opens the channel's configuration menu
    When the Admin types "/ilert" in "#ops-alerts"
    Then the Admin alone sees the configuration menu of "#ops-alerts"
    And the menu says "0 Alert source(s) configured for this channel"
    And the menu offers to add "New Relic", "Grafana" and "Checkout API"

  @CHAN-3 @smoke
  Scenario: Choosing an alert source links it to the channel
    When the Admin types "/ilert" in "#ops-alerts"
    And the Admin chooses "New Relic" in the menu
    Then the menu confirms that the Admin added "New Relic" to the channel
    And the menu says "1 Alert source(s) configured for this channel"
    And the menu lists "New Relic" with a "Remove" button
    And ilert publishes "New Relic" automatically to "#ops-alerts" of the linked workspace

  @CHAN-3
  Scenario: A linked source is no longer offered in the channel's menu
    Given "New Relic" is linked to "#ops-alerts"
    When the Admin types "/ilert" in "#ops-alerts"
    Then the menu no longer offers "New Relic"

  @CHAN-3
  Scenario: Linking a source twice keeps a single link
    When the Admin types "/ilert" in "#ops-alerts"
    And the User types "/ilert" in "#ops-alerts"
    And the User chooses "New Relic" in the menu
    And the Admin chooses "New Relic" in the menu
    Then ilert has exactly one alert action for "New Relic" and "#ops-alerts"

  @CHAN-3
  Scenario: Remove unlinks a source from the channel
    Given "New Relic" is linked to "#ops-alerts"
    When the Admin types "/ilert" in "#ops-alerts"
    And the Admin clicks "Remove" in the menu
    Then the menu says "0 Alert source(s) configured for this channel"
    And ilert no longer publishes "New Relic" to "#ops-alerts"

  @CHAN-2
  Scenario Outline: A person whose ilert role may change alert sources can link one
    When the <role> types "/ilert" in "#ops-alerts"
    And the <role> chooses "Grafana" in the menu
    Then ilert publishes "Grafana" automatically to "#ops-alerts" of the linked workspace

    Examples:
      | role  |
      | Admin |
      | User  |

  @CHAN-2
  Scenario: A Responder cannot link alert sources
    When the Responder types "/ilert" in "#ops-alerts"
    And the Responder chooses "Grafana" in the menu
    Then the Responder alone is told that their ilert role may not change alert sources
    And ilert does not publish "Grafana" to "#ops-alerts"
