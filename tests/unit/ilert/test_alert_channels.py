"""Fake ilert's side of an alert's own channel: the default name, the one channel per alert, the
connector's failures, and the export of the channels."""

from __future__ import annotations

import socket
from dataclasses import asdict
from typing import Any

import pytest

from emulator.clock import VirtualClock
from emulator.ilert.alert_channels import (
    AlertChannel,
    AlertChannels,
    ChannelNotCreated,
    Connection,
    create_alert_channel,
    default_name,
    parse_export,
)
from emulator.ilert.errors import BadRequest, Conflict, Forbidden
from emulator.ilert.models import SLACK, Actor, Connector, IlertState


def _channel() -> AlertChannel:
    return AlertChannel(1, 7, "C1", "grafana_alert_7", False, "http://s/client/T/C1", "T", 3, 1.5)


GOOD = asdict(_channel())


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Grafana", "grafana_alert_42"),
        ("Checkout API", "checkout-api_alert_42"),
        ("  Prometheus / EU-West  ", "prometheus-eu-west_alert_42"),
        ("Zabbix_Prod", "zabbix_prod_alert_42"),
        ("Überwachung", "berwachung_alert_42"),
        ("!!!", "ilert_alert_42"),
        ("x" * 100, "x" * (80 - len("_alert_42")) + "_alert_42"),
    ],
)
def test_the_default_name_keeps_slacks_rules(source: str, expected: str) -> None:
    name = default_name(source, 42)
    assert name == expected
    assert len(name) <= 80 and all(c.islower() or c.isdigit() or c in "-_" for c in name)


def test_an_alert_has_one_channel_even_when_two_ask_at_once() -> None:
    channels = AlertChannels()
    channels.reserve(1, 7)
    with pytest.raises(Conflict, match="being created"):
        channels.reserve(1, 7)
    channels.record(_channel())
    with pytest.raises(Conflict, match="already has"):
        channels.reserve(1, 7)
    channels.reserve(1, 8)  # another alert is free


def test_channels_round_trip_through_an_export() -> None:
    channels = AlertChannels()
    channels.record(_channel())
    restored = AlertChannels()
    restored.restore(parse_export(channels.export()))
    assert restored.of(1, 7) == _channel()
    assert parse_export(None) == []


@pytest.mark.parametrize(
    "data",
    [
        {},
        [1],
        [{"alert_id": 7}],
        [{**GOOD, "alert_id": "7"}],
        [{**GOOD, "is_private": 1}],
        [{**GOOD, "account_id": True}],
        [{**GOOD, "extra": 1}],
    ],
)
def test_an_export_that_is_no_channel_list_is_refused(data: Any) -> None:
    with pytest.raises(BadRequest, match="alertChannels"):
        parse_export(data)


@pytest.fixture
def alert_setup() -> tuple[IlertState, Actor, int]:
    state = IlertState(clock=VirtualClock(1_700_000_000.0))
    account, owner, _ = state.create_account("Acme")
    actor = Actor(account, owner)
    policy = state.create_policy(
        actor,
        {"name": "P", "escalationRules": [{"escalationTimeout": 5, "users": [{"id": owner.id}]}]},
    )
    source = state.create_source(actor, {"name": "Grafana", "escalationPolicy": {"id": policy.id}})
    alert = state.create_alert(actor, {"summary": "Down", "alertSource": {"id": source.id}})
    account.connectors["c1"] = Connector("c1", account.id, "Slack", SLACK, {"teamId": "T1"}, 0, 0)
    return state, actor, alert.id


def test_a_connector_that_cannot_be_reached_creates_nothing_and_frees_the_alert(
    alert_setup: tuple[IlertState, Actor, int],
) -> None:
    state, actor, alert_id = alert_setup
    channels = AlertChannels()
    nowhere = Connection(url=lambda: f"http://127.0.0.1:{_free_port()}", secret="s", public_url=str)
    for _ in range(2):  # the second try is not refused as "being created"
        with pytest.raises(ChannelNotCreated) as refused:
            create_alert_channel(
                state, channels, nowhere, actor, alert_id, name="x", is_private=False
            )
        assert refused.value.slack_error == "connector_unreachable"
    assert channels.of(actor.account.id, alert_id) is None


def test_an_empty_name_and_a_role_that_may_not_change_alerts_are_refused(
    alert_setup: tuple[IlertState, Actor, int],
) -> None:
    state, actor, alert_id = alert_setup
    channels = AlertChannels()
    never = Connection(url=lambda: "", secret="s", public_url=str)
    with pytest.raises(BadRequest, match="needs a name"):
        create_alert_channel(state, channels, never, actor, alert_id, name="", is_private=False)
    actor.user.role = "STAKEHOLDER"  # type: ignore[union-attr]
    actor.user.is_owner = False  # type: ignore[union-attr]
    with pytest.raises(Forbidden):
        create_alert_channel(state, channels, never, actor, alert_id, name="x", is_private=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
