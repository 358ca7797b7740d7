"""Export the whole emulator, start another one, import: everything is there and goes on."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from emulator.clock import VirtualClock
from emulator.ilert.app import FakeIlert
from emulator.serving import ServedApp

START = 1_700_000_000.0  # the `clock` fixture's start, before the test moved it


@pytest.fixture
def second(connector: Any, sim: FakeIlert) -> Iterator[FakeIlert]:
    """Another fake ilert, as after a restart: a fresh clock and nothing in it."""
    ilert = FakeIlert(
        clock=VirtualClock(start=START),
        connector_url=connector.url,
        connector_secret=sim.connector_secret,
    )
    served = ServedApp(ilert.app, name="fake-ilert-2").start()
    ilert.public_url = served.url
    yield ilert
    served.stop()
    ilert.close()


def _comparable(export: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(export)
    data["clock"].pop("offset")  # wall-clock dependent
    return data


def _populate(world: Any, linked: dict[str, Any], connector: Any) -> dict[str, Any]:
    team = world.owner.ok(
        "POST",
        "/teams",
        201,
        json={
            "name": "Secret",
            "visibility": "PRIVATE",
            "members": [{"user": {"id": world.users["RESPONDER"]["id"]}, "role": "RESPONDER"}],
        },
    )
    world.owner.ok(
        "PUT", f"/alert-sources/{world.source['id']}", json={"teams": [{"id": team["id"]}]}
    )
    action = world.owner.ok(
        "POST",
        "/alert-actions",
        201,
        json={
            "connectorType": "slack",
            "connectorId": linked["connector"]["id"],
            "alertSources": [{"id": world.source["id"]}],
            "triggerTypes": ["alert-created", "alert-acknowledged", "alert-auto-escalated"],
            "params": {"channelId": "C1", "channelName": "ops"},
        },
    )
    alerts = [
        world.owner.ok(
            "POST", "/alerts", 201, json={"summary": s, "alertSource": {"id": world.source["id"]}}
        )
        for s in ("pending", "accepted", "resolved")
    ]
    assert world.sim("/deliveries/wait", {"timeout": 10})["idle"]
    connector.fail_next = 100  # what follows stays in the queue, to be exported
    world.owner.ok("PUT", f"/alerts/{alerts[1]['id']}/accept")
    world.owner.ok("PUT", f"/alerts/{alerts[2]['id']}/resolve")
    world.owner.ok("DELETE", f"/users/{world.users['GUEST']['id']}", 204)
    assert world.sim("/deliveries/wait", {"timeout": 10})["idle"]
    world.sim("/clock/advance", {"seconds": 60})  # one more failed try; the next is not yet due
    assert world.sim("/deliveries/wait", {"timeout": 10})["idle"]
    return {"team": team, "action": action, "alerts": alerts}


def test_export_then_import_restores_everything_and_goes_on(
    world: Any, linked: dict[str, Any], connector: Any, sim: FakeIlert, second: FakeIlert
) -> None:
    made = _populate(world, linked, connector)
    exported = requests.get(f"{world.url}/_sim/export", timeout=10).json()
    assert exported["format"] == "fake-ilert-state" and exported["clock"]["kind"] == "virtual"
    pending = exported["deliveries"]["pending"]
    assert [d["eventType"] for d in pending] == ["alert-acknowledged"]
    assert pending[0]["attempts"] >= 1
    answer = requests.post(f"{second.public_url}/_sim/import", json=exported, timeout=10)
    assert answer.status_code == 200 and answer.json() == {"ok": True, "accounts": 1}
    again = requests.get(f"{second.public_url}/_sim/export", timeout=10).json()
    assert _comparable(again) == _comparable(exported)
    assert second.clock.now() == sim.clock.now()

    # The same keys work, the integration key still acts for people, and privacy still holds.
    Api = type(world.owner)
    owner = Api(f"{second.public_url}/api", world.keys["OWNER"])
    responder_id = world.users["RESPONDER"]["id"]
    slack = Api(f"{second.public_url}/api", linked["integrationKey"], on_behalf_of=responder_id)
    outsider = Api(f"{second.public_url}/api", world.keys["USER"])
    assert outsider.get(f"/alerts/{made['alerts'][0]['id']}").status_code == 404
    assert Api(f"{second.public_url}/api", world.keys["GUEST"]).get("/alerts").status_code == 401
    accepted = slack.ok("PUT", f"/alerts/{made['alerts'][0]['id']}/accept")
    assert accepted["acknowledgedBy"]["id"] == responder_id
    newer = owner.ok(
        "POST", "/alerts", 201, json={"summary": "after", "alertSource": {"id": world.source["id"]}}
    )
    assert newer["id"] > exported["lastId"]
    assert owner.ok("GET", f"/alert-actions/{made['action']['id']}")["params"]["channelId"] == "C1"
    ticket_nonces = set(exported["redeemedNonces"])
    assert ticket_nonces and ticket_nonces == set(again["redeemedNonces"])

    # Escalation is still due, and the queued delivery goes out under its first id.
    connector.fail_next = 0
    first_id = pending[0]["id"]
    requests.post(f"{second.public_url}/_sim/clock/advance", json={"seconds": 900}, timeout=10)
    assert requests.post(
        f"{second.public_url}/_sim/deliveries/wait", json={"timeout": 10}, timeout=15
    ).json()["idle"]
    escalated = owner.ok("GET", f"/alerts/{newer['id']}")
    assert escalated["assignedTo"]["id"] == world.users["USER"]["id"]
    delivered = [d for d in connector.events() if d["delivery"] == first_id]
    assert len(delivered) == 1 and delivered[0]["json"]["eventType"] == "alert-acknowledged"


def test_a_bad_import_is_a_400_and_changes_nothing(world: Any, sim: FakeIlert) -> None:
    good = sim.export_state()
    broken_ref = copy.deepcopy(good)
    broken_ref["accounts"][0]["sources"][0]["policyId"] = 1
    wrong_type = copy.deepcopy(good)
    wrong_type["accounts"][0]["users"][0]["role"] = "BOSS"
    no_key = copy.deepcopy(good)
    no_key["apiKeys"][0]["userId"] = 5
    bad_queue = copy.deepcopy(good)
    bad_queue["deliveries"]["pending"] = [{"id": 1}]
    for bad in ({}, [], {"format": "x"}, broken_ref, wrong_type, no_key, bad_queue, "text"):
        response = requests.post(f"{world.url}/_sim/import", json=bad, timeout=10)
        assert response.status_code == 400, bad
        assert response.json()["message"], bad
    assert _comparable(sim.export_state()) == _comparable(good)
    assert world.owner.ok("GET", "/users/current")["id"] == world.owner_id


def test_python_export_and_import(world: Any, sim: FakeIlert, second: FakeIlert) -> None:
    second.import_state(sim.export_state())
    assert _comparable(second.export_state()) == _comparable(sim.export_state())
    session = requests.Session()
    session.post(f"{world.url}/login", data={"user_id": world.owner_id}, timeout=5)
    cookie = session.cookies.get("fakeilert_session")
    page = requests.get(
        f"{second.public_url}/connectors", cookies={"fakeilert_session": cookie}, timeout=5
    )
    assert page.status_code == 200 and "Slack Workspace Integration" in page.text
