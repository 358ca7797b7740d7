"""Each method's success answers in the shape of Slack's published example, and says the right
things: the same keys with the same value types (extra keys allowed), except keys of features fake
Slack does not emulate, listed here with the reason."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest

from tests.fidelity.conftest import Acme
from tests.fidelity.scenarios import SUCCESS, example

PER_USER = "a person's read state (last_read, unread counts, subscriptions); bots have none"
GRID = "Enterprise Grid is not emulated: no enterprise ids, `enterprise` is null"
NO_USER_TOKENS = "user tokens are not issued: an install asking for user scopes is refused"

# Keys in Slack's examples that fake Slack leaves out, by method and dotted path ([] = any item).
NOT_EMULATED: dict[str, dict[str, str]] = {
    "chat.postMessage": {
        "message.username": "set only when posting with `username` (chat:write.customize)",
    },
    "conversations.create": {
        "channel.last_read": PER_USER,
        "channel.unread_count": PER_USER,
        "channel.unread_count_display": PER_USER,
        "channel.latest": "channel objects leave out their newest message: read history",
        "channel.priority": "a person's channel ranking",
        "channel.properties": "canvases and channel tabs are not emulated",
    },
    "conversations.info": {"channel.properties": "canvases and channel tabs are not emulated"},
    "conversations.invite": {
        "channel.last_read": PER_USER,
        "channel.is_read_only": "read-only (announcement) channels are not emulated",
    },
    "conversations.replies": {
        "messages[].subscribed": PER_USER,
        "messages[].last_read": PER_USER,
        "messages[].unread_count": PER_USER,
    },
    "oauth.v2.access": {
        "enterprise": GRID,
        "authed_user.access_token": NO_USER_TOKENS,
        "authed_user.scope": NO_USER_TOKENS,
        "authed_user.token_type": NO_USER_TOKENS,
    },
    "team.info": {"team.enterprise_id": GRID, "team.enterprise_name": GRID},
    "users.list": {
        "members[].profile.email": "Slackbot, listed first, has none; people's e-mails are "
        "checked in test_visibility.py",
    },
}


def methods() -> list[str]:
    files = resources.files("emulator.slack.methods").iterdir()
    return sorted(f.name.removesuffix(".json") for f in files if f.name.endswith(".json"))


def mismatches(expected: Any, actual: Any, path: str, skip: dict[str, str]) -> list[str]:
    """Where `actual` lacks a key of `expected` or holds another type; null matches anything."""
    if expected is None or path in skip:
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or 'answer'}: an object expected, got {type(actual).__name__}"]
        found = []
        for key, value in expected.items():
            inner = f"{path}.{key}" if path else key
            if inner in skip:
                continue
            if key not in actual:
                found.append(f"{inner}: missing")
            else:
                found += mismatches(value, actual[key], inner, skip)
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: a list expected, got {type(actual).__name__}"]
        if not actual and any(isinstance(item, dict) for item in expected):
            return [f"{path}: empty, so the shape of its items goes unchecked"]
        pairs = zip(expected, actual, strict=False)
        return [m for e, a in pairs for m in mismatches(e, a, f"{path}[]", skip)]
    if isinstance(expected, bool) or isinstance(actual, bool):
        same = isinstance(expected, bool) and isinstance(actual, bool)
    elif isinstance(expected, int | float):
        same = isinstance(actual, int | float)
    else:
        same = isinstance(actual, type(expected))
    return [] if same else [f"{path}: {type(expected).__name__} expected, got {actual!r}"]


def test_every_emulated_method_has_a_success_scenario() -> None:
    assert sorted(SUCCESS) == methods()


@pytest.mark.parametrize("method", methods())
def test_the_success_answer_matches_slacks_example(method: str, acme: Acme) -> None:
    answer = SUCCESS[method](acme)
    published = example(method)

    assert answer["ok"] is True
    if published is None:
        assert answer == {"ok": True}, "no published example: only ok is promised"
        return
    assert mismatches(published, answer, "", NOT_EMULATED.get(method, {})) == []


def test_the_comparison_catches_missing_keys_and_wrong_types() -> None:
    published = {"ok": True, "ts": "1.2", "items": [{"id": 1, "flag": False}], "meta": None}
    wrong = {"ok": True, "ts": 1.2, "items": [{"flag": 0}]}
    right = {"ok": True, "ts": "1", "items": [{"flag": False}], "meta": {"any": "thing"}}

    assert mismatches(published, wrong, "", {}) == [
        "ts: str expected, got 1.2",
        "items[].id: missing",
        "items[].flag: bool expected, got 0",
        "meta: missing",
    ]
    assert mismatches(published, right, "", {"items[].id": "a reason"}) == []
