"""No field of ilert's request schemas is accepted and dropped: for every property of every
request schema of an operation fake ilert serves, a request carrying it is either answered 400
naming the field, or the field comes back on the next read (and, for the plain ones, in the
export).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator.clock import VirtualClock
from emulator.ilert.app import FakeIlert
from emulator.ilert.openapi import fixed_spec
from emulator.ilert.plain_fields import RESOURCES, unaccounted

SCHEMAS = fixed_spec()["components"]["schemas"]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def sample(schema: dict[str, Any]) -> Any:
    """A small value valid for `schema` (ilert's request schemas use few keywords)."""
    schema = _resolve(schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return sample(schema[key][0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "string":
        return "2024-05-01T10:00:00.000Z" if schema.get("format") == "date-time" else "PT5M"
    if kind in ("integer", "number"):
        return schema.get("minimum", 0) + 1
    if kind == "boolean":
        return True
    if kind == "array":
        return [sample(schema.get("items", {}))]
    return {name: sample(prop) for name, prop in schema.get("properties", {}).items()}


@dataclass
class World:
    client: FlaskClient
    headers: dict[str, str]
    ids: dict[str, Any]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        return self.client.open(path, method=method, json=body, headers=self.headers)

    def made(self, method: str, path: str, body: Any) -> Any:
        answer = self.call(method, path, body)
        assert answer.status_code < 300, answer.get_data(as_text=True)
        return answer.get_json()


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    sim = FakeIlert(clock=VirtualClock(start=1_700_000_000.0), seed=9)
    try:
        client = sim.app.test_client()
        account = client.post("/_sim/accounts", json={"name": "Fields"}).get_json()
        w = World(client, {"Authorization": f"Bearer {account['apiKey']}"}, {})
        owner = account["owner"]["id"]
        policy = w.made(
            "POST",
            "/api/escalation-policies",
            {"name": "P", "escalationRules": [{"escalationTimeout": 5, "users": [{"id": owner}]}]},
        )
        source = w.made(
            "POST", "/api/alert-sources", {"name": "S", "escalationPolicy": {"id": policy["id"]}}
        )
        team = w.made("POST", "/api/teams", {"name": "T"})
        routed = w.made(
            "POST",
            "/api/escalation-policies",
            {"name": "R", "routingKey": "r", "escalationRules": []},
        )
        user = w.made("POST", "/api/users", {"firstName": "U", "lastName": "V", "email": "u@v.io"})
        w.ids = {"owner": owner, "user": user["id"], "policy": policy, "source": source}
        w.ids.update({"team": team, "routed": routed, "n": 0, "sim": sim})
        yield w
    finally:
        sim.close()


def _unique(w: World) -> int:
    w.ids["n"] += 1
    return w.ids["n"]


# What each resource's request needs besides the field under test, and where it is read back.
Base = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Target:
    method: str
    path: Callable[[World], str]
    base: Base
    read: Callable[[World, Any], Any]  # the object as the next read shows it
    export: str | None  # the export's list holding it, for plain fields


def _read(collection: str) -> Callable[[World, Any], Any]:
    return lambda w, made: w.made("GET", f"/api/{collection}/{made['id']}", None)


TARGETS: dict[str, Target] = {
    "UserPost": Target(
        "POST",
        lambda w: "/api/users",
        lambda w: {"firstName": "F", "lastName": "L", "email": f"u{_unique(w)}@x.io"},
        _read("users"),
        "users",
    ),
    "User": Target(
        "PUT",
        lambda w: f"/api/users/{w.ids['user']}",
        lambda w: {"firstName": "F", "lastName": "L", "email": f"o{_unique(w)}@x.io"},
        _read("users"),
        "users",
    ),
    "Team": Target(
        "POST", lambda w: "/api/teams", lambda w: {"name": f"T{_unique(w)}"}, _read("teams"), None
    ),
    "TeamMember": Target(
        "POST",
        lambda w: f"/api/teams/{w.ids['team']['id']}/members",
        lambda w: {"user": {"id": w.ids["owner"]}},
        lambda w, made: next(
            m
            for m in w.made("GET", f"/api/teams/{w.ids['team']['id']}", None)["members"]
            if m["user"]["id"] == made["user"]["id"]
        ),
        None,
    ),
    "EscalationPolicy": Target(
        "POST",
        lambda w: "/api/escalation-policies",
        lambda w: {"name": f"P{_unique(w)}", "escalationRules": []},
        _read("escalation-policies"),
        "policies",
    ),
    "AlertSourceRel": Target(
        "POST",
        lambda w: "/api/alert-sources",
        lambda w: {"name": f"S{_unique(w)}", "escalationPolicy": {"id": w.ids["policy"]["id"]}},
        _read("alert-sources"),
        "sources",
    ),
    "ManualAlert": Target(
        "POST",
        lambda w: "/api/alerts",
        lambda w: {"summary": "s", "alertSource": {"id": w.ids["source"]["id"]}},
        _read("alerts"),
        None,
    ),
    "AlertAction": Target(
        "POST",
        lambda w: "/api/alert-actions",
        lambda w: {
            "name": "A",
            "connectorType": "webhook",
            "alertSources": [{"id": w.ids["source"]["id"]}],
            "triggerTypes": ["alert-created"],
        },
        _read("alert-actions"),
        "actions",
    ),
    "Connector": Target(
        "POST",
        lambda w: "/api/connectors",
        lambda w: {"type": "datadog", "name": f"C{_unique(w)}"},
        _read("connectors"),
        "connectors",
    ),
}


def _event_alert(w: World, answer: Any) -> Any:
    """The alert an event opened, with its log (where an event's comments go)."""
    alert_id = answer["alertUrl"].rsplit("/", 1)[1]
    alert = w.made("GET", f"/api/alerts/{alert_id}", None)
    log = w.made("GET", f"/api/alerts/{alert_id}/log-entries", None)
    return {**alert, "log": " ".join(e["text"] for e in log)}


TARGETS["Event"] = Target(
    "POST",
    lambda w: "/api/events",
    lambda w: {
        "apiKey": w.ids["source"]["integrationKey"],
        "eventType": "ALERT",
        "summary": "s",
        "alertKey": f"k{_unique(w)}",
    },
    _event_alert,
    None,
)
# Where an event's fields show on the alert it opens (`apiKey` and `eventType` are consumed:
# the alert is the source's, and it was opened).
EVENT_READS: dict[str, Callable[[Any, Any], bool]] = {
    "apiKey": lambda sent, alert: alert["alertSource"]["name"] == "S",  # the key's source
    "eventType": lambda sent, alert: alert["status"] == "PENDING",
    "comments": lambda sent, alert: all(c["content"] in alert["log"] for c in sent),
    "routingKey": lambda sent, alert: alert["escalationPolicy"].get("routingKey") == sent,
}

# Values for modelled fields where a sample from the schema alone would name nothing real.
VALUES: dict[tuple[str, str], Callable[[World], Any]] = {
    ("UserPost", "email"): lambda w: f"e{_unique(w)}@x.io",
    ("User", "email"): lambda w: f"e{_unique(w)}@x.io",
    ("Team", "members"): lambda w: [{"user": {"id": w.ids["owner"]}, "role": "ADMIN"}],
    ("TeamMember", "user"): lambda w: {"id": w.ids["owner"]},
    ("EscalationPolicy", "escalationRules"): lambda w: [
        {"escalationTimeout": 5, "users": [{"id": w.ids["owner"]}]}
    ],
    ("EscalationPolicy", "teams"): lambda w: [{"id": w.ids["team"]["id"]}],
    ("EscalationPolicy", "routingKey"): lambda w: f"rk{_unique(w)}",
    ("EscalationPolicy", "frequency"): lambda w: 2,
    ("AlertSourceRel", "escalationPolicy"): lambda w: {"id": w.ids["policy"]["id"]},
    ("AlertSourceRel", "teams"): lambda w: [{"id": w.ids["team"]["id"]}],
    ("AlertSourceRel", "active"): lambda w: False,
    ("AlertSourceRel", "integrationType"): lambda w: "GRAFANA",
    ("ManualAlert", "alertSource"): lambda w: {"id": w.ids["source"]["id"]},
    ("ManualAlert", "escalationPolicy"): lambda w: {"id": w.ids["policy"]["id"]},
    ("ManualAlert", "assignedTo"): lambda w: {"id": w.ids["owner"]},
    ("ManualAlert", "responders"): lambda w: [{"user": {"id": w.ids["owner"]}}],
    ("ManualAlert", "priority"): lambda w: "LOW",
    ("AlertAction", "alertSources"): lambda w: [{"id": w.ids["source"]["id"]}],
    ("AlertAction", "teams"): lambda w: [{"id": w.ids["team"]["id"]}],
    ("AlertAction", "connectorType"): lambda w: "webhook",
    ("AlertAction", "params"): lambda w: {"url": "https://example.com/hook"},
    ("AlertAction", "triggerTypes"): lambda w: ["alert-created", "alert-resolved"],
    ("AlertAction", "triggerMode"): lambda w: "AUTOMATIC",
    ("Connector", "type"): lambda w: "jira",
    ("Connector", "params"): lambda w: {"url": "https://jira.example.com"},
    ("UserPost", "shiftColor"): lambda w: "#ff6600",
    ("User", "shiftColor"): lambda w: "#ff6600",
    ("Event", "apiKey"): lambda w: w.ids["source"]["integrationKey"],
    ("Event", "eventType"): lambda w: "ALERT",
    ("Event", "alertKey"): lambda w: f"key{_unique(w)}",
    ("Event", "routingKey"): lambda w: w.ids["routed"]["routingKey"],
    ("Event", "comments"): lambda w: [{"creator": "Ops", "content": f"note {_unique(w)}"}],
    ("Event", "customDetails"): lambda w: {"host": "db1"},
}
# How a returned field may differ from what was sent, by ilert's own rules.
RETURNED_AS: dict[tuple[str, str], Callable[[Any], Any]] = {
    # ilert's deprecated `assignedTo` makes that user the (first) responder.
    ("ManualAlert", "assignedTo"): lambda sent: sent,
}


def _cases() -> Iterator[Any]:
    for resource_name, resource in RESOURCES.items():
        for schema in resource.schemas:
            if schema not in TARGETS:
                continue
            for field in sorted(SCHEMAS[schema]["properties"]):
                if field in resource.server_owned:
                    continue
                yield pytest.param(resource_name, schema, field, id=f"{schema}.{field}")


def _within(sent: Any, got: Any) -> bool:
    """Whether what was sent reads back: objects may gain properties (ids come back as whole
    objects), lists keep their items, values are equal."""
    if isinstance(sent, dict):
        return isinstance(got, dict) and all(_within(v, got.get(k)) for k, v in sent.items())
    if isinstance(sent, list):
        return (
            isinstance(got, list)
            and len(sent) == len(got)
            and all(_within(s, g) for s, g in zip(sent, got, strict=True))
        )
    return bool(sent == got)


def _exported(w: World, collection: str, object_id: Any, field: str) -> Any:
    export = w.client.get("/_sim/export").get_json()
    for account in export["accounts"]:
        for item in account[collection]:
            if item["id"] == object_id:
                return item.get("extra", {}).get(field)
    return None


@pytest.mark.parametrize(("resource_name", "schema", "field"), list(_cases()))
def test_every_request_field_is_kept_or_refused(
    world: World, resource_name: str, schema: str, field: str
) -> None:
    target = TARGETS[schema]
    prop = SCHEMAS[schema]["properties"][field]
    value = VALUES.get((schema, field), lambda w: sample(prop))(world)
    answer = world.call(target.method, target.path(world), {**target.base(world), field: value})
    if answer.status_code == 400:
        assert f"'{field}'" in answer.get_json()["message"], answer.get_json()
        return
    assert answer.status_code < 300, answer.get_data(as_text=True)
    read = target.read(world, answer.get_json())
    if schema == "Event" and field in EVENT_READS:
        assert EVENT_READS[field](value, read), (field, value, read)
        return
    assert _within(value, read.get(field)), (field, value, read.get(field))
    resource = RESOURCES[resource_name]
    if field in resource.plain and target.export is not None:
        assert _exported(world, target.export, read["id"], field) == value


def test_every_field_of_the_request_schemas_is_accounted_for() -> None:
    assert unaccounted() == {}


def test_a_plain_field_outside_ilerts_schema_is_refused_naming_it(world: World) -> None:
    body = {"name": "P", "escalationRules": [], "delayMin": 61}
    answer = world.call("POST", "/api/escalation-policies", body)
    assert answer.status_code == 400 and "'delayMin'" in answer.get_json()["message"]


def test_plain_fields_survive_a_change_that_leaves_them_out(world: World) -> None:
    made = world.made(
        "POST",
        "/api/escalation-policies",
        {"name": "Keep", "escalationRules": [], "delayMin": 10},
    )
    changed = world.made(
        "PUT", f"/api/escalation-policies/{made['id']}", {"name": "Kept", "escalationRules": []}
    )
    assert changed["delayMin"] == 10 and changed["name"] == "Kept"


def test_plain_fields_come_back_from_an_export(world: World) -> None:
    made = world.made(
        "POST",
        "/api/alert-sources",
        {
            "name": "Mail",
            "escalationPolicy": {"id": world.ids["policy"]["id"]},
            "emailFiltered": True,
            "summaryTemplate": {"textTemplate": "{{ subject }}"},
        },
    )
    saved = world.client.get("/_sim/export").get_json()
    assert world.client.post("/_sim/import", json=saved).status_code == 200
    again = world.made("GET", f"/api/alert-sources/{made['id']}", None)
    assert again["emailFiltered"] is True
    assert again["summaryTemplate"] == {"textTemplate": "{{ subject }}"}


def test_a_missing_key_is_refused_before_a_bad_plain_field(world: World) -> None:
    """Who calls is checked first: a 401, not a 400 about the body, as for every field."""
    body = {"firstName": "F", "lastName": "L", "email": "late@x.io", "shiftColor": 5}
    for method, path in (("POST", "/api/users"), ("PUT", f"/api/users/{world.ids['user']}")):
        answer = world.client.open(path, method=method, json=body)
        assert answer.status_code == 401, answer.get_json()
