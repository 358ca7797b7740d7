"""Step definitions for features/: each step calls the HTTP driver, never a service's code."""

from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from pytest_bdd import given, parsers, then, when

from harness.driver import (
    Browser,
    PageReader,
    PageVisit,
    Services,
    authorize_workspace,
    button_labels,
    find_button,
    select_options,
    slack_signature,
    visible_text,
)
from harness.seed import Person, World, build_world

Json = dict[str, Any]
_worlds = itertools.count(100)


@pytest.fixture(scope="session")
def services(sim_services: Services) -> Services:
    """The services under test: the harness's own, or running ones (see harness.pytest_plugin)."""
    return sim_services


@dataclass
class Scene:
    """What one scenario has done so far, passed from step to step."""

    visits: list[PageVisit] = field(default_factory=list)
    browser: Browser = field(default_factory=Browser)
    menu: dict[str, Json] = field(default_factory=dict)  # per role: the /ilert menu it sees
    alert: Json | None = None
    alert_channel: str = "ops-alerts"
    stranger: Json | None = None
    response: requests.Response | None = None
    slack_answer: Json = field(default_factory=dict)
    listed: dict[str, list[Json]] = field(default_factory=dict)
    menus_before: int = 0
    connector_id: str = ""
    mapped_user: Json = field(default_factory=dict)

    @property
    def visit(self) -> PageVisit:
        return self.visits[-1]


@pytest.fixture
def scene() -> Scene:
    return Scene()


ROLE = {
    "admin": "ADMIN",
    "user": "USER",
    "responder": "RESPONDER",
    "stakeholder": "STAKEHOLDER",
    "guest": "GUEST",
    "account owner": "OWNER",
}


def role_of(name: str) -> str:
    return ROLE[name.lower()]


# Given: the world


@given("an ilert account and a Slack workspace with the same people", target_fixture="world")
def a_world(services: Services) -> World:
    return build_world(services.ilert, services.slack, seed=next(_worlds))


def authorize(
    services: Services,
    world: World,
    scene: Scene,
    decision: str = "allow",
    *,
    role: str = "ADMIN",
    slack_user_id: str | None = None,
    withhold_scopes: tuple[str, ...] = (),
) -> PageVisit:
    """A whole authorization in a fresh browser (no Slack session left from earlier steps)."""
    person = world.person(role)
    scene.browser = Browser()
    visit = authorize_workspace(
        ilert_url=services.ilert_url,
        slack_url=services.slack_url,
        ilert_user_id=person.ilert_id,
        slack_user_id=slack_user_id or person.slack_id,
        decision=decision,
        browser=scene.browser,
        withhold_scopes=withhold_scopes,
    )
    scene.visits.append(visit)
    return visit


@given("the workspace is linked to the ilert account")
@given("the Admin has authorized the workspace")
def linked(services: Services, world: World, scene: Scene) -> None:
    visit = authorize(services, world, scene)
    assert visit.query.get("status") == "success", visit.text[:500]


# ilert's pages


@when("the Admin opens the Connectors page in ilert")
def open_connectors(services: Services, world: World, scene: Scene) -> None:
    scene.browser.submit(f"{services.ilert_url}/login", {"user_id": world.person("ADMIN").ilert_id})
    scene.visits.append(scene.browser.get(f"{services.ilert_url}/connectors"))


@when("the Admin opens the Slack Workspace Integration in ilert")
def open_slack_connector(services: Services, world: World, scene: Scene) -> None:
    scene.browser.submit(f"{services.ilert_url}/login", {"user_id": world.person("ADMIN").ilert_id})
    scene.visits.append(scene.browser.get(f"{services.ilert_url}/connectors/slack"))


@then(parsers.parse('the page lists the "{entry}"'))
def page_lists(scene: Scene, entry: str) -> None:
    assert scene.visit.status == 200
    assert entry in scene.visit.text


@then(parsers.parse('the page offers the button "{label}"'))
def page_offers_button(scene: Scene, label: str) -> None:
    assert re.search(rf"<button[^>]*>\s*{re.escape(label)}\s*</button>", scene.visit.text), (
        f"no button {label!r} on {scene.visit.url}"
    )


def slack_connectors(services: Services, world: World) -> list[Json]:
    connectors = services.ilert.call("GET", "/connectors", key=world.owner_key)
    return [c for c in connectors if c["type"].lower() == "slack"]


@then("no Slack workspace is linked to the ilert account")
def nothing_linked(services: Services, world: World) -> None:
    assert slack_connectors(services, world) == []


@then("the Slack workspace is linked to the ilert account")
def workspace_linked(services: Services, world: World) -> None:
    [connector] = slack_connectors(services, world)
    assert connector["params"]["teamId"] == world.team_id


# the OAuth journey


@when(parsers.parse("the {role} clicks Authorize in ilert"))
def click_authorize(services: Services, world: World, scene: Scene, role: str = "Admin") -> None:
    person = world.person(role_of(role))
    scene.browser.submit(f"{services.ilert_url}/login", {"user_id": person.ilert_id})
    scene.visits.append(
        scene.browser.submit(f"{services.ilert_url}/connectors/slack/authorize", {})
    )


@when("the Admin clicks Authorize in ilert twice")
def click_authorize_twice(services: Services, world: World, scene: Scene) -> None:
    click_authorize(services, world, scene)
    scene.browser = Browser()
    click_authorize(services, world, scene)


def authorize_request(visit: PageVisit) -> dict[str, str]:
    """The query Slack's authorize page was opened with, even behind Slack's log-in page."""
    query = visit.query
    if urlparse(visit.url).path == "/login":
        query = {k: v[0] for k, v in parse_qs(urlparse(query["next"]).query).items()}
    return query


