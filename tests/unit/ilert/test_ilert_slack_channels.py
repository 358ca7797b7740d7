"""What the Slack app tells fake ilert of a channel (docs/contract.md, point 6), and the app
unlinking its own workspace. Through fake ilert's HTTP API only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from emulator.clock import VirtualClock
from emulator.ilert.app import FakeIlert
from emulator.ilert.models import DeliveryStatus

Json = dict[str, Any]


@dataclass
class Linked:
    sim: FakeIlert
    client: Any
    owner: str
    integration: str
    connector_id: str
    action: Json

    def report(self, body: Json, *, key: str | None = None, channel: str = "C1") -> Any:
        return self.client.put(
            f"/api/connectors/{self.connector_id}/slack-channels/{channel}",
            json=body,
            headers={"Authorization": f"Bearer {key or self.integration}"},
        )

    def action_now(self) -> Json:
        answer = self.client.get(
            f"/api/alert-actions/{self.action['id']}",
            headers={"Authorization": f"Bearer {self.owner}"},
        )
        return answer.get_json()


@pytest.fixture
def linked() -> Iterator[Linked]:
    sim = FakeIlert(clock=VirtualClock(start=1_700_000_000.0), seed=5)
    client = sim.app.test_client()
    account = client.post("/_sim/accounts", json={"name": "Acme"}).get_json()
    owner = {"Authorization": f"Bearer {account['apiKey']}"}
    owner_ref = {"id": account["owner"]["id"]}
    state = sim.state
    connector, integration = state.register_slack(
        account_id=account["id"],
        user_id=account["owner"]["id"],
        nonce="n",
        workspace={"id": "T1", "domain": "acme"},
        scopes=["commands"],
        missing_scopes=[],
    )
    policy = client.post(
        "/api/escalation-policies",
        json={"name": "P", "escalationRules": [{"escalationTimeout": 1, "users": [owner_ref]}]},
        headers=owner,
    ).get_json()
    source = client.post(
        "/api/alert-sources",
        json={"name": "S", "escalationPolicy": {"id": policy["id"]}},
        headers=owner,
    ).get_json()
    action = client.post(
        "/api/alert-actions",
        json={
            "connectorType": "slack",
            "connectorId": connector.id,
            "alertSources": [{"id": source["id"]}],
            "triggerTypes": ["alert-created"],
            "params": {"channelId": "C1", "channelName": "ops"},
        },
        headers=owner,
    ).get_json()
    yield Linked(sim, client, account["apiKey"], integration, connector.id, action)
    sim.close()


def test_a_rename_follows_the_name_ilert_gave_the_action(linked: Linked) -> None:
    assert linked.action["name"] == "Slack #ops"
    answer = linked.report({"name": "ops-eu"})
    assert answer.status_code == 200
    [changed] = answer.get_json()
    assert changed["params"]["channelName"] == "ops-eu"
    assert linked.action_now()["name"] == "Slack #ops-eu"


def test_a_name_a_person_chose_stays_through_a_rename(linked: Linked) -> None:
    linked.client.put(
        f"/api/alert-actions/{linked.action['id']}",
        json={**linked.action, "name": "Night shift"},
        headers={"Authorization": f"Bearer {linked.owner}"},
    )
    linked.report({"name": "ops-eu"})
    now = linked.action_now()
    assert (now["name"], now["params"]["channelName"]) == ("Night shift", "ops-eu")


def test_an_archived_channel_fails_until_it_is_unarchived(linked: Linked) -> None:
    linked.report({"archived": True})
    status = linked.action_now()["deliveryStatus"]
    assert (status["status"], status["error"]) == ("FAILING", "is_archived")
    assert "archived" in status["reason"]
    linked.report({"archived": False})
    assert linked.action_now()["deliveryStatus"]["status"] == "OKAY"


def test_the_bot_invited_ends_a_failure_for_being_outside_the_channel(linked: Linked) -> None:
    outside = DeliveryStatus("FAILING", "channel_not_found", "Slack cannot find the channel")
    account_id = linked.sim.state.authenticate(linked.owner, None).account.id
    linked.sim.state.record_delivery(account_id, linked.action["id"], outside)
    linked.report({"botIsMember": True})
    assert linked.action_now()["deliveryStatus"]["status"] == "OKAY"


def test_the_bot_invited_leaves_an_archived_channel_failing(linked: Linked) -> None:
    linked.report({"archived": True})
    linked.report({"botIsMember": True})
    assert linked.action_now()["deliveryStatus"]["error"] == "is_archived"


def test_a_report_on_another_channel_changes_nothing(linked: Linked) -> None:
    answer = linked.report({"name": "elsewhere"}, channel="C2")
    assert (answer.status_code, answer.get_json()) == (200, [])
    assert linked.action_now()["params"]["channelName"] == "ops"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"name": ""}, "'name'"),
        ({"name": "x" * 81}, "'name'"),
        ({"name": 7}, "'name'"),
        ({"archived": "yes"}, "'archived'"),
        ({"botIsMember": 1}, "'botIsMember'"),
    ],
)
def test_a_malformed_report_is_refused_by_name(linked: Linked, body: Json, words: str) -> None:
    answer = linked.report(body)
    assert answer.status_code == 400
    assert words in answer.get_json()["message"]
    assert linked.action_now()["params"]["channelName"] == "ops"


def test_only_the_apps_integration_key_reports_channels(linked: Linked) -> None:
    answer = linked.report({"name": "ops-eu"}, key=linked.owner)
    assert answer.status_code == 403
    assert linked.action_now()["params"]["channelName"] == "ops"


def test_a_report_names_the_slack_connector(linked: Linked) -> None:
    owner = {"Authorization": f"Bearer {linked.owner}"}
    hook = linked.client.post("/api/connectors", json={"type": "datadog"}, headers=owner)
    answer = linked.client.put(
        f"/api/connectors/{hook.get_json()['id']}/slack-channels/C1",
        json={"name": "x"},
        headers={"Authorization": f"Bearer {linked.integration}"},
    )
    assert answer.status_code == 400


def test_the_app_unlinks_its_own_workspace(linked: Linked) -> None:
    key = {"Authorization": f"Bearer {linked.integration}"}
    answer = linked.client.delete(f"/api/connectors/{linked.connector_id}", headers=key)
    assert answer.status_code == 204
    owner = {"Authorization": f"Bearer {linked.owner}"}
    assert linked.client.get("/api/connectors", headers=owner).get_json() == []
    # The key is revoked with the link, as when an Admin deletes the connector.
    assert linked.client.get("/api/connectors", headers=key).status_code == 401


def test_the_apps_key_deletes_no_other_connector(linked: Linked) -> None:
    owner = {"Authorization": f"Bearer {linked.owner}"}
    hook = linked.client.post("/api/connectors", json={"type": "datadog"}, headers=owner)
    answer = linked.client.delete(
        f"/api/connectors/{hook.get_json()['id']}",
        headers={"Authorization": f"Bearer {linked.integration}"},
    )
    assert answer.status_code == 403
    assert len(linked.client.get("/api/connectors", headers=owner).get_json()) == 2
