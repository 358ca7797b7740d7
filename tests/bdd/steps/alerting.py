"""Steps for what ilert decides before anything reaches Slack: alert filters on alert actions
(ILR-1) and heartbeat alert sources (ILR-2)."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from harness.driver import Services, visible_text
from harness.seed import World
from tests.bdd.steps.common import Json, alert_messages, slack_actions_for

HEARTBEAT_SUMMARY = "{name} did not report"


@given(
    parsers.parse(
        'the alert action of "{source}" in "{channel}" publishes only alerts of priority '
        '"{priority}"'
    )
)
def only_priority(
    services: Services, world: World, source: str, channel: str, priority: str
) -> None:
    [action] = slack_actions_for(services, world, source, channel)
    only = {
        "operator": "AND",
        "predicates": [{"field": "ALERT_PRIORITY", "criteria": "IS_STRING", "value": priority}],
    }
    updated = services.ilert.update_alert_action(world.owner_key, {**action, "alertFilter": only})
    assert updated["alertFilter"] == only, updated


@when(
    parsers.re(
        r'an? (?P<priority>HIGH|LOW) alert "(?P<summary>[^"]+)" is created on "(?P<source>[^"]+)"'
    )
)
def alert_with_priority(
    services: Services, world: World, priority: str, summary: str, source: str
) -> None:
    services.ilert.create_alert(
        world.owner_key, summary=summary, source_id=world.source(source)["id"], priority=priority
    )


@then(parsers.parse('"{channel}" shows the alert "{shown}" and not the alert "{hidden}"'))
def shows_one_not_the_other(
    services: Services, world: World, channel: str, shown: str, hidden: str
) -> None:
    texts = [visible_text(m) for m in alert_messages(services, world, channel)]
    assert len(texts) == 1 and shown in texts[0], f"{channel} shows {texts}"
    assert not any(hidden in text for text in texts), f"{channel} shows {texts}"


@given(
    parsers.parse('a heartbeat alert source "{name}" that expects a ping every {minutes:d} minutes')
)
def heartbeat_source(services: Services, world: World, name: str, minutes: int) -> None:
    source = services.ilert.create_heartbeat_source(
        world.owner_key,
        name=name,
        policy_id=world.policy["id"],
        interval_sec=minutes * 60,
        summary=HEARTBEAT_SUMMARY.format(name=name),
    )
    world.sources.append(source)


@given(parsers.parse('"{name}" has sent its ping'))
@when(parsers.parse('"{name}" sends its ping again'))
def ping(services: Services, world: World, name: str) -> None:
    services.ilert.ping_heartbeat(world.source(name)["integrationKey"])


@when(
    parsers.parse('{minutes:d} minutes pass without a ping from "{name}"'), target_fixture="alert"
)
def no_ping(services: Services, world: World, minutes: int, name: str) -> Json:
    services.ilert.advance_clock(minutes * 60)
    alerts = services.ilert.alerts(world.owner_key, source_id=world.source(name)["id"])
    assert len(alerts) == 1, f"{name} has the alerts {alerts}"
    return alerts[0]
