"""Steps for alerts in Slack, their updates and their delivery (CHAN-7, CHAN-8, FAQ-2, FAQ-3,
MAP-1, REL-1)."""

from __future__ import annotations

import re
from collections.abc import Callable

from pytest_bdd import given, parsers, then, when

from harness.driver import (
    IlertWeb,
    Services,
    button_labels,
    visible_text,
)
from harness.seed import World
from tests.bdd.steps.common import (
    Json,
    alert_messages,
    channel_id,
    current_alert,
    ilert_web,
    message_of,
    role_of,
    slack_actions_for,
    the_message,
)

# The kinds of update an alert action can publish, by ilert's name for each.
KINDS = {
    "new alerts": "alert-created",
    "escalations": "alert-auto-escalated",
    "assignments": "alert-assigned",
    "acceptances": "alert-acknowledged",
    "resolutions": "alert-resolved",
}


@when(parsers.parse('an alert "{summary}" is created on "{source}"'), target_fixture="alert")
def alert_created(services: Services, world: World, summary: str, source: str) -> Json:
    return services.ilert.create_alert(
        world.owner_key, summary=summary, source_id=world.source(source)["id"]
    )


@given(
    parsers.parse('an alert "{summary}" on "{source}" is posted in "{channel}"'),
    target_fixture="alert",
)
def alert_posted(services: Services, world: World, summary: str, source: str, channel: str) -> Json:
    alert = alert_created(services, world, summary, source)
    assert message_of(services, world, alert)[0] == channel.lstrip("#")
    return alert


@when(
    parsers.parse('a monitoring tool reports "{summary}" with the integration key of "{source}"'),
    target_fixture="alert",
)
def event_reported(services: Services, world: World, summary: str, source: str) -> Json:
    response = services.ilert.send_event(
        {
            "integrationKey": world.source(source)["integrationKey"],
            "eventType": "ALERT",
            "summary": summary,
            "alertKey": summary.lower().replace(" ", "-"),
        }
    )
    assert response.status_code == 202, response.text
    alerts = services.ilert.alerts(world.owner_key, source_id=world.source(source)["id"])
    [alert] = [a for a in alerts if a["summary"] == summary]
    return alert


@then(parsers.parse('"{channel}" shows the alert "{title}" linked to the alert in ilert'))
def shows_alert(services: Services, world: World, alert: Json, channel: str, title: str) -> None:
    where, message = message_of(services, world, alert)
    assert where == channel.lstrip("#")
    match = re.search(r"<(\S+?)\|([^>]+)>", visible_text(message))
    assert match, visible_text(message)
    url, text = match.groups()
    assert text == title
    assert url == IlertWeb(services.ilert_url).alert_url(alert["id"]), url


@then(parsers.parse("the alert's message says it is assigned to the {role}"))
def assigned_to(services: Services, world: World, alert: Json, role: str) -> None:
    text = visible_text(the_message(services, world, alert))
    name = world.person(role_of(role)).name
    assert f"Assigned to *{name}*" in text, f"the message is not assigned to {name}: {text!r}"


@then(parsers.parse('the alert\'s message has the buttons "{first}" and "{second}"'))
def has_buttons(services: Services, world: World, alert: Json, first: str, second: str) -> None:
    assert button_labels(the_message(services, world, alert)) == [first, second]


@then(parsers.parse('the alert\'s message has only the button "{label}"'))
def has_one_button(services: Services, world: World, alert: Json, label: str) -> None:
    assert button_labels(the_message(services, world, alert)) == [label]


@then("the alert's message has no buttons")
def has_no_buttons(services: Services, world: World, alert: Json) -> None:
    assert button_labels(the_message(services, world, alert)) == []


@then(parsers.parse('"{channel}" shows no alert messages'))
def no_alert_messages(services: Services, world: World, channel: str) -> None:
    assert alert_messages(services, world, channel) == []


def click_alert_as(
    services: Services, world: World, alert: Json, slack_user: str, label: str
) -> None:
    channel, message = message_of(services, world, alert)
    answer = services.slack.click(
        channel_id=channel_id(world, channel),
        message_ts=message["ts"],
        user_id=slack_user,
        label=label,
    )
    assert answer["ok"], answer


@when(parsers.parse('the {role} clicks "{label}" on the alert\'s message'))
def click_alert(services: Services, world: World, alert: Json, role: str, label: str) -> None:
    click_alert_as(services, world, alert, world.person(role_of(role)).slack_id, label)


