"""The messages Slack posts about a channel's changes reach apps as `message` events with their
subtype: Bolt's `app.event({"type": "message", "subtype": …})` listeners receive them, its
`app.message` listeners (plain messages only) and `app_mention` do not, as on Slack."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import flask
import pytest
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

from emulator.serving import ServedApp
from emulator.slack.client import SlackSim
from tests.fidelity.conftest import wait_for

MANAGE = [
    "chat:write",
    "channels:read",
    "channels:manage",
    "channels:history",
    "channels:write.invites",
]
LISTEN = ["channels:read", "channels:history", "app_mentions:read"]
EVENTS = ["message.channels", "app_mention"]


@dataclass
class Heard:
    """What the listening app's Bolt listeners were given, by listener."""

    topics: list[dict[str, Any]] = field(default_factory=list)
    joins: list[dict[str, Any]] = field(default_factory=list)
    plain: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)


def listener(token: str, signing_secret: str, slack_url: str, heard: Heard) -> App:
    """A Bolt app as Bolt's documentation writes one: message subtypes by `app.event`."""
    app = App(signing_secret=signing_secret, client=WebClient(token=token, base_url=slack_url))

    @app.event({"type": "message", "subtype": "channel_topic"})
    def topic_changed(event):
        heard.topics.append(event)

    @app.event({"type": "message", "subtype": "channel_join"})
    def someone_joined(event):
        heard.joins.append(event)

    @app.message("")
    def said(message):
        heard.plain.append(message)

    @app.event("app_mention")
    def mentioned(event):
        heard.mentions.append(event)

    @app.event("message")
    def other_messages():
        pass

    return app


@dataclass
class Room:
    sim: SlackSim
    alice: dict[str, Any]
    manager: WebClient
    bot: str  # the listening app's bot
    app_id: str
    heard: Heard


@pytest.fixture
def room(fake_slack: SlackSim) -> Iterator[Room]:
    sim = fake_slack
    team = sim.workspace("Acme")
    alice = sim.user(team["id"], "alice")
    sim.channel(team["id"], "general", members=[alice["id"]])
    manager = sim.install(sim.app("Manager")["id"], team["id"], MANAGE)
    app = sim.app("Listener")
    install = sim.install(app["id"], team["id"], LISTEN)
    heard = Heard()
    bolt = listener(install["access_token"], app["signing_secret"], sim.api_url, heard)
    web = flask.Flask("listener")
    handler = SlackRequestHandler(bolt)
    web.add_url_rule(
        "/slack/events", "events", lambda: handler.handle(flask.request), methods=["POST"]
    )
    served = ServedApp(web, name="listener").start()
    sim.update_app(app["id"], event_request_url=f"{served.url}/slack/events", bot_events=EVENTS)
    client = sim.client(manager["access_token"])
    try:
        yield Room(sim, alice, client, install["bot_user_id"], app["id"], heard)
    finally:
        served.stop()


def test_an_apps_channel_changes_reach_bolt_as_message_subtypes(room: Room) -> None:
    channel = room.manager.conversations_create(name="incident-8")["channel"]["id"]
    room.manager.conversations_invite(channel=channel, users=room.bot)
    room.manager.conversations_invite(channel=channel, users=room.alice["id"])
    room.manager.conversations_setTopic(channel=channel, topic="checkout is slow")
    room.sim.say(channel, room.alice["id"], "looking")

    [topic] = wait_for(lambda: room.heard.topics, what="the channel_topic message")
    [plain] = wait_for(lambda: room.heard.plain, what="alice's message")
    assert topic["channel"] == channel and topic["channel_type"] == "channel"
    assert topic["topic"] == "checkout is slow"
    assert topic["text"].endswith("set the channel topic: checkout is slow")
    assert plain["text"] == "looking"
    # Bolt drops the bot's own join (its `user` is the bot); alice's reaches the listener.
    [join] = room.heard.joins
    assert join["user"] == room.alice["id"] and join["inviter"] == topic["user"]


def test_a_join_message_naming_the_bot_is_no_mention(room: Room) -> None:
    channel = room.manager.conversations_create(name="incident-9")["channel"]["id"]
    room.manager.conversations_invite(channel=channel, users=room.bot)
    room.manager.conversations_setTopic(channel=channel, topic="all good")

    wait_for(lambda: room.heard.topics, what="the channel_topic message")
    assert room.sim.wait_for_events(5.0)
    delivered = [
        e["type"] for e in room.sim.event_deliveries()["items"] if e["app_id"] == room.app_id
    ]
    assert "app_mention" not in delivered
    assert room.heard.mentions == []
