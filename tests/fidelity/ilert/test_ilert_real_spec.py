"""Every answer of every operation fake ilert serves decodes as ilert's published OpenAPI
document says: the status is one the document declares for the operation, and the body
validates against its response schema (`emulator/ilert/spec`, with only the corrections
`openapi.SPEC_FIXES` lists, each explained in docs/fake-ilert.md).

A client generated from ilert's document would decode these answers; a field `null` where the
document says string, a lower-case enum or a missing required property fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import pytest
from flask.testing import FlaskClient

from emulator.clock import VirtualClock
from emulator.ilert.app import FakeIlert
from emulator.ilert.openapi import (
    ANSWERS_A_LIST,
    CREATED_NOT_OK,
    fixed_spec,
    served_real_operations,
)

SPEC = fixed_spec()


def _resolve(item: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in item:
        section, name = item["$ref"].split("/")[-2:]
        item = SPEC["components"][section][name]
    return item


@dataclass
class Answer:
    method: str
    template: str
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Driver:
    """Calls fake ilert by ilert's path templates and keeps every answer."""

    client: FlaskClient
    key: str
    answers: list[Answer] = field(default_factory=list)

    def call(
        self,
        method: str,
        template: str,
        path: tuple[Any, ...] = (),
        *,
        body: Any = None,
        query: dict[str, Any] | None = None,
        auth: bool = True,
    ) -> Any:
        values = iter(path)  # in the template's order: ilert names two parameters `id`
        concrete = re.sub(r"{[^}]+}", lambda _: str(next(values)), template)
        headers = {"Authorization": f"Bearer {self.key}"} if auth else {}
        response = self.client.open(
            "/api" + concrete, method=method.upper(), json=body, query_string=query, headers=headers
        )
        assert response.status_code < 300, (method, concrete, response.get_data(as_text=True))
        parsed = response.get_json(silent=True)
        self.answers.append(
            Answer(method, template, response.status_code, parsed, dict(response.headers))
        )
        return parsed


