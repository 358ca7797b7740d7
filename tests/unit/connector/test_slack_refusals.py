"""How a Slack refusal becomes the connector's answer to ilert (docs/contract.md, point 4)."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from connector.notifier import slack_refusal


def refused(error: str, *, status: int = 200, headers: dict | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": error},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("refused", response)


@pytest.mark.parametrize(
    "error",
    [
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "missing_scope",
        "account_inactive",
        "invalid_auth",
        "token_revoked",
        "msg_too_long",
    ],
)
def test_slacks_refusals_for_good_are_a_422_ilert_does_not_retry(error: str) -> None:
    outcome = slack_refusal(refused(error))
    assert (outcome.status, outcome.body["error"], outcome.retry_after) == (422, error, None)
    assert outcome.body["ok"] is False and outcome.body["message"].endswith(".")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ("internal_error", 200),
        ("fatal_error", 200),
        ("service_unavailable", 200),
        ("request_timeout", 200),
        ("channel_not_found", 503),
    ],
)
def test_slacks_passing_failures_are_a_503_ilert_retries(error: str, status: int) -> None:
    outcome = slack_refusal(refused(error, status=status))
    assert (outcome.status, outcome.body["error"]) == (503, error)
    assert "try again" in outcome.body["message"]


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [
        ({"Retry-After": "30"}, 30),
        ({"retry-after": ["4"]}, 4),
        ({}, None),
        ({"Retry-After": "x"}, None),
    ],
)
def test_a_rate_limit_is_a_429_keeping_slacks_retry_after(
    headers: dict, retry_after: int | None
) -> None:
    outcome = slack_refusal(refused("ratelimited", status=429, headers=headers))
    assert (outcome.status, outcome.body["error"], outcome.retry_after) == (
        429,
        "ratelimited",
        retry_after,
    )
