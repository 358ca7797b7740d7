"""The fidelity suite drives fake Slack only as apps do: `slack_sdk`'s clients and Bolt.

The `/_sim/` control plane (through the `fake_slack` fixture of this project's pytest plugin)
only seeds workspaces and plays the people; every assertion is about what the Web API answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import flask
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from emulator.serving import ServedApp
from emulator.slack.client import SlackSim

BOT_SCOPES = [
    "commands",
    "chat:write",
    "channels:read",
    "groups:read",
    "channels:history",
    "groups:history",
    "channels:join",
    "channels:manage",
    "groups:write",
    "channels:write.invites",
    "groups:write.invites",
    "reactions:read",
    "reactions:write",
    "im:read",
    "im:write",
    "im:history",
    "mpim:read",
    "mpim:write",
    "mpim:history",
    "users:read",
    "users:read.email",
    "team:read",
]

T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], *, timeout: float = 5.0, what: str = "it") -> T:
    """Poll `probe` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.01)


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as caught:
        call(**kwargs)
    return caught.value.response.data


@dataclass
class Acme:
    """A workspace: alice and bob, #general (both in it), the private #secret (alice only), and
    an app installed with `BOT_SCOPES` whose requests go to a receiver that acks everything."""

    sim: SlackSim
    team: dict[str, Any]
    alice: dict[str, Any]
    bob: dict[str, Any]
    general: dict[str, Any]
    secret: dict[str, Any]
    app: dict[str, Any]
    install: dict[str, Any]

    @property
    def token(self) -> str:
        return self.install["access_token"]

    @property
    def bot(self) -> str:
        return self.install["bot_user_id"]

    def client(self, token: str | None = None, **kwargs: Any) -> WebClient:
        return self.sim.client(token or self.token, **kwargs)

    def install_with(self, scopes: list[str]) -> WebClient:
        """The same app re-installed with other scopes: same bot, same token, new scopes."""
        return self.client(
            self.sim.install(self.app["id"], self.team["id"], scopes)["access_token"]
        )

    def invite_bot(self, channel_id: str) -> None:
        self.sim.invite(channel_id, self.bot)

    def trigger_id(self) -> str:
        """A fresh trigger_id, as a slash command hands one to the app."""
        return self.sim.command(self.general["id"], self.alice["id"], "/acme")["trigger_id"]


@pytest.fixture(scope="session")
def receiver() -> Iterator[str]:
    """An app endpoint that acknowledges whatever Slack sends it, and nothing more."""
    app = flask.Flask("receiver")
    app.add_url_rule("/slack/events", "events", lambda: "", methods=["POST"])
    served = ServedApp(app, name="receiver").start()
    yield f"{served.url}/slack/events"
    served.stop()


@pytest.fixture
def acme(fake_slack: SlackSim, receiver: str) -> Acme:
    sim = fake_slack
    team = sim.workspace("Acme")
    alice, bob = sim.user(team["id"], "alice"), sim.user(team["id"], "bob")
    general = sim.channel(team["id"], "general", members=[alice["id"], bob["id"]])
    secret = sim.channel(team["id"], "secret", private=True, members=[alice["id"]])
    app = sim.app("Acme Bot", request_url=receiver, commands=["/acme"])
    install = sim.install(app["id"], team["id"], BOT_SCOPES)
    return Acme(sim, team, alice, bob, general, secret, app, install)
