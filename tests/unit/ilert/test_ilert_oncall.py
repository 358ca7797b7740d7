"""The on-call side of fake ilert through plain HTTP: schedules and their shifts, on-calls,
escalation to a schedule's on-call person and what reaches the connector, assignment to a
schedule, maintenance windows, support hours, notifications and alert actions run by hand.

Every answer is checked against ilert's published spec (the vendored copy, `emulator/ilert/spec`,
with the corrections fake ilert's document lists), by the schemas the routes name."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
import requests

from emulator.ilert.openapi import fixed_spec

TUESDAY = "2023-11-14T00:00:00Z"  # START is Tuesday 14 November 2023, 22:13:20 UTC
DAY = 86400


def _spec() -> dict[str, Any]:
    return fixed_spec()


def conforms(body: Any, schema: str, *, many: bool = False) -> Any:
    """`body` if it is valid for the spec's schema (a list of them when `many`)."""
    target: dict[str, Any] = {"$ref": f"#/components/schemas/{schema}"}
    if many:
        target = {"type": "array", "items": target}
    validator = jsonschema_rs.Draft4Validator(
        {**target, "components": _spec()["components"]}, validate_formats=False
    )
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors
    return body


def _advance(world: Any, seconds: float) -> None:
    world.sim("/clock/advance", {"seconds": seconds})


def _settle(world: Any) -> None:
    assert world.sim("/deliveries/wait", {"timeout": 10})["idle"] is True


def _rotation(world: Any, *roles: str, rotation: str = "P1D", **extra: Any) -> dict[str, Any]:
    body = {
        "name": "Primary",
        "timezone": "Europe/Berlin",
        "type": "RECURRING",
        "scheduleLayers": [
            {
                "name": "Days",
                "startsOn": TUESDAY,
                "users": [{"id": world.users[r]["id"]} for r in roles],
                "rotation": rotation,
            }
        ],
        **extra,
    }
    return conforms(world.owner.ok("POST", "/schedules", 201, json=body), "Schedule")


def _policy_with_schedule(world: Any, schedule: dict[str, Any]) -> dict[str, Any]:
    return world.owner.ok(
        "POST",
        "/escalation-policies",
        201,
        json={
            "name": "Follow the sun",
            "escalationRules": [
                {"escalationTimeout": 10, "users": [{"id": world.users["RESPONDER"]["id"]}]},
                {"escalationTimeout": 10, "schedules": [{"id": schedule["id"]}]},
            ],
        },
    )


def _source(world: Any, policy: dict[str, Any]) -> dict[str, Any]:
    body = {"name": "Checkout", "integrationType": "API", "escalationPolicy": {"id": policy["id"]}}
    return world.owner.ok("POST", "/alert-sources", 201, json=body)


