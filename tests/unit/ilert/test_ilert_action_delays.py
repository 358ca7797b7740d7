"""An alert action's delays on the domain clock: `delaySec` (alias `escalationEndedDelaySec`)
holds back alert-escalation-ended, `notResolvedDelaySec` sends v-alert-not-resolved; both are
stored, returned, exported and survive an import. Never sleeps: advances the virtual clock."""

from __future__ import annotations

from typing import Any

import requests

ESCALATION_ENDS = 30 * 60  # the world's policy: two levels of 15 minutes, not repeating


def _action(world: Any, linked: dict[str, Any], triggers: list[str], **extra: Any) -> Any:
    body = {
        "connectorType": "slack",
        "connectorId": linked["connector"]["id"],
        "alertSources": [{"id": world.source["id"]}],
        "triggerTypes": triggers,
        "params": {"channelId": extra.pop("channel", "C1"), "channelName": "ops"},
        **extra,
    }
    return world.owner.post("/alert-actions", json=body)


def _alert(world: Any, summary: str = "Disk full") -> dict[str, Any]:
    body = {"summary": summary, "alertSource": {"id": world.source["id"]}}
    return world.owner.ok("POST", "/alerts", 201, json=body)


def _advance(world: Any, seconds: float) -> None:
    world.sim("/clock/advance", {"seconds": seconds})
    world.sim("/deliveries/wait", {"timeout": 10})


def _sent(connector: Any) -> list[tuple[str, str, int]]:
    return [
        (
            e["json"]["eventType"],
            e["json"]["alertAction"]["params"]["channelId"],
            e["json"]["alert"]["id"],
        )
        for e in connector.events()
    ]


def test_delay_sec_is_the_escalation_ended_delay(world: Any, linked: dict[str, Any]) -> None:
    made = _action(world, linked, ["alert-escalation-ended"], delaySec=90)
    assert made.status_code == 201, made.text
    action = made.json()
    assert (action["delaySec"], action["escalationEndedDelaySec"]) == (90, 90)
    path = f"/alert-actions/{action['id']}"
    changed = world.owner.ok("PUT", path, json={"escalationEndedDelaySec": 120})
    assert (changed["delaySec"], changed["escalationEndedDelaySec"]) == (120, 120)
    exported = requests.get(f"{world.url}/_sim/export", timeout=10).json()
    world.sim("/import", exported)
    assert world.owner.ok("GET", path)["delaySec"] == 120


def test_delays_are_refused_where_ilert_refuses_them(world: Any, linked: dict[str, Any]) -> None:
    ended = ["alert-escalation-ended"]
    refusals = [
        (["alert-created"], {"delaySec": 60}, "may only be used with triggerType"),
        (["alert-created"], {"notResolvedDelaySec": 600}, "v-alert-not-resolved"),
        (ended, {"delaySec": 7201}, "delaySec"),
        (ended, {"delaySec": 60, "escalationEndedDelaySec": 90}, "same setting"),
        (ended, {"escalationEndedDelaySec": 10}, "escalationEndedDelaySec"),
        # One setting, one rule: what is read back as escalationEndedDelaySec stays writable.
        (ended, {"delaySec": 10}, "delaySec"),
    ]
    for triggers, delays, named in refusals:
        refused = _action(world, linked, triggers, **delays)
        assert refused.status_code == 400, (delays, refused.text)
        assert named in refused.json()["message"], refused.text
    made = _action(world, linked, ended, delaySec=30)
    assert made.status_code == 201, made.text
    path = f"/alert-actions/{made.json()['id']}"
    assert world.owner.put(path, json=made.json()).status_code == 200  # GET, PUT back


def test_escalation_ended_waits_out_the_delay(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _action(world, linked, ["alert-escalation-ended"], channel="CLATE", delaySec=60)
    _action(world, linked, ["alert-escalation-ended"], channel="CNOW")
    alert = _alert(world)
    _advance(world, ESCALATION_ENDS)
    assert _sent(connector) == [("alert-escalation-ended", "CNOW", alert["id"])]
    _advance(world, 59)
    assert len(_sent(connector)) == 1
    _advance(world, 1)
    assert _sent(connector)[1:] == [("alert-escalation-ended", "CLATE", alert["id"])]


def test_an_alert_accepted_during_the_delay_is_not_told_late(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _action(world, linked, ["alert-escalation-ended"], delaySec=60)
    alert = _alert(world)
    _advance(world, ESCALATION_ENDS)
    world.owner.ok("PUT", f"/alerts/{alert['id']}/accept")
    _advance(world, 120)
    assert _sent(connector) == []


def test_not_resolved_is_sent_after_its_delay_unless_resolved(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _action(world, linked, ["v-alert-not-resolved"], notResolvedDelaySec=3600)
    kept, resolved = _alert(world, "Kept"), _alert(world, "Resolved")
    world.owner.ok("PUT", f"/alerts/{resolved['id']}/resolve")
    _advance(world, 3599)
    assert _sent(connector) == []
    _advance(world, 1)
    assert _sent(connector) == [("v-alert-not-resolved", "C1", kept["id"])]


def test_a_delayed_event_survives_export_and_import(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _action(world, linked, ["v-alert-not-resolved"], notResolvedDelaySec=600)
    alert = _alert(world)
    exported = requests.get(f"{world.url}/_sim/export", timeout=10).json()
    [account] = [a for a in exported["accounts"] if a["id"] == world.account_id]
    [saved] = [a for a in account["alerts"] if a["id"] == alert["id"]]
    assert [d["eventType"] for d in saved["delayedEvents"]] == ["v-alert-not-resolved"]
    world.sim("/import", exported)
    _advance(world, 600)
    assert _sent(connector) == [("v-alert-not-resolved", "C1", alert["id"])]
