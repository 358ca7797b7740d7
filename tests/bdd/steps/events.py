"""Steps for what Slack tells the ilert app through the Events API (EVT-1 … EVT-5).

The connector acknowledges an event at once and acts on it afterwards, so a step that waits for
the effect polls for it, bounded, once fake Slack has had its events answered.
"""

from __future__ import annotations

import json
import time
from typing import Any

import requests
from pytest_bdd import given, parsers, then, when

from harness.driver import Services, slack_signature, wait_until
from harness.seed import World
from tests.bdd.steps.alert_sources import invite_bot
from tests.bdd.steps.alerts import alert_created
from tests.bdd.steps.authorize import open_slack_integration, page_offers_button
from tests.bdd.steps.channels import choose, publishes
from tests.bdd.steps.common import (
    Json,
    active_installs,
    alert_messages,
    channel_id,
    links_to,
    message_of,
    run_slash_command,
    slack_actions_for,
)

EFFECT_TIMEOUT = 10.0
# How long an event handled wrongly takes at most to show its effect in ilert, here.
WRONG_EFFECT_WINDOW = 2.0


def eventually(condition: Any, what: str) -> Any:
    return wait_until(condition, timeout=EFFECT_TIMEOUT, interval=0.05, message=what)


def the_app(services: Services) -> Json:
    return next(a for a in services.slack.state()["apps"] if a["name"] == "ilert")


def bot_install(services: Services, world: World) -> Json:
    return active_installs(services, world.team_id)[-1]


def the_action(services: Services, world: World, name: str, channel: str) -> Json:
    [action] = slack_actions_for(services, world, name, channel)
    return action


@given(
    parsers.parse('ilert publishes "{name}" to "{channel}", where the ilert bot is not a member')
)
def published_outside(services: Services, world: World, name: str, channel: str) -> None:
    """An alert action made through ilert's API: nothing in Slack stops it being made."""
    [connector] = services.ilert.slack_connectors(world.owner_key)
    services.ilert.create_alert_action(
        world.owner_key,
        name=f"Slack {channel}",
        alertSources=[{"id": world.source(name)["id"]}],
        connectorId=connector["id"],
        connectorType="slack",
        triggerMode="AUTOMATIC",
        triggerTypes=["alert-created", "alert-acknowledged", "alert-resolved"],
        params={"channelId": channel_id(world, channel), "channelName": channel.lstrip("#")},
    )


@given(
    parsers.parse('an alert "{summary}" on "{name}" could not be posted in "{channel}"'),
    target_fixture="alert",
)
def alert_not_posted(
    services: Services, world: World, summary: str, name: str, channel: str
) -> Json:
    alert = alert_created(services, world, summary, name)
    services.ilert.wait_for_deliveries()
    assert not [m for m in alert_messages(services, world, channel) if links_to(m, alert)]
    status = the_action(services, world, name, channel)["deliveryStatus"]
    assert status["status"] == "FAILING", status
    return alert


@when(parsers.parse('someone invites the ilert bot into "{channel}"'))
def invites_bot(services: Services, world: World, channel: str) -> None:
    invite_bot(services, world, channel)
    services.slack.wait_for_events()


@then(parsers.parse('"{channel}" soon shows the alert "{title}"'))
def soon_shows(services: Services, world: World, alert: Json, channel: str, title: str) -> None:
    services.slack.wait_for_events()
    messages = eventually(
        lambda: [m for m in alert_messages(services, world, channel) if links_to(m, alert)],
        f"the alert's message in {channel}",
    )
    assert f"|{title}>" in json.dumps(messages[0]), messages[0]
    assert message_of(services, world, alert)[0] == channel.lstrip("#")


@then(parsers.parse('ilert shows the alert action of "{name}" for "{channel}" as "{status}"'))
def action_status(services: Services, world: World, name: str, channel: str, status: str) -> None:
    services.slack.wait_for_events()
    eventually(
        lambda: the_action(services, world, name, channel)["deliveryStatus"]["status"] == status,
        f"the alert action's status {status}",
    )


@then(
    parsers.parse(
        'ilert shows the alert action of "{name}" for "{channel}" as "{status}" because "{words}"'
    )
)
def action_status_because(
    services: Services, world: World, name: str, channel: str, status: str, words: str
) -> None:
    action_status(services, world, name, channel, status)
    reason = the_action(services, world, name, channel)["deliveryStatus"]["reason"]
    assert words in reason, reason


def rename(services: Services, world: World, channel: str, new: str) -> None:
    services.slack.rename_channel(channel_id(world, channel), new.lstrip("#"))
    world.channels[new.lstrip("#")] = world.channels.pop(channel.lstrip("#"))


@when(parsers.parse('someone renames "{channel}" to "{new}"'))
def renames(services: Services, world: World, channel: str, new: str) -> None:
    rename(services, world, channel, new)
    services.slack.wait_for_events()


@given(parsers.parse('someone has renamed "{channel}" to "{first}" and then to "{second}"'))
def renamed_twice(services: Services, world: World, channel: str, first: str, second: str) -> None:
    rename(services, world, channel, first)
    rename(services, world, first, second)
    named(services, world, "New Relic", second)


