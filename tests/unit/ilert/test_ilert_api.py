"""fake ilert's REST API: shapes, enums, roles, private teams, account isolation, bad input."""

from __future__ import annotations

from typing import Any

import requests

USER_KEYS = {
    "id",
    "firstName",
    "lastName",
    "email",
    "username",
    "timezone",
    "position",
    "department",
    "language",
    "role",
    "createdAt",
    "updatedAt",
}
ALERT_KEYS = {
    "id",
    "summary",
    "details",
    "reportTime",
    "status",
    "priority",
    "alertKey",
    "alertSource",
    "escalationPolicy",
    "assignedTo",
    "responders",
    "nextEscalation",
    "nextEscalationRuleIndex",
    "images",
    "links",
    "customDetails",
    "alertUrl",
}


def _alert(world: Any, role: str = "OWNER", **extra: Any) -> dict[str, Any]:
    body = {
        "summary": "Disk full",
        "details": "on db1",
        "alertSource": {"id": world.source["id"]},
        **extra,
    }
    api = world.owner if role == "OWNER" else world.api(role)
    return api.ok("POST", "/alerts", 201, json=body)


def test_users_shape_current_and_search_email(world: Any) -> None:
    users = world.owner.ok("GET", "/users")
    assert len(users) == 6
    assert all(set(u) == USER_KEYS for u in users)
    assert {u["role"] for u in users} == {"ADMIN", "USER", "RESPONDER", "STAKEHOLDER", "GUEST"}
    me = world.api("RESPONDER").ok("GET", "/users/current")
    assert me == world.users["RESPONDER"]
    found = world.owner.ok("POST", "/users/search-email", json={"email": "USER@acme.example"})
    assert found["id"] == world.users["USER"]["id"]
    missing = world.owner.post("/users/search-email", json={"email": "nobody@acme.example"})
    assert missing.status_code == 404
    assert missing.json() == {
        "status": 404,
        "code": "NOT_FOUND",
        "message": "No user with e-mail nobody@acme.example found",
    }


def test_creating_users_needs_admin_and_a_known_role(world: Any) -> None:
    body = {"firstName": "New", "lastName": "Hire", "email": "new@acme.example", "role": "USER"}
    refused = world.api("USER").post("/users", json=body)
    assert refused.status_code == 403
    assert "Admin" in refused.json()["message"]
    created = world.api("ADMIN").ok("POST", "/users", 201, json=body)
    assert created["role"] == "USER" and created["username"] == "new"
    bad = world.owner.post("/users", json={**body, "email": "x@acme.example", "role": "BOSS"})
    assert bad.status_code == 400 and "role" in bad.json()["message"]
    twice = world.owner.post("/users", json=body)
    assert twice.status_code == 409


def test_alert_shape_and_lifecycle(world: Any) -> None:
    alert = _alert(world, "RESPONDER")
    assert set(alert) == ALERT_KEYS  # unset ones (resolvedOn, acknowledgedBy, …) left out
    assert alert["status"] == "PENDING" and alert["priority"] == "HIGH"
    assert alert["assignedTo"]["id"] == world.users["RESPONDER"]["id"]
    assert alert["alertSource"] == {
        "id": world.source["id"],
        "name": "New Relic",
        "integrationType": "NEWRELIC",
        "escalationPolicy": world.policy,  # ilert's AlertSource requires it
        "teams": [],
    }
    assert alert["alertUrl"] == f"{world.url}/alerts/{alert['id']}"
    assert alert["reportTime"].endswith("Z") and alert["nextEscalationRuleIndex"] == 1
    path = f"/alerts/{alert['id']}"
    accepted = world.api("RESPONDER").ok("PUT", f"{path}/accept")
    assert accepted["status"] == "ACCEPTED" and accepted.get("nextEscalation") is None
    assert accepted["acknowledgedBy"]["id"] == world.users["RESPONDER"]["id"]
    assert world.api("RESPONDER").ok("PUT", f"{path}/accept")["status"] == "ACCEPTED"
    resolved = world.owner.ok("PUT", f"{path}/resolve")
    assert resolved["status"] == "RESOLVED" and resolved.get("resolvedOn")
    reopen = world.owner.put(f"{path}/accept")
    assert reopen.status_code == 400
    assert "a resolved alert cannot be opened again" in reopen.json()["message"]
    texts = [e["text"] for e in world.owner.ok("GET", f"{path}/log-entries")]
    assert texts[0].startswith("Alert created by Responder Person")
    assert "Alert accepted by Responder Person" in texts
    assert "Alert resolved by Account Owner" in texts


