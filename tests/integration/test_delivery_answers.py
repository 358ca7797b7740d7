"""What the connector answers ilert's webhooks when Slack refuses or fails (docs/contract.md,
point 4), and the ids it takes from ilert's signed requests.

The webhooks are sent here as fake ilert sends them, signed with the simulation's connector
secret, so that each answer is seen exactly as ilert would see it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest
import requests

from harness.driver import IlertControl, SlackControl, authorize_workspace
from harness.seed import World, build_world
from harness.simulation import Simulation, SimulationConfig

Json = dict[str, Any]
SECRET = "delivery-answers-secret"
_deliveries = count(1)


@dataclass
class Linked:
    """A workspace linked to its account, New Relic published to #ops-alerts."""

    sim: Simulation
    ilert: IlertControl
    slack: SlackControl
    world: World
    action: Json

    def alert(self, summary: str) -> Json:
        """An alert of a source that publishes nowhere: only the webhooks sent here reach Slack."""
        source = self.world.source("Grafana")
        created = self.ilert.call(
            "POST",
            "/alerts",
            key=self.world.owner_key,
            json={"summary": summary, "alertSource": {"id": source["id"]}},
        )
        return self.ilert.call("GET", f"/alerts/{created['id']}", key=self.world.owner_key)

    def deliver(self, alert: Json, *, channel_id: str | None = None) -> requests.Response:
        params = {**self.action["params"], **({"channelId": channel_id} if channel_id else {})}
        event = {
            "eventType": "alert-created",
            "accountId": self.world.account_id,
            "alert": alert,
            "alertAction": {**self.action, "params": params},
            "actor": None,
            "time": "2026-01-01T00:00:00Z",
        }
        body = json.dumps(event)
        headers = signed_headers(body)
        headers["X-Ilert-Delivery"] = f"answers-{next(_deliveries)}"
        return requests.post(
            f"{self.sim.connector_url}/ilert/events", data=body, headers=headers, timeout=10
        )


def signed_headers(message: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v1:{timestamp}:{message}".encode(), hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "X-Ilert-Timestamp": timestamp,
        "X-Ilert-Signature": "v1=" + digest.hexdigest(),
    }


@pytest.fixture(scope="module")
def linked() -> Iterator[Linked]:
    config = SimulationConfig(clock="virtual", connector_secret=SECRET, slack_time_scale=0.01)
    with Simulation(config) as sim:
        ilert, slack = sim.ilert(), sim.slack()
        world = build_world(ilert, slack, seed=4242)
        admin = world.person("ADMIN")
        landed = authorize_workspace(
            ilert_url=sim.ilert_url,
            slack_url=sim.slack_url,
            ilert_user_id=admin.ilert_id,
            slack_user_id=admin.slack_id,
        )
        assert landed.query.get("status") == "success", landed.text[:300]
        channel = world.channel("ops-alerts")["id"]
        menu = slack.command(
            team_id=world.team_id, channel_id=channel, user_id=admin.slack_id, command="/ilert"
        )
        source = world.source("New Relic")
        slack.select(
            channel_id=channel,
            message_ts=menu["ephemeral"]["ts"],
            user_id=admin.slack_id,
            option=f"[{source['id']}] New Relic",
        )
        [action] = ilert.call("GET", "/alert-actions", key=world.owner_key)
        yield Linked(sim, ilert, slack, world, action)


@pytest.fixture(autouse=True)
def no_faults_left(linked: Linked) -> Iterator[None]:
    yield
    linked.slack.clear_faults()


def refusal(response: requests.Response) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False and body["message"], body
    return response.status_code, body["error"]


def test_a_delivery_slack_accepts_is_acknowledged(linked: Linked) -> None:
    response = linked.deliver(linked.alert("Disk full"))
    assert (response.status_code, response.json()) == (200, {"ok": True})


@pytest.mark.parametrize("error", ["missing_scope", "is_archived", "account_inactive"])
def test_a_permanent_refusal_by_slack_is_a_4xx_with_slacks_reason(
    linked: Linked, error: str
) -> None:
    linked.slack.add_fault(method="chat.postMessage", count=1, error=error)
    response = linked.deliver(linked.alert(f"Refused with {error}"))
    assert refusal(response) == (422, error)
    assert response.status_code not in (408, 429)


def test_a_channel_slack_does_not_know_is_a_permanent_refusal_that_says_so(
    linked: Linked,
) -> None:
    response = linked.deliver(linked.alert("Nowhere to go"), channel_id="C0NOSUCHCHAN")
    assert refusal(response) == (422, "channel_not_found")
    assert "cannot find the channel" in response.json()["message"]


def test_slacks_rate_limit_is_a_429_with_slacks_retry_after(linked: Linked) -> None:
    linked.slack.add_fault(method="chat.postMessage", count=1, retry_after=7)
    response = linked.deliver(linked.alert("Too fast"))
    assert refusal(response) == (429, "ratelimited")
    assert response.headers["Retry-After"] == "7"


