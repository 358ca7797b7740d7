"""Edits and deletions reach subscribed apps as Slack sends them: `message` events with the
`message_changed` subtype (`message`, `previous_message`) and the `message_deleted` subtype
(`deleted_ts`, `previous_message`), both `hidden: true`. A Bolt app written from Bolt's docs
tells them apart by subtype, and `app.message` is not called for them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import flask
import pytest
import requests
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

from emulator.serving import ServedApp
from emulator.slack.client import SlackSim
from tests.fidelity.conftest import wait_for

WATCHER_SCOPES = ["channels:history", "groups:history", "chat:write"]
POSTER_SCOPES = ["chat:write", "commands"]


@dataclass
class Heard:
    changed: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    others: list[dict[str, Any]] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def watcher(token: str, signing_secret: str, slack_url: str, heard: Heard) -> App:
    """A Bolt app that follows what happens to messages, as Bolt's docs write listeners."""
    app = App(signing_secret=signing_secret, client=WebClient(token=token, base_url=slack_url))

    @app.event({"type": "message", "subtype": "message_changed"})
    def on_change(event: dict[str, Any]) -> None:
        with heard.lock:
            heard.changed.append(event)

    @app.event({"type": "message", "subtype": "message_deleted"})
    def on_delete(event: dict[str, Any]) -> None:
        with heard.lock:
            heard.deleted.append(event)

    @app.message("deploy")
    def on_deploy(message: dict[str, Any]) -> None:
        with heard.lock:
            heard.said.append(message["text"])

    @app.event("message")
    def on_other(event: dict[str, Any]) -> None:
        with heard.lock:
            heard.others.append(event)

    return app


@dataclass
class Channel:
    sim: SlackSim
    id: str
    poster: WebClient
    heard: Heard
    person: str
    poster_app: dict[str, Any]


def _channel(sim: SlackSim, *, private: bool) -> Iterator[Channel]:
    team = sim.workspace("Acme")
    alice = sim.user(team["id"], "alice")
    room = sim.channel(team["id"], "room", private=private, members=[alice["id"]])
    watching = sim.app("Watcher")
    watched = sim.install(watching["id"], team["id"], WATCHER_SCOPES)
    posting = sim.app("Poster")
    posted = sim.install(posting["id"], team["id"], POSTER_SCOPES)
    for bot in (watched["bot_user_id"], posted["bot_user_id"]):
        sim.invite(room["id"], bot)
    heard = Heard()
    bolt = watcher(watched["access_token"], watching["signing_secret"], sim.api_url, heard)
    web = flask.Flask("watcher")
    handler = SlackRequestHandler(bolt)
    web.add_url_rule(
        "/slack/events", "events", lambda: handler.handle(flask.request), methods=["POST"]
    )
    served = ServedApp(web, name="watcher").start()
    events = ["message.groups" if private else "message.channels"]
    sim.update_app(
        watching["id"], event_request_url=f"{served.url}/slack/events", bot_events=events
    )
    poster = sim.client(posted["access_token"])
    yield Channel(sim, room["id"], poster, heard, alice["id"], posting)
    served.stop()


@pytest.fixture
def public(fake_slack: SlackSim) -> Iterator[Channel]:
    yield from _channel(fake_slack, private=False)


@pytest.fixture
def private(fake_slack: SlackSim) -> Iterator[Channel]:
    yield from _channel(fake_slack, private=True)


def test_chat_update_sends_message_changed_with_both_versions(public: Channel) -> None:
    ts = public.poster.chat_postMessage(channel=public.id, text="deploy at 5")["ts"]
    public.poster.chat_update(channel=public.id, ts=ts, text="deploy at 6")

    event = wait_for(lambda: public.heard.changed[:1], what="message_changed")[0]

    assert event["type"] == "message" and event["subtype"] == "message_changed"
    assert event["hidden"] is True and event["channel"] == public.id
    assert event["channel_type"] == "channel" and event["event_ts"] == event["ts"] != ts
    assert event["message"]["ts"] == ts and event["message"]["text"] == "deploy at 6"
    assert event["message"]["edited"]["ts"]
    assert event["previous_message"]["ts"] == ts
    assert event["previous_message"]["text"] == "deploy at 5"
    assert "edited" not in event["previous_message"]


def test_chat_delete_sends_message_deleted_with_the_deleted_ts(public: Channel) -> None:
    ts = public.poster.chat_postMessage(channel=public.id, text="oops")["ts"]
    public.poster.chat_delete(channel=public.id, ts=ts)

    event = wait_for(lambda: public.heard.deleted[:1], what="message_deleted")[0]

    assert event["subtype"] == "message_deleted" and event["hidden"] is True
    assert event["deleted_ts"] == ts and event["ts"] != ts
    assert event["previous_message"]["text"] == "oops"
    assert event["channel"] == public.id and event["channel_type"] == "channel"


def test_app_message_is_not_called_for_an_edit(public: Channel) -> None:
    ts = public.poster.chat_postMessage(channel=public.id, text="deploy now")["ts"]
    public.poster.chat_update(channel=public.id, ts=ts, text="deploy later")
    wait_for(lambda: public.heard.changed[:1], what="message_changed")

    assert public.heard.said == ["deploy now"]
    assert [e.get("subtype") for e in public.heard.others] == []


def test_a_private_channel_sends_them_as_message_groups(private: Channel) -> None:
    ts = private.poster.chat_postMessage(channel=private.id, text="a")["ts"]
    private.poster.chat_update(channel=private.id, ts=ts, text="b")
    private.poster.chat_delete(channel=private.id, ts=ts)

    changed = wait_for(lambda: private.heard.changed[:1], what="message_changed")[0]
    deleted = wait_for(lambda: private.heard.deleted[:1], what="message_deleted")[0]

    assert changed["channel_type"] == deleted["channel_type"] == "group"


def test_a_response_url_replacing_and_deleting_its_message_sends_both_events(
    public: Channel,
) -> None:
    urls: list[str] = []
    web = flask.Flask("poster")

    @web.post("/slack/events")
    def command() -> str:
        urls.append(flask.request.form["response_url"])
        return ""

    served = ServedApp(web, name="poster").start()
    try:
        public.sim.update_app(
            public.poster_app["id"], request_url=f"{served.url}/slack/events", commands=["/poll"]
        )
        public.sim.command(public.id, public.person, "/poll")
        for body in (
            {"response_type": "in_channel", "text": "poll open"},
            {"replace_original": True, "text": "poll closed"},
            {"delete_original": True},
        ):
            requests.post(urls[0], json=body, timeout=10).raise_for_status()
    finally:
        served.stop()

    changed = wait_for(lambda: public.heard.changed[:1], what="message_changed")[0]
    deleted = wait_for(lambda: public.heard.deleted[:1], what="message_deleted")[0]

    assert changed["previous_message"]["text"] == "poll open"
    assert changed["message"]["text"] == "poll closed"
    assert deleted["deleted_ts"] == changed["message"]["ts"]
    assert deleted["previous_message"]["text"] == "poll closed"