@then(parsers.parse('ilert names the channel of the alert action of "{name}" "{channel}"'))
def named(services: Services, world: World, name: str, channel: str) -> None:
    services.slack.wait_for_events()
    eventually(
        lambda: (
            the_action(services, world, name, channel)["params"].get("channelName")
            == channel.lstrip("#")
        ),
        f"ilert to name the channel {channel}",
    )


@then(parsers.parse('ilert still names the channel of the alert action of "{name}" "{channel}"'))
def still_named(services: Services, world: World, name: str, channel: str) -> None:
    """The connector acts after its answer, so a wrong change would come a moment later: the
    name must hold for as long as a wrongly handled event takes to show (bounded)."""

    def renamed_back() -> bool:
        action = the_action(services, world, name, channel)
        return (action["params"]["channelName"], action["name"]) != (
            channel.lstrip("#"),
            f"Slack {channel}",
        )

    deadline = time.monotonic() + WRONG_EFFECT_WINDOW
    while time.monotonic() < deadline:
        assert not renamed_back(), the_action(services, world, name, channel)
        time.sleep(0.05)


@when(parsers.parse('someone archives "{channel}"'))
def archives(services: Services, world: World, channel: str) -> None:
    services.slack.archive_channel(
        channel_id(world, channel), user_id=world.person("ADMIN").slack_id
    )
    services.slack.wait_for_events()


@when(parsers.parse('someone unarchives "{channel}"'))
def unarchives(services: Services, world: World, channel: str) -> None:
    services.slack.unarchive_channel(
        channel_id(world, channel), user_id=world.person("ADMIN").slack_id
    )
    services.slack.wait_for_events()


def uninstall(services: Services, world: World) -> None:
    app = the_app(services)
    answer = services.slack.web_api(
        "apps.uninstall",
        bot_install(services, world)["access_token"],
        client_id=app["client_id"],
        client_secret=app["client_secret"],
    )
    assert answer["ok"], answer


def revoke(services: Services, world: World) -> None:
    answer = services.slack.web_api("auth.revoke", bot_install(services, world)["access_token"])
    assert answer["ok"] and answer["revoked"], answer


REMOVALS = {"uninstalls the ilert app": uninstall, "revokes the ilert app's token": revoke}


@when(parsers.parse("a Slack admin {removal}"))
def removes_app(services: Services, world: World, removal: str) -> None:
    REMOVALS[removal](services, world)
    services.slack.wait_for_events()


@given("a Slack admin has uninstalled the ilert app")
def has_uninstalled(services: Services, world: World) -> None:
    uninstall(services, world)
    services.slack.wait_for_events()
    soon_unlinked(services, world)


@then("the workspace is soon no longer linked to the ilert account")
def soon_unlinked(services: Services, world: World) -> None:
    eventually(
        lambda: services.ilert.slack_connectors(world.owner_key) == [],
        "ilert to unlink the workspace",
    )


@then(parsers.parse('ilert\'s Slack Workspace Integration offers "{label}" again'))
def offers_again(services: Services, world: World, label: str) -> None:
    page_offers_button(open_slack_integration(services, world), label)


@then(parsers.parse('an alert "{summary}" created on "{name}" is sent nowhere'))
def sent_nowhere(services: Services, world: World, summary: str, name: str) -> None:
    alert = alert_created(services, world, summary, name)
    services.ilert.wait_for_deliveries()
    sent = [d for d in services.ilert.deliveries() if d["alertId"] == alert["id"]]
    assert sent == [], sent
    for channel in world.channels:
        assert not [m for m in alert_messages(services, world, channel) if links_to(m, alert)]


@then(parsers.parse('"{name}" can be linked to "{channel}" again'))
def linkable_again(services: Services, world: World, name: str, channel: str) -> None:
    run_slash_command(services, world, "Admin", "/ilert", channel)
    choose(services, world, world.person("ADMIN"), channel.lstrip("#"), name)
    publishes(services, world, name, channel)


@when("Slack sends the first rename again, as its first retry", target_fixture="retry")
def resend_first_rename(services: Services, world: World) -> Json:
    app = the_app(services)
    renames = [e for e in services.slack.event_deliveries() if e["type"] == "channel_rename"]
    first = renames[-2]
    ops = world.channels["ops-emea"]
    envelope = {
        "token": app["verification_token"],
        "team_id": world.team_id,
        "api_app_id": app["id"],
        "event": {
            "type": "channel_rename",
            "channel": {"id": ops["id"], "name": "ops-eu", "is_channel": True},
            "event_ts": "1.000001",
        },
        "type": "event_callback",
        "event_id": first["event_id"],
        "event_time": int(time.time()),
    }
    body = json.dumps(envelope)
    timestamp = str(int(time.time()))
    started = time.monotonic()
    answer = requests.post(
        f"{services.connector_url}/slack/events",
        data=body.encode(),
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": slack_signature(app["signing_secret"], timestamp, body),
            "X-Slack-Retry-Num": "1",
            "X-Slack-Retry-Reason": "http_timeout",
        },
        timeout=10,
    )
    return {"status": answer.status_code, "seconds": time.monotonic() - started}


@then("the connector acknowledged it within 3 seconds")
def acknowledged_in_time(retry: Json) -> None:
    assert retry["status"] == 200, retry
    assert retry["seconds"] < 3.0, retry
