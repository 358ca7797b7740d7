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

  @FAQ-1
  Scenario: After a refused second workspace, the first one keeps working
    Given a second Slack workspace where the Admin is a member too
    And the Admin has tried to link the second workspace
    When the Admin runs "/ilert" in "#ops-alerts"
    Then the Admin alone sees the channel menu of "#ops-alerts"

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
