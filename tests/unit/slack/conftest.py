"""Fixtures for fake Slack's tests: a fresh emulator on loopback, a seeded workspace, a tiny app."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import flask
import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from emulator.clock import VirtualClock
from emulator.serving import ServedApp
from emulator.slack import FakeSlack

ALL_SCOPES = [
    "commands",
    "chat:write",
    "channels:read",
    "groups:read",
    "channels:history",
    "groups:history",
    "users:read",
    "users:read.email",
    "team:read",
    "channels:join",
]


class Sim:
    """The `/_sim/` control plane over plain HTTP."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def post(self, path: str, body: dict[str, Any] | None = None, *, status: int = 0) -> Any:
        response = self.http.post(f"{self.url}/_sim{path}", json=body or {}, timeout=10)
        if status:
            assert response.status_code == status, response.text
        else:
            assert response.ok, response.text
        return response.json()

    def get(self, path: str, **params: str) -> Any:
        response = self.http.get(f"{self.url}/_sim{path}", params=params, timeout=10)
        assert response.ok, response.text
        return response.json()

    def workspace(self, name: str) -> dict[str, Any]:
        return self.post("/workspaces", {"name": name, "domain": name.lower()})

    def user(self, team_id: str, name: str) -> dict[str, Any]:
        body = {"name": name, "email": f"{name}@example.com", "real_name": name.title()}
        return self.post(f"/workspaces/{team_id}/users", body)

    def channel(
        self, team_id: str, name: str, *, private: bool = False, members: list[str] | None = None
    ) -> dict[str, Any]:
        body = {"name": name, "is_private": private, "members": members or []}
        return self.post(f"/workspaces/{team_id}/channels", body)

    def app(self, **fields: Any) -> dict[str, Any]:
        return self.post("/apps", {"name": "ilert", **fields})

    def install(self, app_id: str, team_id: str, scopes: list[str]) -> dict[str, Any]:
        return self.post(f"/apps/{app_id}/install", {"team_id": team_id, "scopes": scopes})

    def messages(self, channel_id: str, **params: str) -> list[dict[str, Any]]:
        return self.get(f"/channels/{channel_id}/messages", **params)["messages"]


@dataclass
class World:
    """One workspace with two people, a public and a private channel, and an installed app."""

    sim: Sim
    url: str
    team: dict[str, Any]
    alice: dict[str, Any]
    bob: dict[str, Any]
    general: dict[str, Any]
    secret: dict[str, Any]
    app: dict[str, Any]
    install: dict[str, Any]

    def client(self, token: str | None = None) -> WebClient:
        return WebClient(token=token or self.install["access_token"], base_url=f"{self.url}/api/")

    def install_with(self, scopes: list[str]) -> WebClient:
        done = self.sim.install(self.app["id"], self.team["id"], scopes)
        return self.client(done["access_token"])

    def invite_bot(self, channel_id: str) -> None:
        self.sim.post(f"/channels/{channel_id}/invite", {"user": self.install["bot_user_id"]})


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=1_700_000_000.0)


@pytest.fixture
def fake(clock: VirtualClock) -> FakeSlack:
    return FakeSlack(clock=clock, seed=7)


@pytest.fixture
def url(fake: FakeSlack) -> Iterator[str]:
    served = ServedApp(fake.app, name="fake-slack").start()
    yield served.url
    served.stop()


@pytest.fixture
def sim(url: str) -> Sim:
    return Sim(url)


@pytest.fixture
def world(sim: Sim, url: str) -> World:
    team = sim.workspace("Acme")
    alice, bob = sim.user(team["id"], "alice"), sim.user(team["id"], "bob")
    general = sim.channel(team["id"], "general", members=[alice["id"], bob["id"]])
    secret = sim.channel(team["id"], "secret", private=True, members=[alice["id"]])
    app = sim.app(redirect_urls=["http://connector.test/slack/oauth_redirect"], commands=["/ilert"])
    install = sim.install(app["id"], team["id"], ALL_SCOPES)
    return World(sim, url, team, alice, bob, general, secret, app, install)


@dataclass
class Received:
    """What the tiny app got: verified form bodies, and the answers it gives."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    answer: Callable[[dict[str, Any]], Any] = lambda _: ""
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def slack_app(world: World) -> Iterator[Received]:
    """A Flask app on loopback standing in for the connector: verifies signatures, answers."""
    received = Received()
    verifier = SignatureVerifier(world.app["signing_secret"])
    app = flask.Flask("tiny-slack-app")

    @app.post("/slack/events")
    def events() -> Any:
        body = flask.request.get_data(as_text=True)
        if not verifier.is_valid_request(body, dict(flask.request.headers)):
            return flask.jsonify({"error": "invalid request"}), 401
        form = {k: v[0] for k, v in parse_qs(body).items()}
        if "payload" in form:
            form = json.loads(form["payload"])
        with received.lock:
            received.requests.append(form)
        return received.answer(form)

    served = ServedApp(app, name="tiny-app").start()
    world.sim.http.patch(
        f"{world.url}/_sim/apps/{world.app['id']}",
        json={"request_url": f"{served.url}/slack/events"},
        timeout=10,
    ).raise_for_status()
    yield received
    served.stop()


@pytest.fixture
def browser(world: World) -> requests.Session:
    """Alice, signed in to the web client."""
    session = requests.Session()
    signed_in = session.post(
        f"{world.url}/login", data={"user_id": world.alice["id"], "next": "/client"}, timeout=10
    )
    assert signed_in.ok, signed_in.text
    return session
