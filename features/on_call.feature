Feature: On-call schedules in Slack
  An escalation policy can hand a level to an on-call schedule instead of naming people: whoever
  is on call there when the alert reaches that level becomes its assignee, and the channel that
  follows the alert sees the escalation with that person's name.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @ONC-1 @smoke
  Scenario: Escalation to a schedule's on-call person is published in Slack
    Given an on-call schedule "Support rota" in which the User is on call now and the Admin next
    And an alert source "Payments" whose policy reaches the Responder first and "Support rota" after 10 minutes
    And "Payments" is linked to "#ops-alerts"
    And an alert "Card payments fail" on "Payments" is posted in "#ops-alerts"
    When nobody accepts the alert for 10 minutes
    Then the alert's message says it is assigned to the User
    And the alert's thread tells "Escalated: now assigned to" the User
    And "#ops-alerts" has exactly one message for the alert
