"""An alert source's rules: alertCreation and alertGroupingWindow decide whether an event opens
an alert, autoResolutionTimeout resolves on the domain clock, alertPriorityRule sets the
priority. Each is stored, returned, exported and refused when malformed."""

from __future__ import annotations

from typing import Any

import pytest
import requests


def _source(world: Any, **rules: Any) -> dict[str, Any]:
    body = {"name": "Checks", "escalationPolicy": {"id": world.policy["id"]}, **rules}
    return world.owner.ok("POST", "/alert-sources", 201, json=body)


def _event(world: Any, source: dict[str, Any], summary: str, **extra: Any) -> str:
    body = {"integrationKey": source["integrationKey"], "eventType": "ALERT", "summary": summary}
    return world.client(None).ok("POST", "/events", 202, json={**body, **extra})["responseCode"]


def _alerts(world: Any, source: dict[str, Any]) -> list[dict[str, Any]]:
    return world.owner.ok("GET", "/alerts", params={"sources": source["id"]})


def _advance(world: Any, seconds: float) -> None:
    world.sim("/clock/advance", {"seconds": seconds})


def test_the_rules_are_stored_returned_and_exported(world: Any) -> None:
    assert (world.source["alertCreation"], world.source["alertPriorityRule"]) == (
        "ONE_ALERT_PER_EMAIL",
        "HIGH",
    )
    assert "alertGroupingWindow" not in world.source
    rules = {
        "alertCreation": "ONE_ALERT_GROUPED_PER_WINDOW",
        "alertGroupingWindow": "PT5M",
        "autoResolutionTimeout": "P1DT12H",
        "alertPriorityRule": "LOW_DURING_SUPPORT_HOURS",
    }
    source = _source(world, **rules)
    path = f"/alert-sources/{source['id']}"
    assert {k: source[k] for k in rules} == rules
    assert {k: world.owner.ok("GET", path)[k] for k in rules} == rules
    exported = requests.get(f"{world.url}/_sim/export", timeout=10).json()
    world.sim("/import", exported)
    assert {k: world.owner.ok("GET", path)[k] for k in rules} == rules
    # PUT keeps what it does not name; null clears a duration.
    changed = world.owner.ok("PUT", path, json={"autoResolutionTimeout": None, "name": "x"})
    assert "autoResolutionTimeout" not in changed and changed["alertGroupingWindow"] == "PT5M"


@pytest.mark.parametrize(
    ("rules", "named"),
    [
        ({"alertCreation": "ONE_ALERT_PER_DAY"}, "alertCreation"),
        ({"alertPriorityRule": "MEDIUM"}, "alertPriorityRule"),
        ({"alertGroupingWindow": "5 minutes"}, "alertGroupingWindow"),
        ({"autoResolutionTimeout": "P1M"}, "autoResolutionTimeout"),  # a month has no length
        ({"autoResolutionTimeout": "PT0S"}, "autoResolutionTimeout"),
        ({"autoResolutionTimeout": 60}, "autoResolutionTimeout"),
        ({"alertCreation": "ONE_ALERT_GROUPED_PER_WINDOW"}, "alertGroupingWindow"),
    ],
)
def test_malformed_rules_are_refused(world: Any, rules: dict[str, Any], named: str) -> None:
    body = {"name": "Checks", "escalationPolicy": {"id": world.policy["id"]}, **rules}
    refused = world.owner.post("/alert-sources", json=body)
    assert refused.status_code == 400 and named in refused.json()["message"], refused.text
    path = f"/alert-sources/{world.source['id']}"
    assert world.owner.put(path, json=rules).status_code == 400
    assert world.owner.ok("GET", path)["alertCreation"] == "ONE_ALERT_PER_EMAIL"


def test_one_alert_per_email_opens_an_alert_per_event(world: Any) -> None:
    source = _source(world)
    assert [_event(world, source, "Down"), _event(world, source, "Down")] == [
        "NEW_INCIDENT_CREATED",
        "NEW_INCIDENT_CREATED",
    ]
    # The alert key still finds an open alert, whatever the mode.
    _event(world, source, "Keyed", alertKey="k")
    assert _event(world, source, "Keyed again", alertKey="k") == "INCIDENT_ALREADY_EXISTS"
    assert len(_alerts(world, source)) == 3


def test_one_alert_per_subject_groups_events_of_the_same_summary(world: Any) -> None:
    source = _source(world, alertCreation="ONE_ALERT_PER_EMAIL_SUBJECT")
    codes = [_event(world, source, s) for s in ("Disk full", "Disk full", "CPU hot")]
    assert codes == ["NEW_INCIDENT_CREATED", "INCIDENT_ALREADY_EXISTS", "NEW_INCIDENT_CREATED"]
    assert sorted(a["summary"] for a in _alerts(world, source)) == ["CPU hot", "Disk full"]