def test_assign_list_filter_and_count(world: Any) -> None:
    first, second = _alert(world), _alert(world, priority="LOW")
    user_id = world.users["USER"]["id"]
    assigned = world.owner.ok("PUT", f"/alerts/{first['id']}/assign?user-id={user_id}")
    assert assigned["assignedTo"]["id"] == user_id
    assert world.owner.ok("PUT", f"/alerts/{second['id']}/assign?user={user_id}")
    world.owner.ok("PUT", f"/alerts/{second['id']}/resolve")
    pending = world.owner.ok("GET", "/alerts", params={"states": "PENDING"})
    assert [a["id"] for a in pending] == [first["id"]]
    both = world.owner.ok(
        "GET", "/alerts", params={"states": ["PENDING", "RESOLVED"], "sources": world.source["id"]}
    )
    assert {a["id"] for a in both} == {first["id"], second["id"]}
    page = world.owner.ok("GET", "/alerts", params={"start-index": 1, "max-results": 1})
    assert len(page) == 1
    assert world.owner.ok("GET", "/alerts/count", params={"states": "RESOLVED"}) == {"count": 1}
    assert world.owner.get("/alerts", params={"max-results": 101}).status_code == 400
    assert world.owner.get("/alerts", params={"states": "OPEN"}).status_code == 400
    texts = [e["text"] for e in world.owner.ok("GET", f"/alerts/{first['id']}/log-entries")]
    assert any(t.startswith("Alert assigned to User Person by Account Owner") for t in texts)


def test_role_rules_on_configuration_and_alerts(world: Any, linked: dict[str, Any]) -> None:
    action = {
        "alertSources": [{"id": world.source["id"]}],
        "connectorType": "slack",
        "connectorId": linked["connector"]["id"],
        "triggerMode": "AUTOMATIC",
        "triggerTypes": ["alert-created"],
        "params": {"channelId": "C1"},
    }
    refused = world.api("RESPONDER").post("/alert-actions", json=action)
    assert refused.status_code == 403
    assert refused.json()["code"] == "FORBIDDEN" and "RESPONDER" in refused.json()["message"]
    assert world.api("USER").post("/alert-actions", json=action).status_code == 201
    source = {"name": "X", "escalationPolicy": {"id": world.policy["id"]}}
    assert world.api("RESPONDER").post("/alert-sources", json=source).status_code == 403
    assert world.api("USER").post("/alert-sources", json=source).status_code == 201
    for role in ("STAKEHOLDER", "GUEST"):
        body = {"summary": "s", "alertSource": {"id": world.source["id"]}}
        assert world.api(role).post("/alerts", json=body).status_code == 403
    alert = _alert(world)
    assert world.api("STAKEHOLDER").put(f"/alerts/{alert['id']}/accept").status_code == 403
    assert world.api("USER").post("/connectors", json={"type": "webhook"}).status_code == 403
    bad_sim = requests.post(f"{world.url}/_sim/accounts", json={"name": ""}, timeout=5)
    assert bad_sim.status_code == 400


def test_private_team_hides_its_sources_and_alerts(world: Any) -> None:
    member, outsider = world.users["RESPONDER"], world.users["USER"]
    team = world.owner.ok(
        "POST",
        "/teams",
        201,
        json={
            "name": "Secret SRE",
            "visibility": "PRIVATE",
            "members": [{"user": {"id": member["id"]}, "role": "RESPONDER"}],
        },
    )
    assert team["members"][0]["user"]["id"] == member["id"]
    public = world.owner.ok("POST", "/teams", 201, json={"name": "Ops", "visibility": "PUBLIC"})
    private = world.owner.ok(
        "POST",
        "/alert-sources",
        201,
        json={
            "name": "Vault",
            "escalationPolicy": {"id": world.policy["id"]},
            "teams": [{"id": team["id"]}, {"id": public["id"]}],
        },
    )
    assert {t["visibility"] for t in private["teams"]} == {"PRIVATE", "PUBLIC"}
    alert = world.owner.ok(
        "POST",
        "/alerts",
        201,
        json={
            "summary": "s",
            "alertSource": {"id": private["id"]},
            "escalationPolicy": {"id": world.policy["id"]},
        },
    )
    world.owner.ok("PUT", f"/alerts/{alert['id']}/assign?user-id={world.owner_id}")
    hidden = world.api("USER")
    assert private["id"] not in [s["id"] for s in hidden.ok("GET", "/alert-sources")]
    assert hidden.get(f"/alert-sources/{private['id']}").status_code == 404
    assert hidden.get(f"/alerts/{alert['id']}").status_code == 404
    assert alert["id"] not in [a["id"] for a in hidden.ok("GET", "/alerts")]
    assert hidden.get(f"/teams/{team['id']}").status_code == 404
    assert world.api("RESPONDER").ok("GET", f"/alert-sources/{private['id']}")["name"] == "Vault"
    assert world.api("ADMIN").ok("GET", f"/alerts/{alert['id']}")["id"] == alert["id"]
    assert outsider["id"] not in [m["user"]["id"] for m in team["members"]]


