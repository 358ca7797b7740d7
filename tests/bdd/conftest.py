"""Step definitions for features/: each step calls the HTTP driver, never a service's code."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from pytest_bdd import given, parsers, then, when

from harness.driver import (
    Browser,
    PageVisit,
    Services,
    authorize_workspace,
    button_labels,
    select_options,
    visible_text,
)
from harness.seed import World, build_world

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
    callback_url: str = ""

    @property
    def visit(self) -> PageVisit:
        return self.visits[-1]


@pytest.fixture
def scene() -> Scene:
    return Scene()


ROLE = {"admin": "ADMIN", "user": "USER", "responder": "RESPONDER"}


def role_of(name: str) -> str:
    return ROLE[name.lower()]


# Given: the world


@given("an ilert account and a Slack workspace with the same people", target_fixture="world")
def a_world(services: Services) -> World:
    return build_world(services.ilert, services.slack, seed=next(_worlds))


def authorize(services: Services, world: World, scene: Scene, decision: str = "allow") -> PageVisit:
    admin = world.person("ADMIN")
    visit = authorize_workspace(
        ilert_url=services.ilert_url,
        slack_url=services.slack_url,
        ilert_user_id=admin.ilert_id,
        slack_user_id=admin.slack_id,
        decision=decision,
        browser=scene.browser,
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


@when("the Admin clicks Authorize in ilert")
def click_authorize(services: Services, world: World, scene: Scene) -> None:
    scene.browser.submit(f"{services.ilert_url}/login", {"user_id": world.person("ADMIN").ilert_id})
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


@then("the alert's message says it is assigned to the Responder")
def assigned_to(services: Services, world: World, scene: Scene) -> None:
    text = visible_text(the_message(services, world, scene))
    assert f"Assigned to *{world.person('RESPONDER').name}*" in text, text


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