@then("Slack asks the person to log in first")
def slack_login_first(services: Services, scene: Scene) -> None:
    assert scene.visit.url.startswith(f"{services.slack_url}/login"), scene.visit.url
    assert scene.visit.status == 200


@then("after logging in, Slack's consent page names the workspace and the permissions asked for")
def consent_page(services: Services, world: World, scene: Scene) -> None:
    visit = scene.browser.submit(
        f"{services.slack_url}/login",
        {"user_id": world.person("ADMIN").slack_id, "next": scene.visit.query["next"]},
    )
    assert urlparse(visit.url).path == "/oauth/v2/authorize"
    assert world.team_name in visit.text
    for scope in ("chat:write", "commands", "users:read.email"):
        assert scope in visit.text
    assert re.search(r"<button[^>]*>\s*Allow\s*</button>", visit.text)


@then(
    "the request to Slack carries the app's client id, the connector's return address and a state"
)
def authorize_request_shape(services: Services, scene: Scene) -> None:
    query = authorize_request(scene.visit)
    app = next(a for a in services.slack.state()["apps"] if a["name"] == "ilert")
    assert query["client_id"] == app["client_id"]
    assert query["redirect_uri"] == f"{services.connector_url}/slack/oauth_redirect"
    assert set(query["scope"].split(",")) >= {"commands", "chat:write", "users:read.email"}
    assert len(query["state"]) >= 16


@then("the two requests to Slack carry different, unguessable states")
def different_states(scene: Scene) -> None:
    first, second = (authorize_request(v)["state"] for v in scene.visits[-2:])
    assert first != second
    assert len(first) >= 16 and len(second) >= 16


@when("the Admin authorizes the workspace and allows access in Slack")
def allow(services: Services, world: World, scene: Scene) -> None:
    authorize(services, world, scene, "allow")


@when("the Admin authorizes the workspace and cancels in Slack")
def cancel(services: Services, world: World, scene: Scene) -> None:
    authorize(services, world, scene, "deny")


@then("ilert shows a success message naming the workspace's address and team name")
def success_message(services: Services, world: World, scene: Scene) -> None:
    visit = scene.visit
    assert visit.url.startswith(f"{services.ilert_url}/connectors/slack")
    assert visit.query.get("status") == "success"
    assert f"https://{world.team_domain}.slack.com" in visit.text
    assert world.team_name in visit.text


@then("ilert shows an error saying access was not allowed")
def denied_message(services: Services, scene: Scene) -> None:
    visit = scene.visit
    assert visit.url.startswith(f"{services.ilert_url}/connectors/slack")
    assert visit.query.get("status") == "error"
    assert "not allowed" in visit.text


@when("Slack's answer to that authorization arrives a second time")
def replay_callback(services: Services, scene: Scene) -> None:
    callback = next(
        url
        for url in scene.browser.history
        if url.startswith(f"{services.connector_url}/slack/oauth_redirect")
    )
    scene.visits.append(scene.browser.get(callback))


@then("the connector refuses it because the state was already used")
def replay_refused(scene: Scene) -> None:
    assert scene.visit.status == 400
    assert "already used" in scene.visit.text


# /ilert and the channel menu


def channel_id(world: World, name: str) -> str:
    return world.channel(name)["id"]


def latest_menu(services: Services, world: World, channel: str, slack_user: str) -> Json:
    messages = services.slack.messages(channel_id(world, channel), user_id=slack_user)
    menus = [
        m
        for m in messages
        if m.get("ephemeral_to") == slack_user and "Manage the alert sources" in visible_text(m)
    ]
    assert menus, f"no channel menu visible to {slack_user}: {messages}"
    return menus[-1]


@when(parsers.parse('the {role} types "/ilert" in "{channel}"'))
def type_ilert(services: Services, world: World, scene: Scene, role: str, channel: str) -> None:
    person = world.person(role_of(role))
    answer = services.slack.command(
        team_id=world.team_id,
        channel_id=channel_id(world, channel),
        user_id=person.slack_id,
        command="/ilert",
    )
    assert answer["ok"], answer
    scene.menu[role_of(role)] = latest_menu(services, world, channel, person.slack_id)


def menu_of(scene: Scene, role: str = "ADMIN") -> Json:
    return scene.menu[role]


def refresh_menu(services: Services, world: World, scene: Scene, role: str) -> Json:
    person = world.person(role)
    scene.menu[role] = latest_menu(services, world, "ops-alerts", person.slack_id)
    return scene.menu[role]


@then(parsers.parse('the Admin alone sees the configuration menu of "{channel}"'))
def menu_only_for_admin(services: Services, world: World, channel: str) -> None:
    admin, user = world.person("ADMIN"), world.person("USER")
    assert latest_menu(services, world, channel, admin.slack_id)
    seen_by_user = services.slack.messages(channel_id(world, channel), user_id=user.slack_id)
    assert not [m for m in seen_by_user if "Manage the alert sources" in visible_text(m)]


@then(parsers.parse('the menu says "{text}"'))
def menu_says(services: Services, world: World, scene: Scene, text: str) -> None:
    menu = refresh_menu(services, world, scene, "ADMIN")
    assert text in visible_text(menu), visible_text(menu)


@then(parsers.parse('the menu offers to add "{first}", "{second}" and "{third}"'))
def menu_offers(scene: Scene, world: World, first: str, second: str, third: str) -> None:
    options = select_options(menu_of(scene))
    for name in (first, second, third):
        source = world.source(name)
        assert f"[{source['id']}] {name}" in options, options


@then(parsers.parse('the menu no longer offers "{name}"'))
def menu_does_not_offer(scene: Scene, world: World, name: str) -> None:
    source = world.source(name)
    assert f"[{source['id']}] {name}" not in select_options(menu_of(scene))


