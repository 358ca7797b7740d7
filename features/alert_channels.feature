Feature: Dedicated alert channels
  From an alert's page in ilert, a Slack channel of its own for that one alert: its responders are
  invited, now and whenever someone joins the alert, and the alert and its updates are published
  there as in any linked channel.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @ACHAN-1 @smoke
  Scenario Outline: The alert page offers a channel named after the source and the alert
    Given an alert "Checkout errors" on "<source>"
    When the Admin opens the alert's page in ilert
    Then the page offers "Create Slack channel" with the name "<prefix>_alert_" and the alert's id
    And the page offers to make the channel private

    Examples:
      | source       | prefix       |
      | Grafana      | grafana      |
      | Checkout API | checkout-api |

  @ACHAN-2 @smoke
  Scenario: Creating the channel links it on the alert's page
    Given an alert "Checkout errors" on "Grafana"
    When the Admin creates the alert's Slack channel with the name offered
    Then the workspace has a public channel named "grafana_alert_" and the alert's id
    And the alert's page links to that channel in Slack
    And the alert's timeline tells "Slack channel #grafana_alert_" and the alert's id
    And the alert's page no longer offers "Create Slack channel"

  @ACHAN-2
  Scenario: A private channel
    Given an alert "Checkout errors" on "Grafana"
    When the Admin creates the alert's Slack channel "checkout-war-room", private
    Then the workspace has a private channel "checkout-war-room"
    And the alert's page links to that channel in Slack

  @ACHAN-2
  Scenario: An alert has one channel
    Given an alert "Checkout errors" on "Grafana"
    And the Admin has created the alert's Slack channel "checkout-war-room"
    When the User creates the alert's Slack channel "checkout-war-room-2"
    Then the alert's page says "already has a Slack channel"
    And the workspace has no channel "checkout-war-room-2"

  @ACHAN-3 @smoke
  Scenario: The responders and the creator are invited at once
    Given an alert "Checkout errors" on "Grafana"
    When the Admin creates the alert's Slack channel "checkout-war-room"
    Then the Responder and the Admin are members of "checkout-war-room"
    And the User is not a member of "checkout-war-room"

  @ACHAN-3
  Scenario: A responder unknown to Slack is left out, the others are invited
    Given an alert "Checkout errors" on "Grafana"
    And the Responder's e-mail address in ilert is one Slack does not know
    When the Admin creates the alert's Slack channel "checkout-war-room"
    Then the Admin is a member of "checkout-war-room"
    And the Responder is not a member of "checkout-war-room"
    And the alert's page says "not invited, no Slack user has the e-mail address"

  @ACHAN-3
  Scenario: Someone assigned to the alert later is invited
    Given an alert "Checkout errors" on "Grafana"
    And the Admin has created the alert's Slack channel "checkout-war-room"
    When the Admin assigns the alert to the User in ilert
    Then the User is a member of "checkout-war-room"

  @ACHAN-3
  Scenario: Someone the alert escalates to is invited
    Given an alert "Checkout errors" on "Grafana"
    And the Admin has created the alert's Slack channel "checkout-war-room"
    When the alert is not accepted for 15 minutes
    Then the User is a member of "checkout-war-room"
    And the alert's thread tells "Escalated: now assigned to" the User

  @ACHAN-4 @smoke
  Scenario: The alert and its updates are published in its channel
    Given an alert "Checkout errors" on "Grafana"
    And the Admin has created the alert's Slack channel "checkout-war-room"
    Then "#checkout-war-room" shows the alert "[Pending] Checkout errors" linked to the alert in ilert
    And the alert's message has the buttons "Accept" and "Resolve"
    When the Responder clicks "Accept" on the alert's message
    Then the alert is accepted in ilert by the Responder
    And the alert's message reads "[Accepted] Checkout errors"
    And the alert's thread tells "Accepted by" the Responder
    And "#checkout-war-room" has exactly one message for the alert

  @ACHAN-5
  Scenario Outline: A name Slack refuses creates nothing and the page says why
    Given an alert "Checkout errors" on "Grafana"
    When the Admin creates the alert's Slack channel "<name>"
    Then the alert's page says "<reason>" and "<code>"
    And the alert has no Slack channel

    Examples:
      | name             | reason                                      | code                   |
      | ops-alerts       | already exists in the Slack workspace       | name_taken             |
      | Checkout-Errors  | has characters Slack does not allow         | invalid_name_specials  |
      | checkout errors! | has characters Slack does not allow         | invalid_name_specials  |
      | 81 characters    | The name is too long                        | invalid_name_maxlength |
      | ---              | needs at least one letter or digit          | invalid_name_punctuation |

  @ACHAN-5
  Scenario: An installation without the permission to create channels says so
    Given the workspace was linked when the app did not yet ask for "channels:manage"
    And an alert "Checkout errors" on "Grafana"
    When the Admin creates the alert's Slack channel "checkout-war-room"
    Then the alert's page says "re-authorize Slack" and "missing_scope"
    And the alert has no Slack channel

  @ACHAN-5
  Scenario: Without a linked workspace there is no channel to create
    Given an alert "Checkout errors" on "Grafana"
    And the Admin has deleted the Slack Workspace Integration in ilert
    When the Admin opens the alert's page in ilert
    Then the alert's page does not offer "Create Slack channel"
    And the alert's page says "no Slack workspace is linked"
    When the Admin creates the alert's Slack channel "checkout-war-room"
    Then the alert's page says "No Slack workspace is linked to this account"
    And the workspace has no channel "checkout-war-room"

  @ACHAN-6
  Scenario: A Stakeholder is not offered the channel and is refused by ilert's server
    Given an alert "Checkout errors" on "Grafana"
    And the alert has been assigned to the User
    And the User's ilert role is Stakeholder
    When the User opens the alert's page in ilert
    Then the alert's page does not offer "Create Slack channel"
    When the User creates the alert's Slack channel "checkout-war-room"
    Then ilert refuses with 403
    And the workspace has no channel "checkout-war-room"

  @ACHAN-6
  Scenario: Someone outside the alert's private team cannot create its channel
    Given a private team "Payments" with the Admin and the User, owning the alert source "Payments Gateway"
    And an alert "Card payments failing" on "Payments Gateway"
    And the alert has been assigned to the User
    When the Responder creates the alert's Slack channel "payments-war-room"
    Then ilert refuses with 404
    And the workspace has no channel "payments-war-room"
