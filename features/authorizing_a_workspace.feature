Feature: Authorizing a Slack workspace in ilert
  An ilert Admin connects the company's Slack workspace to the ilert account. The journey starts on
  ilert's Connectors page, passes through Slack's consent page and ends back in ilert, with the
  workspace linked.

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
  Scenario: Authorize asks the person to log in to Slack first
    When the Admin clicks Authorize in ilert
    Then Slack asks the person to log in

  @AUTH-4
  Scenario: After logging in, Slack asks for consent to the ilert app's permissions
    Given the Admin has clicked Authorize in ilert
    When the Admin logs in to Slack
    Then Slack's consent page names the workspace and the permissions asked for
    And Slack is asked on behalf of the ilert app to send the person back to the connector

  @AUTH-4
  Scenario: Every Authorize click is a journey of its own
    When the Admin clicks Authorize in ilert twice
    Then each trip to Slack carries its own unguessable one-time key

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
    Given the workspace is linked to the ilert account
    When Slack's answer that linked it arrives a second time
    Then the connector refuses it as already used

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
    And the Admin has run "/ilert" in "#ops-alerts"
    When the Admin chooses "Grafana" in the channel menu
    Then ilert publishes "Grafana" automatically to "#ops-alerts" of the linked workspace
