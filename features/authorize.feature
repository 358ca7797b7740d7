Feature: Authorizing a Slack workspace in ilert
  An ilert Admin connects the company's Slack workspace to the ilert account. The journey starts on
  ilert's Connectors page, passes through Slack's consent page and ends back in ilert.

  Background:
    Given an ilert account and a Slack workspace with the same people

  @AUTH-2 @smoke
  Scenario: The Connectors page offers the Slack Workspace Integration
    When the Admin opens the Connectors page in ilert
    Then the page lists the "Slack Workspace Integration"

  @AUTH-3
  Scenario: An account without a workspace is offered Authorize
    When the Admin opens the Slack Workspace Integration in ilert
    Then the page offers the button "Authorize"
    And no Slack workspace is linked to the ilert account

  @AUTH-4 @smoke
  Scenario: Authorize hands the browser to Slack's consent page
    When the Admin clicks Authorize in ilert
    Then Slack asks the person to log in first
    And after logging in, Slack's consent page names the workspace and the permissions asked for
    And the request to Slack carries the app's client id, the connector's return address and a state

  @AUTH-4
  Scenario: Every Authorize click gets a state of its own
    When the Admin clicks Authorize in ilert twice
    Then the two requests to Slack carry different, unguessable states

  @AUTH-5 @smoke
  Scenario: Allowing access links the workspace
    When the Admin authorizes the workspace and allows access in Slack
    Then ilert shows a success message naming the workspace's address and team name
    And the Slack workspace is linked to the ilert account

  @AUTH-5
  Scenario: Denying access links nothing
    When the Admin authorizes the workspace and cancels in Slack
    Then ilert shows an error saying access was not allowed
    And no Slack workspace is linked to the ilert account

  @AUTH-5
  Scenario: Slack's answer cannot be replayed
    Given the Admin has authorized the workspace
    When Slack's answer to that authorization arrives a second time
    Then the connector refuses it because the state was already used

  @AUTH-1 @smoke
  Scenario Outline: Only an Admin may start the integration
    Given an ilert <role> who is also in the Slack workspace
    When the <role> clicks Authorize in ilert
    Then ilert refuses because only an Admin can authorize the Slack Workspace Integration
    And the browser never reached Slack
    And no Slack workspace is linked to the ilert account

    Examples:
      | role        |
      | User        |
      | Responder   |
      | Stakeholder |
      | Guest       |

  @AUTH-1
  Scenario: The account owner may authorize
    Given the account owner is also in the Slack workspace
    When the account owner authorizes the workspace and allows access in Slack
    Then ilert shows a success message naming the workspace's address and team name

  @AUTH-1
  Scenario: An Admin who loses the role before allowing access links nothing
    Given the Admin has clicked Authorize in ilert and reached Slack's consent page
    And meanwhile the Admin's ilert role is changed to User
    When the person allows access in Slack
    Then ilert shows an error because only an Admin can authorize the Slack Workspace Integration
    And no Slack workspace is linked to the ilert account
    And the ilert app keeps no installation in the Slack workspace

  @AUTH-1
  Scenario: Only an Admin may re-authorize
    Given the workspace is linked to the ilert account
    When the User clicks Authorize in ilert
    Then ilert refuses because only an Admin can authorize the Slack Workspace Integration
    And the Slack workspace is linked to the ilert account

  @AUTH-6
  Scenario: /ilert in a workspace that is not linked to ilert explains how to connect it
    Given the ilert app was added to the Slack workspace from Slack, without ilert
    When the Admin runs "/ilert" in "#ops-alerts"
    Then the Admin alone is told that the workspace is not connected to ilert and how an Admin connects it

  @AUTH-6
  Scenario: Once linked, alert sources can be added to the workspace's channels
    Given the workspace is linked to the ilert account
    When the Admin types "/ilert" in "#ops-alerts"
    And the Admin chooses "Grafana" in the menu
    Then ilert publishes "Grafana" automatically to "#ops-alerts" of the linked workspace
