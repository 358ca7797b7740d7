"""Whether the bot can post in a channel, read from Slack's `conversations.info` before a link
is made (Slack's answers played by a stand-in for slack_sdk's client)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from connector.listeners.menu import BOT_NOT_IN_CHANNEL, CHANNEL_ARCHIVED, why_bot_cannot_post


class Slack:
    """Answers conversations.info with `body`, raising as slack_sdk does when `ok` is false."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def conversations_info(self, *, channel: str) -> SlackResponse:
        response = SlackResponse(
            client=None,
            http_verb="POST",
            api_url="conversations.info",
            req_args={"channel": channel},
            data=self.body,
            headers={},
            status_code=200,
        )
        return response.validate()


def answer(body: dict[str, Any]) -> str | None:
    return why_bot_cannot_post(cast(WebClient, Slack(body)), "C1")


def test_a_private_channel_the_bot_is_not_in_cannot_take_alerts() -> None:
    # Slack hides a private channel from a bot that was not invited: channel_not_found.
    assert answer({"ok": False, "error": "channel_not_found"}) == BOT_NOT_IN_CHANNEL
    assert "/invite @ilert" in BOT_NOT_IN_CHANNEL


def test_an_archived_channel_cannot_take_alerts() -> None:
    assert answer({"ok": True, "channel": {"id": "C1", "is_archived": True}}) == CHANNEL_ARCHIVED


@pytest.mark.parametrize(
    "channel",
    [
        {"id": "C1", "is_private": False, "is_member": False},  # chat:write.public posts there
        {"id": "C1", "is_private": True, "is_member": True},
    ],
)
def test_a_public_channel_or_a_private_one_with_the_bot_can(channel: dict[str, Any]) -> None:
    assert answer({"ok": True, "channel": channel}) is None


def test_an_answer_that_proves_nothing_does_not_stop_the_link() -> None:
    assert answer({"ok": False, "error": "missing_scope", "needed": "groups:read"}) is None
