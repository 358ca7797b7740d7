"""The Events API as Bolt for Python receives it: `app.message` and `app.event` listeners written
from Bolt's documentation run unchanged against fake Slack's signed `event_callback` envelopes,
after Bolt itself answered the `url_verification` handshake.

Then the delivery contract with a bare receiver: only subscribed events with granted scopes in
channels the bot is in, retries with `X-Slack-Retry-Num` / `X-Slack-Retry-Reason` on the domain
clock, `X-Slack-No-Retry`, Slack's three-second deadline, and order per channel.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import flask
import pytest
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from emulator.clock import VirtualClock
from emulator.serving import ServedApp
from emulator.slack.app import FakeSlack
from emulator.slack.client import SimRefused, SlackSim
from tests.fidelity.conftest import wait_for

SCOPES = [
    "chat:write",
    "channels:history",
    "channels:read",
    "app_mentions:read",
    "reactions:read",
    "im:write",
    "im:history",
]
EVENTS = [
    "message.channels",
    "message.im",
    "app_mention",
    "member_joined_channel",
    "reaction_added",
]


def greeter(token: str, signing_secret: str, slack_url: str, seen: list[dict[str, Any]]) -> App:
    """A single-workspace Bolt app, as Bolt's getting-started guide writes one."""
    app = App(signing_secret=signing_secret, client=WebClient(token=token, base_url=slack_url))

    @app.message("hello")
    def say_hello(message, say):
        say(f"Hey there <@{message['user']}>!")

    @app.event("app_mention")
    def answer_mention(event, say):
        say(text=f"You called, <@{event['user']}>?", thread_ts=event["ts"])

    @app.event("member_joined_channel")
    def welcome(event, client):
        client.chat_postMessage(channel=event["channel"], text=f"Welcome <@{event['user']}>!")

    @app.event("reaction_added")
    def note_reaction(event):
        seen.append(event)

    @app.event("message")
    def other_messages():
        pass  # everything else said in the channel, the app's own messages included

    return app


@dataclass
class Workspace:
    sim: SlackSim
    team: dict[str, Any]
    alice: dict[str, Any]
    bob: dict[str, Any]
    general: dict[str, Any]
    app: dict[str, Any]
    install: dict[str, Any]

    def texts(self) -> list[str]:
        return [m["text"] for m in self.sim.messages(self.general["id"])]


@pytest.fixture
def workspace(fake_slack: SlackSim) -> Workspace:
    sim = fake_slack
    team = sim.workspace("Acme")
    alice, bob = sim.user(team["id"], "alice"), sim.user(team["id"], "bob")
    general = sim.channel(team["id"], "general", members=[alice["id"]])
    app = sim.app("Greeter")
    install = sim.install(app["id"], team["id"], SCOPES)
    sim.invite(general["id"], install["bot_user_id"])
    return Workspace(sim, team, alice, bob, general, app, install)


