"""A pytest plugin that breaks the in-process connector on purpose, one way per rule.

`pytest -p tests.sensitivity.breakages --break-connector NAME` patches the connector inside the
test process before the harness starts it. Nothing in the connector knows about this: a scenario
that still passes with its rule broken proves nothing, and test_sensitivity.py says which.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Breakage = Callable[[pytest.MonkeyPatch], None]


def _accept_does_nothing(patch: pytest.MonkeyPatch) -> None:
    from connector.ilert_client import IlertClient

    patch.setattr(IlertClient, "accept_alert", lambda self, alert_id, **_: self.alert(alert_id))
    patch.setattr(IlertClient, "resolve_alert", lambda self, alert_id, **_: self.alert(alert_id))


def _messages_without_buttons(patch: pytest.MonkeyPatch) -> None:
    from connector import blocks

    original = blocks.alert_message

    def without_actions(alert: Any, **kwargs: Any) -> Any:
        message = original(alert, **kwargs)
        for attachment in message["attachments"]:
            attachment["blocks"] = [b for b in attachment["blocks"] if b["type"] != "actions"]
        return message

    patch.setattr(blocks, "alert_message", without_actions)


def _signatures_unchecked(patch: pytest.MonkeyPatch) -> None:
    from slack_bolt.middleware.request_verification import RequestVerification

    patch.setattr(RequestVerification, "process", lambda self, *, req, resp, next: next())


def _private_teams_ignored(patch: pytest.MonkeyPatch) -> None:
    from connector.listeners import menu

    patch.setattr(menu, "is_private_team_source", lambda source: False)


def _no_thread_replies(patch: pytest.MonkeyPatch) -> None:
    from connector import blocks

    patch.setattr(blocks, "update_note", lambda event_type, alert, actor: None)


def _state_reusable(patch: pytest.MonkeyPatch) -> None:
    from connector.store import ConnectorStore

    original = ConnectorStore.take_ticket

    def keep_ticket(self: ConnectorStore, state: str) -> str | None:
        ticket = original(self, state)
        if ticket is not None:
            self.bind_ticket(state, ticket)
        return ticket

    patch.setattr(ConnectorStore, "take_ticket", keep_ticket)
    patch.setattr(
        "slack_sdk.oauth.state_store.sqlite3.SQLite3OAuthStateStore.consume",
        lambda self, state: True,
    )


def _uncertain_posts_forgotten(patch: pytest.MonkeyPatch) -> None:
    from connector.store import ConnectorStore

    patch.setattr(ConnectorStore, "begin_effect", lambda self, effect: False)


def _everyone_is_the_admin(patch: pytest.MonkeyPatch) -> None:
    from connector import people

    def first_admin(slack_user_id: str, *, slack: Any, ilert: Any, **_: Any) -> Any:
        users = ilert._call("GET", "/users")
        return next(u for u in users if u["role"] == "ADMIN")

    patch.setattr(people, "ilert_user_for", first_admin)
    patch.setattr("connector.listeners.common.ilert_user_for", first_admin)


def _invitations_ignored(patch: pytest.MonkeyPatch) -> None:
    from connector.listeners.events import SlackNews

    patch.setattr(SlackNews, "bot_joined", lambda self, team_id, channel_id: None)


def _channel_news_kept(patch: pytest.MonkeyPatch) -> None:
    from connector.listeners.events import SlackNews

    patch.setattr(SlackNews, "channel_changed", lambda self, team_id, channel_id, said: None)


def _removal_ignored(patch: pytest.MonkeyPatch) -> None:
    from connector.listeners.events import SlackNews

    patch.setattr(SlackNews, "app_removed", lambda self, team_id: None)


def _events_taken_as_they_come(patch: pytest.MonkeyPatch) -> None:
    from connector.listeners.events import SlackNews
    from connector.store import ConnectorStore

    patch.setattr(ConnectorStore, "first_event", lambda self, event_id, **_: True)
    patch.setattr(SlackNews, "_channel_now", lambda self, team_id, channel_id: None)


# name: (the rule whose scenarios must turn red, what is broken)
BREAKAGES: dict[str, tuple[str, str, Breakage]] = {
    "accept-does-nothing": (
        "CHAN-8",
        "Accept and Resolve leave the alert as it was",
        _accept_does_nothing,
    ),
    "no-buttons": (
        "CHAN-7",
        "alert messages lose their Accept and Resolve buttons",
        _messages_without_buttons,
    ),
    "signatures-unchecked": (
        "SEC-1",
        "Bolt's request signature check lets everything through",
        _signatures_unchecked,
    ),
    "private-teams-ignored": (
        "FAQ-4",
        "private teams' sources are treated as public",
        _private_teams_ignored,
    ),
    "no-thread-replies": (
        "FAQ-2",
        "updates change the message but say nothing in its thread",
        _no_thread_replies,
    ),
    "state-reusable": ("AUTH-5", "an OAuth state can be used again", _state_reusable),
    "uncertain-posts-forgotten": (
        "REL-1",
        "a post whose answer was lost is posted again",
        _uncertain_posts_forgotten,
    ),
    "invitations-ignored": (
        "EVT-1",
        "the bot invited into a channel changes nothing",
        _invitations_ignored,
    ),
    "channel-news-kept": (
        "EVT-2",
        "renamed and archived channels are not told to ilert",
        _channel_news_kept,
    ),
    "removal-ignored": ("EVT-4", "an uninstalled app stays linked", _removal_ignored),
    "events-taken-as-they-come": (
        "EVT-5",
        "a repeated event is acted on again, as it says",
        _events_taken_as_they_come,
    ),
    "everyone-is-the-admin": (
        "CHAN-2",
        "every Slack user acts as the account's first Admin",
        _everyone_is_the_admin,
    ),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--break-connector",
        choices=sorted(BREAKAGES),
        help="break the in-process connector in one way (see BREAKAGES)",
    )


_patch = pytest.MonkeyPatch()


def pytest_configure(config: pytest.Config) -> None:
    name = config.getoption("--break-connector")
    if name:
        BREAKAGES[name][2](_patch)


def pytest_unconfigure(config: pytest.Config) -> None:
    _patch.undo()