@when(parsers.parse('the {role} chooses "{name}" in the menu'))
def choose_source(services: Services, world: World, scene: Scene, role: str, name: str) -> None:
    person, source = world.person(role_of(role)), world.source(name)
    menu = menu_of(scene, role_of(role))
    answer = services.slack.select(
        channel_id=channel_id(world, "ops-alerts"),
        message_ts=menu["ts"],
        user_id=person.slack_id,
        option=f"[{source['id']}] {name}",
    )
    assert answer["ok"], answer


@when(parsers.parse('the Admin clicks "{label}" in the menu'))
def click_in_menu(services: Services, world: World, scene: Scene, label: str) -> None:
    admin = world.person("ADMIN")
    answer = services.slack.click(
        channel_id=channel_id(world, "ops-alerts"),
        message_ts=menu_of(scene)["ts"],
        user_id=admin.slack_id,
        label=label,
    )
    assert answer["ok"], answer


@then(parsers.parse('the menu confirms that the Admin added "{name}" to the channel'))
def menu_confirms(services: Services, world: World, scene: Scene, name: str) -> None:
    admin, source = world.person("ADMIN"), world.source(name)
    text = visible_text(refresh_menu(services, world, scene, "ADMIN"))
    assert f"<@{admin.slack_id}>: Alert source" in text
    assert f"[{source['id']}] {name}" in text and "added to the channel" in text


@then(parsers.parse('the menu lists "{name}" with a "{label}" button'))
def menu_lists(services: Services, world: World, scene: Scene, name: str, label: str) -> None:
    menu = refresh_menu(services, world, scene, "ADMIN")
    source = world.source(name)
    assert f"{services.ilert_url}/alert-sources/{source['id']}|[{source['id']}] {name}" in (
        visible_text(menu)
    )
    assert label in button_labels(menu)


def slack_actions_for(services: Services, world: World, name: str, channel: str) -> list[Json]:
    source = world.source(name)
    actions = services.ilert.call(
        "GET", "/alert-actions", key=world.owner_key, params={"source": source["id"]}
    )
    return [
        a
        for a in actions
        if a["connectorType"].lower() == "slack"
        and a["params"].get("channelId") == channel_id(world, channel)
    ]


@then(
    parsers.parse('ilert publishes "{name}" automatically to "{channel}" of the linked workspace')
)
def publishes(services: Services, world: World, name: str, channel: str) -> None:
    [action] = slack_actions_for(services, world, name, channel)
    assert action["triggerMode"] == "AUTOMATIC"
    assert "alert-created" in action["triggerTypes"]
    assert action["params"] == {
        "channelId": channel_id(world, channel),
        "channelName": channel.lstrip("#"),
        "teamId": world.team_id,
        "teamDomain": world.team_domain,
    }


@then(parsers.parse('ilert has exactly one alert action for "{name}" and "{channel}"'))
def exactly_one(services: Services, world: World, name: str, channel: str) -> None:
    assert len(slack_actions_for(services, world, name, channel)) == 1


@then(parsers.parse('ilert no longer publishes "{name}" to "{channel}"'))
@then(parsers.parse('ilert does not publish "{name}" to "{channel}"'))
def not_published(services: Services, world: World, name: str, channel: str) -> None:
    assert slack_actions_for(services, world, name, channel) == []


@then(parsers.parse("the {role} alone is told that their ilert role may not change alert sources"))
def told_role(services: Services, world: World, role: str) -> None:
    person, admin = world.person(role_of(role)), world.person("ADMIN")
    channel = channel_id(world, "ops-alerts")
    mine = [
        visible_text(m)
        for m in services.slack.messages(channel, user_id=person.slack_id)
        if m.get("ephemeral_to") == person.slack_id
    ]
    assert any("role" in text.lower() for text in mine), mine
    theirs = [visible_text(m) for m in services.slack.messages(channel, user_id=admin.slack_id)]
    assert not any("role" in text.lower() for text in theirs)


@given(parsers.parse('"{name}" is linked to "{channel}"'))
def source_linked(services: Services, world: World, scene: Scene, name: str, channel: str) -> None:
    type_ilert(services, world, scene, "Admin", channel)
    choose_source(services, world, scene, "Admin", name)
    publishes(services, world, name, channel)


# alerts


def alert_messages(services: Services, world: World, channel: str) -> list[Json]:
    services.ilert.wait_for_deliveries()
    return [
        m
        for m in services.slack.messages(channel_id(world, channel))
        if m.get("bot_id") and not m.get("ephemeral_to") and m.get("attachments")
    ]


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


def the_message(services: Services, world: World, scene: Scene) -> Json:
    [message] = alert_messages(services, world, scene.alert_channel)
    return message


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


def current_alert(services: Services, world: World, scene: Scene) -> Json:
    assert scene.alert is not None
    return services.ilert.call("GET", f"/alerts/{scene.alert['id']}", key=world.owner_key)


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


# security: requests that do not come from Slack


def signing_secret(services: Services) -> str:
    return next(a for a in services.slack.state()["apps"] if a["name"] == "ilert")["signing_secret"]


def send_to_connector(services: Services, scene: Scene, body: str, how: str) -> None:
    secret, now = signing_secret(services), int(time.time())
    timestamp, signed_body = str(now), body
    if how == "signed with another secret":
        secret = "not-the-apps-signing-secret"
    elif how == "signed correctly six minutes ago":
        timestamp = str(now - 360)
    elif how == "signed correctly for a different body":
        signed_body = body + "&extra=1"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if how != "without a signature":
        headers["X-Slack-Request-Timestamp"] = timestamp
        headers["X-Slack-Signature"] = slack_signature(secret, timestamp, signed_body)
    scene.response = requests.post(
        f"{services.connector_url}/slack/events", data=body, headers=headers, timeout=10
    )