@pytest.fixture
def bolt_greeter(workspace: Workspace) -> Iterator[list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    bolt = greeter(
        workspace.install["access_token"],
        workspace.app["signing_secret"],
        workspace.sim.api_url,
        seen,
    )
    web = flask.Flask("greeter")
    handler = SlackRequestHandler(bolt)
    web.add_url_rule(
        "/slack/events", "events", lambda: handler.handle(flask.request), methods=["POST"]
    )
    served = ServedApp(web, name="greeter").start()
    workspace.sim.update_app(
        workspace.app["id"], event_request_url=f"{served.url}/slack/events", bot_events=EVENTS
    )
    yield seen
    served.stop()


def test_bolt_message_listener_answers_a_person(workspace: Workspace, bolt_greeter: list) -> None:
    workspace.sim.say(workspace.general["id"], workspace.alice["id"], "hello everyone")
    wait_for(
        lambda: f"Hey there <@{workspace.alice['id']}>!" in workspace.texts(),
        what="the greeting",
    )


def test_bolt_message_listener_answers_in_a_direct_message(
    workspace: Workspace, bolt_greeter: list
) -> None:
    client = WebClient(token=workspace.install["access_token"], base_url=workspace.sim.api_url)
    dm = client.conversations_open(users=workspace.alice["id"])["channel"]["id"]
    workspace.sim.say(dm, workspace.alice["id"], "hello, bot")

    def answer() -> list[str] | None:
        texts = [m["text"] for m in workspace.sim.messages(dm)]
        return texts if len(texts) == 2 else None

    assert wait_for(answer, what="the answer in the DM") == [
        "hello, bot",
        f"Hey there <@{workspace.alice['id']}>!",
    ]


def test_bolt_app_mention_listener_answers_in_the_thread(
    workspace: Workspace, bolt_greeter: list
) -> None:
    bot = workspace.install["bot_user_id"]
    asked = workspace.sim.say(workspace.general["id"], workspace.alice["id"], f"<@{bot}> status?")

    def reply() -> str | None:
        for message in workspace.sim.messages(workspace.general["id"]):
            for answer in message["replies"]:
                if message["ts"] == asked["ts"]:
                    return answer["text"]
        return None

    assert wait_for(reply, what="the answer in the thread") == (
        f"You called, <@{workspace.alice['id']}>?"
    )


def test_bolt_member_joined_listener_welcomes_an_invited_person(
    workspace: Workspace, bolt_greeter: list
) -> None:
    workspace.sim.invite(workspace.general["id"], workspace.bob["id"])
    wait_for(lambda: f"Welcome <@{workspace.bob['id']}>!" in workspace.texts(), what="welcome")


def test_bolt_reaction_listener_sees_the_reaction(
    workspace: Workspace, bolt_greeter: list[dict[str, Any]]
) -> None:
    posted = workspace.sim.say(workspace.general["id"], workspace.alice["id"], "ship it")
    workspace.sim.react(workspace.general["id"], posted["ts"], workspace.alice["id"], "rocket")
    event = wait_for(lambda: bolt_greeter[0] if bolt_greeter else None, what="reaction_added")
    assert event["reaction"] == "rocket"
    assert event["item"] == {
        "type": "message",
        "channel": workspace.general["id"],
        "ts": posted["ts"],
    }
    assert event["user"] == workspace.alice["id"]


def test_a_url_that_does_not_echo_the_challenge_is_not_kept(
    workspace: Workspace, receiver: str
) -> None:
    with pytest.raises(SimRefused) as refused:
        workspace.sim.update_app(workspace.app["id"], event_request_url=receiver)
    assert refused.value.status == 422
    assert refused.value.body["error"] == "url_verification_failed"
    assert workspace.sim.get(f"/apps/{workspace.app['id']}")["event_request_url"] == ""


def test_unknown_bot_events_are_refused_by_name(workspace: Workspace) -> None:
    with pytest.raises(SimRefused) as refused:
        workspace.sim.update_app(workspace.app["id"], bot_events=["message.channels", "bogus"])
    assert refused.value.status == 400
    assert "bogus" in refused.value.body["message"]


# --- the delivery contract, with a receiver of our own and a virtual clock --------------------


@dataclass
class Receiver:
    """An event request URL that echoes challenges and answers events as told."""

    signing_secret: str = ""
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # then 200s
    delay: float = 0.0
    got: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def flask_app(self) -> flask.Flask:
        web = flask.Flask("receiver")

        @web.post("/events")
        def events() -> Any:
            body = flask.request.get_data(as_text=True)
            verifier = SignatureVerifier(self.signing_secret)
            if not verifier.is_valid_request(body, dict(flask.request.headers)):
                return "bad signature", 401
            envelope = json.loads(body)
            if envelope["type"] == "url_verification":
                return {"challenge": envelope["challenge"]}
            with self.lock:
                self.got.append((dict(flask.request.headers), envelope))
                status, headers = self.answers.pop(0) if self.answers else (200, {})
            time.sleep(self.delay)
            return "", status, headers

        return web

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [envelope["event"] for _, envelope in self.got]


@dataclass
class Rig:
    fake: FakeSlack
    sim: SlackSim
    clock: VirtualClock
    receiver: Receiver
    team: dict[str, Any]
    alice: dict[str, Any]
    general: dict[str, Any]
    app: dict[str, Any]
    install: dict[str, Any]


@pytest.fixture
def rig() -> Iterator[Rig]:
    clock = VirtualClock()
    fake = FakeSlack(clock=clock, ack_timeout=0.5)
    slack = ServedApp(fake.app, name="fake-slack").start()
    receiver = Receiver()
    served = ServedApp(receiver.flask_app(), name="receiver").start()
    sim = SlackSim(slack.url)
    team = sim.workspace("Acme")
    alice = sim.user(team["id"], "alice")
    general = sim.channel(team["id"], "general", members=[alice["id"]])
    app = sim.app("Listener")
    receiver.signing_secret = app["signing_secret"]
    install = sim.install(app["id"], team["id"], SCOPES)
    sim.invite(general["id"], install["bot_user_id"])
    sim.update_app(
        app["id"],
        event_request_url=f"{served.url}/events",
        bot_events=["message.channels", "reaction_added", "app_uninstalled", "tokens_revoked"],
    )
    try:
        yield Rig(fake, sim, clock, receiver, team, alice, general, app, install)
    finally:
        served.stop()
        slack.stop()
        fake.close()


def settle(rig: Rig) -> None:
    assert rig.sim.wait_for_events(5.0), "events still in flight"


def test_the_envelope_carries_what_slack_documents(rig: Rig) -> None:
    posted = rig.sim.say(rig.general["id"], rig.alice["id"], "hi")
    settle(rig)
    headers, envelope = rig.receiver.got[0]
    assert envelope["type"] == "event_callback"
    assert envelope["team_id"] == rig.team["id"]
    assert envelope["api_app_id"] == rig.app["id"]
    assert envelope["token"] == rig.app["verification_token"]
    assert envelope["event_id"].startswith("Ev")
    assert isinstance(envelope["event_time"], int)
    assert envelope["authorizations"][0]["user_id"] == rig.install["bot_user_id"]
    assert envelope["event"]["ts"] == posted["ts"]
    assert envelope["event"]["channel"] == rig.general["id"]
    assert envelope["event"]["channel_type"] == "channel"
    assert "X-Slack-Retry-Num" not in headers


def test_only_subscribed_events_with_granted_scopes_in_visible_channels(rig: Rig) -> None:
    elsewhere = rig.sim.channel(rig.team["id"], "random", members=[rig.alice["id"]])
    rig.sim.say(elsewhere["id"], rig.alice["id"], "the bot is not in here")
    rig.sim.invite(rig.general["id"], rig.sim.user(rig.team["id"], "bob")["id"])  # not subscribed
    rig.sim.say(rig.general["id"], rig.alice["id"], "the bot hears this")
    settle(rig)
    assert [e.get("text") for e in rig.receiver.events()] == ["the bot hears this"]


def test_a_scope_the_install_lacks_keeps_its_events_away(rig: Rig) -> None:
    rig.sim.install(rig.app["id"], rig.team["id"], ["chat:write", "channels:history"])
    posted = rig.sim.say(rig.general["id"], rig.alice["id"], "react to me")
    rig.sim.react(rig.general["id"], posted["ts"], rig.alice["id"], "eyes")
    settle(rig)
    assert [e["type"] for e in rig.receiver.events()] == ["message"]


def test_a_failed_event_is_retried_at_once_then_after_a_minute(rig: Rig) -> None:
    rig.receiver.answers = [(500, {}), (503, {})]
    rig.sim.say(rig.general["id"], rig.alice["id"], "again and again")
    settle(rig)
    assert len(rig.receiver.got) == 2  # the first try, and the immediate retry
    rig.clock.advance(59)
    settle(rig)
    assert len(rig.receiver.got) == 2
    rig.clock.advance(1)
    settle(rig)
    retries = [
        (h.get("X-Slack-Retry-Num"), h.get("X-Slack-Retry-Reason")) for h, _ in rig.receiver.got
    ]
    assert retries == [(None, None), ("1", "http_error"), ("2", "http_error")]
    assert rig.sim.event_deliveries()["delivered"] == 1


def test_no_retry_header_is_honoured(rig: Rig) -> None:
    rig.receiver.answers = [(500, {"X-Slack-No-Retry": "1"})]
    rig.sim.say(rig.general["id"], rig.alice["id"], "once only")
    settle(rig)
    rig.clock.advance(400)
    settle(rig)
    assert len(rig.receiver.got) == 1
    assert rig.sim.event_deliveries()["failed"] == 1


def test_an_answer_later_than_the_deadline_counts_as_a_timeout(rig: Rig) -> None:
    rig.receiver.delay = 1.0  # the rig's deadline is 0.5 s
    rig.sim.say(rig.general["id"], rig.alice["id"], "slow")
    wait_for(lambda: len(rig.receiver.got) >= 2 or None, what="the retry")
    assert rig.receiver.got[1][0]["X-Slack-Retry-Reason"] == "http_timeout"


def test_events_of_a_channel_wait_for_the_one_before(rig: Rig) -> None:
    rig.receiver.answers = [(500, {}), (500, {})]
    rig.sim.say(rig.general["id"], rig.alice["id"], "first")
    rig.sim.say(rig.general["id"], rig.alice["id"], "second")
    settle(rig)
    assert [e["text"] for e in rig.receiver.events()] == ["first", "first"]
    rig.clock.advance(60)
    settle(rig)
    assert [e["text"] for e in rig.receiver.events()] == ["first", "first", "first", "second"]


def test_uninstalling_tells_the_app_though_its_token_is_dead(rig: Rig) -> None:
    WebClient(base_url=rig.sim.api_url).apps_uninstall(
        token=rig.install["access_token"],
        client_id=rig.app["client_id"],
        client_secret=rig.app["client_secret"],
    )
    settle(rig)
    events = rig.receiver.events()
    assert [e["type"] for e in events] == ["tokens_revoked", "app_uninstalled"]
    assert events[0]["tokens"] == {"oauth": [], "bot": [rig.install["bot_user_id"]]}


def test_a_rename_follows_slacks_rules_and_tells_the_channels_apps(rig: Rig) -> None:
    rig.sim.update_app(rig.app["id"], bot_events=["channel_rename"])
    rig.sim.channel(rig.team["id"], "taken")
    with pytest.raises(SimRefused) as taken:
        rig.sim.rename(rig.general["id"], "taken")
    with pytest.raises(SimRefused) as invalid:
        rig.sim.rename(rig.general["id"], "Not Valid")

    rig.sim.rename(rig.general["id"], "war-room")
    settle(rig)

    assert (taken.value.status, taken.value.error) == (409, "name_taken")
    assert (invalid.value.status, invalid.value.error) == (400, "invalid_name_specials")
    [event] = rig.receiver.events()
    assert event["type"] == "channel_rename"
    assert event["channel"]["id"] == rig.general["id"] and event["channel"]["name"] == "war-room"