def test_a_failure_inside_slack_is_a_5xx_that_ilert_retries(linked: Linked) -> None:
    linked.slack.add_fault(method="chat.postMessage", count=1, status=500, error="internal_error")
    response = linked.deliver(linked.alert("Slack hiccup"))
    assert refusal(response) == (503, "internal_error")


def test_an_unsigned_webhook_is_refused_in_the_same_shape(linked: Linked) -> None:
    response = requests.post(f"{linked.sim.connector_url}/ilert/events", data=b"{}", timeout=5)
    assert refusal(response) == (401, "invalid_signature")


def test_a_request_flask_refuses_on_ilerts_endpoints_is_refused_in_the_same_shape(
    linked: Linked,
) -> None:
    response = requests.get(f"{linked.sim.connector_url}/ilert/events", timeout=5)
    assert refusal(response) == (405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize(
    "account_id",
    [str(2**63), "9" * 40, "-1", "0", "+1", "1_0", "\u0661", ""],
    ids=["2**63", "40-digits", "negative", "zero", "plus", "underscore", "arabic", "empty"],
)
def test_an_account_id_that_is_no_ilert_id_is_a_400_on_the_channel_list(
    linked: Linked, account_id: str
) -> None:
    path = "/ilert/channels?" + requests.compat.urlencode({"accountId": account_id})
    response = requests.get(
        f"{linked.sim.connector_url}{path}", headers=signed_headers(path), timeout=5
    )
    assert refusal(response) == (400, "invalid_account")


def test_the_channel_list_of_the_linked_account_still_answers(linked: Linked) -> None:
    path = f"/ilert/channels?accountId={linked.world.account_id}"
    response = requests.get(
        f"{linked.sim.connector_url}{path}", headers=signed_headers(path), timeout=5
    )
    assert response.status_code == 200
    assert "ops-alerts" in {c["name"] for c in response.json()["channels"]}


@pytest.mark.parametrize("field", ["accountId", "alert"])
def test_an_event_whose_ids_do_not_fit_sqlite_is_malformed(linked: Linked, field: str) -> None:
    alert = linked.alert("Huge ids")
    if field == "alert":
        alert = {**alert, "id": 2**63}
    body = json.dumps(
        {
            "eventType": "alert-created",
            "accountId": 2**64 if field == "accountId" else linked.world.account_id,
            "alert": alert,
            "alertAction": linked.action,
        }
    )
    headers = {**signed_headers(body), "X-Ilert-Delivery": f"huge-{field}"}
    response = requests.post(
        f"{linked.sim.connector_url}/ilert/events", data=body, headers=headers, timeout=5
    )
    assert refusal(response) == (400, "malformed_event")


def test_a_webhook_nested_deeper_than_any_parser_goes_is_malformed(linked: Linked) -> None:
    body = "[" * 100_000 + "]" * 100_000
    headers = {**signed_headers(body), "X-Ilert-Delivery": "deep"}
    response = requests.post(
        f"{linked.sim.connector_url}/ilert/events", data=body, headers=headers, timeout=10
    )
    assert refusal(response) == (400, "malformed_event")


def test_an_alert_whose_message_was_deleted_is_posted_again_and_says_so(linked: Linked) -> None:
    ilert, slack, world = linked.ilert, linked.slack, linked.world
    channel = world.channel("ops-alerts")["id"]
    created = ilert.call(
        "POST",
        "/alerts",
        key=world.owner_key,
        json={
            "summary": "Deleted in Slack",
            "alertSource": {"id": world.source("New Relic")["id"]},
        },
    )
    ilert.wait_for_deliveries()
    [first] = alert_messages(slack, channel, "Deleted in Slack")
    token = next(
        i["access_token"] for i in slack.state()["installs"] if i["team_id"] == world.team_id
    )
    assert slack.web_api("chat.delete", token, channel=channel, ts=first["ts"])["ok"]

    ilert.call("PUT", f"/alerts/{created['id']}/accept", key=world.person("RESPONDER").api_key)
    ilert.wait_for_deliveries()

    [again] = alert_messages(slack, channel, "Deleted in Slack")
    assert again["ts"] != first["ts"] and "Accepted" in json.dumps(again["attachments"])
    [note] = again["replies"]
    assert "was deleted, so it is posted again" in note["text"] and "Accepted" in note["text"]

    # The new message is the alert's now: later updates change it, and nothing is posted again.
    ilert.call("PUT", f"/alerts/{created['id']}/resolve", key=world.person("RESPONDER").api_key)
    ilert.wait_for_deliveries()
    [resolved] = alert_messages(slack, channel, "Deleted in Slack")
    assert resolved["ts"] == again["ts"] and "Resolved" in json.dumps(resolved["attachments"])
    assert ["Resolved" in reply["text"] for reply in resolved["replies"]] == [False, True]


def alert_messages(slack: SlackControl, channel: str, summary: str) -> list[Json]:
    return [
        m
        for m in slack.messages(channel)
        if m.get("attachments") and summary in json.dumps(m["attachments"])
    ]
