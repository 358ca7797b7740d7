"""The events API: create, absorb, accept, resolve, comment, and 4xx for bad input."""

from __future__ import annotations

from typing import Any

import requests


def _event(world: Any, body: dict[str, Any], path: str = "/api/events") -> requests.Response:
    return requests.post(world.url + path, json=body, timeout=5)


def test_alert_then_absorb_accept_and_resolve(world: Any) -> None:
    key = world.source["integrationKey"]
    created = _event(
        world,
        {
            "apiKey": key,
            "eventType": "ALERT",
            "summary": "CPU high",
            "details": "db1",
            "alertKey": "cpu/db1",
            "priority": "HIGH",
        },
    )
    assert created.status_code == 202
    body = created.json()
    assert body["responseCode"] == "NEW_INCIDENT_CREATED" and body["alertKey"] == "cpu/db1"
    alert_id = int(body["alertUrl"].rsplit("/", 1)[1])
    assert body["alertUrl"] == f"{world.url}/alerts/{alert_id}"
    again = _event(
        world,
        {"integrationKey": key, "eventType": "ALERT", "summary": "CPU high", "alertKey": "cpu/db1"},
        path="/api/v1/events",
    )
    assert again.status_code == 202
    assert again.json()["responseCode"] == "INCIDENT_ALREADY_EXISTS"
    assert again.json()["alertUrl"] == body["alertUrl"]
    assert world.owner.ok("GET", "/alerts/count") == {"count": 1}
    accepted = _event(world, {"apiKey": key, "eventType": "ACCEPT", "alertKey": "cpu/db1"})
    assert accepted.json()["responseCode"] == "INCIDENT_ACCEPTED"
    assert world.owner.ok("GET", f"/alerts/{alert_id}")["status"] == "ACCEPTED"
    comment = _event(
        world,
        {
            "apiKey": key,
            "eventType": "COMMENT",
            "alertKey": "cpu/db1",
            "comments": [{"creator": "bot", "content": "still hot"}],
        },
    )
    assert comment.json()["responseCode"] == "COMMENT_ADDED"
    resolved = _event(world, {"apiKey": key, "eventType": "RESOLVE", "alertKey": "cpu/db1"})
    assert resolved.json()["responseCode"] == "INCIDENT_RESOLVED"
    assert world.owner.ok("GET", f"/alerts/{alert_id}")["status"] == "RESOLVED"
    texts = [e["text"] for e in world.owner.ok("GET", f"/alerts/{alert_id}/log-entries")]
    assert "Comment added by bot: still hot" in texts
    fresh = _event(
        world, {"apiKey": key, "eventType": "ALERT", "summary": "CPU high", "alertKey": "cpu/db1"}
    )
    assert fresh.json()["responseCode"] == "NEW_INCIDENT_CREATED"
    assert fresh.json()["alertUrl"] != body["alertUrl"]


def test_events_without_a_matching_open_alert(world: Any) -> None:
    key = world.source["integrationKey"]
    none = _event(world, {"apiKey": key, "eventType": "RESOLVE", "alertKey": "nothing"})
    assert none.status_code == 202
    assert none.json() == {
        "alertKey": None,
        "alertUrl": None,
        "responseCode": "NO_OPEN_INCIDENT_WITH_KEY",
    }


def test_bad_events_are_4xx_with_a_message(world: Any) -> None:
    key = world.source["integrationKey"]
    unknown = _event(world, {"apiKey": "il-unknown", "eventType": "ALERT", "summary": "x"})
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "No alert source with this integration key"
    cases = [
        {"eventType": "ALERT", "summary": "x"},
        {"apiKey": key, "eventType": "EXPLODE", "summary": "x"},
        {"apiKey": key, "eventType": "ALERT"},
        {"apiKey": key, "eventType": "ALERT", "summary": "x", "priority": "MEDIUM"},
        {"apiKey": key, "eventType": "ACCEPT"},
    ]
    for body in cases:
        response = _event(world, body)
        assert response.status_code == 400, body
        assert response.json()["code"] == "BAD_REQUEST" and response.json()["message"]
    broken = requests.post(
        f"{world.url}/api/events",
        data="nope",
        timeout=5,
        headers={"Content-Type": "application/json"},
    )
    assert broken.status_code == 400
