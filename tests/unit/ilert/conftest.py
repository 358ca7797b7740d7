"""Fixtures for fake ilert's tests: a served FakeIlert on a virtual clock, a fake connector that
records and verifies the signed webhooks, and a small seeded account. Plain HTTP only."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from flask import Flask, request

from emulator.clock import VirtualClock
from emulator.ilert.app import FakeIlert
from emulator.serving import ServedApp

SECRET = "test-connector-secret"
START = 1_700_000_000.0


@dataclass
class FakeConnector:
    """Plays the connector's event endpoint: records each delivery, fails the first N."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    # Scripted answers, used first: (status, body, headers); a str body is sent as it is.
    answers: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    channels: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[dict[str, Any]]:
        """Acknowledged deliveries only, in arrival order."""
        with self.lock:
            return [r for r in self.received if r["answered"] == 200]


def _connector_app(connector: FakeConnector) -> Flask:
    app = Flask("fake-connector")

    @app.post("/ilert/events")
    def events() -> Any:
        body = request.get_data()
        timestamp = request.headers.get("X-Ilert-Timestamp", "")
        expected = (
            "v1="
            + hmac.new(
                SECRET.encode(), f"v1:{timestamp}:".encode() + body, hashlib.sha256
            ).hexdigest()
        )
        with connector.lock:
            if connector.answers:
                status, answer, headers = connector.answers.pop(0)
                if isinstance(answer, str):
                    headers = {"Content-Type": "text/plain", **headers}
            else:
                status = 500 if connector.fail_next > 0 else 200
                answer, headers = {"ok": status == 200}, {}
                connector.fail_next = max(0, connector.fail_next - 1)
            connector.received.append(
                {
                    "delivery": request.headers.get("X-Ilert-Delivery"),
                    "signatureValid": hmac.compare_digest(
                        expected, request.headers.get("X-Ilert-Signature", "")
                    ),
                    "contentType": request.headers.get("Content-Type"),
                    "json": request.get_json(),
                    "answered": status,
                }
            )
        return answer, status, headers

    @app.get("/ilert/channels")
    def channels() -> Any:
        return {"channels": connector.channels}

    return app


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(start=START)


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector()
    served = ServedApp(_connector_app(fake), name="fake-connector").start()
    fake.url = served.url
    yield fake
    served.stop()


@pytest.fixture
def sim(clock: VirtualClock, connector: FakeConnector) -> Iterator[FakeIlert]:
    ilert = FakeIlert(clock=clock, seed=7, connector_url=connector.url, connector_secret=SECRET)
    served = ServedApp(ilert.app, name="fake-ilert").start()
    ilert.public_url = served.url
    yield ilert
    served.stop()
    ilert.close()


class Api:
    """`requests` against fake ilert's /api with one key (and optionally X-On-Behalf-Of)."""

    def __init__(self, base: str, key: str | None, on_behalf_of: int | None = None) -> None:
        self.base = base
        self.headers: dict[str, str] = {}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        if on_behalf_of is not None:
            self.headers["X-On-Behalf-Of"] = str(on_behalf_of)

    def call(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        return requests.request(
            method,
            self.base + path,
            headers={**self.headers, **(headers or {})},
            timeout=10,
            **kwargs,
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("DELETE", path, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None


@dataclass
class World:
    """One account: the owner, a user of each role, a two-rule policy, one source."""

    url: str
    account_id: int
    owner: Api
    owner_id: int
    keys: dict[str, str]
    users: dict[str, dict[str, Any]]
    policy: dict[str, Any]
    source: dict[str, Any]
    connector_url: str = ""

    def api(self, role: str) -> Api:
        return Api(f"{self.url}/api", self.keys[role])

    def client(self, key: str | None, on_behalf_of: int | None = None) -> Api:
        return Api(f"{self.url}/api", key, on_behalf_of)

    def new_account(self, name: str) -> tuple[int, Api, dict[str, Any]]:
        return make_account(self.url, name)

    def sim(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return sim_post(self.url, path, body)

    def link_slack(self, **kwargs: Any) -> requests.Response:
        return link_slack(self, **kwargs)

    def redeem(self, ticket: str, team_id: str = "T0ACME") -> requests.Response:
        return redeem(self.url, ticket, team_id)


def sim_post(base: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = requests.post(f"{base}/_sim{path}", json=body or {}, timeout=30)
    assert response.status_code in (200, 201), response.text
    return response.json()


def make_account(base: str, name: str) -> tuple[int, Api, dict[str, Any]]:
    account = sim_post(base, "/accounts", {"name": name})
    return account["id"], Api(f"{base}/api", account["apiKey"]), account["owner"]


@pytest.fixture
def world(sim: FakeIlert) -> World:
    base = sim.public_url
    account_id, owner, owner_user = make_account(base, "Acme")
    keys, users = {"OWNER": owner.headers["Authorization"][7:]}, {"OWNER": owner_user}
    for role in ("ADMIN", "USER", "RESPONDER", "STAKEHOLDER", "GUEST"):
        made = sim_post(
            base,
            f"/accounts/{account_id}/users",
            {
                "firstName": role.title(),
                "lastName": "Person",
                "email": f"{role.lower()}@acme.example",
                "role": role,
            },
        )
        keys[role], users[role] = made["apiKey"], made["user"]
    policy = owner.ok(
        "POST",
        "/escalation-policies",
        201,
        json={
            "name": "SRE",
            "escalationRules": [
                {"escalationTimeout": 15, "users": [{"id": users["RESPONDER"]["id"]}]},
                {"escalationTimeout": 15, "users": [{"id": users["USER"]["id"]}]},
            ],
        },
    )
    source = owner.ok(
        "POST",
        "/alert-sources",
        201,
        json={
            "name": "New Relic",
            "integrationType": "NEWRELIC",
            "escalationPolicy": {"id": policy["id"]},
        },
    )
    return World(
        base, account_id, owner, owner_user["id"], keys, users, policy, source, sim.connector_url
    )


def link_slack(
    world: World, *, team_id: str = "T0ACME", user: str = "OWNER", missing: list[str] | None = None
) -> requests.Response:
    """Issue a ticket through the control plane and redeem it as the connector would."""
    ticket = sim_post(
        world.url, "/tickets", {"accountId": world.account_id, "userId": world.users[user]["id"]}
    )["ticket"]
    return redeem(world.url, ticket, team_id, missing)


def redeem(
    base: str, ticket: str, team_id: str = "T0ACME", missing: list[str] | None = None
) -> requests.Response:
    """POST the registration as a connector does after the OAuth callback."""
    return requests.post(
        f"{base}/api/connectors/slack/installations",
        timeout=10,
        json={
            "ticket": ticket,
            "workspace": {
                "id": team_id,
                "domain": team_id.lower(),
                "name": f"Team {team_id}",
                "url": f"https://{team_id.lower()}.slack.com/",
            },
            "scopes": ["commands", "chat:write"],
            "missingScopes": missing or [],
        },
    )


@pytest.fixture
def linked(world: World) -> dict[str, Any]:
    """The world's account linked to Slack workspace T0ACME: {connector, integrationKey}."""
    response = link_slack(world)
    assert response.status_code == 200, response.text
    return response.json()