def _slack_action(
    world: Any, linked: dict[str, Any], source: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    body = {
        "connectorType": "slack",
        "connectorId": linked["connector"]["id"],
        "alertSources": [{"id": source["id"]}],
        "params": {"channelId": "C1", "channelName": "ops"},
        **extra,
    }
    return world.owner.ok("POST", "/alert-actions", 201, json=body)


# -- schedules ----------------------------------------------------------------------------------


def test_a_recurring_schedule_is_stored_returned_and_computed(world: Any) -> None:
    created = _rotation(world, "ADMIN", "USER")
    assert created["scheduleLayers"][0]["rotation"] == "P1D"
    assert created["currentShift"]["user"]["id"] == world.users["ADMIN"]["id"]
    assert created["nextShift"]["user"]["id"] == world.users["USER"]["id"]
    path = f"/schedules/{created['id']}"
    plain = conforms(world.owner.ok("GET", path), "Schedule")
    assert "scheduleLayers" not in plain and "currentShift" not in plain  # only when included
    layered = world.owner.ok("GET", path, params={"include": "scheduleLayers"})
    assert layered["scheduleLayers"] == created["scheduleLayers"]
    listed = conforms(world.owner.ok("GET", "/schedules"), "Schedule", many=True)
    assert [s["id"] for s in listed] == [created["id"]]

    shifts = world.owner.ok(
        "GET",
        f"{path}/shifts",
        params={"from": TUESDAY, "until": "2023-11-17T00:00:00Z"},
    )
    conforms(shifts, "Shift", many=True)
    assert [(s["user"]["id"], s["start"]) for s in shifts] == [
        (world.users["ADMIN"]["id"], "2023-11-14T00:00:00.000Z"),
        (world.users["USER"]["id"], "2023-11-15T00:00:00.000Z"),
        (world.users["ADMIN"]["id"], "2023-11-16T00:00:00.000Z"),
    ]
    on_call = conforms(world.owner.ok("GET", f"{path}/user-on-call"), "Shift")
    assert on_call["user"]["id"] == world.users["ADMIN"]["id"]
    _advance(world, DAY)
    assert world.owner.ok("GET", f"{path}/user-on-call")["user"]["id"] == world.users["USER"]["id"]


def test_overrides_win_and_may_not_lie_in_the_past(world: Any) -> None:
    schedule = _rotation(world, "ADMIN")
    path = f"/schedules/{schedule['id']}/overrides"
    override = {
        "user": {"id": world.users["USER"]["id"]},
        "start": TUESDAY,
        "end": "2023-11-15T00:00:00Z",
    }
    answer = world.owner.ok("PUT", path, json=override)
    assert conforms(answer, "ScheduleRel") == {
        "id": schedule["id"],
        "name": "Primary",
        "type": "RECURRING",
    }
    assert [o["user"]["id"] for o in conforms(world.owner.ok("GET", path), "Shift", many=True)] == [
        world.users["USER"]["id"]
    ]
    on_call = world.owner.ok("GET", f"/schedules/{schedule['id']}/user-on-call")
    assert on_call["user"]["id"] == world.users["USER"]["id"]
    without = world.owner.ok(
        "GET",
        f"/schedules/{schedule['id']}/shifts",
        params={"from": TUESDAY, "until": "2023-11-15T00:00:00Z", "exclude-overrides": "true"},
    )
    assert [s["user"]["id"] for s in without] == [world.users["ADMIN"]["id"]]
    past = {**override, "end": "2023-11-14T12:00:00Z"}
    refused = world.owner.put(path, json=past)
    assert refused.status_code == 400 and "past" in refused.json()["message"]


def test_a_static_schedule_and_abort_on_gaps(world: Any) -> None:
    shifts = [
        {
            "user": {"id": world.users["USER"]["id"]},
            "start": TUESDAY,
            "end": "2023-11-15T00:00:00Z",
        },
        {
            "user": {"id": world.users["ADMIN"]["id"]},
            "start": "2023-11-16T00:00:00Z",
            "end": "2023-11-17T00:00:00Z",
        },
    ]
    body = {"name": "Holidays", "timezone": "America/New_York", "type": "STATIC", "shifts": shifts}
    gap = world.owner.post("/schedules", json=body, params={"abort-on-gaps": "true"})
    assert gap.status_code == 400 and "gap" in gap.json()["message"]
    created = conforms(world.owner.ok("POST", "/schedules", 201, json=body), "Schedule")
    assert [s["user"]["id"] for s in created["shifts"]] == [
        world.users["USER"]["id"],
        world.users["ADMIN"]["id"],
    ]
    assert created["currentShift"]["user"]["id"] == world.users["USER"]["id"]
    _advance(world, 2 * 3600)  # past midnight: the gap
    path = f"/schedules/{created['id']}"
    assert world.owner.get(f"{path}/user-on-call").status_code == 204
    future = world.owner.ok("GET", path, params={"include": "shifts"})["shifts"]
    assert [s["user"]["id"] for s in future] == [world.users["ADMIN"]["id"]]  # "past" shows all
    assert len(world.owner.ok("GET", path, params={"include": ["shifts", "past"]})["shifts"]) == 2


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"timezone": "Europe/Paris"}, "timezone"),
        ({"type": "WEEKLY"}, "type"),
        ({"scheduleLayers": [{"startsOn": TUESDAY, "users": [], "rotation": "P1D"}]}, "users"),
        (
            {"scheduleLayers": [{"startsOn": TUESDAY, "users": [{"id": 1}], "rotation": "P1D"}]},
            "user 1",
        ),
        (
            {"scheduleLayers": [{"startsOn": TUESDAY, "users": [{"id": 1}], "rotation": "PT5M"}]},
            "rotation",
        ),
        (
            {"scheduleLayers": [{"startsOn": "soon", "users": [{"id": 1}], "rotation": "P1D"}]},
            "startsOn",
        ),
        ({"scheduleLayers": []}, "scheduleLayers"),
        ({"shifts": [{"user": {"id": 1}, "start": TUESDAY, "end": TUESDAY}]}, "STATIC"),
        ({"teams": [{"id": 424242}]}, "team 424242"),
        ({"defaultShiftDuration": "a week"}, "defaultShiftDuration"),
    ],
)
def test_a_bad_schedule_is_refused_naming_the_field(
    world: Any, change: dict[str, Any], named: str
) -> None:
    body = {
        "name": "Primary",
        "timezone": "Europe/Berlin",
        "type": "RECURRING",
        "scheduleLayers": [
            {"startsOn": TUESDAY, "users": [{"id": world.users["USER"]["id"]}], "rotation": "P1D"}
        ],
        **change,
    }
    refused = world.owner.post("/schedules", json=body)
    assert refused.status_code == 400 and named in refused.json()["message"], refused.text
    assert world.owner.ok("GET", "/schedules") == []


