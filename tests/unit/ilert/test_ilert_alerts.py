"""Alerts in depth: list filters and paging, responders, assignment, escalation on the virtual
clock, the events that reach the connector, policies and connectors. Plain HTTP only."""

from __future__ import annotations

from typing import Any

import requests

EVERY_TRIGGER = [
    "alert-created",
    "alert-assigned",
    "alert-auto-escalated",
    "alert-acknowledged",
    "alert-raised",
    "alert-comment-added",
    "alert-escalation-ended",
    "alert-resolved",
    "alert-responder-added",
    "alert-responder-removed",
]


def _alert(world: Any, summary: str = "Disk full", **extra: Any) -> dict[str, Any]:
    body = {"summary": summary, "alertSource": {"id": world.source["id"]}, **extra}
    return world.owner.ok("POST", "/alerts", 201, json=body)


def _advance(world: Any, seconds: float) -> None:
    world.sim("/clock/advance", {"seconds": seconds})


def _settle(world: Any) -> None:
    assert world.sim("/deliveries/wait", {"timeout": 10})["idle"] is True


def _slack_action(world: Any, linked: dict[str, Any], triggers: list[str]) -> dict[str, Any]:
    return world.owner.ok(
        "POST",
        "/alert-actions",
        201,
        json={
            "connectorType": "slack",
            "connectorId": linked["connector"]["id"],
            "alertSources": [{"id": world.source["id"]}],
            "triggerTypes": triggers,
            "params": {"channelId": "C1", "channelName": "ops"},
        },
    )


def _ids(alerts: list[dict[str, Any]]) -> list[int]:
    return [a["id"] for a in alerts]


def test_list_filters_paging_and_count(world: Any, clock: Any) -> None:
    other = world.owner.ok(
        "POST",
        "/alert-sources",
        201,
        json={"name": "Grafana", "escalationPolicy": {"id": world.policy["id"]}},
    )
    made = []
    for n in range(6):
        source = world.source if n % 2 == 0 else other
        made.append(
            world.owner.ok(
                "POST",
                "/alerts",
                201,
                json={"summary": f"a{n}", "alertSource": {"id": source["id"]}},
            )
        )
        clock.advance(60)
    newest_first = _ids(made)[::-1]
    api = world.owner
    assert _ids(api.ok("GET", "/alerts")) == newest_first
    api.ok("PUT", f"/alerts/{made[0]['id']}/accept")
    api.ok("PUT", f"/alerts/{made[1]['id']}/resolve")
    api.ok("PUT", f"/alerts/{made[2]['id']}/accept")
    pending = api.ok("GET", "/alerts", params={"states": "PENDING"})
    assert _ids(pending) == newest_first[:3]
    open_ = api.ok("GET", "/alerts", params=[("states", "PENDING"), ("states", "ACCEPTED")])
    assert _ids(open_) == [i for i in newest_first if i != made[1]["id"]]
    by_source = api.ok(
        "GET", "/alerts", params={"sources": other["id"], "states": "PENDING,RESOLVED"}
    )
    assert _ids(by_source) == [made[5]["id"], made[3]["id"], made[1]["id"]]
    page = api.ok("GET", "/alerts", params={"start-index": 2, "max-results": 3})
    assert _ids(page) == newest_first[2:5]
    assert api.ok("GET", "/alerts", params={"start-index": 50}) == []
    since = made[2]["reportTime"]
    until = made[4]["reportTime"]
    window = api.ok("GET", "/alerts", params={"from": since, "until": until})
    assert _ids(window) == [made[4]["id"], made[3]["id"], made[2]["id"]]
    responder = world.users["RESPONDER"]
    assert len(api.ok("GET", "/alerts", params={"responders": responder["id"]})) == 6
    accepters = api.ok("GET", "/alerts", params={"responders": "owner"})
    assert _ids(accepters) == [made[2]["id"], made[0]["id"]]
    assert api.ok("GET", "/alerts", params={"responders": "nobody"}) == []
    assert len(api.ok("GET", "/alerts", params={"policies": world.policy["id"]})) == 6
    assert api.ok("GET", "/alerts", params={"policies": 1}) == []
    assert api.ok("GET", "/alerts/count") == {"count": 6}
    assert api.ok("GET", "/alerts/count", params={"states": "ACCEPTED"}) == {"count": 2}
    assert api.ok("GET", "/alerts/count", params={"sources": other["id"]}) == {"count": 3}
    assert api.ok("GET", "/alerts/count", params={"from": since}) == {"count": 4}
    for params in (
        {"states": "OPEN"},
        {"max-results": 101},
        {"max-results": 0},
        {"start-index": -1},
        {"sources": "abc"},
        {"from": "yesterday"},
        {"include": "everything"},
    ):
        response = api.get("/alerts", params=params)
        assert response.status_code == 400, params
        assert response.json()["code"] == "BAD_REQUEST"


