Feature: Isolation between customers
  One Slack workspace never reaches another's channels, and one ilert account never sees another's
  data, whatever credentials the connector holds.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @SEC-2 @smoke
  Scenario: A workspace's bot cannot reach another workspace's channels
    Given a second Slack workspace with a channel "#secret-plans"
    When the ilert bot of the first workspace posts to "#secret-plans"
    Then Slack refuses because the bot knows no such channel
    And "#secret-plans" has no messages

  @SEC-2
  Scenario: An ilert account sees nothing of another account
    Given a second ilert account with an alert source "Other company's API"
    When the first account's owner lists alert sources and alerts
    Then none of the second account's alert sources or alerts are listed
    And the second account's alert source cannot be found by its id