def test_schedules_need_the_user_role_to_change_and_stay_while_a_policy_uses_them(
    world: Any,
) -> None:
    schedule = _rotation(world, "USER")
    body = {"name": "x", "timezone": "Europe/Berlin", "type": "STATIC"}
    assert world.api("RESPONDER").post("/schedules", json=body).status_code == 403
    assert world.api("RESPONDER").get(f"/schedules/{schedule['id']}").status_code == 200
    policy = _policy_with_schedule(world, schedule)
    in_use = world.owner.delete(f"/schedules/{schedule['id']}")
    assert in_use.status_code == 409 and "Follow the sun" in in_use.json()["message"]
    world.owner.ok("DELETE", f"/escalation-policies/{policy['id']}", 204)
    world.owner.ok("DELETE", f"/schedules/{schedule['id']}", 204)
    assert world.owner.get(f"/schedules/{schedule['id']}").status_code == 404


def test_a_schedule_put_replaces_it_and_keeps_its_overrides(world: Any) -> None:
    schedule = _rotation(world, "ADMIN")
    path = f"/schedules/{schedule['id']}"
    override = {
        "user": {"id": world.users["RESPONDER"]["id"]},
        "start": "2023-11-15T00:00:00Z",
        "end": "2023-11-16T00:00:00Z",
    }
    world.owner.ok("PUT", f"{path}/overrides", json=override)
    replacement = {
        **schedule,
        "name": "Renamed",
        "scheduleLayers": [{**schedule["scheduleLayers"][0], "rotation": "P7D"}],
    }
    updated = conforms(world.owner.ok("PUT", path, json=replacement), "Schedule")
    assert updated["name"] == "Renamed" and updated["scheduleLayers"][0]["rotation"] == "P7D"
    assert len(world.owner.ok("GET", f"{path}/overrides")) == 1
    to_static = world.owner.put(path, json={**replacement, "type": "STATIC", "scheduleLayers": []})
    assert to_static.status_code == 400 and "type" in to_static.json()["message"]


# -- on-calls and escalation --------------------------------------------------------------------