@when(parsers.parse('someone sends the connector a click on "{label}" for that alert {how}'))
def forged_click(services: Services, world: World, scene: Scene, label: str, how: str) -> None:
    message, person = the_message(services, world, scene), world.person("RESPONDER")
    button = find_button(message, label)
    channel = world.channel(scene.alert_channel)
    payload = {
        "type": "block_actions",
        "api_app_id": "A0",
        "token": "t",
        "trigger_id": "1.2.3",
        "user": {"id": person.slack_id, "team_id": world.team_id, "name": "someone"},
        "team": {"id": world.team_id, "domain": world.team_domain},
        "channel": {"id": channel["id"], "name": channel["name"]},
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel["id"],
            "is_ephemeral": False,
        },
        "message": message,
        "response_url": f"{services.slack_url}/nowhere",
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": button["block_id"],
                "value": button.get("value", ""),
                "text": button["text"],
                "action_ts": str(time.time()),
            }
        ],
    }
    send_to_connector(services, scene, urlencode({"payload": json.dumps(payload)}), how)


@when(parsers.parse('someone sends the connector "/ilert" for "{channel}" {how}'))
def forged_command(services: Services, world: World, scene: Scene, channel: str, how: str) -> None:
    admin = world.person("ADMIN")
    scene.menus_before = count_menus(services, world, channel)
    body = urlencode(
        {
            "command": "/ilert",
            "text": "",
            "team_id": world.team_id,
            "team_domain": world.team_domain,
            "channel_id": channel_id(world, channel),
            "channel_name": channel.lstrip("#"),
            "user_id": admin.slack_id,
            "user_name": "admin",
            "response_url": f"{services.slack_url}/nowhere",
            "trigger_id": "1.2.3",
            "api_app_id": "A0",
            "token": "t",
        }
    )
    send_to_connector(
        services,
        scene,
        body,
        "signed with another secret" if how == "signed with another secret" else "",
    )


@then(parsers.parse("the connector answers {status:d}"))
def connector_answers(scene: Scene, status: int) -> None:
    assert scene.response is not None
    assert scene.response.status_code == status, scene.response.text[:300]


def count_menus(services: Services, world: World, channel: str) -> int:
    messages = services.slack.messages(channel_id(world, channel))
    return len([m for m in messages if "Manage the alert sources" in visible_text(m)])


@then(parsers.parse('nobody sees a new configuration menu in "{channel}"'))
def no_new_menu(services: Services, world: World, scene: Scene, channel: str) -> None:
    assert count_menus(services, world, channel) == scene.menus_before


@given(parsers.parse('a second Slack workspace with a channel "{channel}"'), target_fixture="other")
def second_workspace(services: Services, world: World, channel: str) -> Json:
    domain = f"{world.team_domain}-other"
    workspace = services.slack.create_workspace(f"{world.team_name} Other", domain)
    return {
        "workspace": workspace,
        "channel": services.slack.create_channel(workspace["id"], channel.lstrip("#")),
    }


def bot_token(services: Services, team_id: str) -> str:
    installs = [
        i
        for i in services.slack.state()["installs"]
        if i["team_id"] == team_id and not i.get("revoked")
    ]
    assert installs, f"no app installed in {team_id}"
    return installs[-1]["access_token"]


@when(parsers.parse('the connector\'s bot token for the first workspace posts to "{channel}"'))
def cross_post(services: Services, world: World, scene: Scene, other: Json, channel: str) -> None:
    scene.slack_answer = services.slack.web_api(
        "chat.postMessage",
        bot_token(services, world.team_id),
        channel=other["channel"]["id"],
        text="Hello from another workspace",
    )


@then(parsers.parse('Slack answers "{error}"'))
def slack_answers(scene: Scene, error: str) -> None:
    assert scene.slack_answer == {"ok": False, "error": error} or (
        scene.slack_answer.get("ok") is False and scene.slack_answer.get("error") == error
    )


@then(parsers.parse('"{channel}" has no messages'))
def channel_empty(services: Services, other: Json, channel: str) -> None:
    assert services.slack.messages(other["channel"]["id"]) == []


@given(
    parsers.parse('a second ilert account with an alert source "{name}"'), target_fixture="other"
)
def second_account(services: Services, world: World, name: str) -> Json:
    account = services.ilert.create_account(f"{world.team_name} Other")
    key = account["apiKey"]
    policy = services.ilert.call(
        "POST",
        "/escalation-policies",
        key=key,
        json={
            "name": "Theirs",
            "escalationRules": [
                {"escalationTimeout": 5, "users": [{"id": account["owner"]["id"]}]}
            ],
        },
    )
    source = services.ilert.call(
        "POST",
        "/alert-sources",
        key=key,
        json={"name": name, "integrationType": "API", "escalationPolicy": {"id": policy["id"]}},
    )
    alert = services.ilert.call(
        "POST",
        "/alerts",
        key=key,
        json={"summary": "Their alert", "alertSource": {"id": source["id"]}},
    )
    return {"account": account, "source": source, "alert": alert}


@when("the first account's owner lists alert sources and alerts")
def list_everything(services: Services, world: World, scene: Scene) -> None:
    scene.listed = {
        "sources": services.ilert.call("GET", "/alert-sources", key=world.owner_key),
        "alerts": services.ilert.call("GET", "/alerts", key=world.owner_key),
    }


@then("none of the second account's alert sources or alerts are listed")
def nothing_of_theirs(scene: Scene, other: Json) -> None:
    assert other["source"]["id"] not in {s["id"] for s in scene.listed["sources"]}
    assert other["alert"]["id"] not in {a["id"] for a in scene.listed["alerts"]}


@then("asking for the second account's alert source by id is answered 404")
def their_source_404(services: Services, world: World, other: Json) -> None:
    response = services.ilert.api(
        "GET", f"/alert-sources/{other['source']['id']}", key=world.owner_key
    )
    assert response.status_code == 404


# who may authorize (AUTH-1), unlinked workspaces (AUTH-6)


