"""Steps for answering Slack at once (ACK-1) and for links that can deliver (DELIVER-1, -2).

Waiting is on what a person or ilert shows (the driver waits for what a person sees to change
after each thing they do), never on an answer's body.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pytest_bdd import given, parsers, then

from harness.driver import Services, wait_until
from harness.seed import World
from tests.bdd.steps.common import (
    Json,
    active_installs,
    channel_id,
    role_of,
    slack_actions_for,
    told_alone,
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


@then(
    parsers.parse(
        'the {role} alone is told that the ilert app cannot post in the channel and to "{hint}"'
    )
)
def told_cannot_post(services: Services, world: World, role: str, hint: str) -> None:
    person = world.person(role_of(role))
    channel = "sre-private"
    told_alone(services, world, person, channel, "Nothing was linked", "cannot post", hint)


@given(parsers.parse('ilert publishes "{name}" to "{channel}", where the bot was never invited'))
def action_without_the_bot(services: Services, world: World, name: str, channel: str) -> None:
    [connector] = services.ilert.slack_connectors(world.owner_key)
    services.ilert.create_alert_action(
        world.owner_key,
        name=f"Slack {channel}",
        alertSources=[{"id": world.source(name)["id"]}],
        connectorId=connector["id"],
        connectorType="slack",
        triggerMode="AUTOMATIC",
        triggerTypes=["alert-created"],
        params={
            "channelId": channel_id(world, channel),
            "channelName": channel.lstrip("#"),
            "teamId": world.team_id,
        },
    )
    bot = active_installs(services, world.team_id)[-1]["bot_user_id"]
    [slack_channel] = [
        c for c in services.slack.state()["channels"] if c["id"] == channel_id(world, channel)
    ]
    assert bot not in slack_channel["members"], slack_channel


@then(
    parsers.parse(
        'ilert shows the alert action of "{name}" in "{channel}" as {state} because of "{error}"'
    )
)
def action_state(
    services: Services, world: World, name: str, channel: str, state: str, error: str
) -> None:
    def settled() -> Json | None:
        services.ilert.wait_for_deliveries()
        [action] = slack_actions_for(services, world, name, channel)
        status = action["deliveryStatus"]
        return status if status["status"] != "OKAY" else None

    status = wait_until(settled, timeout=15, message=f"the alert action of {name} to fail")
    assert status["status"] == state, status
    assert status["error"] == error, status


@then(parsers.parse('the alert\'s timeline in ilert names "{error}", not an HTTP status'))
def timeline_names(services: Services, world: World, alert: Json, error: str) -> None:
    entries = services.ilert.alert_log(world.owner_key, alert["id"])
    failures = [str(e.get("text", "")) for e in entries if "could not notify" in str(e.get("text"))]
    assert failures, entries
    assert all(error in text and "HTTP 4" not in text for text in failures), failures
