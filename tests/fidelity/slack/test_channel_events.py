"""Who Slack tells when a channel is archived, unarchived, renamed or left: Bolt `app.event`
listeners, written as Bolt's documentation writes them, receive what each event's page promises.

A public channel's `channel_archive`, `channel_unarchive` and `channel_rename` go "to all
connections for a workspace" (docs.slack.dev/reference/events/channel_archive, …/channel_rename):
every subscribed app holding `channels:read`, member or not. A private channel's `group_*` go
"to all connections for members of a private channel" (…/group_archive): never to an app whose
bot is outside it. `channel_left` / `group_left` go to the app whose bot left or was removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import flask
import pytest
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

from emulator.serving import ServedApp
from emulator.slack.client import SlackSim
from tests.fidelity.conftest import wait_for

READ = ["channels:read", "groups:read"]
MANAGE = [*READ, "channels:manage", "groups:write", "channels:write.invites"]
CHANNEL_EVENTS = [
    "channel_archive",
    "channel_unarchive",
    "channel_rename",
    "channel_left",
    "group_archive",
    "group_unarchive",
    "group_rename",
    "group_left",
]


@dataclass
class Listener:
    """An installed app whose Bolt listeners note every channel event they are given."""

    sim: SlackSim
    app: dict[str, Any]
    install: dict[str, Any]
    seen: list[dict[str, Any]]
    served: ServedApp

    @property
    def bot(self) -> str:
        return str(self.install["bot_user_id"])

    @property
    def client(self) -> WebClient:
        return WebClient(token=self.install["access_token"], base_url=self.sim.api_url)

    def wait_for_types(self, *types: str) -> list[dict[str, Any]]:
        """The events noted, once their types are `types`, in order."""
        return wait_for(
            lambda: self.seen if [e["type"] for e in self.seen] == list(types) else None,
            what=f"{', '.join(types)} at {self.app['name']}",
        )

    def delivered(self) -> list[str]:
        """The types of the events fake Slack sent this app, once nothing is in flight."""
        assert self.sim.wait_for_events(5.0), "events still in flight"
        items = self.sim.event_deliveries()["items"]
        return [item["type"] for item in items if item["app_id"] == self.app["id"]]


def listening_app(sim: SlackSim, team_id: str, name: str, scopes: list[str]) -> Listener:
    app = sim.app(name)
    install = sim.install(app["id"], team_id, scopes)
    bolt = App(
        signing_secret=app["signing_secret"],
        client=WebClient(token=install["access_token"], base_url=sim.api_url),
    )
    seen: list[dict[str, Any]] = []
    for kind in CHANNEL_EVENTS:

        @bolt.event(kind)
        def note(event: dict[str, Any]) -> None:
            seen.append(event)

    web = flask.Flask(name)
    handler = SlackRequestHandler(bolt)
    web.add_url_rule(
        "/slack/events", "events", lambda: handler.handle(flask.request), methods=["POST"]
    )
    served = ServedApp(web, name=name).start()
    sim.update_app(
        app["id"], event_request_url=f"{served.url}/slack/events", bot_events=CHANNEL_EVENTS
    )
    return Listener(sim, app, install, seen, served)


@dataclass
class Office:
    """Alice's workspace and four apps: a manager whose bot acts, a partner the manager brings
    into its channels, an onlooker whose bot is in none, and one that lacks `channels:read`.
    Bolt drops the events an app's own bot caused (`IgnoringSelfEvents`: the event's `user` is
    the bot), so what the manager is sent is read from fake Slack's deliveries."""

    sim: SlackSim
    team: dict[str, Any]
    alice: dict[str, Any]
    manager: Listener
    partner: Listener
    onlooker: Listener
    blind: Listener

    def channel(self, name: str, *, private: bool = False) -> str:
        """A channel the manager creates and brings alice and the partner into."""
        client = self.manager.client
        channel = client.conversations_create(name=name, is_private=private)["channel"]["id"]
        client.conversations_invite(channel=channel, users=f"{self.alice['id']},{self.partner.bot}")
        return channel


