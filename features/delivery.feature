Feature: Delivery that can be relied on
  Every update a channel should see arrives there once, in order, even when Slack fails, limits the
  connector's rate or loses an answer, and even when the connector restarts.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account
    And "New Relic" is linked to "#ops-alerts"

  @REL-1 @smoke
  Scenario: A message whose answer Slack lost is not posted twice
    Given Slack will store the next message but lose its answer
    When an alert "Order queue stuck" is created on "New Relic"
    And ilert has retried everything the connector could not confirm
    Then "#ops-alerts" has exactly one message for the alert
    And the alert's message reads "[Pending] Order queue stuck"

  @REL-1
  Scenario: Errors and rate limits delay updates but lose and repeat none
    Given an alert "Checkout errors" on "New Relic" is posted in "#ops-alerts"
    And Slack will refuse the next 2 updates of a message for going too fast
    And Slack will fail the next thread reply after storing it
    When the Admin accepts the alert through ilert's API
    And the Admin resolves the alert through ilert's API
    And ilert has retried everything the connector could not confirm
    Then the alert's thread holds, in order:
      | Accepted by |
      | Resolved by |
    And the alert's message reads "[Resolved] Checkout errors"

  @REL-1
  Scenario: An update whose answer Slack lost is made again at once
    Given an alert "Disk full" on "New Relic" is posted in "#ops-alerts"
    And Slack will make the next 2 updates of a message but lose their answers
    When the Admin accepts the alert through ilert's API
    And ilert has retried everything the connector could not confirm
    Then the alert's message reads "[Accepted] Disk full"
    And the alert's thread holds, in order:
      | Accepted by |
    And ilert's log of the alert shows no failed attempt to notify Slack

  @REL-1 @restart
  Scenario: A connector restart loses nothing and repeats nothing
    Given Slack will store the next message but lose its answer
    When an alert "Replica down" is created on "New Relic"
    And the connector restarts
    And ilert has retried everything the connector could not confirm
    Then "#ops-alerts" has exactly one message for the alert
    And the alert's message reads "[Pending] Replica down"
