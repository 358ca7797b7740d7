"""Steps for answering Slack at once (ACK-1).

Waiting is on what a person or ilert shows (the driver waits for what a person sees to change
after each thing they do), never on an answer's body.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pytest_bdd import given, parsers, then

from harness.driver import Services
from harness.seed import World
from tests.bdd.steps.common import (
    Json,
    role_of,
)


@dataclass(frozen=True)
class SlowIlert:
    """ilert slowed from this point: `since` is how many answers Slack had given before."""

    since: int


@given(
    parsers.parse("ilert takes {seconds:g} seconds to answer every call"),
    target_fixture="slow_ilert",
)
def ilert_is_slow(services: Services, request: pytest.FixtureRequest, seconds: float) -> SlowIlert:
    services.ilert.add_fault(path="*", latency_ms=int(seconds * 1000))
    request.addfinalizer(services.ilert.clear_faults)
    return SlowIlert(since=len(services.slack.answers))


@then("Slack showed nobody a timeout: it had every answer within its three seconds")
def no_timeouts(services: Services, slow_ilert: SlowIlert) -> None:
    answers = services.slack.answers[slow_ilert.since :]
    assert answers, "nobody did anything in Slack"
    failed = [a for a in answers if not a.get("ok")]
    assert not failed, failed


@then(parsers.parse("ilert records the alert accepted once, by the {role}"))
def accepted_once(services: Services, world: World, alert: Json, role: str) -> None:
    entries = services.ilert.alert_log(world.owner_key, alert["id"])
    accepted = [e for e in entries if "accepted by" in str(e.get("text", "")).lower()]
    assert len(accepted) == 1, entries
    assert accepted[0]["actor"]["id"] == world.person(role_of(role)).ilert_id, accepted
