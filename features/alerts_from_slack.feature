Feature: Creating alerts in ilert from Slack
  From any channel, a person who is also an ilert user can open the "Alert on-call team" form and
  raise an alert in ilert under their own name.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account

  @CREATE-1 @smoke
  Scenario: /ilert alert opens the "Alert on-call team" form
    When the User runs "/ilert alert" in "#ops-alerts"
    Then the User sees the form "Alert on-call team" asking for:
      | field             | required |
      | Alert source      | yes      |
      | Escalation policy | yes      |
      | Alert summary     | yes      |
      | Alert details     | no       |

  @CREATE-1
  Scenario: /il-alert opens the same form
    When the Responder runs "/il-alert" in "#incidents"
    Then the Responder sees the form "Alert on-call team" asking for:
      | field             | required |
      | Alert source      | yes      |
      | Escalation policy | yes      |
      | Alert summary     | yes      |
      | Alert details     | no       |

  @CREATE-1 @smoke
  Scenario: The form creates an alert in ilert as the person who sent it
    Given the User has run "/ilert alert" in "#ops-alerts"
    When the User submits the form with the source "Grafana", the policy "On-call first line" and the summary "Cache cluster degraded"
    Then the form tells the User that the alert was created
    And ilert has an alert "Cache cluster degraded" on "Grafana" created by the User

  @CREATE-1
  Scenario: The form will not go without a summary
    Given the User has run "/ilert alert" in "#ops-alerts"
    When the User tries to submit the form with the source "Grafana", the policy "On-call first line" and no summary
    Then Slack keeps the form open because "Alert summary" is required
    And ilert has no alert on "Grafana"

  @CREATE-1
  Scenario: A summary of blanks is refused by the app in the form
    Given the User has run "/ilert alert" in "#ops-alerts"
    When the User submits the form with the source "Grafana", the policy "On-call first line" and the summary "   "
    Then the form stays open and says "Enter a summary" under "Alert summary"
    And ilert has no alert on "Grafana"

  @CREATE-1
  Scenario: Only the sources the person may see are offered
    Given a private team "Payments" with the Admin and the User, owning the alert source "Payments Gateway"
    When the Responder runs "/ilert alert" in "#ops-alerts"
    Then the form offers the sources "New Relic", "Grafana" and "Checkout API" but not "Payments Gateway"
