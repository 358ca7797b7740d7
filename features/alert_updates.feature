Feature: Alert updates in Slack
  Once an alert is in a channel, what happens to it afterwards is published too: the message is
  updated in place, and each change is told in the message's thread. Each alert action chooses
  which kinds of update it publishes.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account
    And "New Relic" is linked to "#ops-alerts"
    And an alert "Checkout errors" on "New Relic" is posted in "#ops-alerts"

  @FAQ-2 @smoke
  Scenario: An escalation is published
    When the alert is not accepted for 15 minutes
    Then the alert's message says it is assigned to the User
    And the alert's thread tells "Escalated: now assigned to" the User
    And "#ops-alerts" has exactly one message for the alert

  @FAQ-2
  Scenario: A manual assignment is published
    When the Admin assigns the alert to the User in ilert
    Then the alert's message says it is assigned to the User
    And the alert's thread tells "Assigned to" the User

  @FAQ-2
  Scenario Outline: Accepting and resolving are published wherever they happen
    When the Admin <action> the alert <where>
    Then the alert's message reads "<title>"
    And the alert's thread tells "<note>" the Admin
    And "#ops-alerts" has exactly one message for the alert

    Examples:
      | action   | where                 | title                      | note        |
      | accepts  | on ilert's alert page | [Accepted] Checkout errors | Accepted by |
      | accepts  | through ilert's API   | [Accepted] Checkout errors | Accepted by |
      | accepts  | in Slack              | [Accepted] Checkout errors | Accepted by |
      | resolves | on ilert's alert page | [Resolved] Checkout errors | Resolved by |
      | resolves | through ilert's API   | [Resolved] Checkout errors | Resolved by |
      | resolves | in Slack              | [Resolved] Checkout errors | Resolved by |

  @FAQ-2
  Scenario: The thread tells every update once and in order
    When the Admin assigns the alert to the User in ilert
    And the Admin accepts the alert in Slack
    And the Admin resolves the alert through ilert's API
    Then the alert's thread holds, in order:
      | Assigned to |
      | Accepted by |
      | Resolved by |
    And the alert's message reads "[Resolved] Checkout errors"

  @FAQ-3 @smoke
  Scenario Outline: An update of a chosen kind is published
    Given the channel's alert action publishes only new alerts and <kind>
    When <update>
    Then the alert's thread tells "<note>"

    Examples:
      | kind        | update                                           | note        |
      | escalations | the alert is not accepted for 15 minutes         | Escalated   |
      | assignments | the Admin assigns the alert to the User in ilert | Assigned to |
      | acceptances | the Admin accepts the alert through ilert's API  | Accepted by |
      | resolutions | the Admin resolves the alert through ilert's API | Resolved by |

  @FAQ-3
  Scenario Outline: An update of a kind not chosen changes nothing in Slack
    Given the channel's alert action publishes only new alerts
    When <update>
    Then the alert's message still reads "[Pending] Checkout errors" and was never edited
    And the alert's thread is empty

    Examples:
      | update                                           |
      | the alert is not accepted for 15 minutes         |
      | the Admin assigns the alert to the User in ilert |
      | the Admin accepts the alert through ilert's API  |
      | the Admin resolves the alert through ilert's API |
