"""Slash commands reach only the app that registered them. A command no installed app owns is
answered by Slackbot, to the person alone, in Slack's words, and no app hears of it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs

import flask
import pytest

from emulator.serving import ServedApp
from tests.fidelity.conftest import Acme

NOT_A_COMMAND = (
    "/nope is not a valid command. In Slack, all messages that start with the \u201c/\u201d"
    " character are interpreted as commands.\n\nIf you are trying to send a message and not run"
    " a command, try preceding the \u201c/\u201d with an empty space."
)


class Heard:
    def __init__(self) -> None:
        self.commands: list[str] = []
        self.lock = threading.Lock()


@pytest.fixture
def heard(acme: Acme) -> Iterator[Heard]:
    """The app's endpoint, noting every command that reaches it."""
    heard = Heard()
    app = flask.Flask("commands")

    @app.post("/slack/events")
    def events() -> str:
        form = parse_qs(flask.request.get_data(as_text=True))
        with heard.lock:
            heard.commands.extend(form.get("command", []))
        return ""

    served = ServedApp(app, name="commands").start()
    acme.sim.update_app(acme.app["id"], request_url=f"{served.url}/slack/events")
    yield heard
    served.stop()


def test_a_command_no_app_registered_is_answered_by_slackbot_and_reaches_no_app(
    acme: Acme, heard: Heard
) -> None:
    report = acme.sim.command(acme.general["id"], acme.alice["id"], "/nope", "now")

    assert report["ok"] is False and report["error"] == "invalid_command"
    assert report["delivered"] is False
    assert report["ephemeral"]["user"] == "USLACKBOT"
    assert report["ephemeral"]["text"] == NOT_A_COMMAND
    assert heard.commands == []


def test_slackbots_answer_is_seen_by_the_person_who_typed_it_alone(
    acme: Acme, heard: Heard
) -> None:
    acme.invite_bot(acme.general["id"])
    acme.sim.command(acme.general["id"], acme.alice["id"], "/nope")

    seen_by_alice = acme.sim.messages(acme.general["id"], user_id=acme.alice["id"])
    seen_by_bob = acme.sim.messages(acme.general["id"], user_id=acme.bob["id"])
    history = acme.client().conversations_history(channel=acme.general["id"])

    assert [m["text"] for m in seen_by_alice] == [NOT_A_COMMAND]
    assert seen_by_bob == [] and history["messages"] == []


def test_a_registered_command_reaches_its_app(acme: Acme, heard: Heard) -> None:
    report = acme.sim.command(acme.general["id"], acme.alice["id"], "/acme")

    assert report["ok"] is True and heard.commands == ["/acme"]


def test_a_command_registered_by_an_app_of_another_workspace_is_not_a_command_here(
    acme: Acme, heard: Heard
) -> None:
    elsewhere = acme.sim.workspace("Elsewhere")
    other = acme.sim.app("Other", request_url=acme.app["request_url"], commands=["/nope"])
    acme.sim.install(other["id"], elsewhere["id"], ["commands"])

    report = acme.sim.command(acme.general["id"], acme.alice["id"], "/nope")

    assert report["error"] == "invalid_command" and heard.commands == []


def test_a_command_is_no_longer_sent_once_the_app_is_uninstalled(acme: Acme, heard: Heard) -> None:
    acme.client().apps_uninstall(
        client_id=acme.app["client_id"], client_secret=acme.app["client_secret"]
    )

    report = acme.sim.command(acme.general["id"], acme.alice["id"], "/acme")

    assert report["error"] == "invalid_command" and heard.commands == []


@pytest.mark.parametrize("name", ["ilert", "/Ilert", "/two words", "/" + "x" * 32])
def test_an_app_cannot_register_a_command_slack_would_not_take(acme: Acme, name: str) -> None:
    answer = acme.sim.http.post(
        f"{acme.sim.url}/_sim/apps", json={"name": "Bad", "commands": [name]}, timeout=10
    )

    assert answer.status_code == 400
    assert json.loads(answer.text)["error"] == "invalid_field"
