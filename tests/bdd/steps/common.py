"""What the steps share: the services, the fixtures steps hand to each other, the world, and the
steps and helpers that several parts of the guide use.

State moves between steps as pytest fixtures: a step that produces something a later step needs
returns it with `target_fixture` (the world, the page a browser shows, the alert, the channel
where a command ran), and the later step asks for it by name.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from pytest_bdd import given, parsers, when

from harness.driver import (
    Browser,
    IlertWeb,
    PageVisit,
    Services,
    visible_text,
)
from harness.seed import Person, World

Json = dict[str, Any]
_worlds = itertools.count(100)
MENU_HEADING = "Manage the alert sources"


@pytest.fixture(scope="session")
def services(sim_services: Services) -> Services:
    """The services under test: the harness's own, or running ones (see harness.pytest_plugin)."""
    return sim_services


@dataclass(frozen=True)
class Tab:
    """Where a person's browser is: the page it shows, and the browser to go on with."""

    browser: Browser
    page: PageVisit


@dataclass(frozen=True)
class SlashCommand:
    """A command someone ran in a channel: later steps read what that person sees there."""

    person: Person
    channel: str  # the channel's name, without '#'


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


def ilert_web(services: Services, person: Person, browser: Browser | None = None) -> IlertWeb:
    """ilert's pages in a browser logged in as `person` (a fresh browser unless one is given)."""
    web = IlertWeb(services.ilert_url, browser)
    web.log_in(person.ilert_id)
    return web


def latest_menu(services: Services, world: World, channel: str, person: Person) -> Json:
    """The newest channel menu that `person` sees in `channel`."""
    messages = services.slack.messages(channel_id(world, channel), user_id=person.slack_id)
    menus = [
        m
        for m in messages
        if m.get("ephemeral_to") == person.slack_id and MENU_HEADING in visible_text(m)
    ]
    assert menus, f"no channel menu visible to {person.name} in #{channel}: {messages}"
    return menus[-1]


def run_slash_command(
    services: Services, world: World, role: str, command: str, channel: str
) -> SlashCommand:
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
    return SlashCommand(person, channel.lstrip("#"))


@when(parsers.parse('the {role} runs "{command}" in "{channel}"'), target_fixture="command")
@given(parsers.parse('the {role} has run "{command}" in "{channel}"'), target_fixture="command")
def runs_command(
    services: Services, world: World, role: str, command: str, channel: str
) -> SlashCommand:
    return run_slash_command(services, world, role, command, channel)


def slack_actions_for(services: Services, world: World, name: str, channel: str) -> list[Json]:
    """The Slack alert actions that publish the source `name` to `channel`."""
    actions = services.ilert.alert_actions(world.owner_key, source_id=world.source(name)["id"])
    return [
        a
        for a in actions
        if a["connectorType"].lower() == "slack"
        and a["params"].get("channelId") == channel_id(world, channel)
    ]


def alert_messages(services: Services, world: World, channel: str) -> list[Json]:
    """The bot's alert messages in `channel`, once ilert's webhooks have been answered."""
    services.ilert.wait_for_deliveries()
    return [
        m
        for m in services.slack.messages(channel_id(world, channel))
        if m.get("bot_id") and not m.get("ephemeral_to") and m.get("attachments")
    ]


def links_to(message: Json, alert: Json) -> bool:
    return f"/alerts/{alert['id']}|" in visible_text(message)


def message_of(services: Services, world: World, alert: Json) -> tuple[str, Json]:
    """The channel where the alert's message is, and the message: there must be exactly one."""
    services.ilert.wait_for_deliveries()
    for name, channel in world.channels.items():
        found = [
            m
            for m in services.slack.messages(channel["id"])
            if m.get("bot_id") and not m.get("ephemeral_to") and links_to(m, alert)
        ]
        if found:
            assert len(found) == 1, f"{len(found)} messages for the alert in #{name}"
            return name, found[0]
    raise AssertionError(f"no channel shows a message for alert {alert['id']}")


def the_message(services: Services, world: World, alert: Json) -> Json:
    return message_of(services, world, alert)[1]


def current_alert(services: Services, world: World, alert: Json) -> Json:
    return services.ilert.alert(world.owner_key, alert["id"])


def active_installs(services: Services, team_id: str) -> list[Json]:
    return [
        i
        for i in services.slack.state()["installs"]
        if i["team_id"] == team_id and not i.get("revoked")
    ]


def ephemeral_texts(services: Services, world: World, channel: str, slack_user: str) -> list[str]:
    messages = services.slack.messages(channel_id(world, channel), user_id=slack_user)
    return [visible_text(m) for m in messages if m.get("ephemeral_to") == slack_user]


def told_alone(
    services: Services, world: World, person: Person, channel: str, *phrases: str
) -> None:
    """`person` sees a private note with every phrase in `channel`; someone else does not."""
    mine = ephemeral_texts(services, world, channel, person.slack_id)
    assert any(all(p in text for p in phrases) for text in mine), mine
    other = world.person("USER" if person.role != "USER" else "ADMIN")
    theirs = [
        visible_text(m)
        for m in services.slack.messages(channel_id(world, channel), user_id=other.slack_id)
    ]
    assert not any(all(p in text for p in phrases) for text in theirs)