@then(parsers.parse("the alert is {status} in ilert by the {role}"))
def alert_status_by(services: Services, world: World, alert: Json, status: str, role: str) -> None:
    now = current_alert(services, world, alert)
    assert now["status"] == status.upper()
    person = world.person(role_of(role))
    by = now["acknowledgedBy"] if status == "accepted" else now["resolvedBy"]
    assert by and by["id"] == person.ilert_id, by


@then(parsers.parse("the alert is still {status} in ilert"))
def alert_status(services: Services, world: World, alert: Json, status: str) -> None:
    assert current_alert(services, world, alert)["status"] == status.upper()


@then(parsers.parse('the alert\'s message reads "{title}"'))
def message_reads(services: Services, world: World, alert: Json, title: str) -> None:
    text = visible_text(the_message(services, world, alert))
    assert f"|{title}>" in text, f"the alert's message does not read {title!r}: {text!r}"


@given(
    parsers.parse('a Slack user with no ilert account is in "{channel}"'),
    target_fixture="slack_visitor",
)
def stranger(services: Services, world: World, channel: str) -> Json:
    visitor = services.slack.create_user(
        world.team_id,
        name="visitor",
        email=f"visitor@{world.team_domain}.elsewhere.example",
        real_name="Visiting Contractor",
    )
    services.slack.invite(channel_id(world, channel), visitor["id"])
    return visitor


@given(
    "an ilert responder and a Slack user with another name share an e-mail address, written "
    "in capitals in Slack",
    target_fixture="slack_visitor",
)
def shared_address(services: Services, world: World, alert: Json) -> Json:
    email = f"pat.doe@{world.team_domain}.example"
    services.ilert.create_user(
        world.account_id, firstName="Pat", lastName="Doe", email=email, role="RESPONDER"
    )
    visitor = services.slack.create_user(
        world.team_id, name="night-shift-42", email=email.upper(), real_name="Night Shift"
    )
    channel, _ = message_of(services, world, alert)
    services.slack.invite(channel_id(world, channel), visitor["id"])
    return visitor


@when(parsers.parse('that Slack user clicks "{label}" on the alert\'s message'))
def visitor_clicks(
    services: Services, world: World, alert: Json, slack_visitor: Json, label: str
) -> None:
    click_alert_as(services, world, alert, slack_visitor["id"], label)


@then("that Slack user alone is told that no ilert user has their e-mail address")
def visitor_told(services: Services, world: World, alert: Json, slack_visitor: Json) -> None:
    channel = channel_id(world, message_of(services, world, alert)[0])
    mine = [
        visible_text(m)
        for m in services.slack.messages(channel, user_id=slack_visitor["id"])
        if m.get("ephemeral_to") == slack_visitor["id"]
    ]
    email = slack_visitor["profile"]["email"]
    assert any("no ilert user" in t and email in t for t in mine), mine
    admin = world.person("ADMIN")
    theirs = [visible_text(m) for m in services.slack.messages(channel, user_id=admin.slack_id)]
    assert not any("no ilert user" in t for t in theirs)


@then("the alert is accepted in ilert by that ilert responder")
def accepted_by_mapped(services: Services, world: World, alert: Json, slack_visitor: Json) -> None:
    now = current_alert(services, world, alert)
    assert now["status"] == "ACCEPTED"
    assert now["acknowledgedBy"]["email"].lower() == slack_visitor["profile"]["email"].lower()
    assert now["acknowledgedBy"]["firstName"] == "Pat", now["acknowledgedBy"]


@when("the alert is not accepted for 15 minutes")
def fifteen_minutes(services: Services) -> None:
    services.ilert.advance_clock(15 * 60)


@when(parsers.parse("the Admin assigns the alert to the {role} in ilert"))
def assign(services: Services, world: World, alert: Json, role: str) -> None:
    person, admin = world.person(role_of(role)), world.person("ADMIN")
    services.ilert.assign_alert(admin.api_key, alert["id"], user_id=person.ilert_id)


def act_in_slack(services: Services, world: World, alert: Json, action: str) -> None:
    click_alert_as(services, world, alert, world.person("ADMIN").slack_id, action.capitalize())


def act_through_api(services: Services, world: World, alert: Json, action: str) -> None:
    key = world.person("ADMIN").api_key
    act = services.ilert.accept_alert if action == "accept" else services.ilert.resolve_alert
    act(key, alert["id"])


def act_on_page(services: Services, world: World, alert: Json, action: str) -> None:
    ilert_web(services, world.person("ADMIN")).act_on_alert(alert["id"], action)


WHERE: dict[str, Callable[[Services, World, Json, str], None]] = {
    "in Slack": act_in_slack,
    "through ilert's API": act_through_api,
    "on ilert's alert page": act_on_page,
}


