"""A Bolt app of our own (see `bolt_app.py`), installed through fake Slack's OAuth page, answers a
slash command, a button and a modal submission delivered by the actor, with nothing changed but
URLs."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from emulator.serving import ServedApp
from emulator.slack.client import SlackSim
from tests.fidelity.bolt_app import SCOPES, create_bolt_app, flask_app
from tests.fidelity.conftest import wait_for

STATE_COOKIE = "slack-app-oauth-state"


class _LateBound:
    """A WSGI app set after its server is bound: the app must know its own URL first."""

    target: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.target(environ, start_response)


@dataclass
class Installed:
    sim: SlackSim
    app_url: str
    team: dict[str, Any]
    alice: dict[str, Any]
    general: dict[str, Any]

    def messages(self) -> list[dict[str, Any]]:
        return self.sim.messages(self.general["id"], user_id=self.alice["id"])


@pytest.fixture
def bolt_server(fake_slack: SlackSim, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The Bolt app on loopback, registered in fake Slack as its developer would register it."""
    creds = {
        "client_id": f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**12)}",
        "client_secret": secrets.token_hex(16),
        "signing_secret": secrets.token_hex(16),
    }
    late = _LateBound()
    served = ServedApp(late, name="bolt-app")
    bolt = create_bolt_app(slack_url=fake_slack.url, app_url=served.url, data_dir=tmp_path, **creds)
    late.target = flask_app(bolt)
    served.start()
    fake_slack.app(
        "Tickets",
        request_url=f"{served.url}/slack/events",
        redirect_urls=[f"{served.url}/slack/oauth_redirect"],
        commands=["/hello", "/deploy", "/ticket"],
        **creds,
    )
    yield served.url, creds
    served.stop()


def install_through_the_oauth_page(sim: SlackSim, app_url: str, user_id: str) -> str:
    """What a person's browser does: start at the app, sign in to Slack, Allow, come back."""
    browser = requests.Session()
    start = browser.get(f"{app_url}/slack/install", allow_redirects=False, timeout=10)
    assert start.status_code == 302, start.text
    # Bolt's state cookie is Secure, so no cookie jar sends it over http: copy it by hand.
    state = start.cookies[STATE_COOKIE]

    login = browser.get(start.headers["Location"], timeout=10)
    assert urlsplit(login.url).path == "/login"
    consent = browser.post(
        f"{sim.url}/login",
        data={"user_id": user_id, "next": parse_qs(urlsplit(login.url).query)["next"][0]},
        timeout=10,
    )
    assert "Tickets" in consent.text and all(scope in consent.text for scope in SCOPES)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', consent.text))
    allowed = browser.post(
        f"{sim.url}/oauth/v2/authorize",
        data={**fields, "decision": "allow"},
        allow_redirects=False,
        timeout=10,
    )
    callback = allowed.headers["Location"]
    assert callback.startswith(f"{app_url}/slack/oauth_redirect?code=")
    done = browser.get(callback, headers={"Cookie": f"{STATE_COOKIE}={state}"}, timeout=10)
    assert done.status_code == 200, done.text
    return done.text


@pytest.fixture
def installed(fake_slack: SlackSim, bolt_server: tuple[str, dict[str, str]]) -> Installed:
    sim, (app_url, _) = fake_slack, bolt_server
    team = sim.workspace("Acme")
    alice = sim.user(team["id"], "alice")
    general = sim.channel(team["id"], "general", members=[alice["id"]])

    page = install_through_the_oauth_page(sim, app_url, alice["id"])

    assert "<h2>Thank you!</h2>" in page  # Bolt's own success page
    (install,) = sim.state()["installs"]
    assert install["team_id"] == team["id"] and install["scopes"] == SCOPES
    assert install["installer_user_id"] == alice["id"]
    # /invite @Tickets in #general, as a person does before the app can post there.
    sim.invite(general["id"], install["bot_user_id"])
    return Installed(sim, app_url, team, alice, general)


def command(app: Installed, name: str, text: str = "") -> dict[str, Any]:
    return app.sim.command(app.general["id"], app.alice["id"], name, text)


def test_a_slash_command_is_answered_in_the_ack(installed: Installed) -> None:
    report = command(installed, "/hello")

    assert report["ok"] is True and report["status"] == 200
    assert report["ephemeral"]["text"] == f"Hello <@{installed.alice['id']}>!"
    assert report["ephemeral"]["ephemeral_to"] == installed.alice["id"]


def test_a_button_is_answered_through_the_response_url(installed: Installed) -> None:
    assert command(installed, "/deploy", "api")["ok"]
    asked = wait_for(
        lambda: next((m for m in installed.messages() if m["text"] == "Deploy api?"), None),
        what="the deploy question",
    )

    click = installed.sim.click(
        installed.alice["id"],
        label="Approve",
        channel_id=installed.general["id"],
        message_ts=asked["ts"],
    )

    assert click["ok"] is True
    approved = f"api approved by <@{installed.alice['id']}>"
    wait_for(
        lambda: [(m["ts"], m["text"]) for m in installed.messages()] == [(asked["ts"], approved)],
        what="the message replaced in place",
    )


def test_a_modal_submission_is_checked_then_filed(installed: Installed) -> None:
    assert command(installed, "/ticket")["ok"]
    stack = wait_for(lambda: installed.sim.views(installed.alice["id"]), what="the modal")
    view = stack[0]["views"][0]
    assert view["callback_id"] == "ticket" and view["title"]["text"] == "New ticket"

    refused = installed.sim.submit_view(
        view["id"], installed.alice["id"], {"Title": "Bug", "Urgency": "Now"}
    )
    filed = installed.sim.submit_view(
        view["id"], installed.alice["id"], {"title": {"value": "Printer on fire"}, "Urgency": "Now"}
    )

    assert refused["response_action"] == "errors"
    assert refused["errors"] == {"title": "Say a little more"} and refused["closed"] is False
    assert filed["ok"] is True and filed["closed"] is True
    announced = f"<@{installed.alice['id']}> filed 'Printer on fire' (high)"
    wait_for(
        lambda: any(m["text"] == announced for m in installed.messages()),
        what="the ticket announced",
    )
