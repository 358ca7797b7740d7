"""What the steps share: the services, the scene a scenario builds up, the world, and the
steps and helpers that several parts of the guide use."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from pytest_bdd import parsers, when

from harness.driver import (
    Browser,
    PageVisit,
    Services,
    visible_text,
)
from harness.seed import World

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


def alert_messages(services: Services, world: World, channel: str) -> list[Json]:
    services.ilert.wait_for_deliveries()
    return [
        m
        for m in services.slack.messages(channel_id(world, channel))
        if m.get("bot_id") and not m.get("ephemeral_to") and m.get("attachments")
    ]


def the_message(services: Services, world: World, scene: Scene) -> Json:
    [message] = alert_messages(services, world, scene.alert_channel)
    return message


def current_alert(services: Services, world: World, scene: Scene) -> Json:
    assert scene.alert is not None
    return services.ilert.call("GET", f"/alerts/{scene.alert['id']}", key=world.owner_key)


def active_installs(services: Services, team_id: str) -> list[Json]:
    return [
        i
        for i in services.slack.state()["installs"]
        if i["team_id"] == team_id and not i.get("revoked")
    ]


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