def add_person(services: Services, world: World, role: str, *, first: str, last: str) -> Person:
    email = f"{first}.{last}@{world.team_domain}.example".lower()
    created = services.ilert.create_user(
        world.account_id, firstName=first, lastName=last, email=email, role=role
    )
    slack_user = services.slack.create_user(
        world.team_id, name=f"{first}.{last}".lower(), email=email, real_name=f"{first} {last}"
    )
    person = Person(
        role, f"{first} {last}", email, created["user"]["id"], created["apiKey"], slack_user["id"]
    )
    world.people[role] = person
    return person


@given(parsers.parse("an ilert {role} who is also in the Slack workspace"))
def another_role(services: Services, world: World, role: str) -> None:
    add_person(services, world, role_of(role), first=role.capitalize(), last="Person")


@given("the account owner is also in the Slack workspace")
def owner_in_slack(services: Services, world: World) -> None:
    owner = services.ilert.call("GET", "/users/current", key=world.owner_key)
    slack_user = services.slack.create_user(
        world.team_id, name="owner", email=owner["email"], real_name="Account Owner"
    )
    world.people["OWNER"] = Person(
        "OWNER", "Account Owner", owner["email"], owner["id"], world.owner_key, slack_user["id"]
    )


@when("the account owner authorizes the workspace and allows access in Slack")
def owner_authorizes(services: Services, world: World, scene: Scene) -> None:
    authorize(services, world, scene, role="OWNER")


@then("ilert refuses because only an Admin can authorize the Slack Workspace Integration")
def refused_not_admin(scene: Scene) -> None:
    assert scene.visit.status == 403
    assert "Only an Admin" in scene.visit.text


@then("the browser never reached Slack")
def never_reached_slack(services: Services, scene: Scene) -> None:
    visited = scene.browser.history
    assert not [u for u in visited if u.startswith((services.slack_url, services.connector_url))]


@given("the Admin has clicked Authorize in ilert and reached Slack's consent page")
def at_consent_page(services: Services, world: World, scene: Scene) -> None:
    admin = world.person("ADMIN")
    click_authorize(services, world, scene)
    visit = scene.browser.submit(
        f"{services.slack_url}/login",
        {"user_id": admin.slack_id, "next": scene.visit.query["next"]},
    )
    assert urlparse(visit.url).path == "/oauth/v2/authorize", visit.url
    scene.visits.append(visit)


@given("meanwhile the Admin's ilert role is changed to User")
def demote_admin(services: Services, world: World) -> None:
    admin = world.person("ADMIN")
    services.ilert.call(
        "PUT", f"/users/{admin.ilert_id}", key=world.owner_key, json={"role": "USER"}
    )


@when("the person allows access in Slack")
def allow_on_consent_page(services: Services, scene: Scene) -> None:
    visit = scene.browser.submit(
        f"{services.slack_url}/oauth/v2/authorize", {**scene.visit.query, "decision": "allow"}
    )
    scene.visits.append(visit)


@then("ilert shows an error because only an Admin can authorize the Slack Workspace Integration")
def error_not_admin(services: Services, scene: Scene) -> None:
    assert scene.visit.url.startswith(f"{services.ilert_url}/connectors/slack")
    assert scene.visit.query.get("status") == "error"
    assert "Only an Admin" in scene.visit.text


def active_installs(services: Services, team_id: str) -> list[Json]:
    return [
        i
        for i in services.slack.state()["installs"]
        if i["team_id"] == team_id and not i.get("revoked")
    ]


@then("the ilert app keeps no installation in the Slack workspace")
def no_installation(services: Services, world: World) -> None:
    assert active_installs(services, world.team_id) == []


@given("the ilert app was added to the Slack workspace from Slack, without ilert")
def installed_from_slack(services: Services, world: World) -> None:
    app = next(a for a in services.slack.state()["apps"] if a["name"] == "ilert")
    services.slack.install_app(app["id"], world.team_id, ["commands", "chat:write", "users:read"])


@when(parsers.parse('the {role} runs "{command}" in "{channel}"'))
def run_command(services: Services, world: World, role: str, command: str, channel: str) -> None:
    person = world.person(role_of(role))
    name, _, text = command.partition(" ")
    answer = services.slack.command(
        team_id=world.team_id,
        channel_id=channel_id(world, channel),
        user_id=person.slack_id,
        command=name,
        text=text,
    )
    assert answer["ok"], answer


def ephemeral_texts(services: Services, world: World, channel: str, slack_user: str) -> list[str]:
    messages = services.slack.messages(channel_id(world, channel), user_id=slack_user)
    return [visible_text(m) for m in messages if m.get("ephemeral_to") == slack_user]


def told_alone(services: Services, world: World, role: str, *phrases: str) -> None:
    person = world.person(role_of(role))
    mine = ephemeral_texts(services, world, "ops-alerts", person.slack_id)
    assert any(all(p in text for p in phrases) for text in mine), mine
    other = world.person("USER" if role_of(role) != "USER" else "ADMIN")
    theirs = [
        visible_text(m)
        for m in services.slack.messages(channel_id(world, "ops-alerts"), user_id=other.slack_id)
    ]
    assert not any(all(p in text for p in phrases) for text in theirs)


@then(
    "the Admin alone is told that the workspace is not connected to ilert and how an Admin "
    "connects it"
)
def told_not_connected(services: Services, world: World) -> None:
    told_alone(services, world, "Admin", "not connected to ilert", "Connectors", "Authorize")


# one workspace per account (FAQ-1)


@given("a second Slack workspace where the Admin is a member too", target_fixture="other")
def second_workspace_with_admin(services: Services, world: World) -> Json:
    admin = world.person("ADMIN")
    workspace = services.slack.create_workspace(
        f"{world.team_name} Labs", f"{world.team_domain}-labs"
    )
    member = services.slack.create_user(
        workspace["id"], name="admin", email=admin.email, real_name=admin.name
    )
    return {"workspace": workspace, "admin": member}