def test_accounts_are_isolated(world: Any) -> None:
    _, other, _ = world.new_account("Globex")
    alert = _alert(world)
    assert other.get(f"/alerts/{alert['id']}").status_code == 404
    assert other.get(f"/alert-sources/{world.source['id']}").status_code == 404
    assert other.get(f"/users/{world.owner_id}").status_code == 404
    assert other.ok("GET", "/alerts") == [] and other.ok("GET", "/alert-sources") == []
    assert len(other.ok("GET", "/users")) == 1
    stolen = other.post("/alerts", json={"summary": "x", "alertSource": {"id": world.source["id"]}})
    assert stolen.status_code == 400


def test_bad_input_is_a_4xx_with_a_message(world: Any) -> None:
    api = world.owner
    cases = [
        api.post("/alerts", data="{not json"),
        api.post("/alerts", json=[1, 2]),
        api.post("/alerts", json={"summary": 5, "alertSource": {"id": world.source["id"]}}),
        api.post("/alerts", json={"summary": "x", "alertSource": {"id": "abc"}}),
        api.post(
            "/alerts",
            json={"summary": "x", "alertSource": {"id": world.source["id"]}, "priority": "URGENT"},
        ),
        api.post(
            "/escalation-policies",
            json={"name": "p", "escalationRules": [{"escalationTimeout": "soon", "users": []}]},
        ),
        api.post("/teams", json={"name": "t", "visibility": "SECRET"}),
        api.put(f"/alerts/{10**9}/accept"),
        api.get("/alerts/not-a-number"),
        api.delete("/alerts"),
        api.post("/alerts", data="[" * 100_000 + "]" * 100_000),
        api.get("/users/%C2%B9"),
        api.get("/alerts", params={"start-index": 10**30}),
    ]
    for response in cases:
        assert 400 <= response.status_code < 500, response.text
        body = response.json()
        assert set(body) == {"status", "code", "message"} and body["message"]
    assert requests.get(f"{world.url}/api/alerts", timeout=5).status_code == 401
    bad_key = world.client("il-nope").get("/alerts")
    assert bad_key.status_code == 401 and bad_key.json()["code"] == "UNAUTHORIZED"
    assert requests.get(f"{world.url}/", timeout=5).status_code == 200
    index = requests.get(f"{world.url}/", headers={"Accept": "application/json"}, timeout=5)
    assert index.json()["api"] == "/api"


def test_escalation_policies_and_sources_crud(world: Any) -> None:
    policy = world.owner.ok("GET", f"/escalation-policies/{world.policy['id']}")
    assert policy["escalationRules"][0]["escalationTimeout"] == 15
    assert policy["escalationRules"][1]["users"][0]["id"] == world.users["USER"]["id"]
    source = world.source
    assert source["integrationKey"].startswith("il") and source["status"] == "ALL_RESOLVED"
    assert source["escalationPolicy"] == world.policy
    _alert(world)
    assert world.owner.ok("GET", f"/alert-sources/{source['id']}")["status"] == "PENDING"
    by_key = world.owner.ok("GET", f"/alert-sources/{source['integrationKey']}")
    assert by_key["id"] == source["id"]
    renamed = world.owner.ok("PUT", f"/alert-sources/{source['id']}", json={"name": "NR"})
    assert renamed["name"] == "NR" and renamed["integrationType"] == "NEWRELIC"
    world.owner.ok("DELETE", f"/alert-sources/{source['id']}", 204)
    assert world.owner.get(f"/alert-sources/{source['id']}").status_code == 404
