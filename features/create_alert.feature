Feature: Creating alerts in ilert from Slack
  From any channel, a person who is also an ilert user can open the "Alert on-call team" form and
  raise an alert in ilert under their own name.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @CREATE-1 @smoke
  Scenario: The form creates an alert in ilert as the person who sent it
    When the User runs "/ilert alert" in "#ops-alerts"
    Then the User sees the form "Alert on-call team" asking for "Alert source", "Escalation policy", "Alert summary" and "Alert details"
    When the User submits the form with the source "Grafana", the policy "On-call first line" and the summary "Cache cluster degraded"
    Then the form closes
    And ilert has an alert "Cache cluster degraded" on "Grafana" created by the User

  @CREATE-1
  Scenario: /il-alert opens the same form
    When the Responder runs "/il-alert" in "#incidents"
    Then the Responder sees the form "Alert on-call team" asking for "Alert source", "Escalation policy", "Alert summary" and "Alert details"

  @CREATE-1
  Scenario: The form will not go without a summary
    When the User runs "/ilert alert" in "#ops-alerts"
    And the User tries to submit the form with the source "Grafana", the policy "On-call first line" and no summary
    Then the form refuses because "Alert summary" is required
    And ilert has no alert on "Grafana"

  @CREATE-1
  Scenario: A summary of blanks is refused by the app in the form
    When the User runs "/ilert alert" in "#ops-alerts"
    And the User submits the form with the source "Grafana", the policy "On-call first line" and the summary "   "
    Then the form stays open and says "Enter a summary" next to "summary"
    And ilert has no alert on "Grafana"

  @CREATE-1
  Scenario: Only the sources the person may see are offered
    Given a private team "Payments" with the Admin and the User, owning the alert source "Payments Gateway"
    When the Responder runs "/ilert alert" in "#ops-alerts"
    Then the form offers the sources "New Relic", "Grafana" and "Checkout API" but not "Payments Gateway"
