"""Alert filters on alert actions: each criterion, AND and OR, refusals, and an alert the filter
does not let through never reaching the action's channel."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from emulator.ilert.alert_filters import AlertFacts, AlertFilter, Predicate, parse_alert_filter
from emulator.ilert.errors import BadRequest

FACTS = AlertFacts(
    summary="Disk full on db-1",
    details="The volume /var is at 99 %",
    priority="HIGH",
    policy_id=42,
    policy_name="SRE",
)


def holds(field: str, criteria: str, value: str, facts: AlertFacts = FACTS) -> bool:
    return Predicate(field, criteria, value).holds(facts)


@pytest.mark.parametrize(
    ("criteria", "value", "expected"),
    [
        ("CONTAINS_ANY_WORDS", "disk, memory", True),  # words ignore case
        ("CONTAINS_ANY_WORDS", "memory,cpu", False),
        ("CONTAINS_ANY_WORDS", "dis", False),  # a whole word, not a part of one
        ("CONTAINS_ANY_WORDS", "db-1", True),
        ("CONTAINS_NOT_WORDS", "memory, cpu", True),
        ("CONTAINS_NOT_WORDS", "cpu, FULL", False),
        ("CONTAINS_STRING", "full on", True),
        ("CONTAINS_STRING", "Full on", False),
        ("CONTAINS_NOT_STRING", "memory", True),
        ("CONTAINS_NOT_STRING", "db-1", False),
        ("IS_STRING", "Disk full on db-1", True),
        ("IS_STRING", "Disk full", False),
        ("IS_NOT_STRING", "Disk full", True),
        ("IS_NOT_STRING", "Disk full on db-1", False),
        ("MATCHES_REGEX", r"db-\d+$", True),
        ("MATCHES_REGEX", r"^db", False),
        ("MATCHES_NOT_REGEX", r"^db", True),
        ("MATCHES_NOT_REGEX", r"full", False),
    ],
)
def test_each_criterion_on_the_summary(criteria: str, value: str, expected: bool) -> None:
    assert holds("ALERT_SUMMARY", criteria, value) is expected


def test_each_field_is_what_the_alert_says() -> None:
    assert holds("ALERT_DETAILS", "CONTAINS_STRING", "/var")
    assert not holds("ALERT_DETAILS", "CONTAINS_STRING", "db-1")
    assert holds("ALERT_PRIORITY", "IS_STRING", "HIGH")
    assert not holds("ALERT_PRIORITY", "IS_STRING", "LOW")
    assert holds("ALERT_PRIORITY", "IS_NOT_STRING", "LOW")


def test_the_policy_is_named_by_its_id_or_its_name() -> None:
    assert holds("ESCALATION_POLICY", "IS_STRING", "42")
    assert holds("ESCALATION_POLICY", "IS_STRING", "SRE")
    assert not holds("ESCALATION_POLICY", "IS_STRING", "Ops")
    # A negative criterion holds only when neither the id nor the name matches.
    assert not holds("ESCALATION_POLICY", "IS_NOT_STRING", "SRE")
    assert holds("ESCALATION_POLICY", "IS_NOT_STRING", "Ops")


def test_and_needs_every_predicate_or_needs_one() -> None:
    high = Predicate("ALERT_PRIORITY", "IS_STRING", "HIGH")
    memory = Predicate("ALERT_SUMMARY", "CONTAINS_ANY_WORDS", "memory")
    assert not AlertFilter("AND", (high, memory)).matches(FACTS)
    assert AlertFilter("OR", (high, memory)).matches(FACTS)
    assert not AlertFilter("OR", (memory,)).matches(FACTS)
    assert AlertFilter("AND", ()).matches(FACTS)  # no predicates: every alert


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("HIGH", "alertFilter"),
        ({"operator": "XOR"}, "alertFilter.operator"),
        ({"operator": 1}, "alertFilter.operator"),
        ({"predicates": {}}, "alertFilter.predicates"),
        ({"predicates": ["x"]}, "alertFilter.predicates"),
        (
            {"predicates": [{"field": "ALERT_TITLE", "criteria": "IS_STRING", "value": "x"}]},
            "field",
        ),
        ({"predicates": [{"field": "ALERT_SUMMARY", "criteria": "IS", "value": "x"}]}, "criteria"),
        ({"predicates": [{"field": "ALERT_SUMMARY", "criteria": "IS_STRING"}]}, "value"),
        (
            {"predicates": [{"field": "ALERT_SUMMARY", "criteria": "MATCHES_REGEX", "value": "("}]},
            "regular expression",
        ),
        (
            {
                "predicates": [
                    {"field": "ALERT_SUMMARY", "criteria": "CONTAINS_ANY_WORDS", "value": ","}
                ]
            },
            "at least one word",
        ),
    ],
)
def test_a_malformed_filter_is_refused_naming_what_is_wrong(raw: Any, named: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_alert_filter(raw)
    assert named in refused.value.message


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(x*)*", r"(?:\w+\s?)*$", r"(.*a){20}"])
def test_a_regex_whose_matching_time_could_explode_is_refused(pattern: str) -> None:
    raw = {
        "predicates": [{"field": "ALERT_SUMMARY", "criteria": "MATCHES_REGEX", "value": pattern}]
    }
    with pytest.raises(BadRequest) as refused:
        parse_alert_filter(raw)
    assert "grow without bound" in refused.value.message
    benign = {"predicates": [{**raw["predicates"][0], "value": r"^(HIGH|LOW) db-\d+$"}]}
    assert parse_alert_filter(benign) is not None


def test_a_missing_operator_is_and() -> None:
    parsed = parse_alert_filter({"predicates": []})
    assert parsed == AlertFilter("AND", ())
    assert parse_alert_filter(None) is None


# -- through the API ---------------------------------------------------------------------------

ONLY_HIGH = {
    "operator": "AND",
    "predicates": [{"field": "ALERT_PRIORITY", "criteria": "IS_STRING", "value": "HIGH"}],
}


def _action(world: Any, linked: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {
        "connectorType": "slack",
        "connectorId": linked["connector"]["id"],
        "alertSources": [{"id": world.source["id"]}],
        "triggerTypes": ["alert-created", "alert-raised"],
        "params": {"channelId": "C1", "channelName": "ops"},
        **extra,
    }
    return world.owner.ok("POST", "/alert-actions", 201, json=body)


def _created_events(connector: Any) -> list[tuple[str, str]]:
    return [(e["json"]["eventType"], e["json"]["alert"]["summary"]) for e in connector.events()]


def test_the_filter_is_stored_returned_and_exported(world: Any, linked: dict[str, Any]) -> None:
    action = _action(world, linked, alertFilter=ONLY_HIGH)
    path = f"/alert-actions/{action['id']}"
    assert action["alertFilter"] == ONLY_HIGH
    assert world.owner.ok("GET", path)["alertFilter"] == ONLY_HIGH
    exported = requests.get(f"{world.url}/_sim/export", timeout=10).json()
    [account] = [a for a in exported["accounts"] if a["id"] == world.account_id]
    [saved] = [a for a in account["actions"] if a["id"] == action["id"]]
    assert saved["alertFilter"] == ONLY_HIGH
    world.sim("/import", exported)
    assert world.owner.ok("GET", path)["alertFilter"] == ONLY_HIGH
    # PUT without the field keeps it; null removes it.
    assert world.owner.ok("PUT", path, json={"name": "renamed"})["alertFilter"] == ONLY_HIGH
    assert "alertFilter" not in world.owner.ok("PUT", path, json={"alertFilter": None})


def test_a_refused_filter_changes_nothing(world: Any, linked: dict[str, Any]) -> None:
    action = _action(world, linked, alertFilter=ONLY_HIGH)
    path = f"/alert-actions/{action['id']}"
    bad = {"alertFilter": {"operator": "AND", "predicates": [{"field": "NOPE"}]}}
    refused = world.owner.put(path, json={**bad, "name": "renamed"})
    assert refused.status_code == 400 and "alertFilter" in refused.json()["message"]
    assert world.owner.ok("GET", path)["name"] == action["name"]
    assert world.owner.post("/alert-actions", json={**action, **bad}).status_code == 400


def test_an_alert_the_filter_refuses_is_not_sent(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _action(world, linked, alertFilter=ONLY_HIGH)
    source = world.source["id"]
    for summary, priority in (("Low one", "LOW"), ("High one", "HIGH")):
        body = {"summary": summary, "alertSource": {"id": source}, "priority": priority}
        world.owner.ok("POST", "/alerts", 201, json=body)
    world.sim("/deliveries/wait", {"timeout": 10})
    assert _created_events(connector) == [("alert-created", "High one")]


def test_a_low_alert_raised_to_high_is_sent_from_then_on(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    _action(world, linked, alertFilter=ONLY_HIGH)
    key = world.source["integrationKey"]
    event = {"integrationKey": key, "eventType": "ALERT", "summary": "Queue slow", "alertKey": "q"}
    world.client(None).ok("POST", "/events", 202, json={**event, "priority": "LOW"})
    world.client(None).ok("POST", "/events", 202, json={**event, "priority": "HIGH"})
    world.sim("/deliveries/wait", {"timeout": 10})
    assert _created_events(connector) == [("alert-raised", "Queue slow")]
