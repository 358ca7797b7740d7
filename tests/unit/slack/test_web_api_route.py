"""The Web API's own WSGI route answers as the Flask blueprint it bypasses would have.

Two fake Slacks with the same seed and clock get the same calls: one through the app as it is
served (`WebApiRoute` first), one straight into Flask. Their answers must match to the byte.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from werkzeug.test import EnvironBuilder

from emulator.clock import VirtualClock
from emulator.slack import FakeSlack
from emulator.slack.app import DroppedConnection
from emulator.slack.webapi import WebApiRoute

START = 1_767_225_600.0  # 2026-01-01, so both fakes stamp the same ts


def world() -> tuple[FakeSlack, str, str]:
    fake = FakeSlack(clock=VirtualClock(START), wall=VirtualClock(START), stable_secrets=True)
    state = fake.state
    team = state.create_workspace(name="Acme", domain="acme")
    app = state.create_app(name="bot")
    install = state.install(app.id, team.id, ["chat:write", "channels:read", "channels:history"])
    channel = state.create_channel(team.id, name="general", is_private=False, members=[])
    state.invite(channel.id, install.bot_user_id)
    return fake, install.token, channel.id


def served(fake: FakeSlack) -> Callable[..., Any]:
    return fake.app.wsgi_app


def through_flask(fake: FakeSlack) -> Callable[..., Any]:
    """The Flask app behind the route, as every call reached it before."""
    route = fake.app.wsgi_app.wsgi_app
    assert isinstance(route, WebApiRoute)
    return route.flask_app


def call(wsgi: Callable[..., Any], method: str, path: str, **options: Any) -> tuple[Any, ...]:
    environ = EnvironBuilder(path=path, method=method, **options).get_environ()
    environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read())
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started.update(status=status, headers=sorted(headers))

    body = b"".join(wsgi(environ, start_response))
    return started["status"], started["headers"], body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


CALLS: dict[str, Callable[[str, str], tuple[str, str, dict[str, Any]]]] = {
    "a post with blocks": lambda token, channel: (
        "POST",
        "/api/chat.postMessage",
        {
            "headers": bearer(token),
            "content_type": "application/json",
            "data": json.dumps(
                {
                    "channel": channel,
                    "text": "deploy",
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*ok*"}}],
                }
            ),
        },
    ),
    "a form-encoded post": lambda token, channel: (
        "POST",
        "/api/chat.postMessage",
        {
            "content_type": "application/x-www-form-urlencoded",
            "data": urlencode({"token": token, "channel": channel, "text": "form"}),
        },
    ),
    "a read by query string": lambda token, channel: (
        "GET",
        f"/api/conversations.history?channel={channel}&limit=5",
        {"headers": bearer(token)},
    ),
    "broken Block Kit": lambda token, channel: (
        "POST",
        "/api/chat.postMessage",
        {
            "headers": bearer(token),
            "content_type": "application/json",
            "data": json.dumps({"channel": channel, "blocks": [{"type": "section"}]}),
        },
    ),
    "unreadable JSON": lambda token, channel: (
        "POST",
        "/api/chat.postMessage",
        {"headers": bearer(token), "content_type": "application/json", "data": "{nope"},
    ),
    "no token": lambda token, channel: ("POST", "/api/auth.test", {}),
    "an unknown method": lambda token, channel: (
        "POST",
        "/api/chat.postMessages",
        {"headers": bearer(token)},
    ),
    "a trailing slash": lambda token, channel: (
        "GET",
        "/api/auth.test/",
        {"headers": bearer(token)},
    ),
    "scopes in the answer's headers": lambda token, channel: (
        "POST",
        "/api/auth.test",
        {"headers": bearer(token)},
    ),
    "a method Flask refuses": lambda token, channel: ("PUT", "/api/auth.test", {}),
    "a HEAD": lambda token, channel: ("HEAD", "/api/auth.test", {}),
    "the root form": lambda token, channel: ("POST", "/auth.test", {"headers": bearer(token)}),
    "no method at all": lambda token, channel: ("GET", "/api/", {}),
}


@pytest.mark.parametrize("case", CALLS)
def test_the_route_answers_as_flask_would(case: str) -> None:
    (fast, token, channel), (slow, _, _) = world(), world()
    method, path, options = CALLS[case](token, channel)

    assert call(served(fast), method, path, **options) == call(
        through_flask(slow), method, path, **options
    )
    assert fast.journal.entries() == slow.journal.entries()


def test_a_dropped_connection_still_closes_without_an_answer() -> None:
    fake, token, _ = world()
    fake.faults.add({"method": "auth.test", "count": 1, "drop_connection": True})

    with pytest.raises(DroppedConnection):
        call(served(fake), "POST", "/api/auth.test", headers=bearer(token))