@when("the Admin authorizes the second workspace and allows access in Slack")
def authorize_second(services: Services, world: World, scene: Scene, other: Json) -> None:
    authorize(services, world, scene, slack_user_id=other["admin"]["id"])


@then("ilert shows an error saying the account is already linked to the first workspace")
def error_already_linked(services: Services, world: World, scene: Scene) -> None:
    assert scene.visit.query.get("status") == "error", scene.visit.url
    assert "already linked" in scene.visit.text
    assert world.team_name in scene.visit.text


@then("the ilert account is still linked to the first workspace")
def still_first(services: Services, world: World) -> None:
    [connector] = slack_connectors(services, world)
    assert connector["params"]["teamId"] == world.team_id


@then("the ilert app keeps no installation in the second Slack workspace")
def none_in_second(services: Services, other: Json) -> None:
    assert active_installs(services, other["workspace"]["id"]) == []


@then(parsers.parse('"/ilert" in the first workspace still opens the menu'))
def first_still_works(services: Services, world: World, scene: Scene) -> None:
    type_ilert(services, world, scene, "Admin", "#ops-alerts")


@given(
    "a second ilert account whose Admin is a member of the same workspace", target_fixture="other"
)
def second_account_same_workspace(services: Services, world: World) -> Json:
    account = services.ilert.create_account(f"{world.team_name} Spin-off")
    email = f"spinoff.admin@{world.team_domain}.example"
    created = services.ilert.create_user(
        account["id"], firstName="Spin", lastName="Off", email=email, role="ADMIN"
    )
    member = services.slack.create_user(
        world.team_id, name="spinoff", email=email, real_name="Spin Off"
    )
    return {"account": account, "admin": created["user"], "slack_admin": member}


@when("that Admin authorizes the workspace and allows access in Slack")
def other_admin_authorizes(services: Services, scene: Scene, other: Json) -> None:
    scene.browser = Browser()
    visit = authorize_workspace(
        ilert_url=services.ilert_url,
        slack_url=services.slack_url,
        ilert_user_id=other["admin"]["id"],
        slack_user_id=other["slack_admin"]["id"],
        browser=scene.browser,
    )
    scene.visits.append(visit)


@then("ilert shows an error saying the workspace is already linked to another ilert account")
def error_other_account(scene: Scene) -> None:
    assert scene.visit.query.get("status") == "error", scene.visit.url
    assert "another ilert account" in scene.visit.text


@then("the second ilert account has no Slack workspace")
def second_account_unlinked(services: Services, other: Json) -> None:
    connectors = services.ilert.call("GET", "/connectors", key=other["account"]["apiKey"])
    assert [c for c in connectors if c["type"] == "slack"] == []


# re-authorization (REAUTH-1, REAUTH-2) and mapping (MAP-1)


@given(parsers.parse('the workspace was authorized when the app did not yet ask for "{scope}"'))
def authorized_without(services: Services, world: World, scene: Scene, scope: str) -> None:
    visit = authorize(services, world, scene, withhold_scopes=(scope,))
    assert visit.query.get("status") == "success", visit.text[:300]
    scene.connector_id = slack_connectors(services, world)[0]["id"]


@then("the page says that re-authorization is needed")
def reauthorization_needed(scene: Scene) -> None:
    assert "re-authorization is needed" in scene.visit.text.lower()


@then("the page no longer says that re-authorization is needed")
def reauthorization_done(services: Services, world: World, scene: Scene) -> None:
    open_slack_connector(services, world, scene)
    assert "re-authorization is needed" not in scene.visit.text.lower()


@then(
    parsers.parse(
        'the Admin alone is told that the app lacks "{scope}" and an Admin can re-authorize'
    )
)
def told_missing_scope(services: Services, world: World, scope: str) -> None:
    told_alone(services, world, "Admin", scope, "Re-authorize")


@given(
    parsers.parse('ilert publishes "{name}" to "{channel}" through an alert action made in ilert')
)
def action_made_in_ilert(services: Services, world: World, name: str, channel: str) -> None:
    [connector] = slack_connectors(services, world)
    services.ilert.call(
        "POST",
        "/alert-actions",
        key=world.owner_key,
        json={
            "name": f"Slack {channel}",
            "alertSources": [{"id": world.source(name)["id"]}],
            "connectorId": connector["id"],
            "connectorType": "slack",
            "triggerMode": "AUTOMATIC",
            "triggerTypes": ["alert-created", "alert-acknowledged", "alert-resolved"],
            "params": {"channelId": channel_id(world, channel), "channelName": channel.lstrip("#")},
        },
    )


@when("the Admin re-authorizes Slack and allows access")
@given("the Admin has re-authorized Slack")
def reauthorize(services: Services, world: World, scene: Scene) -> None:
    visit = authorize(services, world, scene)
    assert visit.query.get("status") == "success", visit.text[:300]


@then("the ilert account keeps the same Slack connector")
def same_connector(services: Services, world: World, scene: Scene) -> None:
    [connector] = slack_connectors(services, world)
    assert connector["id"] == scene.connector_id
    assert connector["params"]["missingScopes"] == []


@then(parsers.parse('ilert still publishes "{name}" to "{channel}"'))
def still_publishes(services: Services, world: World, name: str, channel: str) -> None:
    assert len(slack_actions_for(services, world, name, channel)) == 1


@given(
    "an ilert responder and a Slack user with another name share an e-mail address, written "
    "in capitals in Slack"
)
def shared_address(services: Services, world: World, scene: Scene) -> None:
    email = f"pat.doe@{world.team_domain}.example"
    created = services.ilert.create_user(
        world.account_id, firstName="Pat", lastName="Doe", email=email, role="RESPONDER"
    )
    scene.stranger = services.slack.create_user(
        world.team_id, name="night-shift-42", email=email.upper(), real_name="Night Shift"
    )
    services.slack.invite(channel_id(world, scene.alert_channel), scene.stranger["id"])
    scene.mapped_user = created["user"]


