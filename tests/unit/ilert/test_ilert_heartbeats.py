"""Heartbeat alert sources: their settings, pings at `/api/heartbeats/{key}`, an overdue
heartbeat opening an alert on the domain clock (sent to the source's Slack alert actions) and a
ping after it resolving that alert. Never sleeps: advances the virtual clock."""

from __future__ import annotations

from typing import Any

import pytest
import requests


def _heartbeat_source(world: Any, interval: int = 300, **heartbeat: Any) -> dict[str, Any]:
    body = {
        "name": "Nightly backup",
        "integrationType": "HEARTBEAT",
        "escalationPolicy": {"id": world.policy["id"]},
        "heartbeat": {"intervalSec": interval, **heartbeat},
    }
    return world.owner.ok("POST", "/alert-sources", 201, json=body)


def _ping(world: Any, source: dict[str, Any], method: str = "GET") -> requests.Response:
    return requests.request(
        method, f"{world.url}/api/heartbeats/{source['integrationKey']}", timeout=10
    )


def _advance(world: Any, seconds: float) -> None:
    world.sim("/clock/advance", {"seconds": seconds})


def _alerts(world: Any, source: dict[str, Any]) -> list[dict[str, Any]]:
    return world.owner.ok("GET", "/alerts", params={"sources": source["id"]})


def _heartbeat(world: Any, source: dict[str, Any]) -> dict[str, Any]:
    return world.owner.ok("GET", f"/alert-sources/{source['id']}")["heartbeat"]


def test_the_heartbeat_is_stored_returned_and_exported(world: Any) -> None:
    source = _heartbeat_source(world, 600, summary="Backup did not report")
    assert source["heartbeat"] == {
        "summary": "Backup did not report",
        "intervalSec": 600,
        "status": "NEVER_RECEIVED",
    }
    assert _ping(world, source).status_code == 202
    pinged = _heartbeat(world, source)
    assert pinged["status"] == "ON_TIME" and pinged["lastPingReceivedAt"].endswith("Z")
    exported = requests.get(f"{world.url}/_sim/export", timeout=10).json()
    world.sim("/import", exported)
    assert _heartbeat(world, source) == pinged
    path = f"/alert-sources/{source['id']}"
    changed = world.owner.ok("PUT", path, json={"heartbeat": {"intervalSec": 900}})["heartbeat"]
    assert (changed["intervalSec"], changed["summary"], changed["status"]) == (
        900,
        "Backup did not report",
        "ON_TIME",
    )


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"integrationType": "HEARTBEAT"}, "heartbeat"),
        ({"integrationType": "HEARTBEAT", "heartbeat": {}}, "heartbeat.intervalSec"),
        ({"integrationType": "HEARTBEAT", "heartbeat": {"intervalSec": 0}}, "intervalSec"),
        ({"integrationType": "HEARTBEAT", "heartbeat": {"intervalSec": "60"}}, "intervalSec"),
        (
            {"integrationType": "HEARTBEAT", "heartbeat": {"intervalSec": 60, "summary": 1}},
            "heartbeat.summary",
        ),
        ({"integrationType": "API", "heartbeat": {"intervalSec": 60}}, "only for"),
    ],
)
def test_malformed_heartbeats_are_refused(world: Any, body: dict[str, Any], named: str) -> None:
    body = {"name": "Beat", "escalationPolicy": {"id": world.policy["id"]}, **body}
    refused = world.owner.post("/alert-sources", json=body)
    assert refused.status_code == 400 and named in refused.json()["message"], refused.text


def test_pings_answer_as_ilert_declares(world: Any) -> None:
    source = _heartbeat_source(world)
    for method in ("GET", "POST", "HEAD"):
        answer = _ping(world, source, method)
        assert answer.status_code == 202 and answer.content == b"", method
    unknown = requests.get(f"{world.url}/api/heartbeats/nope", timeout=10)
    assert unknown.status_code == 404 and unknown.json()["status"] == 404
    not_a_heartbeat = _ping(world, world.source)
    assert not_a_heartbeat.status_code == 400
    assert "HEARTBEAT" in not_a_heartbeat.json()["message"]
    assert _ping(world, source, "PUT").status_code == 405


def test_a_heartbeat_never_pinged_is_never_overdue(world: Any) -> None:
    source = _heartbeat_source(world, 60)
    _advance(world, 3600)
    assert _alerts(world, source) == []
    assert _heartbeat(world, source)["status"] == "NEVER_RECEIVED"


def test_an_overdue_heartbeat_opens_an_alert_and_a_ping_resolves_it(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    source = _heartbeat_source(world, 300, summary="Backup did not report")
    world.owner.ok(
        "POST",
        "/alert-actions",
        201,
        json={
            "connectorType": "slack",
            "connectorId": linked["connector"]["id"],
            "alertSources": [{"id": source["id"]}],
            "triggerTypes": ["alert-created", "alert-resolved"],
            "params": {"channelId": "C1"},
        },
    )
    _ping(world, source)
    _advance(world, 200)
    _ping(world, source)  # on time: the interval counts from this ping
    _advance(world, 299)
    assert _alerts(world, source) == []
    _advance(world, 1)
    [alert] = _alerts(world, source)
    assert (alert["summary"], alert["status"]) == ("Backup did not report", "PENDING")
    assert _heartbeat(world, source)["status"] == "OVERDUE"
    _advance(world, 3600)
    assert len(_alerts(world, source)) == 1  # one alert while it stays overdue
    _ping(world, source)
    assert world.owner.ok("GET", f"/alerts/{alert['id']}")["status"] == "RESOLVED"
    log = world.owner.ok("GET", f"/alerts/{alert['id']}/log-entries")
    kinds = [e["logEntryType"] for e in log]
    assert "HeartbeatOverdueLogEntry" in kinds and "HeartbeatResolvedLogEntry" in kinds
    world.sim("/deliveries/wait", {"timeout": 10})
    sent = [(e["json"]["eventType"], e["json"]["alert"]["id"]) for e in connector.events()]
    assert sent == [("alert-created", alert["id"]), ("alert-resolved", alert["id"])]


def test_an_overdue_still_due_after_an_import_fires(world: Any) -> None:
    source = _heartbeat_source(world, 120)
    _ping(world, source)
    exported = requests.get(f"{world.url}/_sim/export", timeout=10).json()
    world.sim("/import", exported)
    _advance(world, 120)
    assert len(_alerts(world, source)) == 1
