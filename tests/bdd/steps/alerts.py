"""Steps for alerts in Slack, their updates and their delivery (CHAN-7, CHAN-8, FAQ-2, FAQ-3,
REL-1)."""

from __future__ import annotations

import re
from typing import Any

from pytest_bdd import given, parsers, then, when

from harness.driver import (
    Browser,
    Services,
    button_labels,
    visible_text,
)
from harness.seed import World
from tests.bdd.steps.common import (
    Json,
    Scene,
    alert_messages,
    channel_id,
    current_alert,
    role_of,
    slack_actions_for,
    the_message,
)


def create_alert(services: Services, world: World, scene: Scene, summary: str, source: str) -> None:
    scene.alert = services.ilert.call(
        "POST",
        "/alerts",
        key=world.owner_key,
        json={"summary": summary, "alertSource": {"id": world.source(source)["id"]}},
    )


@when(parsers.parse('an alert "{summary}" is created on "{source}"'))
def alert_created(
    services: Services, world: World, scene: Scene, summary: str, source: str
) -> None:
    create_alert(services, world, scene, summary, source)


@given(parsers.parse('an alert "{summary}" on "{source}" is posted in "{channel}"'))
def alert_posted(
    services: Services, world: World, scene: Scene, summary: str, source: str, channel: str
) -> None:
    create_alert(services, world, scene, summary, source)
    scene.alert_channel = channel.lstrip("#")
    assert len(alert_messages(services, world, channel)) == 1


@when(parsers.parse('a monitoring tool reports "{summary}" with the integration key of "{source}"'))
def event_reported(
    services: Services, world: World, scene: Scene, summary: str, source: str
) -> None:
    response = services.ilert.send_event(
        {
            "integrationKey": world.source(source)["integrationKey"],
            "eventType": "ALERT",
            "summary": summary,
            "alertKey": summary.lower().replace(" ", "-"),
        }
    )
    assert response.status_code == 202, response.text
    scene.alert = None


@then(parsers.parse('"{channel}" shows the alert "{title}" linked to the alert in ilert'))
def shows_alert(services: Services, world: World, scene: Scene, channel: str, title: str) -> None:
    scene.alert_channel = channel.lstrip("#")
    message = the_message(services, world, scene)
    match = re.search(r"<(\S+?)\|([^>]+)>", visible_text(message))
    assert match, visible_text(message)
    url, text = match.groups()
    assert text == title
    assert re.fullmatch(rf"{re.escape(services.ilert_url)}/alerts/\d+", url), url


@then(parsers.parse("the alert's message says it is assigned to the {role}"))
def assigned_to(services: Services, world: World, scene: Scene, role: str) -> None:
    text = visible_text(the_message(services, world, scene))
    assert f"Assigned to *{world.person(role_of(role)).name}*" in text, text


@then(parsers.parse('the alert\'s message has the buttons "{first}" and "{second}"'))
def has_buttons(services: Services, world: World, scene: Scene, first: str, second: str) -> None:
    assert button_labels(the_message(services, world, scene)) == [first, second]


@then(parsers.parse('the alert\'s message has only the button "{label}"'))
def has_one_button(services: Services, world: World, scene: Scene, label: str) -> None:
    assert button_labels(the_message(services, world, scene)) == [label]


@then("the alert's message has no buttons")
def has_no_buttons(services: Services, world: World, scene: Scene) -> None:
    assert button_labels(the_message(services, world, scene)) == []


@then(parsers.parse('"{channel}" shows no alert messages'))
def no_alert_messages(services: Services, world: World, channel: str) -> None:
    assert alert_messages(services, world, channel) == []


@when(parsers.parse('the {role} clicks "{label}" on the alert\'s message'))
def click_alert(services: Services, world: World, scene: Scene, role: str, label: str) -> None:
    person = world.person(role_of(role))
    click_alert_as(services, world, scene, person.slack_id, label)


def click_alert_as(
    services: Services, world: World, scene: Scene, slack_user: str, label: str
) -> None:
    message = the_message(services, world, scene)
    answer = services.slack.click(
        channel_id=channel_id(world, scene.alert_channel),
        message_ts=message["ts"],
        user_id=slack_user,
        label=label,
    )
    assert answer["ok"], answer


