"""Fake ilert's fault rules (`/_sim/faults`): latency and errors on ilert's API, by path and
method, by count and probability; the control plane and the pages are never struck."""

from __future__ import annotations

import time

import requests

from tests.unit.ilert.conftest import World


def add_fault(world: World, **rule: object) -> requests.Response:
    return requests.post(f"{world.url}/_sim/faults", json=rule, timeout=10)


def test_a_latency_rule_slows_matching_calls_and_lets_them_through(world: World) -> None:
    rule = add_fault(world, path="/api/alerts*", latency_ms=300).json()
    api = world.api("ADMIN")

    started = time.monotonic()
    assert api.get("/alerts").status_code == 200
    slowed = time.monotonic() - started
    started = time.monotonic()
    assert api.get("/users").status_code == 200
    unslowed = time.monotonic() - started

    assert slowed >= 0.3 > unslowed
    listed = requests.get(f"{world.url}/_sim/faults", timeout=10).json()["faults"]
    assert [(r["id"], r["struck"]) for r in listed] == [(rule["id"], 1)]


def test_an_error_rule_answers_in_ilerts_form_for_its_count_then_stops(world: World) -> None:
    add_fault(world, path="/api/alerts/*/accept", method="put", status=503, error="Busy", count=1)
    alert = world.owner.ok(
        "POST", "/alerts", 201, json={"summary": "Disk", "alertSource": {"id": world.source["id"]}}
    )

    refused = world.owner.put(f"/alerts/{alert['id']}/accept")
    assert refused.status_code == 503
    assert refused.json() == {"status": 503, "code": "SERVICE_UNAVAILABLE", "message": "Busy"}
    assert world.owner.get(f"/alerts/{alert['id']}").json()["status"] == "PENDING"
    assert world.owner.put(f"/alerts/{alert['id']}/accept").status_code == 200


def test_the_control_plane_is_never_struck(world: World) -> None:
    add_fault(world, path="*", status=500)
    assert requests.get(f"{world.url}/_sim/faults", timeout=10).status_code == 200
    assert world.api("ADMIN").get("/alerts").status_code == 500


def test_rules_are_removed_one_by_one_or_all_at_once(world: World) -> None:
    first = add_fault(world, latency_ms=1).json()
    add_fault(world, status=500)
    assert requests.delete(f"{world.url}/_sim/faults/{first['id']}", timeout=10).ok
    assert requests.delete(f"{world.url}/_sim/faults/{first['id']}", timeout=10).status_code == 404
    assert requests.delete(f"{world.url}/_sim/faults", timeout=10).ok
    assert requests.get(f"{world.url}/_sim/faults", timeout=10).json() == {"faults": []}
    assert world.api("ADMIN").get("/alerts").status_code == 200


def test_reset_forgets_the_rules(world: World) -> None:
    add_fault(world, status=500)
    world.sim("/reset")
    assert requests.get(f"{world.url}/_sim/faults", timeout=10).json() == {"faults": []}


def test_a_bad_rule_is_refused_with_the_field_named(world: World) -> None:
    cases = [
        ({"latency_ms": 0}, "latency_ms"),
        ({"latency_ms": 60_001}, "latency_ms"),
        ({"status": 200}, "status"),
        ({"probability": 2}, "probability"),
        ({"count": 0, "status": 500}, "count"),
        ({"count": 1.5, "status": 500}, "count"),
        ({"path": 3, "status": 500}, "path"),
        ({"when": "after", "status": 500}, "when"),
        ({}, "effect"),
    ]
    for body, named in cases:
        refused = add_fault(world, **body)
        assert refused.status_code == 400, body
        assert named in refused.json()["message"], (body, refused.json())
    assert requests.get(f"{world.url}/_sim/faults", timeout=10).json() == {"faults": []}