def _drive(d: Driver, account: dict[str, Any]) -> None:
    """One valid request for each served operation (some for more than one shape)."""
    owner = account["owner"]
    user = d.call(
        "post",
        "/users",
        body={"firstName": "Ada", "lastName": "Byron", "email": "ada@example.com"},
    )
    d.call("get", "/users")
    d.call("get", "/users/current")
    d.call("put", "/users/current", body={"firstName": "Owner", "lastName": "O", "email": "o@x.io"})
    d.call("get", "/users/{user-id}", (user["id"],))
    d.call("put", "/users/{user-id}", (user["id"],), body={**user, "position": "SRE"})
    team = d.call("post", "/teams", body={"name": "SRE", "members": [{"user": {"id": user["id"]}}]})
    d.call("get", "/teams")
    d.call("get", "/teams/{id}", (team["id"],))
    d.call("put", "/teams/{id}", (team["id"],), body={"name": "SRE 2"})
    d.call(
        "post",
        "/teams/{id}/members",
        (team["id"],),
        body={"user": {"id": owner["id"]}, "role": "ADMIN"},
    )
    d.call("delete", "/teams/{id}/members/{id}", (team["id"], owner["id"]))
    policy = d.call(
        "post",
        "/escalation-policies",
        body={
            "name": "Ops",
            "routingKey": "ops",
            "teams": [{"id": team["id"]}],
            "escalationRules": [
                {"escalationTimeout": 5, "users": [{"id": user["id"]}]},
                {"escalationTimeout": 5, "users": [{"id": owner["id"]}]},
            ],
        },
    )
    bare = d.call("post", "/escalation-policies", body={"name": "Bare", "escalationRules": []})
    d.call("get", "/escalation-policies")
    d.call("get", "/escalation-policies/{id}", (policy["id"],))
    d.call("put", "/escalation-policies/{id}", (bare["id"],), body={**bare, "name": "B2"})
    source = d.call(
        "post",
        "/alert-sources",
        body={"name": "API", "integrationType": "API", "escalationPolicy": {"id": policy["id"]}},
    )
    d.call("get", "/alert-sources")
    d.call("get", "/alert-sources/{id}", (source["id"],))
    d.call("get", "/alert-sources/{id}", (source["integrationKey"],))
    d.call("put", "/alert-sources/{id}", (source["id"],), body={"name": "API 2"})
    d.call(
        "post",
        "/events",
        auth=False,
        body={"apiKey": source["integrationKey"], "eventType": "ALERT", "summary": "disk"},
    )
    alert = d.call("post", "/alerts", body={"summary": "CPU", "alertSource": {"id": source["id"]}})
    other = d.call("post", "/alerts", body={"summary": "RAM", "alertSource": {"id": source["id"]}})
    d.call("get", "/alerts")
    d.call("get", "/alerts", query={"include": "nextEscalationUser"})
    d.call("get", "/alerts/count")
    d.call("get", "/alerts/{id}", (alert["id"],))
    d.call("get", "/alerts/{id}", (alert["id"],), query={"include": "escalationRules"})
    d.call("get", "/alerts/{id}/suggested-responders", (alert["id"],))
    d.call("post", "/alerts/{id}/responders", (alert["id"],))
    d.call(
        "post",
        "/alerts/{id}/responders",
        (other["id"],),
        body={"user": {"id": owner["id"]}},
    )
    d.call("delete", "/alerts/{id}/responders/{user-id}", (other["id"], owner["id"]))
    d.call("put", "/alerts/{id}/assign", (alert["id"],), query={"user": user["id"]})
    d.call("put", "/alerts/{id}/accept", (alert["id"],))
    d.call("put", "/alerts/{id}/resolve", (alert["id"],))
    d.call("get", "/alerts/{id}/log-entries", (alert["id"],))
    ending = d.call("post", "/alerts", body={"summary": "IO", "alertSource": {"id": source["id"]}})
    assert d.client.post("/_sim/clock/advance", json={"seconds": 11 * 60}).status_code == 200
    d.call("get", "/alerts/{id}/log-entries", (ending["id"],))  # escalated, then ended
    d.call("get", "/alerts/{id}", (ending["id"],))
    connector = d.call(
        "post", "/connectors", body={"type": "datadog", "name": "DD", "params": {"apiKey": "k"}}
    )
    d.call("get", "/connectors")
    d.call("get", "/connectors/{id}", (connector["id"],))
    d.call("put", "/connectors/{id}", (connector["id"],), body={**connector, "name": "DD2"})
    action = d.call(
        "post",
        "/alert-actions",
        body={
            "name": "Hook",
            "connectorType": "webhook",
            "alertSources": [{"id": source["id"]}],
            "triggerTypes": ["alert-created"],
            "params": {"webhookUrl": "https://example.com/hook"},
        },
    )
    d.call("get", "/alert-actions")
    d.call("get", "/alert-actions/{id}", (action["id"],))
    d.call("put", "/alert-actions/{id}", (action["id"],), body={**action, "name": "Hook 2"})
    d.call("delete", "/alert-actions/{id}", (action["id"],))
    _drive_on_call(d, user, source, alert)
    d.call("delete", "/connectors/{id}", (connector["id"],))
    d.call("delete", "/alert-sources/{id}", (source["id"],))
    d.call("delete", "/escalation-policies/{id}", (bare["id"],))
    d.call("delete", "/teams/{id}", (team["id"],))
    spare = d.call("post", "/users", body={"firstName": "S", "lastName": "P", "email": "s@p.io"})
    d.call("delete", "/users/{user-id}", (spare["id"],))


