Feature: Alerts in Slack
  Every alert of a linked source appears in the channel with its state, summary and assignee, and
  the people in the channel can accept or resolve it without leaving Slack.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account
    And "New Relic" is linked to "#ops-alerts"

  @CHAN-7 @smoke
  Scenario: A new alert is posted in the linked channel
    When an alert "Database primary is down" is created on "New Relic"
    Then "#ops-alerts" shows the alert "[Pending] Database primary is down" linked to the alert in ilert
    And the alert's message says it is assigned to the Responder
    And the alert's message has the buttons "Accept" and "Resolve"

  @CHAN-7
  Scenario: An alert sent through the events API is posted too
    When a monitoring tool reports "Checkout latency above 2s" with the integration key of "New Relic"
    Then "#ops-alerts" shows the alert "[Pending] Checkout latency above 2s" linked to the alert in ilert

  @CHAN-7
  Scenario: Alerts of sources that are not linked stay out of the channel
    When an alert "Dashboard slow" is created on "Grafana"
    Then "#ops-alerts" shows no alert messages

  @CHAN-8 @smoke
  Scenario: Accepting an alert from Slack
    Given an alert "Disk almost full" on "New Relic" is posted in "#ops-alerts"
    When the Responder clicks "Accept" on the alert's message
    Then the alert is accepted in ilert by the Responder
    And the alert's message reads "[Accepted] Disk almost full"
    And the alert's message has only the button "Resolve"

  @CHAN-8
  Scenario: Resolving an alert from Slack
    Given an alert "Queue backlog growing" on "New Relic" is posted in "#ops-alerts"
    When the User clicks "Resolve" on the alert's message
    Then the alert is resolved in ilert by the User
    And the alert's message reads "[Resolved] Queue backlog growing"
    And the alert's message has no buttons

  @CHAN-8
  Scenario: A Slack user unknown to ilert cannot change the alert
    Given an alert "Cache misses" on "New Relic" is posted in "#ops-alerts"
    And a Slack user with no ilert account is in "#ops-alerts"
    When that Slack user clicks "Accept" on the alert's message
    Then that Slack user alone is told that no ilert user has their e-mail address
    And the alert is still pending in ilert
