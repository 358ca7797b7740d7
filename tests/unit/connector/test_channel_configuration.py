"""The channel menu's rules, with ilert's API mocked by `responses`."""

from __future__ import annotations

import json

import pytest
import responses

from connector.ilert_client import IlertApiError, IlertClient
from connector.people import Refusal
from connector.slack_app import ChannelConfiguration
from connector.store import WorkspaceLink

ILERT = "http://ilert.test"
LINK = WorkspaceLink(
    team_id="T1",
    account_id=1,
    team_domain="acme",
    team_name="Acme",
    connector_id="c1",
    integration_key="il-key",
)
PUBLIC = {"id": 10, "name": "New Relic", "integrationType": "NEWRELIC", "teams": []}
PRIVATE = {
    "id": 11,
    "name": "Payments",
    "integrationType": "API",
    "teams": [{"id": 5, "name": "Payments", "visibility": "PRIVATE"}],
}


def configuration() -> ChannelConfiguration:
    return ChannelConfiguration(
        ilert=IlertClient(ILERT, "il-key"),
        link=LINK,
        ilert_url=ILERT,
        channel_id="C1",
        person={"id": 3},
    )


def action(source: dict, channel: str = "C1") -> dict:
    return {
        "id": "a1",
        "alertSources": [{"id": source["id"], "name": source["name"]}],
        "params": {"channelId": channel},
    }


@responses.activate
def test_linking_creates_one_automatic_slack_alert_action_on_behalf_of_the_person() -> None:
    responses.get(f"{ILERT}/api/alert-sources/10", json=PUBLIC)
    responses.get(f"{ILERT}/api/alert-actions", json=[action(PUBLIC, channel="C2")])
    created = responses.post(f"{ILERT}/api/alert-actions", json={"id": "a2"}, status=201)
    notice = configuration().add(10, channel_name="ops", slack_user_id="U1")
    assert "<@U1>: Alert source <http://ilert.test/alert-sources/10|[10] New Relic>" in notice
    request = created.calls[0].request
    assert request.headers["X-On-Behalf-Of"] == "3"
    body = json.loads(request.body)
    assert body["triggerMode"] == "AUTOMATIC" and body["connectorType"] == "slack"
    assert body["params"] == {
        "channelId": "C1",
        "channelName": "ops",
        "teamId": "T1",
        "teamDomain": "acme",
    }


@responses.activate
def test_a_source_already_linked_to_the_channel_is_not_linked_again() -> None:
    responses.get(f"{ILERT}/api/alert-sources/10", json=PUBLIC)
    responses.get(f"{ILERT}/api/alert-actions", json=[action(PUBLIC)])
    created = responses.post(f"{ILERT}/api/alert-actions", json={"id": "a2"}, status=201)
    configuration().add(10, channel_name="ops", slack_user_id="U1")
    assert created.call_count == 0


@responses.activate
def test_a_private_team_source_is_refused_even_when_the_person_may_see_it() -> None:
    responses.get(f"{ILERT}/api/alert-sources/11", json=PRIVATE)
    created = responses.post(f"{ILERT}/api/alert-actions", json={"id": "a2"}, status=201)
    with pytest.raises(Refusal, match="private team"):
        configuration().add(11, channel_name="ops", slack_user_id="U1")
    assert created.call_count == 0


@responses.activate
def test_ilerts_refusal_reaches_the_person() -> None:
    responses.get(f"{ILERT}/api/alert-sources/10", json=PUBLIC)
    responses.get(f"{ILERT}/api/alert-actions", json=[])
    responses.post(
        f"{ILERT}/api/alert-actions",
        status=403,
        json={"status": 403, "message": "A RESPONDER may not change alert actions"},
    )
    with pytest.raises(IlertApiError, match="RESPONDER") as refusal:
        configuration().add(10, channel_name="ops", slack_user_id="U1")
    assert refusal.value.is_forbidden


@responses.activate
def test_the_menu_hides_private_team_sources_and_lists_linked_ones() -> None:
    responses.get(
        f"{ILERT}/api/alert-sources",
        json=[PUBLIC, PRIVATE, {**PUBLIC, "id": 12, "name": "Grafana"}],
    )
    responses.get(f"{ILERT}/api/alert-actions", json=[action(PUBLIC)])
    menu = configuration().menu()
    select = menu[-1]["accessory"]
    assert [o["value"] for o in select["options"]] == ["12"]
    assert any("[10] New Relic" in b.get("text", {}).get("text", "") for b in menu)


@responses.activate
def test_removing_a_link_of_another_channel_is_refused() -> None:
    responses.get(f"{ILERT}/api/alert-actions", json=[action(PUBLIC, channel="C2")])
    deleted = responses.delete(f"{ILERT}/api/alert-actions/a1", status=204)
    with pytest.raises(Refusal, match="not linked to this channel"):
        configuration().remove("a1", slack_user_id="U1")
    assert deleted.call_count == 0
