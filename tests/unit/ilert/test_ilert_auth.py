"""Install tickets, registration, integration keys with X-On-Behalf-Of, and the Connectors pages."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

SECRET = "test-connector-secret"


def _ticket(payload: dict[str, Any], secret: str = SECRET) -> str:
    raw = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{raw}.{hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()}"


def _login(world: Any, role: str) -> requests.Session:
    session = requests.Session()
    response = session.post(
        f"{world.url}/login",
        data={"user_id": world.users[role]["id"]},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "fakeilert_session" in session.cookies
    return session


def test_registration_creates_the_connector_and_an_integration_key(
    world: Any, linked: dict[str, Any]
) -> None:
    connector = linked["connector"]
    assert connector["type"] == "slack" and linked["integrationKey"].startswith("il")
    assert connector["params"] == {
        "teamId": "T0ACME",
        "teamDomain": "t0acme",
        "teamName": "Team T0ACME",
        "teamUrl": "https://t0acme.slack.com/",
        "scopes": ["commands", "chat:write"],
        "missingScopes": [],
    }
    assert world.owner.ok("GET", "/connectors") == [connector]
    again = world.link_slack(missing=["users:read.email"])
    assert again.status_code == 200
    assert again.json()["connector"]["id"] == connector["id"]
    assert again.json()["integrationKey"] == linked["integrationKey"]
    assert again.json()["connector"]["params"]["missingScopes"] == ["users:read.email"]


def test_ticket_reuse_expiry_tampering_and_role_are_refused(world: Any) -> None:
    owner_id = world.users["OWNER"]["id"]
    ticket = world.sim("/tickets", {"accountId": world.account_id, "userId": owner_id})["ticket"]
    assert world.redeem(ticket).status_code == 200
    reused = world.redeem(ticket)
    assert reused.status_code == 409 and "already been used" in reused.json()["message"]
    base = {"accountId": world.account_id, "userId": owner_id, "returnUrl": "x", "nonce": "n1"}
    expired = world.redeem(_ticket({**base, "exp": int(time.time()) - 1}))
    assert expired.status_code == 401 and "expired" in expired.json()["message"]
    _, signature = _ticket({**base, "exp": int(time.time()) + 600}).split(".")
    forged = json.dumps({**base, "nonce": "n2", "exp": 2**40}).encode()
    tampered = base64.urlsafe_b64encode(forged).rstrip(b"=").decode() + "." + signature
    assert world.redeem(tampered).status_code == 401
    assert world.redeem(_ticket({**base, "exp": 2**40}, secret="wrong")).status_code == 401
    assert world.redeem("garbage").status_code == 400
    as_user = world.link_slack(user="USER", team_id="T0OTHER")
    assert as_user.status_code == 403 and "Only an Admin" in as_user.json()["message"]
    linked = world.owner.ok("GET", "/connectors")
    assert [c["params"]["teamId"] for c in linked] == ["T0ACME"]


def test_a_second_workspace_is_refused_and_the_first_stays(
    world: Any, linked: dict[str, Any]
) -> None:
    second = world.link_slack(team_id="T0SECOND")
    assert second.status_code == 409
    message = second.json()["message"]
    assert "already linked to Slack workspace Team T0ACME" in message
    assert "only one Slack workspace" in message
    assert world.owner.ok("GET", "/connectors") == [linked["connector"]]
    account_id, other, owner = world.new_account("Globex")
    ticket = world.sim("/tickets", {"accountId": account_id, "userId": owner["id"]})["ticket"]
    taken = world.redeem(ticket, team_id="T0ACME")
    assert taken.status_code == 409 and "another ilert account" in taken.json()["message"]
    assert other.ok("GET", "/connectors") == []


def test_on_behalf_of_only_for_integration_keys(world: Any, linked: dict[str, Any]) -> None:
    responder_id = world.users["RESPONDER"]["id"]
    plain = world.client(world.keys["USER"], on_behalf_of=responder_id).get("/alerts")
    assert plain.status_code == 403
    assert plain.json()["message"] == "X-On-Behalf-Of is only allowed for integration keys"
    system = world.client(linked["integrationKey"])
    assert len(system.ok("GET", "/users")) == 6
    found = system.ok("POST", "/users/search-email", json={"email": "responder@acme.example"})
    assert found["id"] == responder_id
    assert system.ok("GET", "/alert-sources")[0]["id"] == world.source["id"]
    body = {"summary": "From Slack", "alertSource": {"id": world.source["id"]}}
    assert system.post("/alerts", json=body).status_code == 403
    unknown = world.client(linked["integrationKey"], on_behalf_of=999999).get("/alerts")
    assert unknown.status_code == 403 and "999999" in unknown.json()["message"]
    not_an_id = world.client(linked["integrationKey"])
    not_an_id.headers["X-On-Behalf-Of"] = "x"
    assert not_an_id.get("/alerts").status_code == 400


def test_on_behalf_of_applies_the_users_role_and_records_them(
    world: Any, linked: dict[str, Any]
) -> None:
    key = linked["integrationKey"]
    responder = world.client(key, on_behalf_of=world.users["RESPONDER"]["id"])
    assert responder.ok("GET", "/users/current")["role"] == "RESPONDER"
    alert = responder.ok(
        "POST",
        "/alerts",
        201,
        json={"summary": "From Slack", "alertSource": {"id": world.source["id"]}},
    )
    accepted = responder.ok("PUT", f"/alerts/{alert['id']}/accept")
    assert accepted["acknowledgedBy"]["id"] == world.users["RESPONDER"]["id"]
    entries = world.owner.ok("GET", f"/alerts/{alert['id']}/log-entries")
    accept_entry = next(e for e in entries if e["text"].startswith("Alert accepted"))
    assert accept_entry["actor"]["id"] == world.users["RESPONDER"]["id"]
    assert accept_entry["via"] == "INTEGRATION"
    action = {
        "alertSources": [{"id": world.source["id"]}],
        "connectorType": "SLACK",
        "connectorId": linked["connector"]["id"],
        "triggerTypes": ["alert-created"],
        "params": {"channelId": "C1", "channelName": "ops"},
    }
    assert responder.post("/alert-actions", json=action).status_code == 403
    stakeholder = world.client(key, on_behalf_of=world.users["STAKEHOLDER"]["id"])
    assert stakeholder.put(f"/alerts/{alert['id']}/resolve").status_code == 403
    user = world.client(key, on_behalf_of=world.users["USER"]["id"])
    created = user.ok("POST", "/alert-actions", 201, json=action)
    assert created["createdBy"]["id"] == world.users["USER"]["id"]
    assert created["connectorType"] == "slack" and created["params"]["teamId"] == "T0ACME"


def test_private_sources_cannot_be_linked_with_an_integration_key(
    world: Any, linked: dict[str, Any]
) -> None:
    team = world.owner.ok(
        "POST",
        "/teams",
        201,
        json={
            "name": "Secret",
            "visibility": "PRIVATE",
            "members": [{"user": {"id": world.users["USER"]["id"]}, "role": "USER"}],
        },
    )
    private = world.owner.ok(
        "POST",
        "/alert-sources",
        201,
        json={
            "name": "Vault",
            "escalationPolicy": {"id": world.policy["id"]},
            "teams": [{"id": team["id"]}],
        },
    )
    action = {
        "alertSources": [{"id": private["id"]}],
        "connectorType": "slack",
        "connectorId": linked["connector"]["id"],
        "triggerTypes": ["alert-created"],
        "params": {"channelId": "C1"},
    }
    via_slack = world.client(linked["integrationKey"], on_behalf_of=world.users["USER"]["id"])
    refused = via_slack.post("/alert-actions", json=action)
    assert refused.status_code == 403 and "private team" in refused.json()["message"]
    assert world.api("USER").post("/alert-actions", json=action).status_code == 201


def test_pages_connectors_and_authorize_as_admin(world: Any, linked: dict[str, Any]) -> None:
    assert (
        requests.get(f"{world.url}/connectors", allow_redirects=False, timeout=5).status_code == 302
    )
    login_page = requests.get(f"{world.url}/login", timeout=5).text
    assert 'name="user_id"' in login_page and "Responder Person" in login_page
    session = _login(world, "ADMIN")
    page = session.get(f"{world.url}/connectors", timeout=5).text
    assert "Slack Workspace Integration" in page and 'href="/connectors/slack"' in page
    slack = session.get(f"{world.url}/connectors/slack?status=success", timeout=5).text
    assert "Slack workspace Team T0ACME linked" in slack
    assert "https://t0acme.slack.com/" in slack and "Re-authorize Slack" in slack
    response = session.post(
        f"{world.url}/connectors/slack/authorize", allow_redirects=False, timeout=5
    )
    assert response.status_code == 302
    target = urlparse(response.headers["Location"])
    address = f"{target.scheme}://{target.netloc}{target.path}"
    assert address == f"{world.connector_url}/slack/install"
    ticket = parse_qs(target.query)["ticket"][0]
    payload = json.loads(base64.urlsafe_b64decode(ticket.split(".")[0] + "=="))
    assert payload["accountId"] == world.account_id
    assert payload["userId"] == world.users["ADMIN"]["id"]
    assert payload["returnUrl"] == f"{world.url}/connectors/slack"
    assert world.redeem(ticket).status_code == 200


def test_authorize_is_refused_on_the_server_for_non_admins(world: Any) -> None:
    session = _login(world, "USER")
    unlinked = session.get(f"{world.url}/connectors/slack", timeout=5).text
    assert ">Authorize<" in unlinked
    refused = session.post(
        f"{world.url}/connectors/slack/authorize", allow_redirects=False, timeout=5
    )
    assert refused.status_code == 403
    assert "Only an Admin can authorize the Slack Workspace Integration" in refused.text
    assert "Location" not in refused.headers
    error = session.get(
        f"{world.url}/connectors/slack",
        params={"status": "error", "message": "<b>denied</b>"},
        timeout=5,
    ).text
    assert "&lt;b&gt;denied&lt;/b&gt;" in error


def test_missing_scopes_show_a_reauthorize_notice(world: Any) -> None:
    assert world.link_slack(missing=["users:read.email"]).status_code == 200
    page = _login(world, "OWNER").get(f"{world.url}/connectors/slack", timeout=5).text
    assert "Re-authorization is needed" in page and "users:read.email" in page
