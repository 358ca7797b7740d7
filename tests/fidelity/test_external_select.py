"""An external select as Bolt serves it: `app.options` answers fake Slack's `block_suggestion`
(Bolt checks its signature and reads it as Slack's), and the chosen option reaches
`app.action`, with nothing changed but URLs."""

from __future__ import annotations

import secrets
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
from tests.fidelity.conftest import BOT_SCOPES, wait_for

CITIES = [f"City {n}" for n in range(1, 301)]
PICKER = [
    {
        "type": "section",
        "block_id": "where",
        "text": {"type": "mrkdwn", "text": "Where to?"},
        "accessory": {
            "type": "external_select",
            "action_id": "city",
            "placeholder": {"type": "plain_text", "text": "Type a city"},
            "min_query_length": 1,
        },
    }
]


@dataclass
class Seen:
    queries: list[str] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)


@dataclass
class Picker:
    sim: SlackSim
    seen: Seen
    alice: dict[str, Any]
    channel_id: str
    ts: str


def bolt_app(signing_secret: str, token: str, slack_url: str, seen: Seen) -> App:
    app = App(
        signing_secret=signing_secret,
        client=WebClient(token=token, base_url=f"{slack_url}/api/"),
    )

    @app.options("city")
    def cities(ack: Any, body: dict[str, Any]) -> None:
        seen.queries.append(body["value"])
        found = [c for c in CITIES if body["value"].lower() in c.lower()][:100]
        ack(options=[{"text": {"type": "plain_text", "text": c}, "value": c} for c in found])

    @app.action("city")
    def chose(ack: Any, body: dict[str, Any]) -> None:
        ack()
        seen.chosen.append(body["actions"][0]["selected_option"]["value"])

    return app


@pytest.fixture
def picker(fake_slack: SlackSim) -> Iterator[Picker]:
    sim, seen = fake_slack, Seen()
    team = sim.workspace("Travel")
    alice = sim.user(team["id"], "alice")
    general = sim.channel(team["id"], "general", members=[alice["id"]])
    signing_secret = secrets.token_hex(16)
    registered = sim.app("Trips", signing_secret=signing_secret)
    install = sim.install(registered["id"], team["id"], BOT_SCOPES)
    app = bolt_app(signing_secret, install["access_token"], sim.url, seen)
    handler = SlackRequestHandler(app)
    web = flask.Flask("trips")
    web.add_url_rule(
        "/slack/events", "events", lambda: handler.handle(flask.request), methods=["POST"]
    )
    served = ServedApp(web, name="trips").start()
    sim.update_app(registered["id"], request_url=f"{served.url}/slack/events")
    sim.invite(general["id"], install["bot_user_id"])
    posted = sim.client(install["access_token"]).chat_postMessage(
        channel=general["id"], text="Where to?", blocks=PICKER
    )
    yield Picker(sim, seen, alice, general["id"], posted["ts"])
    served.stop()


def test_typing_asks_bolts_options_listener_and_shows_its_answer(picker: Picker) -> None:
    report = picker.sim.post(
        "/actions/type",
        {
            "channel_id": picker.channel_id,
            "message_ts": picker.ts,
            "user_id": picker.alice["id"],
            "query": "City 29",
        },
    )

    assert report["ok"] is True and report["status"] == 200, report
    assert [o["value"] for o in report["options"]] == ["City 29"] + [
        f"City {n}" for n in range(290, 300)
    ]
    assert picker.seen.queries == ["City 29"]


def test_the_option_picked_reaches_bolts_action_listener(picker: Picker) -> None:
    report = picker.sim.post(
        "/actions/select",
        {
            "channel_id": picker.channel_id,
            "message_ts": picker.ts,
            "user_id": picker.alice["id"],
            "query": "City 3",
            "option": "City 300",
        },
    )

    assert report["ok"] is True, report
    wait_for(lambda: picker.seen.chosen == ["City 300"], what="the chosen city")
