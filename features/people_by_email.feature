Feature: People known by their e-mail address
  Whoever clicks in Slack acts in ilert as the ilert user with the same e-mail address, whatever
  their names, and however the address is capitalised.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account
    And "Grafana" is linked to "#ops-alerts"

  @MAP-1
  Scenario: A Slack user is recognised in ilert by e-mail address alone
    Given an alert "Replica lag" on "Grafana" is posted in "#ops-alerts"
    And an ilert responder and a Slack user with another name share an e-mail address, written in capitals in Slack
    When that Slack user clicks "Accept" on the alert's message
    Then the alert is accepted in ilert by that ilert responder
