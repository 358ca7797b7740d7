"""Signed webhooks to the connector: matching, signatures, retries with backoff, order, and
escalation on the virtual clock. Never sleeps: waits on /_sim/deliveries/wait."""

from __future__ import annotations

from typing import Any

import requests

ALL_TRIGGERS = [
    "alert-created",
    "alert-assigned",
    "alert-auto-escalated",
    "alert-acknowledged",
    "alert-resolved",
    "alert-comment-added",
]


def _wait_idle(world: Any) -> dict[str, Any]:
    result = world.sim("/deliveries/wait", {"timeout": 10})
    assert result["idle"] is True, result
    return result


def _advance(world: Any, seconds: float) -> None:
    world.sim("/clock/advance", {"seconds": seconds})


def _action(
    world: Any,
    linked: dict[str, Any],
    *,
    channel: str = "C100",
    triggers: list[str] | None = None,
    mode: str = "AUTOMATIC",
    connector_type: str = "slack",
    source_id: int | None = None,
) -> dict[str, Any]:
    body = {
        "name": f"Slack #{channel}",
        "connectorType": connector_type,
        "alertSources": [{"id": source_id or world.source["id"]}],
        "triggerMode": mode,
        "triggerTypes": ALL_TRIGGERS if triggers is None else triggers,
        "params": {"channelId": channel, "channelName": channel.lower()},
    }
    if connector_type == "slack":
        body["connectorId"] = linked["connector"]["id"]
    return world.owner.ok("POST", "/alert-actions", 201, json=body)


def _create_alert(world: Any, summary: str = "Disk full") -> dict[str, Any]:
    return world.owner.ok(
        "POST", "/alerts", 201, json={"summary": summary, "alertSource": {"id": world.source["id"]}}
    )


def test_alert_action_shape_and_validation(world: Any, linked: dict[str, Any]) -> None:
    action = _action(world, linked)
    assert isinstance(action["id"], str) and action["connectorType"] == "slack"
    assert action["alertSources"][0]["id"] == world.source["id"]
    assert action["params"] == {
        "channelId": "C100",
        "channelName": "c100",
        "teamId": "T0ACME",
        "teamDomain": "t0acme",
    }
    assert set(action) >= {
        "id",
        "name",
        "alertSources",
        "connectorId",
        "connectorType",
        "triggerMode",
        "triggerTypes",
        "params",
        "teams",
        "createdAt",
        "updatedAt",
    }
    listed = world.owner.ok("GET", "/alert-actions", params={"source": world.source["id"]})
    assert [a["id"] for a in listed] == [action["id"]]
    assert world.owner.ok("GET", "/alert-actions", params={"connector": "nope"}) == []
    base = {
        "connectorType": "slack",
        "connectorId": linked["connector"]["id"],
        "alertSources": [{"id": world.source["id"]}],
        "triggerTypes": ["alert-created"],
        "params": {"channelId": "C1"},
    }
    no_source = world.owner.post("/alert-actions", json={**base, "alertSources": []})
    assert no_source.json()["message"] == (
        "Either field 'alertSourceIds [long]' or 'alertSources [{id}]' is required"
    )
    for bad in (
        {**base, "triggerTypes": ["incident-created"]},
        {**base, "triggerTypes": []},
        {**base, "params": {}},
        {**base, "connectorId": "other"},
        {**base, "triggerMode": "ALWAYS"},
    ):
        assert world.owner.post("/alert-actions", json=bad).status_code == 400, bad
    legacy = world.owner.ok(
        "POST",
        "/alert-actions",
        201,
        json={
            **{k: v for k, v in base.items() if k != "alertSources"},
            "alertSourceIds": [world.source["id"]],
        },
    )
    path = f"/alert-actions/{legacy['id']}"
    assert (
        world.owner.ok("PUT", f"{path}/remove-source", json={"id": world.source["id"]})[
            "alertSources"
        ]
        == []
    )
    assert (
        len(
            world.owner.ok("PUT", f"{path}/add-source", json={"id": world.source["id"]})[
                "alertSources"
            ]
        )
        == 1
    )
    updated = world.owner.ok("PUT", path, json={"triggerMode": "MANUAL"})
    assert updated["triggerMode"] == "MANUAL"
    assert world.owner.put(path, json={"connectorType": "webhook"}).status_code == 400
    world.owner.ok("DELETE", path, 204)
    assert world.owner.get(path).status_code == 404
    refused = world.owner.post("/connectors", json={"type": "slack", "name": "x"})
    assert refused.status_code == 400 and "Connectors page" in refused.json()["message"]