@pytest.fixture
def office(fake_slack: SlackSim) -> Iterator[Office]:
    sim = fake_slack
    team = sim.workspace("Acme")
    alice = sim.user(team["id"], "alice")
    sim.channel(team["id"], "general", members=[alice["id"]])
    listeners = [
        listening_app(sim, team["id"], "Manager", MANAGE),
        listening_app(sim, team["id"], "Partner", MANAGE),
        listening_app(sim, team["id"], "Onlooker", READ),
        listening_app(sim, team["id"], "Blind", ["chat:write"]),
    ]
    try:
        yield Office(sim, team, alice, *listeners)
    finally:
        for listener in listeners:
            listener.served.stop()


def test_unarchiving_a_public_channel_tells_every_app_that_may_read_channels(
    office: Office,
) -> None:
    manager = office.manager
    channel = office.channel("incident-9")
    manager.client.conversations_archive(channel=channel)
    manager.client.conversations_unarchive(channel=channel)

    for listener in (office.partner, office.onlooker):
        archived, unarchived = listener.wait_for_types("channel_archive", "channel_unarchive")
        assert archived["channel"] == unarchived["channel"] == channel
        assert archived["user"] == unarchived["user"] == manager.bot
    assert manager.delivered() == ["channel_archive", "channel_unarchive"]
    assert office.blind.delivered() == []


def test_renaming_a_public_channel_tells_apps_whose_bot_is_not_in_it(office: Office) -> None:
    channel = office.channel("incident-10")
    office.manager.client.conversations_rename(channel=channel, name="incident-10-db")

    [event] = office.onlooker.wait_for_types("channel_rename")
    assert event["channel"]["id"] == channel
    assert event["channel"]["name"] == "incident-10-db"
    assert event["channel"]["is_channel"] is True
    assert office.blind.delivered() == []


def test_a_private_channel_is_news_only_for_the_apps_in_it(office: Office) -> None:
    manager = office.manager
    channel = office.channel("secret-1", private=True)
    manager.client.conversations_rename(channel=channel, name="secret-2")
    manager.client.conversations_archive(channel=channel)
    manager.client.conversations_unarchive(channel=channel)

    renamed, archived, unarchived = office.partner.wait_for_types(
        "group_rename", "group_archive", "group_unarchive"
    )
    assert renamed["channel"]["id"] == channel and renamed["channel"]["is_group"] is True
    assert renamed["channel"]["name"] == "secret-2"
    assert archived["channel"] == channel and archived["user"] == manager.bot
    assert unarchived["channel"] == channel and unarchived["actor_id"] == manager.bot
    assert manager.delivered() == ["group_rename", "group_archive", "group_unarchive"]
    assert office.onlooker.delivered() == []


def test_the_app_whose_bot_leaves_is_told_it_left(office: Office) -> None:
    partner = office.partner
    public = office.channel("incident-11")
    private = office.channel("secret-3", private=True)

    partner.client.conversations_leave(channel=public)
    partner.client.conversations_leave(channel=private)

    left, group_left = partner.wait_for_types("channel_left", "group_left")
    assert left == {
        "type": "channel_left",
        "channel": public,
        "actor_id": partner.bot,
        "event_ts": left["event_ts"],
    }
    assert group_left["channel"] == private and group_left["actor_id"] == partner.bot
    assert "channel_left" not in office.manager.delivered()
    assert office.onlooker.delivered() == []


def test_a_bot_removed_by_another_app_is_told_who_removed_it(office: Office) -> None:
    channel = office.channel("incident-12")

    office.manager.client.conversations_kick(channel=channel, user=office.partner.bot)

    [event] = office.partner.wait_for_types("channel_left")
    assert event["channel"] == channel and event["actor_id"] == office.manager.bot
    assert "channel_left" not in office.manager.delivered()
