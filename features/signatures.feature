Feature: Signed requests from Slack
  Everything Slack sends the connector carries Slack's signature: an HMAC-SHA256 of the body and a
  timestamp, keyed with the app's signing secret, in the X-Slack-Signature header. The connector
  answers 401 and changes nothing when the signature is missing, wrong, or more than five minutes
  old. This is the one feature about the wire: its words are the protocol's.

  Background:
    Given an ilert account and a Slack workspace with the same people
    And the workspace is linked to the ilert account
    And "New Relic" is linked to "#ops-alerts"

  @SEC-1 @smoke
  Scenario Outline: A click that Slack did not sign, or signed long ago, changes nothing
    Given an alert "Payment errors" on "New Relic" is posted in "#ops-alerts"
    When someone sends the connector a click on "Accept" for that alert <how>
    Then the connector answers 401
    And the alert is still pending in ilert
    And the alert's message reads "[Pending] Payment errors"

    Examples:
      | how                                   |
      | without a signature                   |
      | signed with another secret            |
      | signed correctly six minutes ago      |
      | signed correctly for a different body |

  @SEC-1
  Scenario: A slash command that Slack did not sign gets no menu
    When someone sends the connector "/ilert" for "#ops-alerts" signed with another secret
    Then the connector answers 401
    And nobody sees a new channel menu in "#ops-alerts"

  @SEC-1
  Scenario: A correctly signed, fresh request is accepted
    When someone sends the connector "/ilert" for "#ops-alerts" signed correctly just now
    Then the connector answers 200