def _drive_on_call(d: Driver, user: Any, source: Any, alert: Any) -> None:
    """Schedules, on-calls, support hours, maintenance windows, heartbeats, notifications and
    alert actions run by hand."""
    start = "2023-11-14T00:00:00Z"
    layer = {"name": "Days", "startsOn": start, "users": [{"id": user["id"]}], "rotation": "P1D"}
    schedule = d.call(
        "post",
        "/schedules",
        body={
            "name": "Primary",
            "timezone": "Europe/Berlin",
            "type": "RECURRING",
            "scheduleLayers": [layer],
        },
    )
    d.call("get", "/schedules")
    d.call("get", "/schedules/{id}", (schedule["id"],))
    d.call("put", "/schedules/{id}", (schedule["id"],), body={**schedule, "name": "Primary 2"})
    d.call("get", "/schedules/{id}/shifts", (schedule["id"],))
    override = {"user": {"id": user["id"]}, "start": start, "end": "2030-01-01T00:00:00Z"}
    d.call("put", "/schedules/{id}/overrides", (schedule["id"],), body=override)
    d.call("get", "/schedules/{id}/overrides", (schedule["id"],))
    d.call("get", "/schedules/{id}/user-on-call", (schedule["id"],))
    d.call("get", "/on-calls", query={"schedules": schedule["id"]})
    hours_body = {
        "name": "Office",
        "timezone": "Asia/Istanbul",
        "supportDays": {"MONDAY": {"start": "08:00", "end": "18:00"}},
    }
    hours = d.call("post", "/support-hours", body=hours_body)
    d.call("get", "/support-hours")
    d.call("get", "/support-hours/{id}", (hours["id"],))
    d.call("put", "/support-hours/{id}", (hours["id"],), body={**hours_body, "name": "Office 2"})
    d.call("delete", "/support-hours/{id}", (hours["id"],))
    window_body = {
        "summary": "Upgrade",
        "timezone": "Europe/Berlin",
        "start": "2031-01-01T00:00:00Z",
        "end": "2031-01-01T01:00:00Z",
        "alertSources": [{"id": source["id"]}],
    }
    window = d.call("post", "/maintenance-windows", body=window_body)
    d.call("get", "/maintenance-windows")
    d.call("get", "/maintenance-windows/{id}", (window["id"],))
    d.call(
        "put", "/maintenance-windows/{id}", (window["id"],), body={**window_body, "summary": "U"}
    )
    d.call("delete", "/maintenance-windows/{id}", (window["id"],))
    d.call("get", "/alerts/{id}/notifications", (alert["id"],))
    manual = d.call(
        "post",
        "/alert-actions",
        body={
            "name": "By hand",
            "connectorType": "webhook",
            "triggerMode": "MANUAL",
            "alertSources": [{"id": source["id"]}],
            "params": {"webhookUrl": "https://example.com/hook"},
        },
    )
    d.call("get", "/alerts/{id}/actions", (alert["id"],))
    d.call("post", "/alerts/{id}/actions", (alert["id"],), body={"alertActionId": manual["id"]})
    d.call("delete", "/alert-actions/{id}", (manual["id"],))
    beat = d.call(
        "post",
        "/alert-sources",
        body={
            "name": "Beat",
            "integrationType": "HEARTBEAT",
            "escalationPolicy": source["escalationPolicy"],
            "heartbeat": {"summary": "Cron", "intervalSec": 600},
        },
    )
    d.call("get", "/heartbeats/{key}", (beat["integrationKey"],), auth=False)
    d.call("post", "/heartbeats/{key}", (beat["integrationKey"],), auth=False)
    d.call("delete", "/schedules/{id}", (schedule["id"],))


@pytest.fixture(scope="module")
def answers() -> Iterator[list[Answer]]:
    sim = FakeIlert(clock=VirtualClock(start=1_700_000_000.0), seed=5)
    try:
        client = sim.app.test_client()
        account = client.post("/_sim/accounts", json={"name": "Spec"}).get_json()
        driver = Driver(client, account["apiKey"])
        _drive(driver, account)
        yield driver.answers
    finally:
        sim.close()


def _validator(schema: dict[str, Any]) -> Any:
    return jsonschema_rs.Draft4Validator({"allOf": [schema], "components": SPEC["components"]})


def _problems(answer: Answer) -> list[str]:
    op = SPEC["paths"][answer.template][answer.method]
    declared = dict(op["responses"])
    if (answer.method, answer.template) in CREATED_NOT_OK:  # the real API's 201, listed
        declared["201"] = declared.pop("200")
    if str(answer.status) not in declared:
        return [f"status {answer.status}; ilert's document declares {sorted(declared)}"]
    content = _resolve(declared[str(answer.status)]).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return []
    if (answer.method, answer.template) in ANSWERS_A_LIST:  # listed with its source
        schema = {"type": "array", "items": schema}
    errors = _validator(schema).iter_errors(answer.body)
    return [re.sub(r"\s+", " ", str(e))[:400] for e in errors]


def test_every_served_operation_was_driven(answers: list[Answer]) -> None:
    driven = {(a.method, a.template) for a in answers}
    assert served_real_operations() - driven == set()


def test_every_answer_has_a_declared_status_and_validates(answers: list[Answer]) -> None:
    found = {
        f"{a.method.upper()} {a.template}": problems for a in answers if (problems := _problems(a))
    }
    assert found == {}


def test_creations_name_the_new_object_in_location(answers: list[Answer]) -> None:
    """ilert's document: "The URI of the created user entity is included in the Location
    header" (and likewise for alert sources and escalation policies)."""
    created = [a for a in answers if a.method == "post" and a.status == 201]
    for answer in created:
        if answer.template in ("/users", "/alert-sources", "/escalation-policies"):
            location = answer.headers.get("Location", "")
            assert location.endswith(f"/api{answer.template}/{answer.body['id']}"), answer
