"""Steps for on-call schedules (ONC-1)."""

from __future__ import annotations

from datetime import UTC, datetime

from pytest_bdd import given, parsers, when

from harness.driver import Services
from harness.seed import World
from tests.bdd.steps.common import Json, role_of


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


@given(
    parsers.parse(
        'an on-call schedule "{name}" in which the {first} is on call now and the {second} next'
    ),
    target_fixture="schedule",
)
def schedule_now(services: Services, world: World, name: str, first: str, second: str) -> Json:
    """A daily rotation whose current turn began an hour ago."""
    now = services.ilert.clock()["epoch"]
    people = [world.person(role_of(r)).ilert_id for r in (first, second)]
    layer = {
        "name": "Days",
        "startsOn": _iso(now - 3600),
        "users": [{"id": i} for i in people],
        "rotation": "P1D",
    }
    body = {"name": name, "timezone": "Europe/Berlin", "type": "RECURRING"}
    schedule = services.ilert.call(
        "POST", "/schedules", key=world.owner_key, json={**body, "scheduleLayers": [layer]}
    )
    on_call = services.ilert.call(
        "GET", f"/schedules/{schedule['id']}/user-on-call", key=world.owner_key
    )
    assert on_call["user"]["id"] == people[0], on_call
    return schedule


@given(
    parsers.parse(
        'an alert source "{name}" whose policy reaches the {role} first and "{schedule_name}" '
        "after {minutes:d} minutes"
    )
)
def source_with_schedule_level(
    services: Services,
    world: World,
    schedule: Json,
    name: str,
    role: str,
    schedule_name: str,
    minutes: int,
) -> None:
    assert schedule["name"] == schedule_name
    first = world.person(role_of(role)).ilert_id
    rules = [
        {"escalationTimeout": minutes, "users": [{"id": first}]},
        {"escalationTimeout": minutes, "schedules": [{"id": schedule["id"]}]},
    ]
    policy = services.ilert.call(
        "POST",
        "/escalation-policies",
        key=world.owner_key,
        json={"name": f"{name} on call", "escalationRules": rules},
    )
    source = services.ilert.create_alert_source(world.owner_key, name=name, policy_id=policy["id"])
    world.sources.append(source)


@when(parsers.parse("nobody accepts the alert for {minutes:d} minutes"))
def not_accepted_for(services: Services, minutes: int) -> None:
    services.ilert.advance_clock(minutes * 60)
