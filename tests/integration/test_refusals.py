"""What each service refuses, and that a refusal changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from harness.driver import Browser, Services
from harness.seed import World, build_world

_seeds = iter(range(5000, 6000))


@pytest.fixture
def world(sim_services: Services) -> World:
    return build_world(sim_services.ilert, sim_services.slack, seed=next(_seeds))


def slack_installs(services: Services, team_id: str) -> list[dict]:
    return [i for i in services.slack.state()["installs"] if i["team_id"] == team_id]


def test_a_non_admin_starting_the_install_is_refused_by_ilert_and_nothing_is_stored(
    sim_services: Services, world: World
) -> None:
    browser = Browser()
    browser.submit(f"{sim_services.ilert_url}/login", {"user_id": world.person("USER").ilert_id})
    visit = browser.submit(f"{sim_services.ilert_url}/connectors/slack/authorize", {})
    assert visit.status == 403
    assert "Admin" in visit.text
    assert not any(url.startswith(sim_services.connector_url) for url in browser.history)
    assert sim_services.ilert.call("GET", "/connectors", key=world.owner_key) == []
    assert slack_installs(sim_services, world.team_id) == []


def test_a_slash_command_with_a_bad_signature_gets_401_and_changes_nothing(
    sim_services: Services, world: World
) -> None:
    channel = world.channel("ops-alerts")["id"]
    body = urlencode(
        {
            "command": "/ilert",
            "text": "",
            "team_id": world.team_id,
            "channel_id": channel,
            "user_id": world.person("ADMIN").slack_id,
            "response_url": f"{sim_services.slack_url}/nowhere",
            "trigger_id": "1.2.3",
        }
    )
    timestamp = str(int(time.time()))
    forged = (
        "v0="
        + hmac.new(
            b"not-the-signing-secret", f"v0:{timestamp}:{body}".encode(), hashlib.sha256
        ).hexdigest()
    )
    response = requests.post(
        f"{sim_services.connector_url}/slack/events",
        data=body,
        timeout=5,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": forged,
        },
    )
    assert response.status_code == 401
    assert sim_services.slack.messages(channel) == []


def test_a_web_api_call_with_a_wrong_token_is_invalid_auth(sim_services: Services) -> None:
    client = WebClient(token="xoxb-not-a-token", base_url=f"{sim_services.slack_url}/api/")
    with pytest.raises(SlackApiError) as failure:
        client.auth_test()
    assert failure.value.response.status_code == 200
    assert failure.value.response.data == {"ok": False, "error": "invalid_auth"}


def test_an_event_with_an_unknown_source_key_gets_a_4xx_with_a_message(
    sim_services: Services,
) -> None:
    response = sim_services.ilert.send_event(
        {"integrationKey": "il-unknown", "eventType": "ALERT", "summary": "Nobody owns this key"}
    )
    assert 400 <= response.status_code < 500
    assert response.json()["message"]


def test_on_behalf_of_with_a_plain_users_key_is_refused(
    sim_services: Services, world: World
) -> None:
    admin, responder = world.person("ADMIN"), world.person("RESPONDER")
    response = sim_services.ilert.api(
        "GET",
        "/users/current",
        key=responder.api_key,
        headers={"X-On-Behalf-Of": str(admin.ilert_id)},
    )
    assert response.status_code == 403
    assert "integration key" in response.json()["message"].lower()
