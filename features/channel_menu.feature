Feature: Linking alert sources to Slack channels with /ilert
  In a channel, /ilert opens a menu that shows which ilert alert sources publish there, adds new
  ones and removes them. ilert decides who may change the links.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @CHAN-1 @smoke
  Scenario: /ilert opens the channel's configuration menu
    When the Admin runs "/ilert" in "#ops-alerts"
    Then the Admin alone sees the channel menu of "#ops-alerts"
    And the channel menu says "0 Alert source(s) configured for this channel"
    And the channel menu offers to add "New Relic", "Grafana" and "Checkout API"

  @CHAN-3 @smoke
  Scenario: Choosing an alert source links it to the channel
    Given the Admin has run "/ilert" in "#ops-alerts"
    When the Admin chooses "New Relic" in the channel menu
    Then the channel menu confirms that the Admin added "New Relic" to the channel
    And the channel menu says "1 Alert source(s) configured for this channel"
    And the channel menu lists "New Relic" with a "Remove" button
    And ilert publishes "New Relic" automatically to "#ops-alerts" of the linked workspace

  @CHAN-3
  Scenario: A linked source is no longer offered in the channel's menu
    Given "New Relic" is linked to "#ops-alerts"
    When the Admin runs "/ilert" in "#ops-alerts"
    Then the channel menu no longer offers "New Relic"

  @CHAN-3
  Scenario: Linking a source twice keeps a single link
    Given the Admin has run "/ilert" in "#ops-alerts"
    And the User has run "/ilert" in "#ops-alerts"
    When the User chooses "New Relic" in the channel menu
    And the Admin chooses "New Relic" in the channel menu
    Then ilert has exactly one alert action for "New Relic" and "#ops-alerts"

  @CHAN-3
  Scenario: Remove unlinks a source from the channel
    Given "New Relic" is linked to "#ops-alerts"
    And the Admin has run "/ilert" in "#ops-alerts"
    When the Admin clicks "Remove" in the channel menu
    Then the channel menu says "0 Alert source(s) configured for this channel"
    And ilert does not publish "New Relic" to "#ops-alerts"

  @CHAN-2
  Scenario Outline: A person whose ilert role may change alert sources can link one
    Given the <role> has run "/ilert" in "#ops-alerts"
    When the <role> chooses "Grafana" in the channel menu
    Then ilert publishes "Grafana" automatically to "#ops-alerts" of the linked workspace

    Examples:
      | role  |
      | Admin |
      | User  |

  @CHAN-2
  Scenario: A Responder cannot link alert sources
    Given the Responder has run "/ilert" in "#ops-alerts"
    When the Responder chooses "Grafana" in the channel menu
    Then the Responder alone is told that their ilert role may not change alert sources
    And ilert does not publish "Grafana" to "#ops-alerts"