@then("the alert is ACCEPTED in ilert by that ilert responder")
def accepted_by_mapped(services: Services, world: World, scene: Scene) -> None:
    alert = current_alert(services, world, scene)
    assert alert["status"] == "ACCEPTED"
    assert alert["acknowledgedBy"]["id"] == scene.mapped_user["id"]


# updates (FAQ-2) and which are published (FAQ-3)


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


# the alert source in ilert (CHAN-4, CHAN-5, CHAN-6, FAQ-5)


def admin_browser(services: Services, world: World) -> Browser:
    browser = Browser()
    browser.submit(f"{services.ilert_url}/login", {"user_id": world.person("ADMIN").ilert_id})
    return browser


@when(parsers.parse('the Admin follows the link of "{name}" in the channel menu'))
def follow_source_link(services: Services, world: World, scene: Scene, name: str) -> None:
    type_ilert(services, world, scene, "Admin", "#ops-alerts")
    source = world.source(name)
    links = re.findall(r"<([^|>]+)\|\[(\d+)\] ([^>]+)>", visible_text(menu_of(scene)))
    [url] = [url for url, ident, _ in links if ident == str(source["id"])]
    scene.visits.append(admin_browser(services, world).get(url))


@then(parsers.parse('ilert shows the page of the alert source "{name}"'))
def source_page_shown(services: Services, world: World, scene: Scene, name: str) -> None:
    source = world.source(name)
    assert scene.visit.status == 200
    assert scene.visit.url == f"{services.ilert_url}/alert-sources/{source['id']}"
    assert name in scene.visit.text


@when(parsers.parse('the Admin opens the Alert actions of "{name}" in ilert'))
def open_alert_actions(services: Services, world: World, scene: Scene, name: str) -> None:
    url = f"{services.ilert_url}/alert-sources/{world.source(name)['id']}"
    scene.browser = admin_browser(services, world)
    scene.visits.append(scene.browser.get(url))
    assert scene.visit.status == 200


@then(
    parsers.parse(
        'an alert action is listed with the label "{label}", the connector "{connector}", the '
        'trigger mode "{mode}", the status "{status}" and the channel "{channel}"'
    )
)
def alert_action_listed(
    scene: Scene, label: str, connector: str, mode: str, status: str, channel: str
) -> None:
    rows = PageReader(scene.visit.text).rows
    header = rows[0]
    listed = [dict(zip(header, row, strict=False)) for row in rows[1:]]
    matching = [r for r in listed if r.get("Label") == label]
    assert matching, listed
    row = matching[0]
    assert connector in row["Connector"]
    assert (row["Trigger mode"], row["Status"], row["Channel"]) == (mode, status, channel)


@when(parsers.parse('the Admin creates an alert "{summary}" on the page of "{name}"'))
def create_alert_on_page(
    services: Services, world: World, scene: Scene, summary: str, name: str
) -> None:
    source = world.source(name)
    visit = admin_browser(services, world).submit(
        f"{services.ilert_url}/alert-sources/{source['id']}/alerts",
        {"summary": summary, "details": "", "priority": "HIGH"},
    )
    assert visit.status == 200 and "/alerts/" in visit.url, visit.url
    scene.alert = {"id": int(visit.url.rstrip("/").rsplit("/", 1)[1])}


def channel_picker(scene: Scene) -> dict[str, str]:
    """Channel name as shown (e.g. "#sre-private (private)") by option value."""
    return {label: value for value, label in PageReader(scene.visit.text).options["channel"]}


@then(parsers.parse('the channel picker offers "{first}", "{second}" and "{third}"'))
def picker_offers(scene: Scene, first: str, second: str, third: str) -> None:
    offered = channel_picker(scene)
    for name in (first, second, third):
        assert name in offered, offered


@then(parsers.parse('the channel picker does not offer "{name}"'))
def picker_hides(scene: Scene, name: str) -> None:
    assert not [label for label in channel_picker(scene) if label.startswith(name)]


@then(parsers.parse('the channel picker offers "{name}" as a private channel'))
def picker_offers_private(scene: Scene, name: str) -> None:
    assert f"{name} (private)" in channel_picker(scene), channel_picker(scene)


@given(parsers.parse('someone invites the ilert bot into "{channel}"'))
def invite_bot(services: Services, world: World, channel: str) -> None:
    install = active_installs(services, world.team_id)[-1]
    services.slack.invite(channel_id(world, channel), install["bot_user_id"])


@when(
    parsers.parse(
        'the Admin adds a Slack alert action for "{channel}" on the Alert actions of "{name}"'
    )
)
def add_action_on_page(
    services: Services, world: World, scene: Scene, channel: str, name: str
) -> None:
    open_alert_actions(services, world, scene, name)
    offered = channel_picker(scene)
    [value] = [v for label, v in offered.items() if label.split(" ")[0] == channel]
    visit = scene.browser.submit(
        f"{services.ilert_url}/alert-sources/{world.source(name)['id']}/alert-actions",
        {
            "name": f"Slack {channel}",
            "channel": value,
            "triggerMode": "AUTOMATIC",
            "triggerTypes": ["alert-created", "alert-acknowledged", "alert-resolved"],
        },
    )
    assert visit.status == 200, visit.text[:300]


# private teams (FAQ-4)


