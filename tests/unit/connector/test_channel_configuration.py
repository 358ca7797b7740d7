"""The channel menu's rules, with ilert's API mocked by `responses`."""

from __future__ import annotations

import json

import pytest
import responses

from connector.ilert_client import IlertApiError, IlertClient
from connector.listeners.menu import ChannelConfiguration
from connector.people import Refusal
from connector.store import ConnectorStore, WorkspaceLink

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
        store=ConnectorStore(":memory:"),
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
    with pytest.raises(Refusal, match="RESPONDER") as refusal:
        configuration().add(10, channel_name="ops", slack_user_id="U1")
    assert isinstance(refusal.value.__cause__, IlertApiError)
    assert refusal.value.__cause__.is_forbidden


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
def test_removing_a_link_of_another_channel_changes_nothing() -> None:
    responses.get(f"{ILERT}/api/alert-actions", json=[action(PUBLIC, channel="C2")])
    deleted = responses.delete(f"{ILERT}/api/alert-actions/a1", status=204)
    notice = configuration().remove("a1:10:0", slack_user_id="U1")
    assert "[10] is not linked to this channel" in notice
    assert deleted.call_count == 0


@responses.activate
def test_a_remove_button_of_an_older_menu_asks_for_a_fresh_one() -> None:
    deleted = responses.delete(f"{ILERT}/api/alert-actions/a1", status=204)
    with pytest.raises(Refusal, match="out of date"):
        configuration().remove("a1", slack_user_id="U1")
    assert deleted.call_count == 0


GRAFANA = {"id": 12, "name": "Grafana", "integrationType": "GRAFANA", "teams": []}


def two_source_action() -> dict:
    return {
        "id": "a1",
        "alertSources": [{"id": 10, "name": "New Relic"}, {"id": 12, "name": "Grafana"}],
        "params": {"channelId": "C1"},
    }


@responses.activate
def test_remove_takes_one_source_off_an_alert_action_that_publishes_two() -> None:
    responses.get(f"{ILERT}/api/alert-actions", json=[two_source_action()])
    taken_off = responses.put(f"{ILERT}/api/alert-actions/a1/remove-source", json={})
    deleted = responses.delete(f"{ILERT}/api/alert-actions/a1", status=204)

    notice = configuration().remove("a1:10:0", slack_user_id="U1")

    assert "[10] New Relic" in notice and "Grafana" not in notice
    assert json.loads(taken_off.calls[0].request.body) == {"id": 10}
    assert taken_off.calls[0].request.headers["X-On-Behalf-Of"] == "3"
    assert deleted.call_count == 0


@responses.activate
def test_remove_of_the_last_source_deletes_the_alert_action() -> None:
    responses.get(f"{ILERT}/api/alert-actions", json=[action(PUBLIC)])
    deleted = responses.delete(f"{ILERT}/api/alert-actions/a1", status=204)
    configuration().remove("a1:10:0", slack_user_id="U1")
    assert deleted.call_count == 1


@responses.activate
def test_the_menu_lists_each_source_of_an_alert_action_with_its_own_remove() -> None:
    responses.get(f"{ILERT}/api/alert-sources", json=[])
    responses.get(f"{ILERT}/api/alert-actions", json=[two_source_action()])
    menu = configuration().menu()
    removes = [b["accessory"]["value"] for b in menu if b.get("accessory", {}).get("text")]
    assert removes == ["a1:10:0", "a1:12:0"]


@responses.activate
def test_every_page_of_alert_sources_is_read() -> None:
    sources = [{**PUBLIC, "id": n, "name": f"S{n}"} for n in range(120)]
    for start in (0, 50, 100):
        responses.get(
            f"{ILERT}/api/alert-sources",
            json=sources[start : start + 50],
            match=[
                responses.matchers.query_param_matcher(
                    {"start-index": str(start), "max-results": "50"}
                )
            ],
        )
    assert len(IlertClient(ILERT, "il-key").alert_sources(on_behalf_of=3)) == 120


@responses.activate
def test_a_source_the_person_may_not_see_is_explained_not_called_missing() -> None:
    # ilert answers 404 for the person; the connector's own view shows that it exists.
    responses.get(
        f"{ILERT}/api/alert-sources/10",
        status=404,
        json={"message": "Alert source 10 not found"},
        match=[responses.matchers.header_matcher({"X-On-Behalf-Of": "3"})],
    )
    responses.get(f"{ILERT}/api/alert-sources/10", json=PUBLIC)
    person = {"id": 3, "role": "STAKEHOLDER"}
    config = configuration()
    config.person = person
    with pytest.raises(Refusal) as refused:
        config.add(10, channel_name="ops", slack_user_id="U1")
    assert "Stakeholder" in refused.value.message and "not found" not in refused.value.message


@responses.activate
def test_a_source_that_is_gone_is_said_to_be_gone() -> None:
    responses.get(f"{ILERT}/api/alert-sources/10", status=404, json={"message": "not found"})
    with pytest.raises(Refusal, match="no longer exists"):
        configuration().add(10, channel_name="ops", slack_user_id="U1")


@responses.activate
def test_ilert_failing_is_told_as_ilert_failing_not_as_its_error_page() -> None:
    responses.get(f"{ILERT}/api/alert-sources/10", json=PUBLIC)
    responses.get(f"{ILERT}/api/alert-actions", json=[])
    responses.post(f"{ILERT}/api/alert-actions", status=503, body="<html>Bad gateway</html>")
    with pytest.raises(Refusal, match="ilert is not answering") as refused:
        configuration().add(10, channel_name="ops", slack_user_id="U1")
    assert "html" not in refused.value.message