def test_on_calls_name_each_level_and_the_schedule_shift(world: Any) -> None:
    schedule = _rotation(world, "ADMIN", "USER")
    policy = _policy_with_schedule(world, schedule)
    on_calls = conforms(
        world.owner.ok("GET", "/on-calls", params={"policies": policy["id"]}), "OnCall", many=True
    )
    assert [
        (o["user"]["id"], o["escalationLevel"], o.get("schedule", {}).get("id")) for o in on_calls
    ] == [
        (world.users["RESPONDER"]["id"], 1, None),
        (world.users["ADMIN"]["id"], 2, schedule["id"]),
    ]
    assert on_calls[1]["start"] == "2023-11-14T00:00:00.000Z"
    assert on_calls[1]["end"] == "2023-11-15T00:00:00.000Z"
    level_two = world.owner.ok(
        "GET", "/on-calls", params={"policy-levels": json.dumps({"id": policy["id"], "level": 2})}
    )
    assert [o["escalationLevel"] for o in level_two] == [2]
    two_days = world.owner.ok(
        "GET",
        "/on-calls",
        params={"schedules": schedule["id"], "from": TUESDAY, "until": "2023-11-15T12:00:00Z"},
    )
    assert [o["user"]["id"] for o in two_days] == [
        world.users["ADMIN"]["id"],
        world.users["USER"]["id"],
    ]
    berlin = world.owner.ok(
        "GET", "/on-calls", params={"schedules": schedule["id"], "timezone": "Europe/Berlin"}
    )
    assert berlin[0]["start"] == "2023-11-14T01:00:00.000+01:00"
    for params in (
        {"from": "2023-11-14T00:00:00Z", "until": "2023-11-13T00:00:00Z"},
        {"from": "2023-01-01T00:00:00Z", "until": "2023-06-01T00:00:00Z"},
        {"policy-levels": "{level: 1}"},
        {"expand": "everything"},
    ):
        assert world.owner.get("/on-calls", params=params).status_code == 400, params