@then(parsers.parse("the alert is {status} in ilert by the {role}"))
def alert_status_by(services: Services, world: World, scene: Scene, status: str, role: str) -> None:
    alert = current_alert(services, world, scene)
    assert alert["status"] == status
    person = world.person(role_of(role))
    by = alert["acknowledgedBy"] if status == "ACCEPTED" else alert["resolvedBy"]
    assert by and by["id"] == person.ilert_id, by


@then(parsers.parse("the alert is still {status} in ilert"))
def alert_status(services: Services, world: World, scene: Scene, status: str) -> None:
    assert current_alert(services, world, scene)["status"] == status


@then(parsers.parse('the alert\'s message reads "{title}"'))
def message_reads(services: Services, world: World, scene: Scene, title: str) -> None:
    text = visible_text(the_message(services, world, scene))
    assert f"|{title}>" in text, text


@given(parsers.parse('a Slack user with no ilert account is in "{channel}"'))
def stranger(services: Services, world: World, scene: Scene, channel: str) -> None:
    scene.stranger = services.slack.create_user(
        world.team_id,
        name="visitor",
        email=f"visitor@{world.team_domain}.elsewhere.example",
        real_name="Visiting Contractor",
    )
    services.slack.invite(channel_id(world, channel), scene.stranger["id"])


@when(parsers.parse('that Slack user clicks "{label}" on the alert\'s message'))
def stranger_clicks(services: Services, world: World, scene: Scene, label: str) -> None:
    assert scene.stranger is not None
    click_alert_as(services, world, scene, scene.stranger["id"], label)


@then("that Slack user alone is told that no ilert user has their e-mail address")
def stranger_told(services: Services, world: World, scene: Scene) -> None:
    assert scene.stranger is not None
    channel = channel_id(world, scene.alert_channel)
    mine = [
        visible_text(m)
        for m in services.slack.messages(channel, user_id=scene.stranger["id"])
        if m.get("ephemeral_to") == scene.stranger["id"]
    ]
    assert any("no ilert user" in t and scene.stranger["profile"]["email"] in t for t in mine), mine
    admin = world.person("ADMIN")
    theirs = [visible_text(m) for m in services.slack.messages(channel, user_id=admin.slack_id)]
    assert not any("no ilert user" in t for t in theirs)


def alert_path(scene: Scene) -> str:
    assert scene.alert is not None
    return f"/alerts/{scene.alert['id']}"


@when("15 minutes pass without anyone accepting the alert")
@when("the alert is not accepted for 15 minutes")
def fifteen_minutes(services: Services) -> None:
    services.ilert.advance_clock(15 * 60)


@when(parsers.parse("the Admin assigns the alert to the {role} in ilert"))
@when(parsers.parse("the alert is assigned to the {role} in ilert"))
def assign(services: Services, world: World, scene: Scene, role: str) -> None:
    person, admin = world.person(role_of(role)), world.person("ADMIN")
    services.ilert.call(
        "PUT", f"{alert_path(scene)}/assign", key=admin.api_key, params={"user-id": person.ilert_id}
    )


VERB = {
    "accepts": ("accept", "Accept"),
    "resolves": ("resolve", "Resolve"),
    "accepted": ("accept", "Accept"),
    "resolved": ("resolve", "Resolve"),
}


@when(parsers.re(r"the Admin (?P<action>accepts|resolves) the alert (?P<where>.+)"))
@when(parsers.re(r"the alert is (?P<action>accepted|resolved) (?P<where>.+)"))
def act_on_alert(services: Services, world: World, scene: Scene, action: str, where: str) -> None:
    verb, label = VERB[action]
    admin = world.person("ADMIN")
    if where == "in Slack":
        click_alert_as(services, world, scene, admin.slack_id, label)
    elif where == "through ilert's API":
        services.ilert.call("PUT", f"{alert_path(scene)}/{verb}", key=admin.api_key)
    elif where == "on ilert's alert page":
        browser = Browser()
        browser.submit(f"{services.ilert_url}/login", {"user_id": admin.ilert_id})
        visit = browser.submit(f"{services.ilert_url}{alert_path(scene)}/{verb}", {})
        assert visit.status == 200, visit.text[:300]
    else:
        raise AssertionError(f"no way to act {where!r}")


