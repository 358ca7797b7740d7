"""Users, roles, teams and the team-context header, through plain HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests


def _team(world: Any, name: str, visibility: str, members: dict[str, str]) -> dict[str, Any]:
    return world.owner.ok(
        "POST",
        "/teams",
        201,
        json={
            "name": name,
            "visibility": visibility,
            "members": [
                {"user": {"id": world.users[role]["id"]}, "role": team_role}
                for role, team_role in members.items()
            ],
        },
    )


def _source(world: Any, name: str, teams: list[int] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "escalationPolicy": {"id": world.policy["id"]}}
    if teams is not None:
        body["teams"] = [{"id": t} for t in teams]
    return world.owner.ok("POST", "/alert-sources", 201, json=body)


def test_an_admin_changes_roles_and_no_one_else_does(world: Any) -> None:
    user_id = world.users["USER"]["id"]
    assert world.api("USER").put(f"/users/{user_id}", json={"role": "ADMIN"}).status_code == 403
    demoted = world.api("ADMIN").ok("PUT", f"/users/{user_id}", json={"role": "RESPONDER"})
    assert demoted["role"] == "RESPONDER" and demoted["email"] == "user@acme.example"
    assert world.api("USER").post("/alert-sources", json={}).status_code == 403
    by_name = world.owner.ok("PUT", "/users/user", json={"firstName": "Uma", "role": "USER"})
    assert by_name["firstName"] == "Uma" and by_name["role"] == "USER"
    bad_role = world.owner.put(f"/users/{user_id}", json={"role": "VIEWER"})
    assert bad_role.status_code == 400 and "role" in bad_role.json()["message"]
    owner = world.owner.put(f"/users/{world.owner_id}", json={"role": "USER"})
    assert owner.status_code == 400 and "owner" in owner.json()["message"]
    taken = world.owner.put(f"/users/{user_id}", json={"email": "ADMIN@acme.example"})
    assert taken.status_code == 409
    assert world.owner.ok("GET", f"/users/{user_id}")["email"] == "user@acme.example"
    assert world.owner.put("/users/999999", json={"role": "USER"}).status_code == 404


def test_people_change_their_own_profile_but_not_their_role(world: Any) -> None:
    me = world.api("RESPONDER")
    changed = me.ok("PUT", "/users/current", json={"position": "SRE", "language": "DE"})
    assert changed["position"] == "SRE" and changed["language"] == "DE"
    assert me.ok("PUT", "/users/current", json={"role": "RESPONDER"})["role"] == "RESPONDER"
    assert me.put("/users/current", json={"role": "ADMIN"}).status_code == 403
    assert me.ok("GET", "/users/current")["role"] == "RESPONDER"


def test_deleting_users(world: Any) -> None:
    admin = world.api("ADMIN")
    guest = world.users["GUEST"]
    assert world.api("USER").delete(f"/users/{guest['id']}").status_code == 403
    admin.ok("DELETE", f"/users/{guest['id']}", 204)
    assert admin.get(f"/users/{guest['id']}").status_code == 404
    assert world.api("GUEST").get("/users/current").status_code == 401
    assert admin.delete(f"/users/{world.owner_id}").status_code == 400
    assert admin.delete(f"/users/{world.users['ADMIN']['id']}").status_code == 400
    in_policy = admin.delete(f"/users/{world.users['RESPONDER']['id']}")
    assert in_policy.status_code == 409 and "SRE" in in_policy.json()["message"]
    assert len(admin.ok("GET", "/users")) == 5
    page = admin.ok("GET", "/users", params={"start-index": 1, "max-results": 2})
    assert [u["id"] for u in page] == [u["id"] for u in admin.ok("GET", "/users")[1:3]]
    assert admin.get("/users", params={"max-results": 0}).status_code == 400


def test_team_crud_and_members(world: Any) -> None:
    team = _team(world, "Ops", "PUBLIC", {"USER": "USER"})
    path = f"/teams/{team['id']}"
    assert world.api("USER").put(path, json={"name": "x"}).status_code == 403
    renamed = world.owner.ok("PUT", path, json={"name": "Ops 2", "visibility": "PRIVATE"})
    assert (renamed["name"], renamed["visibility"]) == ("Ops 2", "PRIVATE")
    assert [m["user"]["id"] for m in renamed["members"]] == [world.users["USER"]["id"]]
    member = world.owner.ok(
        "POST", f"{path}/members", json={"user": {"id": world.users["GUEST"]["id"]}}
    )
    assert member == {
        "user": {
            k: world.users["GUEST"][k] for k in ("id", "firstName", "lastName", "email", "username")
        },
        "role": "RESPONDER",
    }
    world.owner.ok("DELETE", f"{path}/members/{world.users['GUEST']['id']}", 204)
    assert world.owner.delete(f"{path}/members/{world.users['GUEST']['id']}").status_code == 404
    source = _source(world, "Ops source", [team["id"]])
    assert source["teams"][0]["visibility"] == "PRIVATE"
    world.owner.ok("DELETE", path, 204)
    assert world.owner.get(path).status_code == 404
    assert world.owner.ok("GET", f"/alert-sources/{source['id']}")["teams"] == []
    bad = world.owner.post("/teams", json={"name": "t", "members": [{"user": {"id": 1}}]})
    assert bad.status_code == 400


def test_team_context_narrows_lists(world: Any) -> None:
    ops = _team(world, "Ops", "PUBLIC", {"USER": "USER"})
    web = _team(world, "Web", "PUBLIC", {"ADMIN": "ADMIN"})
    in_ops, in_web, no_team = (
        _source(world, "Ops src", [ops["id"]]),
        _source(world, "Web src", [web["id"]]),
        _source(world, "Loose"),
    )

    def names(role: str, context: str | None) -> set[str]:
        api = world.api(role) if role != "OWNER" else world.owner
        headers = {} if context is None else {"team-context": context}
        response = api.call("GET", "/alert-sources", headers=headers)
        assert response.status_code == 200, response.text
        return {s["name"] for s in response.json()}

    everything = {"New Relic", in_ops["name"], in_web["name"], no_team["name"]}
    assert names("USER", None) == everything == names("USER", "0")
    assert names("USER", "-1") == {"Ops src"}
    assert names("USER", str(web["id"])) == {"Web src"}
    assert names("OWNER", "-1") == set()
    for bad in ("x", "999999", "-7"):
        response = world.owner.call("GET", "/alert-sources", headers={"team-context": bad})
        assert response.status_code == 400, bad
    alert = world.owner.ok(
        "POST", "/alerts", 201, json={"summary": "s", "alertSource": {"id": in_ops["id"]}}
    )
    headers = {"team-context": str(ops["id"])}
    listed = world.owner.call("GET", "/alerts", headers=headers).json()
    assert [a["id"] for a in listed] == [alert["id"]]
    count = world.owner.call("GET", "/alerts/count", headers=headers).json()
    assert count == {"count": 1}


def test_guests_see_only_their_teams(world: Any) -> None:
    guest = world.api("GUEST")
    assert guest.ok("GET", "/alert-sources") == []
    assert guest.get(f"/alert-sources/{world.source['id']}").status_code == 404
    team = _team(world, "Status", "PUBLIC", {"GUEST": "STAKEHOLDER"})
    source = _source(world, "Status src", [team["id"]])
    assert [s["id"] for s in guest.ok("GET", "/alert-sources")] == [source["id"]]
    assert (
        guest.post("/alerts", json={"summary": "x", "alertSource": {"id": source["id"]}}).json()[
            "code"
        ]
        == "FORBIDDEN"
    )


@pytest.mark.parametrize("change", ["PUT", "DELETE"])
def test_outsiders_of_a_private_team_neither_see_nor_change(world: Any, change: str) -> None:
    secret = _team(world, "Secret", "PRIVATE", {"RESPONDER": "RESPONDER"})
    source = _source(world, "Vault", [secret["id"]])
    outsider = world.api("USER")
    path = f"/alert-sources/{source['id']}"
    response = outsider.call(change, path, json={"name": "mine"})
    assert response.status_code == 404
    assert world.owner.ok("GET", path)["name"] == "Vault"
    alert = world.api("RESPONDER").ok(
        "POST", "/alerts", 201, json={"summary": "s", "alertSource": {"id": source["id"]}}
    )
    world.owner.ok("PUT", f"/alerts/{alert['id']}/assign", params={"user": world.owner_id})
    assert outsider.put(f"/alerts/{alert['id']}/accept").status_code == 404
    assert outsider.ok("GET", "/alerts/count") == {"count": 0}
    assert world.owner.ok("GET", f"/alerts/{alert['id']}")["status"] == "PENDING"


def test_control_plane_lists_accounts_and_issues_keys(world: Any) -> None:
    listed = requests.get(f"{world.url}/_sim/accounts", timeout=5).json()
    assert listed == [
        {"id": world.account_id, "name": "Acme", "ownerId": world.owner_id, "users": 6}
    ]
    made = world.sim(
        f"/accounts/{world.account_id}/api-keys", {"userId": world.users["USER"]["id"]}
    )
    again = world.client(made["apiKey"]).ok("GET", "/users/current")
    assert again["id"] == world.users["USER"]["id"]
    missing = requests.post(
        f"{world.url}/_sim/accounts/{world.account_id}/api-keys", json={"userId": 1}, timeout=5
    )
    assert missing.status_code == 404
    assert world.api("RESPONDER").post("/connectors", json={"type": "webhook"}).status_code == 403
