Feature: The ilert app answers Slack at once, however slowly ilert answers
  Slack gives an app three seconds to answer a command, a click or a form, and shows the person
  an error when it does not. The ilert app answers at once and shows what ilert did when ilert has
  done it: the menu redrawn, the alert's message updated, the form telling the outcome. Each thing
  a person does takes effect once.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account
    And "New Relic" is linked to "#ops-alerts"
    And an alert "Checkout latency" on "New Relic" is posted in "#ops-alerts"

  @ACK-1
  Scenario: With ilert taking 2.5 seconds a call, every command, click and form takes effect once
    Given ilert takes 2.5 seconds to answer every call
    When the Admin runs "/ilert" in "#ops-alerts"
    And the Admin chooses "Grafana" in the channel menu
    Then the channel menu confirms that the Admin added "Grafana" to the channel
    And ilert has exactly one alert action for "Grafana" and "#ops-alerts"
    When the Responder clicks "Accept" on the alert's message
    Then the alert's message reads "[Accepted] Checkout latency"
    And ilert records the alert accepted once, by the Responder
    When the User runs "/ilert alert" in "#ops-alerts"
    And the User submits the form with the source "Grafana", the policy "On-call first line" and the summary "Cache cluster degraded"
    Then the form tells the User that the alert was created
    And ilert has an alert "Cache cluster degraded" on "Grafana" created by the User
    And Slack showed nobody a timeout: it had every answer within its three seconds
