"""`limit` as Slack takes it: up to each method's own maximum (`limit=1000` on
conversations.list is the common idiom), above it a page of the maximum and a cursor for the
rest, and `invalid_limit` only for what is not a page size at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.fidelity.conftest import Acme, error_of


def _calls(acme: Acme) -> dict[str, Callable[..., Any]]:
    client, channel = acme.client(), acme.general["id"]
    return {
        "conversations.list": client.conversations_list,
        "conversations.members": lambda **kw: client.conversations_members(channel=channel, **kw),
        "conversations.history": lambda **kw: client.conversations_history(channel=channel, **kw),
        "users.list": client.users_list,
        "chat.scheduledMessages.list": client.chat_scheduledMessages_list,
    }


@pytest.mark.parametrize(
    ("method", "limit"),
    [
        ("conversations.list", 1000),
        ("conversations.members", 1000),
        ("conversations.history", 999),
        ("conversations.history", 1000),
        ("users.list", 1000),
        ("chat.scheduledMessages.list", 1000),
        ("conversations.list", 5000),
    ],
)
def test_a_limit_up_to_and_beyond_the_maximum_is_answered(
    acme: Acme, method: str, limit: int
) -> None:
    acme.invite_bot(acme.general["id"])

    answer = _calls(acme)[method](limit=limit)

    assert answer["ok"] is True


def test_conversations_list_gives_at_most_1000_a_page_and_a_cursor_for_the_rest(
    acme: Acme,
) -> None:
    for n in range(1000):
        acme.sim.channel(acme.team["id"], f"c-{n:04}")
    client = acme.client()

    first = client.conversations_list(limit=5000)
    rest = client.conversations_list(limit=5000, cursor=first["response_metadata"]["next_cursor"])

    # #general, #secret and the 1,000: #secret takes a place on the first page and, not the
    # bot's, is filtered out after, as on Slack; so 999 shown, and the 2 left on the next page.
    assert len(first["channels"]) == 999 and first["response_metadata"]["next_cursor"]
    assert len(rest["channels"]) == 2 and rest["response_metadata"]["next_cursor"] == ""


def test_conversations_history_gives_at_most_999_a_page(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    client = acme.client()
    for n in range(1000):
        client.chat_postMessage(channel=acme.general["id"], text=f"m{n}")

    page = acme.client().conversations_history(channel=acme.general["id"], limit=1000)

    assert len(page["messages"]) == 999 and page["has_more"] is True
    assert page["messages"][0]["text"] == "m999"


def test_users_list_without_a_limit_gives_everyone_at_once(acme: Acme) -> None:
    for n in range(150):
        acme.sim.user(acme.team["id"], f"person-{n}")

    answer = acme.client().users_list()

    assert len(answer["members"]) == 150 + 4  # slackbot, alice, bob and the app's bot
    assert answer["response_metadata"]["next_cursor"] == ""


@pytest.mark.parametrize("limit", [-1, "ten", "1.5"])
def test_what_is_not_a_page_size_is_invalid_limit(acme: Acme, limit: Any) -> None:
    for method in ("conversations.list", "conversations.members"):
        assert error_of(_calls(acme)[method], limit=limit)["error"] == "invalid_limit"