@given(
    parsers.parse(
        'a private team "{team}" with the Admin and the User, owning the alert source "{name}"'
    )
)
def private_team(services: Services, world: World, team: str, name: str) -> None:
    members = [
        {"user": {"id": world.person(r).ilert_id}, "role": "USER"} for r in ("ADMIN", "USER")
    ]
    created = services.ilert.call(
        "POST",
        "/teams",
        key=world.owner_key,
        json={"name": team, "visibility": "PRIVATE", "members": members},
    )
    source = services.ilert.call(
        "POST",
        "/alert-sources",
        key=world.owner_key,
        json={
            "name": name,
            "integrationType": "API",
            "escalationPolicy": {"id": world.policy["id"]},
            "teams": [{"id": created["id"]}],
        },
    )
    world.sources.append(source)


@then(parsers.parse('the menu does not offer "{name}"'))
def menu_lacks(scene: Scene, world: World, name: str) -> None:
    source = world.source(name)
    assert f"[{source['id']}] {name}" not in select_options(scene.menu["USER"])


@then(parsers.parse('the menu offers "{name}"'))
def menu_has(scene: Scene, world: World, name: str) -> None:
    source = world.source(name)
    assert f"[{source['id']}] {name}" in select_options(scene.menu["USER"])


@when(parsers.parse('the User\'s menu sends the choice of "{name}" although it is not offered'))
def crafted_choice(services: Services, world: World, scene: Scene, name: str) -> None:
    source, user = world.source(name), world.person("USER")
    answer = services.slack.select(
        channel_id=channel_id(world, "ops-alerts"),
        message_ts=menu_of(scene, "USER")["ts"],
        user_id=user.slack_id,
        option=str(source["id"]),
        unlisted=True,
    )
    assert answer["ok"], answer


@then("the User alone is told that private teams' sources are linked in ilert's web interface")
def told_private(services: Services, world: World) -> None:
    told_alone(services, world, "User", "private team", "Alert actions")


# reliability (REL-1)


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


# the "Alert on-call team" form (CREATE-1)


def top_view(services: Services, world: World, role: str) -> Json:
    views = services.slack.open_views(world.person(role_of(role)).slack_id)
    assert views, f"no form is open for the {role}"
    return views[-1]


def view_inputs(view: Json) -> dict[str, Json]:
    return {b["label"]["text"]: b for b in view["blocks"] if b["type"] == "input"}


@then(parsers.parse('the {role} sees the form "{title}" asking for "{a}", "{b}", "{c}" and "{d}"'))
def sees_form(
    services: Services, world: World, role: str, title: str, a: str, b: str, c: str, d: str
) -> None:
    view = top_view(services, world, role)
    assert view["title"]["text"] == title
    inputs = view_inputs(view)
    assert list(inputs) == [a, b, c, d]
    assert inputs[d].get("optional") is True


def submit_form(services: Services, world: World, scene: Scene, role: str, values: Json) -> None:
    view = top_view(services, world, role)
    scene.response = services.slack.submit_view(
        view_id=view["id"], user_id=world.person(role_of(role)).slack_id, values=values
    )
    scene.slack_answer = scene.response.json()


@when(
    parsers.parse(
        'the {role} submits the form with the source "{source}", the policy "{policy}" and the '
        'summary "{summary}"'
    )
)
def submit_alert_form(
    services: Services,
    world: World,
    scene: Scene,
    role: str,
    source: str,
    policy: str,
    summary: str,
) -> None:
    submit_form(
        services,
        world,
        scene,
        role,
        {"Alert source": source, "Escalation policy": policy, "Alert summary": summary},
    )
    assert scene.response is not None and scene.response.status_code == 200, scene.slack_answer


@when(
    parsers.parse(
        'the {role} tries to submit the form with the source "{source}", the policy "{policy}" '
        "and no summary"
    )
)
def submit_without_summary(
    services: Services, world: World, scene: Scene, role: str, source: str, policy: str
) -> None:
    submit_form(services, world, scene, role, {"Alert source": source, "Escalation policy": policy})


@then("the form closes")
def form_closes(scene: Scene) -> None:
    assert scene.slack_answer.get("closed") is True, scene.slack_answer


@then(parsers.parse('the form refuses because "{label}" is required'))
def form_requires(scene: Scene, label: str) -> None:
    assert scene.response is not None and scene.response.status_code == 422
    assert scene.slack_answer["error"] == "input_required"
    assert label in scene.slack_answer["message"]


@then(parsers.parse('the form stays open and says "{text}" next to "{block_id}"'))
def form_error(scene: Scene, text: str, block_id: str) -> None:
    assert scene.slack_answer.get("closed") is False, scene.slack_answer
    assert text in scene.slack_answer["errors"][block_id]


def alerts_on(services: Services, world: World, source: str) -> list[Json]:
    return services.ilert.call(
        "GET", "/alerts", key=world.owner_key, params={"sources": world.source(source)["id"]}
    )


@then(parsers.parse('ilert has an alert "{summary}" on "{source}" created by the {role}'))
def alert_created_by(
    services: Services, world: World, summary: str, source: str, role: str
) -> None:
    [alert] = [a for a in alerts_on(services, world, source) if a["summary"] == summary]
    entries = services.ilert.call("GET", f"/alerts/{alert['id']}/log-entries", key=world.owner_key)
    creators = [e["actor"]["id"] for e in entries if e.get("actor")]
    assert creators and creators[0] == world.person(role_of(role)).ilert_id, entries


@then(parsers.parse('ilert has no alert on "{source}"'))
def no_alert_on(services: Services, world: World, source: str) -> None:
    assert alerts_on(services, world, source) == []


@then(parsers.parse('the form offers the sources "{a}", "{b}" and "{c}" but not "{hidden}"'))
def form_sources(services: Services, world: World, a: str, b: str, c: str, hidden: str) -> None:
    view = top_view(services, world, "Responder")
    options = [o["text"]["text"] for o in view_inputs(view)["Alert source"]["element"]["options"]]
    assert {a, b, c} <= set(options), options
    assert hidden not in options
