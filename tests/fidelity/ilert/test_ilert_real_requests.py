"""Requests that ilert's document declares are taken: every connector type and alert action type
it enumerates, and `POST /alerts/{id}/responders` without a body."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator.clock import VirtualClock
from emulator.ilert.app import FakeIlert
from emulator.ilert.spec import real_spec

SCHEMAS = real_spec()["components"]["schemas"]


@dataclass
class World:
    client: FlaskClient
    headers: dict[str, str]
    source_id: int
    owner_id: int

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(f"/api{path}", json=body, headers=self.headers)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    sim = FakeIlert(clock=VirtualClock(start=1_700_000_000.0), seed=11)
    try:
        client = sim.app.test_client()
        account = client.post("/_sim/accounts", json={"name": "Types"}).get_json()
        headers = {"Authorization": f"Bearer {account['apiKey']}"}
        owner = account["owner"]["id"]
        policy = client.post(
            "/api/escalation-policies",
            json={
                "name": "P",
                "escalationRules": [{"escalationTimeout": 5, "users": [{"id": owner}]}],
            },
            headers=headers,
        ).get_json()
        source = client.post(
            "/api/alert-sources",
            json={"name": "S", "escalationPolicy": {"id": policy["id"]}},
            headers=headers,
        ).get_json()
        yield World(client, headers, source["id"], owner)
    finally:
        sim.close()


@pytest.mark.parametrize("kind", [k for k in SCHEMAS["ConnectorType"]["enum"] if k != "slack"])
def test_every_connector_type_of_ilerts_document_is_taken(world: World, kind: str) -> None:
    params = {"apiKey": "k", "url": "https://example.com"}
    answer = world.post("/connectors", {"type": kind, "name": kind, "params": params})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["type"] == kind and answer.get_json()["params"] == params


@pytest.mark.parametrize("kind", [k for k in SCHEMAS["AlertActionType"]["enum"] if k != "slack"])
def test_every_alert_action_type_of_ilerts_document_is_taken(world: World, kind: str) -> None:
    body = {
        "name": kind,
        "connectorType": kind,
        "alertSources": [{"id": world.source_id}],
        "triggerTypes": ["alert-created"],
        "params": {"url": "https://example.com"},
    }
    answer = world.post("/alert-actions", body)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["connectorType"] == kind


def test_adding_a_responder_without_a_body_adds_the_caller(world: World) -> None:
    alert = world.post("/alerts", {"summary": "s", "alertSource": {"id": world.source_id}})
    alert_id = alert.get_json()["id"]
    world.client.delete(
        f"/api/alerts/{alert_id}/responders/{world.owner_id}", headers=world.headers
    )
    added = world.post(f"/alerts/{alert_id}/responders")
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["user"]["id"] == world.owner_id