def test_signed_webhook_only_for_matching_actions(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    matching = _action(world, linked, channel="C100")
    _action(world, linked, channel="C200", triggers=["alert-resolved"])
    _action(world, linked, channel="C300", mode="MANUAL", triggers=["alert-created"])
    _action(world, linked, channel="C400", connector_type="webhook", triggers=["alert-created"])
    other = world.owner.ok(
        "POST",
        "/alert-sources",
        201,
        json={"name": "Other", "escalationPolicy": {"id": world.policy["id"]}},
    )
    _action(world, linked, channel="C500", source_id=other["id"])
    alert = _create_alert(world)
    _wait_idle(world)
    [delivery] = connector.events()
    assert delivery["signatureValid"] and delivery["contentType"] == "application/json"
    assert delivery["delivery"].startswith("dlv_")
    body = delivery["json"]
    assert set(body) == {"eventType", "accountId", "alert", "alertAction", "actor", "time"}
    assert body["eventType"] == "alert-created" and body["accountId"] == world.account_id
    assert body["alert"]["id"] == alert["id"] and body["alert"]["status"] == "PENDING"
    assert body["alertAction"]["id"] == matching["id"]
    assert body["alertAction"]["params"]["channelId"] == "C100"
    assert body["actor"]["id"] == world.owner_id and body["time"].endswith("Z")
    texts = [e["text"] for e in world.owner.ok("GET", f"/alerts/{alert['id']}/log-entries")]
    assert "Slack connector notified #c100 (alert-created)" in texts
    stats = requests.get(f"{world.url}/_sim/deliveries", timeout=5).json()
    assert stats["delivered"] == 1 and stats["pending"] == 0 and stats["inFlight"] == 0
    assert stats["items"][0]["status"] == "delivered"


def test_trigger_types_choose_the_events(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _action(world, linked, triggers=["alert-resolved"])
    alert = _create_alert(world)
    world.owner.ok("PUT", f"/alerts/{alert['id']}/accept")
    world.owner.ok("PUT", f"/alerts/{alert['id']}/resolve")
    _wait_idle(world)
    assert [d["json"]["eventType"] for d in connector.events()] == ["alert-resolved"]
    assert connector.events()[0]["json"]["alert"]["status"] == "RESOLVED"


def test_retries_deliver_once_and_keep_the_alerts_order(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _action(world, linked)
    connector.fail_next = 3
    alert = _create_alert(world)
    world.owner.ok("PUT", f"/alerts/{alert['id']}/accept")
    assert _wait_idle(world)["pending"] == 2  # the first failed once; the accept waits behind it
    for seconds in (1, 2, 4):  # the backoff after attempts 1, 2 and 3
        assert connector.events() == []
        _advance(world, seconds)
        _wait_idle(world)
    events = connector.events()
    assert [d["json"]["eventType"] for d in events] == ["alert-created", "alert-acknowledged"]
    attempts = [r for r in connector.received if r["json"]["eventType"] == "alert-created"]
    assert len(attempts) == 4 and len({r["delivery"] for r in attempts}) == 1
    assert [r["answered"] for r in attempts] == [500, 500, 500, 200]
    assert all(r["signatureValid"] for r in connector.received)
    texts = [e["text"] for e in world.owner.ok("GET", f"/alerts/{alert['id']}/log-entries")]
    assert sum("could not notify #" in t for t in texts) == 3
    stats = requests.get(f"{world.url}/_sim/deliveries", timeout=5).json()
    assert (stats["delivered"], stats["failed"], stats["pending"]) == (2, 0, 0)


def test_a_dead_connector_is_given_up_after_ten_tries(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _action(world, linked, triggers=["alert-created"])
    connector.fail_next = 100
    _create_alert(world)
    for _ in range(10):
        _advance(world, 60)
        _wait_idle(world)
    stats = requests.get(f"{world.url}/_sim/deliveries", timeout=5).json()
    assert (stats["failed"], stats["pending"], len(connector.received)) == (1, 0, 10)
    assert stats["items"][-1]["status"] == "failed"


def test_escalation_reassigns_a_pending_alert(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _action(world, linked, triggers=["alert-auto-escalated"])
    pending, accepted = _create_alert(world, "pending"), _create_alert(world, "accepted")
    world.owner.ok("PUT", f"/alerts/{accepted['id']}/accept")
    assert pending["assignedTo"]["id"] == world.users["RESPONDER"]["id"]
    _advance(world, 899)
    assert (
        world.owner.ok("GET", f"/alerts/{pending['id']}")["assignedTo"]["id"]
        == world.users["RESPONDER"]["id"]
    )
    _advance(world, 1)
    _wait_idle(world)
    moved = world.owner.ok("GET", f"/alerts/{pending['id']}")
    assert moved["assignedTo"]["id"] == world.users["USER"]["id"]
    assert moved["status"] == "PENDING"
    still = world.owner.ok("GET", f"/alerts/{accepted['id']}")
    assert still["assignedTo"]["id"] == world.users["RESPONDER"]["id"]
    [delivery] = connector.events()
    assert delivery["json"]["eventType"] == "alert-auto-escalated"
    assert delivery["json"]["alert"]["assignedTo"]["id"] == world.users["USER"]["id"]
    assert delivery["json"]["actor"] is None
    texts = [e["text"] for e in world.owner.ok("GET", f"/alerts/{pending['id']}/log-entries")]
    assert "Alert escalated to level 2; assigned to User Person" in texts


def test_clock_and_reset_control(world: Any) -> None:
    before = requests.get(f"{world.url}/_sim/clock", timeout=5).json()
    assert before["kind"] == "virtual"
    _advance(world, 30)
    after = requests.get(f"{world.url}/_sim/clock", timeout=5).json()
    assert after["epoch"] == before["epoch"] + 30
    bad = requests.post(f"{world.url}/_sim/clock/advance", json={"seconds": -1}, timeout=5)
    assert bad.status_code == 400
    state = requests.get(f"{world.url}/_sim/state", timeout=5).json()
    assert state["accounts"][0]["name"] == "Acme"
    world.sim("/reset")
    assert requests.get(f"{world.url}/_sim/state", timeout=5).json() == {"accounts": []}
    assert world.owner.get("/alerts").status_code == 401


def test_delivered_items_do_not_pile_up(world: Any, linked: dict[str, Any], connector: Any) -> None:
    _action(world, linked, triggers=["alert-created"])
    for n in range(120):
        _create_alert(world, f"alert {n}")
    _wait_idle(world)
    stats = requests.get(f"{world.url}/_sim/deliveries", timeout=5).json()
    assert stats["delivered"] == 120 and stats["pending"] == 0
    assert len(stats["items"]) == 100  # a bounded history, not every delivery ever made
    exported = requests.get(f"{world.url}/_sim/export", timeout=5).json()["deliveries"]
    assert exported["pending"] == [] and exported["delivered"] == 120