def test_escalation_to_a_schedule_reaches_the_person_on_call_and_the_connector(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    schedule = _rotation(world, "ADMIN", "USER")
    source = _source(world, _policy_with_schedule(world, schedule))
    _slack_action(world, linked, source, triggerTypes=["alert-auto-escalated"])
    _advance(world, 2 * 3600)  # Wednesday 00:13 UTC: the User's turn
    alert = world.owner.ok(
        "POST",
        "/alerts",
        201,
        json={"summary": "Card payments fail", "alertSource": {"id": source["id"]}},
    )
    assert alert["assignedTo"]["id"] == world.users["RESPONDER"]["id"]
    _advance(world, 600)
    escalated = world.owner.ok("GET", f"/alerts/{alert['id']}")
    assert escalated["assignedTo"]["id"] == world.users["USER"]["id"]
    _settle(world)
    [event] = connector.events()
    assert event["json"]["eventType"] == "alert-auto-escalated"
    assert event["json"]["alert"]["assignedTo"]["id"] == world.users["USER"]["id"]
    texts = [e["text"] for e in world.owner.ok("GET", f"/alerts/{alert['id']}/log-entries")]
    assert "Alert escalated to level 2; assigned to User Person" in texts
    notified = conforms(
        world.owner.ok("GET", f"/alerts/{alert['id']}/notifications"), "Notification", many=True
    )
    assert [(n["user"]["id"], n["method"], n["status"]) for n in notified] == [
        (world.users["RESPONDER"]["id"], "EMAIL", "SUCCESS"),
        (world.users["USER"]["id"], "EMAIL", "SUCCESS"),
    ]
    assert notified[1]["target"] == "user@acme.example"


def test_assign_to_a_schedule_hands_the_alert_to_its_on_call_person(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    schedule = _rotation(world, "USER")
    _slack_action(world, linked, world.source, triggerTypes=["alert-assigned"])
    alert = world.owner.ok(
        "POST", "/alerts", 201, json={"summary": "s", "alertSource": {"id": world.source["id"]}}
    )
    assigned = world.owner.ok(
        "PUT", f"/alerts/{alert['id']}/assign", params={"schedule-id": schedule["id"]}
    )
    assert [r["user"]["id"] for r in assigned["responders"]] == [world.users["USER"]["id"]]
    assert "nextEscalation" not in assigned
    _settle(world)
    assert [e["json"]["alert"]["assignedTo"]["id"] for e in connector.events()] == [
        world.users["USER"]["id"]
    ]
    suggested = world.owner.ok("GET", f"/alerts/{alert['id']}/suggested-responders")
    assert {
        "id": schedule["id"],
        "name": "Primary",
        "group": "ON_CALL_SCHEDULE",
        "disabled": False,
    } in suggested
    empty = world.owner.ok(
        "POST",
        "/schedules",
        201,
        json={"name": "Empty", "timezone": "Europe/Berlin", "type": "STATIC"},
    )
    nobody = world.owner.put(f"/alerts/{alert['id']}/assign", params={"schedule": empty["id"]})
    assert nobody.status_code == 400 and "Nobody is on call" in nobody.json()["message"]


# -- maintenance windows and support hours ------------------------------------------------------


def test_a_maintenance_window_keeps_its_sources_from_opening_alerts(world: Any) -> None:
    body = {
        "summary": "Database upgrade",
        "description": "Primary moves to the new cluster",
        "timezone": "Europe/Berlin",
        "start": "2023-11-14T22:00:00Z",
        "end": "2023-11-14T23:00:00Z",
        "alertSources": [{"id": world.source["id"]}],
        "notifications": {"atStart": True},
    }
    created = world.owner.post("/maintenance-windows", json=body)
    assert created.status_code == 200
    window = conforms(created.json(), "MaintenanceWindow")
    assert created.headers["Location"].endswith(f"/api/maintenance-windows/{window['id']}")
    assert window["alertSources"][0]["status"] == "IN_MAINTENANCE"
    assert window["notifications"] == {"atStart": True} and window["createdBy"] == "Account Owner"
    key = world.source["integrationKey"]
    event = {"integrationKey": key, "eventType": "ALERT", "summary": "db down"}
    answer = world.client(None).post("/events", json=event)
    assert (
        answer.status_code == 202 and answer.json()["responseCode"] == "ALERT_SOURCE_IN_MAINTENANCE"
    )
    refused = world.owner.post(
        "/alerts", json={"summary": "s", "alertSource": {"id": world.source["id"]}}
    )
    assert refused.status_code == 400 and "maintenance" in refused.json()["message"]
    assert world.owner.ok("GET", "/alerts") == []
    _advance(world, 3600)  # the window is over
    assert (
        world.client(None).post("/events", json=event).json()["responseCode"]
        == "NEW_INCIDENT_CREATED"
    )
    path = f"/maintenance-windows/{window['id']}"
    changed = world.owner.ok("PUT", path, json={**body, "summary": "Upgrade, again"})
    assert conforms(changed, "MaintenanceWindow")["summary"] == "Upgrade, again"
    assert (
        len(conforms(world.owner.ok("GET", "/maintenance-windows"), "MaintenanceWindow", many=True))
        == 1
    )
    for bad in (
        {"services": [{"id": 1}]},
        {"alertSources": []},
        {"end": "2023-11-14T21:00:00Z"},
        {"timezone": "UTC"},
    ):
        assert world.owner.put(path, json={**body, **bad}).status_code == 400, bad
    world.owner.ok("DELETE", path, 204)
    assert world.owner.get(path).status_code == 404


def test_support_hours_are_stored_returned_and_validated(world: Any) -> None:
    body = {
        "name": "Office",
        "timezone": "Asia/Istanbul",
        "supportDays": {
            "MONDAY": {"start": "08:00", "end": "18:00"},
            "SATURDAY": {"start": "10:00", "end": "24:00"},
        },
    }
    created = conforms(world.owner.ok("POST", "/support-hours", 201, json=body), "SupportHour")
    assert created["supportDays"] == body["supportDays"]
    path = f"/support-hours/{created['id']}"
    assert world.owner.ok("GET", path) == created
    renamed = world.owner.ok("PUT", path, json={**body, "name": "Shop"})
    assert conforms(renamed, "SupportHour")["name"] == "Shop"
    assert conforms(world.owner.ok("GET", "/support-hours"), "SupportHour", many=True) == [renamed]
    for bad in (
        {"supportDays": {"FUNDAY": {"start": "08:00", "end": "18:00"}}},
        {"supportDays": {"MONDAY": {"start": "8am", "end": "18:00"}}},
        {"timezone": "Mars/Olympus"},
        {"name": ""},
    ):
        assert world.owner.put(path, json={**body, **bad}).status_code == 400, bad
    assert world.api("RESPONDER").delete(path).status_code == 403
    world.owner.ok("DELETE", path, 204)


# -- alert actions run by hand ------------------------------------------------------------------


def test_a_manual_alert_action_is_listed_and_run_on_an_alert(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    manual = _slack_action(world, linked, world.source, triggerMode="MANUAL", name="Post to #ops")
    _slack_action(world, linked, world.source, triggerTypes=["alert-resolved"])  # automatic
    alert = world.owner.ok(
        "POST", "/alerts", 201, json={"summary": "s", "alertSource": {"id": world.source["id"]}}
    )
    path = f"/alerts/{alert['id']}/actions"
    [offered] = conforms(world.owner.ok("GET", path), "AlertActionTrigger", many=True)
    assert offered == {
        "alertActionId": manual["id"],
        "connectorId": linked["connector"]["id"],
        "type": "slack",
        "name": "Post to #ops",
        "history": [],
    }
    run = conforms(
        world.owner.ok("POST", path, 201, json={"alertActionId": manual["id"]}), "AlertActionResult"
    )
    assert run["success"] is True and run["alertId"] == alert["id"]
    assert run["actor"]["id"] == world.owner_id
    _settle(world)
    [event] = connector.events()
    assert event["json"]["eventType"] == "alert-action-invoked"
    assert event["json"]["alertAction"]["id"] == manual["id"]
    assert world.owner.ok("GET", path)[0]["history"] == [run]
    texts = [e["text"] for e in world.owner.ok("GET", f"/alerts/{alert['id']}/log-entries")]
    assert "Alert action Post to #ops run by Account Owner" in texts
    automatic = world.owner.ok("GET", "/alert-actions", params={"source": world.source["id"]})[1]
    assert world.owner.post(path, json={"alertActionId": automatic["id"]}).status_code == 404
    assert world.owner.post(path, json={"alertActionId": "x"}).status_code == 400
    assert (
        world.api("STAKEHOLDER").post(path, json={"alertActionId": manual["id"]}).status_code == 403
    )


def test_the_alert_page_runs_a_manual_alert_action(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    manual = _slack_action(world, linked, world.source, triggerMode="MANUAL", name="Post to #ops")
    alert = world.owner.ok(
        "POST", "/alerts", 201, json={"summary": "s", "alertSource": {"id": world.source["id"]}}
    )
    page_url = f"{world.url}/alerts/{alert['id']}"
    run_url = f"{page_url}/actions/{manual['id']}/run"
    with requests.Session() as session:
        session.post(f"{world.url}/login", data={"user_id": world.users["STAKEHOLDER"]["id"]})
        page = session.get(page_url, timeout=5).text
        assert "Post to #ops" not in page  # a stakeholder sees no source outside their teams
        assert session.post(run_url, timeout=5).status_code == 403
    with requests.Session() as session:
        session.post(f"{world.url}/login", data={"user_id": world.users["RESPONDER"]["id"]})
        page = session.get(page_url, timeout=5).text
        assert f'action="/alerts/{alert["id"]}/actions/{manual["id"]}/run"' in page
        answer = session.post(run_url, timeout=5)
        assert answer.status_code == 200 and "The alert action was run" in answer.text
        assert "run 1 time on this alert" in answer.text
    _settle(world)
    assert [e["json"]["eventType"] for e in connector.events()] == ["alert-action-invoked"]


def test_export_and_import_keep_the_on_call_side(world: Any, sim: Any) -> None:
    schedule = _rotation(world, "ADMIN", "USER")
    override = {
        "user": {"id": world.users["RESPONDER"]["id"]},
        "start": "2023-11-15T00:00:00Z",
        "end": "2023-11-16T00:00:00Z",
    }
    world.owner.ok("PUT", f"/schedules/{schedule['id']}/overrides", json=override)
    policy = _policy_with_schedule(world, schedule)
    hours = {
        "name": "Office",
        "timezone": "Europe/Berlin",
        "supportDays": {"MONDAY": {"start": "08:00", "end": "18:00"}},
    }
    world.owner.ok("POST", "/support-hours", 201, json=hours)
    window = {
        "summary": "Later",
        "timezone": "Europe/Berlin",
        "start": "2023-12-01T00:00:00Z",
        "end": "2023-12-02T00:00:00Z",
        "alertSources": [{"id": world.source["id"]}],
    }
    world.owner.post("/maintenance-windows", json=window)
    alert = world.owner.ok(
        "POST", "/alerts", 201, json={"summary": "s", "alertSource": {"id": world.source["id"]}}
    )
    reads = (
        f"/schedules/{schedule['id']}",
        f"/schedules/{schedule['id']}/overrides",
        f"/escalation-policies/{policy['id']}",
        "/support-hours",
        "/maintenance-windows",
        f"/alerts/{alert['id']}/notifications",
    )
    before = [world.owner.ok("GET", path) for path in reads]
    exported = sim.export_state()
    sim.reset()
    assert world.sim("/import", exported)["ok"] is True
    assert [world.owner.ok("GET", path) for path in reads] == before
    broken = json.loads(json.dumps(exported))
    [mine] = [p for p in broken["accounts"][0]["policies"] if p["id"] == policy["id"]]
    mine["rules"][1]["scheduleIds"] = [424242]
    answer = requests.post(f"{world.url}/_sim/import", json=broken, timeout=10)
    assert answer.status_code == 400 and "schedule 424242" in answer.json()["message"]
    assert [world.owner.ok("GET", path) for path in reads] == before  # nothing changed


def test_times_beyond_the_calendar_are_refused_not_crashed_on(world: Any) -> None:
    restricted = {
        "restrictions": [
            {
                "from": {"dayOfWeek": "MONDAY", "time": "09:00"},
                "to": {"dayOfWeek": "MONDAY", "time": "17:00"},
            }
        ]
    }
    schedule = _rotation(world, "USER", rotation="P7D")
    layer = {**schedule["scheduleLayers"][0], **restricted}
    world.owner.ok(
        "PUT", f"/schedules/{schedule['id']}", json={**schedule, "scheduleLayers": [layer]}
    )
    path = f"/schedules/{schedule['id']}/shifts"
    early = world.owner.get(
        path, params={"from": "0001-01-03T00:00:00Z", "until": "0001-02-01T00:00:00Z"}
    )
    assert early.status_code == 400 and "'from'" in early.json()["message"], early.text
    late = world.owner.get("/on-calls", params={"until": "9999-12-31T00:00:00Z"})
    assert late.status_code == 400 and "'until'" in late.json()["message"], late.text
    ancient = world.owner.put(
        f"/schedules/{schedule['id']}",
        json={**schedule, "scheduleLayers": [{**layer, "startsOn": "0001-01-01T00:00:00Z"}]},
    )
    assert ancient.status_code == 400 and "startsOn" in ancient.json()["message"], ancient.text


def test_a_deleted_schedule_leaves_deleted_policies_and_the_export_whole(
    world: Any, sim: Any
) -> None:
    """A deleted policy stays for the alerts that name it; its rules lose a deleted schedule, so
    the export still imports."""
    schedule = _rotation(world, "USER")
    policy = _policy_with_schedule(world, schedule)
    source = _source(world, policy)
    world.owner.ok(
        "POST", "/alerts", 201, json={"summary": "s", "alertSource": {"id": source["id"]}}
    )
    world.owner.ok("DELETE", f"/alert-sources/{source['id']}", 204)
    world.owner.ok("DELETE", f"/escalation-policies/{policy['id']}", 204)
    world.owner.ok("DELETE", f"/schedules/{schedule['id']}", 204)
    answer = requests.post(f"{world.url}/_sim/import", json=sim.export_state(), timeout=10)
    assert answer.status_code == 200, answer.text


def test_a_user_on_call_in_a_schedule_cannot_be_deleted(world: Any) -> None:
    schedule = _rotation(world, "ADMIN")
    refused = world.owner.delete(f"/users/{world.users['ADMIN']['id']}")
    assert refused.status_code == 409 and "Primary" in refused.json()["message"]
    world.owner.ok("DELETE", f"/schedules/{schedule['id']}", 204)
    world.owner.ok("DELETE", f"/users/{world.users['ADMIN']['id']}", 204)
