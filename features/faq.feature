Feature: One workspace per account
  An ilert account links a single Slack workspace, and a workspace belongs to a single ilert
  account. Re-authorizing the linked workspace is always possible.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @FAQ-1 @smoke
  Scenario: A second workspace cannot be linked to the same account
    Given a second Slack workspace where the Admin is a member too
    When the Admin authorizes the second workspace and allows access in Slack
    Then ilert shows an error saying the account is already linked to the first workspace
    And the ilert account is still linked to the first workspace
    And the ilert app keeps no installation in the second Slack workspace
    And "/ilert" in the first workspace still opens the menu

  @FAQ-1
  Scenario: A workspace linked to one account cannot be linked to another
    Given a second ilert account whose Admin is a member of the same workspace
    When that Admin authorizes the workspace and allows access in Slack
    Then ilert shows an error saying the workspace is already linked to another ilert account
    And the second ilert account has no Slack workspace
    And the ilert account is still linked to the first workspace

  @FAQ-1
  Scenario: Re-authorizing the linked workspace is allowed
    When the Admin authorizes the workspace and allows access in Slack
    Then ilert shows a success message naming the workspace's address and team name
    And the ilert account is still linked to the first workspace