def test_one_pending_alert_allowed(world: Any) -> None:
    source = _source(world, alertCreation="ONE_PENDING_ALERT_ALLOWED")
    assert _event(world, source, "First") == "NEW_INCIDENT_CREATED"
    assert _event(world, source, "Second", alertKey="other") == "INCIDENT_ALREADY_EXISTS"
    [first] = _alerts(world, source)
    world.owner.ok("PUT", f"/alerts/{first['id']}/accept")
    assert _event(world, source, "Third") == "NEW_INCIDENT_CREATED"


def test_one_open_alert_allowed(world: Any) -> None:
    source = _source(world, alertCreation="ONE_OPEN_ALERT_ALLOWED")
    _event(world, source, "First")
    [first] = _alerts(world, source)
    world.owner.ok("PUT", f"/alerts/{first['id']}/accept")
    assert _event(world, source, "Second") == "INCIDENT_ALREADY_EXISTS"
    world.owner.ok("PUT", f"/alerts/{first['id']}/resolve")
    assert _event(world, source, "Third") == "NEW_INCIDENT_CREATED"


def test_one_alert_grouped_per_window(world: Any) -> None:
    rules = {"alertCreation": "ONE_ALERT_GROUPED_PER_WINDOW", "alertGroupingWindow": "PT5M"}
    source = _source(world, **rules)
    assert _event(world, source, "First") == "NEW_INCIDENT_CREATED"
    _advance(world, 4 * 60)
    assert _event(world, source, "Within") == "INCIDENT_ALREADY_EXISTS"
    _advance(world, 60)
    assert _event(world, source, "After") == "NEW_INCIDENT_CREATED"
    assert len(_alerts(world, source)) == 2


def test_auto_resolution_resolves_on_the_clock(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    source = _source(world, autoResolutionTimeout="PT1H")
    world.owner.ok(
        "POST",
        "/alert-actions",
        201,
        json={
            "connectorType": "slack",
            "connectorId": linked["connector"]["id"],
            "alertSources": [{"id": source["id"]}],
            "triggerTypes": ["alert-auto-resolved"],
            "params": {"channelId": "C1"},
        },
    )
    _event(world, source, "Flapping")
    [alert] = _alerts(world, source)
    _advance(world, 3599)
    assert world.owner.ok("GET", f"/alerts/{alert['id']}")["status"] == "PENDING"
    exported = requests.get(f"{world.url}/_sim/export", timeout=10).json()
    world.sim("/import", exported)  # the timeout is kept across an import
    _advance(world, 1)
    resolved = world.owner.ok("GET", f"/alerts/{alert['id']}")
    assert resolved["status"] == "RESOLVED" and "resolvedBy" not in resolved
    log = world.owner.ok("GET", f"/alerts/{alert['id']}/log-entries")
    assert "AlertAutoResolvedLogEntry" in [e["logEntryType"] for e in log]
    world.sim("/deliveries/wait", {"timeout": 10})
    assert [e["json"]["eventType"] for e in connector.events()] == ["alert-auto-resolved"]


def test_an_alert_resolved_before_its_timeout_stays_as_it_was(world: Any) -> None:
    source = _source(world, autoResolutionTimeout="PT10M")
    _event(world, source, "Short")
    [alert] = _alerts(world, source)
    world.owner.ok("PUT", f"/alerts/{alert['id']}/resolve")
    _advance(world, 600)
    log = world.owner.ok("GET", f"/alerts/{alert['id']}/log-entries")
    assert "AlertAutoResolvedLogEntry" not in [e["logEntryType"] for e in log]


@pytest.mark.parametrize(
    ("rule", "priority"),
    [
        ("HIGH", "HIGH"),
        ("LOW", "LOW"),
        # Support hours are not emulated: every moment is within them.
        ("HIGH_DURING_SUPPORT_HOURS", "HIGH"),
        ("LOW_DURING_SUPPORT_HOURS", "LOW"),
    ],
)
def test_the_priority_rule_sets_the_priority(world: Any, rule: str, priority: str) -> None:
    source = _source(world, alertPriorityRule=rule)
    _event(world, source, "Unnamed priority")
    manual = world.owner.ok(
        "POST", "/alerts", 201, json={"summary": "By hand", "alertSource": {"id": source["id"]}}
    )
    _event(world, source, "Named priority", priority="HIGH" if priority == "LOW" else "LOW")
    by_summary = {a["summary"]: a["priority"] for a in _alerts(world, source)}
    assert by_summary["Unnamed priority"] == priority
    assert manual["priority"] == priority
    assert by_summary["Named priority"] != priority  # what the event names wins