def thread_of(services: Services, world: World, scene: Scene) -> list[str]:
    return [visible_text(reply) for reply in the_message(services, world, scene)["replies"]]


@then(parsers.parse('the alert\'s thread tells "{note}" the {role}'))
def thread_tells_about(
    services: Services, world: World, scene: Scene, note: str, role: str
) -> None:
    name = world.person(role_of(role)).name
    replies = thread_of(services, world, scene)
    assert [r for r in replies if note in r and name in r], replies


@then(parsers.parse('the alert\'s thread tells "{note}"'))
def thread_tells(services: Services, world: World, scene: Scene, note: str) -> None:
    replies = thread_of(services, world, scene)
    assert [r for r in replies if note in r], replies


@then(parsers.parse('the alert\'s thread holds, in order, "{first}", "{second}" and "{third}"'))
def thread_in_order(
    services: Services, world: World, scene: Scene, first: str, second: str, third: str
) -> None:
    replies = thread_of(services, world, scene)
    assert len(replies) == 3, replies
    for reply, note in zip(replies, (first, second, third), strict=True):
        assert note in reply, replies


@then("the alert's thread is empty")
def thread_empty(services: Services, world: World, scene: Scene) -> None:
    assert thread_of(services, world, scene) == []


@then(parsers.parse('"{channel}" still has one message for the alert'))
def one_message(services: Services, world: World, channel: str) -> None:
    assert len(alert_messages(services, world, channel)) == 1


@then(parsers.parse('the alert\'s message still reads "{title}" and was never edited'))
def never_edited(services: Services, world: World, scene: Scene, title: str) -> None:
    message = the_message(services, world, scene)
    assert f"|{title}>" in visible_text(message)
    assert not message.get("edited")


def channel_alert_action(services: Services, world: World, scene: Scene) -> Json:
    [action] = slack_actions_for(services, world, "New Relic", scene.alert_channel)
    return action


@given(parsers.parse('the channel\'s alert action publishes only "{first}" and "{second}"'))
@given(parsers.parse('the channel\'s alert action publishes only "{first}"'))
def choose_trigger_types(
    services: Services, world: World, scene: Scene, first: str, second: str = ""
) -> None:
    action = channel_alert_action(services, world, scene)
    chosen = [t for t in (first, second) if t]
    services.ilert.call(
        "PUT",
        f"/alert-actions/{action['id']}",
        key=world.owner_key,
        json={**action, "triggerTypes": chosen},
    )
    assert channel_alert_action(services, world, scene)["triggerTypes"] == chosen


@given("Slack will store the next message but lose its answer")
def lose_next_post_answer(services: Services) -> None:
    services.slack.add_fault(method="chat.postMessage", count=1, drop_connection=True, when="after")


@given(parsers.parse("Slack will answer the next {count:d} updates of a message with a rate limit"))
def rate_limit_updates(services: Services, count: int) -> None:
    services.slack.add_fault(
        method="chat.update",
        count=count,
        status=429,
        error="ratelimited",
        retry_after=1,
        when="before",
    )


@given("Slack will fail the next thread reply with a server error after storing it")
def fail_next_reply(services: Services) -> None:
    services.slack.add_fault(
        method="chat.postMessage", count=1, status=500, error="internal_error", when="after"
    )


@when("ilert has retried everything the connector could not confirm")
def retried_everything(services: Services) -> None:
    services.ilert.settle_deliveries()


@when("the connector restarts")
def connector_restarts(restart_connector: Any) -> None:
    restart_connector()


@then(parsers.parse('"{channel}" has exactly one message for the alert'))
def exactly_one_message(services: Services, world: World, scene: Scene, channel: str) -> None:
    scene.alert_channel = channel.lstrip("#")
    assert len(alert_messages(services, world, channel)) == 1


@then(parsers.parse('the alert\'s thread holds, in order, "{first}" and "{second}"'))
def thread_two_in_order(
    services: Services, world: World, scene: Scene, first: str, second: str
) -> None:
    replies = thread_of(services, world, scene)
    assert len(replies) == 2, replies
    assert first in replies[0] and second in replies[1], replies