def test_include_adds_the_escalation_view(world: Any) -> None:
    alert = _alert(world)
    plain = world.owner.ok("GET", f"/alerts/{alert['id']}")
    assert "escalationRules" not in plain and "nextEscalationUser" not in plain
    full = world.owner.ok(
        "GET",
        f"/alerts/{alert['id']}",
        params=[("include", "escalationRules"), ("include", "nextEscalationUser")],
    )
    assert [r["escalationTimeout"] for r in full["escalationRules"]] == [15, 15]
    assert full["nextEscalationUser"]["id"] == world.users["USER"]["id"]


def test_responders_add_remove_and_suggest(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _slack_action(world, linked, ["alert-responder-added", "alert-responder-removed"])
    alert = _alert(world)
    path = f"/alerts/{alert['id']}/responders"
    admin_id = world.users["ADMIN"]["id"]
    added = world.owner.ok("POST", path, 201, json={"user": {"id": admin_id}})
    assert added["user"]["id"] == admin_id and added["status"] == "PENDING"
    assert added.get("acceptedAt") is None
    assert world.owner.post(path, json={"user": {"id": admin_id}}).status_code == 405
    assert world.owner.post(path, json={"user": {"id": 999999}}).status_code == 404
    assert world.api("STAKEHOLDER").post(path, json={"user": {"id": admin_id}}).status_code == 403
    now = world.owner.ok("GET", f"/alerts/{alert['id']}")
    assert [r["user"]["id"] for r in now["responders"]] == [
        world.users["RESPONDER"]["id"],
        admin_id,
    ]
    suggested = world.owner.ok("GET", f"/alerts/{alert['id']}/suggested-responders")
    users = {s["id"]: s for s in suggested if s["group"] == "USER"}
    assert (
        users[admin_id]["disabled"] is True
        and users[world.users["USER"]["id"]]["disabled"] is False
    )
    assert world.users["GUEST"]["id"] not in users
    assert {s["id"] for s in suggested if s["group"] == "ESCALATION_POLICY"} == {world.policy["id"]}
    world.owner.ok("DELETE", f"{path}/{admin_id}", 204)
    assert world.owner.delete(f"{path}/{admin_id}").status_code == 404
    accepted = world.api("ADMIN").ok("PUT", f"/alerts/{alert['id']}/accept")
    assert accepted["responders"][-1]["user"]["id"] == admin_id
    assert accepted["responders"][-1]["status"] == "ACCEPTED"
    _settle(world)
    kinds = [d["json"]["eventType"] for d in connector.events()]
    assert kinds == ["alert-responder-added", "alert-responder-removed"]
    world.owner.ok("PUT", f"/alerts/{alert['id']}/resolve")
    assert world.owner.post(path, json={"user": {"id": admin_id}}).status_code == 400


def test_named_responders_are_notified_but_not_escalated(world: Any) -> None:
    user_id = world.users["USER"]["id"]
    alert = _alert(world, responders=[{"user": {"id": user_id}}])
    assert alert["assignedTo"]["id"] == user_id and alert.get("nextEscalation") is None
    _advance(world, 3600)
    assert world.owner.ok("GET", f"/alerts/{alert['id']}")["assignedTo"]["id"] == user_id


def test_assign_to_a_user_or_a_policy(world: Any, linked: dict[str, Any], connector: Any) -> None:
    _slack_action(world, linked, ["alert-assigned"])
    alert = _alert(world)
    path = f"/alerts/{alert['id']}/assign"
    user_id = world.users["USER"]["id"]
    to_user = world.owner.ok("PUT", path, params={"user": user_id})
    assert to_user["assignedTo"]["id"] == user_id and to_user.get("nextEscalation") is None
    night = world.owner.ok(
        "POST",
        "/escalation-policies",
        201,
        json={
            "name": "Night",
            "escalationRules": [{"escalationTimeout": 5, "users": [{"id": world.owner_id}]}],
        },
    )
    to_policy = world.owner.ok("PUT", path, params={"policy-id": night["id"]})
    assert to_policy["escalationPolicy"]["id"] == night["id"]
    assert to_policy["assignedTo"]["id"] == world.owner_id and to_policy.get("nextEscalation")
    for params in ({}, {"schedule": 1, "user": user_id}, {"user": user_id, "policy": night["id"]}):
        assert world.owner.put(path, params=params).status_code == 400, params
    assert world.owner.put(path, params={"policy": "x"}).status_code == 400
    assert world.owner.put(path, params={"user": 999999}).status_code == 404
    assert world.owner.put(path, params={"schedule": 999999}).status_code == 404
    _settle(world)
    texts = [e["text"] for e in world.owner.ok("GET", f"/alerts/{alert['id']}/log-entries")]
    assert "Alert assigned to escalation policy Night by Account Owner" in texts
    assert [d["json"]["eventType"] for d in connector.events()] == ["alert-assigned"] * 2


def test_two_rule_escalation_then_end_and_repeat(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _slack_action(world, linked, ["alert-auto-escalated", "alert-escalation-ended"])
    pending, accepted = _alert(world, "pending"), _alert(world, "accepted")
    world.api("RESPONDER").ok("PUT", f"/alerts/{accepted['id']}/accept")
    _advance(world, 15 * 60)
    moved = world.owner.ok("GET", f"/alerts/{pending['id']}")
    assert moved["assignedTo"]["id"] == world.users["USER"]["id"]
    assert moved["responders"][0]["status"] == "PENDING"
    still = world.owner.ok("GET", f"/alerts/{accepted['id']}")
    assert still["assignedTo"]["id"] == world.users["RESPONDER"]["id"]
    _advance(world, 15 * 60)
    ended = world.owner.ok("GET", f"/alerts/{pending['id']}")
    assert ended.get("nextEscalation") is None and ended["status"] == "PENDING"
    _settle(world)
    assert [(d["json"]["eventType"], d["json"]["alert"]["id"]) for d in connector.events()] == [
        ("alert-auto-escalated", pending["id"]),
        ("alert-escalation-ended", pending["id"]),
    ]
    looping = world.owner.ok(
        "POST",
        "/escalation-policies",
        201,
        json={
            "name": "Loop",
            "repeating": True,
            "frequency": 1,
            "escalationRules": [
                {"escalationTimeout": 1, "users": [{"id": world.users["RESPONDER"]["id"]}]},
                {"escalationTimeout": 1, "users": [{"id": world.users["USER"]["id"]}]},
            ],
        },
    )
    loop = _alert(world, "loop", escalationPolicy={"id": looping["id"]})
    seen = []
    for _ in range(5):
        _advance(world, 60)
        now = world.owner.ok("GET", f"/alerts/{loop['id']}")
        seen.append(now["assignedTo"]["id"] if now.get("nextEscalation") else None)
    user, responder = world.users["USER"]["id"], world.users["RESPONDER"]["id"]
    assert seen == [user, responder, user, None, None]


def test_low_priority_waits_until_raised(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _slack_action(world, linked, ["alert-raised", "alert-comment-added", "alert-auto-escalated"])
    key = world.source["integrationKey"]
    event = {"apiKey": key, "eventType": "ALERT", "summary": "slow", "alertKey": "k1"}
    created = requests.post(f"{world.url}/api/events", json={**event, "priority": "LOW"}, timeout=5)
    alert_id = int(created.json()["alertUrl"].rsplit("/", 1)[1])
    _advance(world, 3600)
    low = world.owner.ok("GET", f"/alerts/{alert_id}")
    assert low["priority"] == "LOW" and low.get("nextEscalation") is None
    assert low["assignedTo"]["id"] == world.users["RESPONDER"]["id"]
    again = requests.post(f"{world.url}/api/events", json=event, timeout=5).json()
    assert again["responseCode"] == "INCIDENT_ALREADY_EXISTS"
    assert world.owner.ok("GET", f"/alerts/{alert_id}")["priority"] == "LOW"
    raised = requests.post(f"{world.url}/api/events", json={**event, "priority": "HIGH"}, timeout=5)
    assert raised.json()["responseCode"] == "INCIDENT_ALREADY_EXISTS"
    high = world.owner.ok("GET", f"/alerts/{alert_id}")
    assert high["priority"] == "HIGH" and high.get("nextEscalation") is not None
    comment = {"apiKey": key, "eventType": "COMMENT", "alertKey": "k1", "summary": "look"}
    requests.post(f"{world.url}/api/events", json=comment, timeout=5)
    _advance(world, 15 * 60)
    _settle(world)
    kinds = [d["json"]["eventType"] for d in connector.events()]
    assert kinds == ["alert-raised", "alert-comment-added", "alert-auto-escalated"]
    texts = [e["text"] for e in world.owner.ok("GET", f"/alerts/{alert_id}/log-entries")]
    assert "Alert raised to high priority" in texts and "Comment added: look" in texts


def test_events_with_routing_keys_images_and_links(world: Any) -> None:
    night = world.owner.ok(
        "POST",
        "/escalation-policies",
        201,
        json={
            "name": "Night",
            "routingKey": "night",
            "escalationRules": [{"escalationTimeout": 5, "users": [{"id": world.owner_id}]}],
        },
    )
    assert night["routingKey"] == "night"
    clash = world.owner.post("/escalation-policies", json={"name": "x", "routingKey": "night"})
    assert clash.status_code == 409
    base = {"apiKey": world.source["integrationKey"], "eventType": "ALERT", "summary": "s"}
    routed = requests.post(
        f"{world.url}/api/events",
        timeout=5,
        json={
            **base,
            "routingKey": "night",
            "images": [{"src": "https://img", "alt": "graph"}],
            "links": [{"href": "https://runbook", "text": "Runbook"}],
            "customDetails": {"host": "db1"},
        },
    ).json()
    alert = world.owner.ok("GET", "/alerts/" + routed["alertUrl"].rsplit("/", 1)[1])
    assert alert["escalationPolicy"]["id"] == night["id"]
    assert alert["assignedTo"]["id"] == world.owner_id
    assert alert["images"] == [{"src": "https://img", "alt": "graph"}]
    assert alert["links"] == [{"href": "https://runbook", "text": "Runbook"}]
    assert alert["customDetails"] == {"host": "db1"}
    unrouted = requests.post(
        f"{world.url}/api/events", timeout=5, json={**base, "routingKey": "nope"}
    ).json()
    other = world.owner.ok("GET", "/alerts/" + unrouted["alertUrl"].rsplit("/", 1)[1])
    assert other["escalationPolicy"]["id"] == world.policy["id"]
    for bad in ({"images": "x"}, {"links": [{"href": 1}]}, {"customDetails": []}):
        response = requests.post(f"{world.url}/api/events", json={**base, **bad}, timeout=5)
        assert response.status_code == 400, bad


def test_policies_update_and_delete(world: Any) -> None:
    path = f"/escalation-policies/{world.policy['id']}"
    assert world.api("RESPONDER").put(path, json={"name": "x"}).status_code == 403
    one_rule = world.owner.ok(
        "PUT",
        path,
        json={
            "name": "SRE 2",
            "escalationRules": [{"escalationTimeout": 30, "users": [{"id": world.owner_id}]}],
        },
    )
    assert one_rule["name"] == "SRE 2" and len(one_rule["escalationRules"]) == 1
    assert world.owner.put(path, json={"frequency": 10}).status_code == 400
    assert world.owner.put(path, json={"escalationRules": [{"users": []}]}).status_code == 400
    in_use = world.owner.delete(path)
    assert in_use.status_code == 409 and "New Relic" in in_use.json()["message"]
    spare = world.owner.ok("POST", "/escalation-policies", 201, json={"name": "Spare"})
    alert = _alert(world, escalationPolicy={"id": spare["id"]})
    world.owner.ok("DELETE", f"/escalation-policies/{spare['id']}", 204)
    assert world.owner.get(f"/escalation-policies/{spare['id']}").status_code == 404
    kept = world.owner.ok("GET", f"/alerts/{alert['id']}")
    assert kept["escalationPolicy"] == spare
    page = world.owner.ok("GET", "/escalation-policies", params={"max-results": 1})
    assert len(page) == 1
    assert world.owner.get("/escalation-policies", params={"max-results": 51}).status_code == 400


def test_sources_delete_with_their_alerts(world: Any) -> None:
    alert = _alert(world)
    world.owner.ok("DELETE", f"/alert-sources/{world.source['id']}", 204)
    assert world.owner.get(f"/alerts/{alert['id']}").status_code == 404
    assert world.owner.ok("GET", "/alerts/count") == {"count": 0}
    assert world.owner.put("/alert-sources/abc", json={}).status_code == 404
    assert world.owner.delete("/alert-sources/abc").status_code == 404


def test_connectors_update_and_delete(world: Any, linked: dict[str, Any]) -> None:
    hook = world.owner.ok(
        "POST", "/connectors", 201, json={"type": "datadog", "params": {"apiKey": "k"}}
    )
    path = f"/connectors/{hook['id']}"
    renamed = world.owner.ok("PUT", path, json={"name": "Hook", "params": {"url": "http://y"}})
    assert renamed["name"] == "Hook" and renamed["params"] == {"url": "http://y"}
    assert world.api("RESPONDER").ok("GET", path) == renamed
    assert world.owner.put(path, json={"type": "jira"}).status_code == 400
    assert world.api("USER").put(path, json={"name": "x"}).status_code == 403
    slack = f"/connectors/{linked['connector']['id']}"
    assert world.owner.put(slack, json={"params": {}}).status_code == 400
    assert world.owner.ok("PUT", slack, json={"name": "Slack"})["name"] == "Slack"
    world.owner.ok("DELETE", path, 204)
    assert world.owner.get(path).status_code == 404
    world.owner.ok("DELETE", slack, 204)
    assert world.client(linked["integrationKey"]).get("/alerts").status_code == 401


def test_alert_action_delays_are_validated(world: Any, linked: dict[str, Any]) -> None:
    action = _slack_action(world, linked, ["alert-escalation-ended"])
    path = f"/alert-actions/{action['id']}"
    assert (
        world.owner.ok("PUT", path, json={"escalationEndedDelaySec": 30})["escalationEndedDelaySec"]
        == 30
    )
    for bad in ({"escalationEndedDelaySec": 10}, {"notResolvedDelaySec": 172_801}):
        assert world.owner.put(path, json=bad).status_code == 400
    refused = world.owner.put(path, json={"triggerTypes": ["nope"], "name": "renamed"})
    assert refused.status_code == 400
    assert world.owner.ok("GET", path)["name"] == action["name"]
    assert (
        world.owner.get("/alert-actions", params=[("source", 1), ("source", 2)]).status_code == 400
    )