@when(parsers.re(r"the Admin (?P<action>accepts|resolves) the alert (?P<where>.+)"))
def act_on_alert(services: Services, world: World, alert: Json, action: str, where: str) -> None:
    WHERE[where](services, world, alert, action.removesuffix("s"))


def thread_of(services: Services, world: World, alert: Json) -> list[str]:
    return [visible_text(reply) for reply in the_message(services, world, alert)["replies"]]


@then(parsers.parse('the alert\'s thread tells "{note}" the {role}'))
def thread_tells_about(services: Services, world: World, alert: Json, note: str, role: str) -> None:
    name = world.person(role_of(role)).name
    replies = thread_of(services, world, alert)
    told = [r for r in replies if note in r and name in r]
    assert told, f"no reply in the thread tells {note!r} {name}; the thread holds {replies}"


@then(parsers.parse('the alert\'s thread tells "{note}"'))
def thread_tells(services: Services, world: World, alert: Json, note: str) -> None:
    replies = thread_of(services, world, alert)
    told = [r for r in replies if note in r]
    assert told, f"no reply in the thread tells {note!r}; the thread holds {replies}"


@then("the alert's thread holds, in order:")
def thread_in_order(
    services: Services, world: World, alert: Json, datatable: list[list[str]]
) -> None:
    notes = [row[0] for row in datatable]
    replies = thread_of(services, world, alert)
    assert len(replies) == len(notes), replies
    for reply, note in zip(replies, notes, strict=True):
        assert note in reply, replies


@then("the alert's thread is empty")
def thread_empty(services: Services, world: World, alert: Json) -> None:
    assert thread_of(services, world, alert) == []


@then(parsers.parse('"{channel}" has exactly one message for the alert'))
def exactly_one_message(services: Services, world: World, alert: Json, channel: str) -> None:
    messages = alert_messages(services, world, channel)
    assert len(messages) == 1, [visible_text(m) for m in messages]


@then(parsers.parse('the alert\'s message still reads "{title}" and was never edited'))
def never_edited(services: Services, world: World, alert: Json, title: str) -> None:
    message = the_message(services, world, alert)
    assert f"|{title}>" in visible_text(message)
    assert not message.get("edited")


@given(parsers.parse("the channel's alert action publishes only {kinds}"))
def choose_kinds(services: Services, world: World, alert: Json, kinds: str) -> None:
    channel, _ = message_of(services, world, alert)
    [action] = slack_actions_for(services, world, alert["alertSource"]["name"], channel)
    chosen = [KINDS[kind] for kind in kinds.split(" and ")]
    services.ilert.update_alert_action(world.owner_key, {**action, "triggerTypes": chosen})
    [updated] = slack_actions_for(services, world, alert["alertSource"]["name"], channel)
    assert updated["triggerTypes"] == chosen


@given("Slack will store the next message but lose its answer")
def lose_next_post_answer(services: Services) -> None:
    services.slack.add_fault(method="chat.postMessage", count=1, drop_connection=True, when="after")


@given(
    parsers.parse("Slack will refuse the next {count:d} updates of a message for going too fast")
)
def rate_limit_updates(services: Services, count: int) -> None:
    services.slack.add_fault(
        method="chat.update",
        count=count,
        status=429,
        error="ratelimited",
        retry_after=1,
        when="before",
    )


@given("Slack will fail the next thread reply after storing it")
def fail_next_reply(services: Services) -> None:
    services.slack.add_fault(
        method="chat.postMessage", count=1, status=500, error="internal_error", when="after"
    )


@given(
    parsers.parse("Slack will make the next {count:d} updates of a message but lose their answers")
)
def lose_update_answers(services: Services, count: int) -> None:
    services.slack.add_fault(method="chat.update", count=count, drop_connection=True, when="after")


@then("ilert's log of the alert shows no failed attempt to notify Slack")
def no_failed_attempt(services: Services, world: World, alert: Json) -> None:
    entries = services.ilert.alert_log(world.owner_key, alert["id"])
    failed = [e["text"] for e in entries if e["logEntryType"] == "AlertActionFailLogEntry"]
    notified = [e["text"] for e in entries if e["logEntryType"] == "AlertActionSuccessLogEntry"]
    assert notified and not failed, (notified, failed)


@when("ilert has retried everything the connector could not confirm")
def retried_everything(services: Services) -> None:
    services.ilert.settle_deliveries()


@when("the connector restarts")
def connector_restarts(restart_connector: Callable[[], None]) -> None:
    restart_connector()
