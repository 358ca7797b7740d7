"""Direct messages in the web client: a person opens their DM with another person or with an
installed app, reads it and writes in it; the app's own DM with them (conversations.open) is
the same conversation."""

from __future__ import annotations

import html
import re

import pytest
import requests

from tests.unit.slack.conftest import World

DM_SCOPES = ["chat:write", "im:write", "im:history", "im:read"]


class Person:
    def __init__(self, world: World, user_id: str) -> None:
        self.world, self.http = world, requests.Session()
        signed_in = self.http.post(
            f"{world.url}/login", data={"user_id": user_id, "next": "/client"}, timeout=10
        )
        assert signed_in.ok

    def page(self, channel_id: str) -> str:
        url = f"{self.world.url}/client/{self.world.team['id']}/{channel_id}"
        return html.unescape(self.http.get(url, timeout=5).text)

    def csrf(self) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.page(self.world.general["id"]))
        assert found
        return found.group(1)

    def open_dm(self, other_id: str) -> requests.Response:
        return self.http.post(
            f"{self.world.url}/client/{self.world.team['id']}/dms",
            data={"csrf": self.csrf(), "user_id": other_id, "from": self.world.general["id"]},
            allow_redirects=False,
            timeout=5,
        )

    def dm_id(self, other_id: str) -> str:
        answer = self.open_dm(other_id)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"].rsplit("/", 1)[-1]

    def write(self, channel_id: str, text: str) -> None:
        answer = self.http.post(
            f"{self.world.url}/client/{self.world.team['id']}/{channel_id}/command",
            data={"csrf": self.csrf(), "text": text},
            allow_redirects=False,
            timeout=5,
        )
        assert answer.status_code == 302


@pytest.fixture
def alice(world: World) -> Person:
    return Person(world, world.alice["id"])


@pytest.fixture
def bob(world: World) -> Person:
    return Person(world, world.bob["id"])


def test_the_sidebar_offers_people_and_apps_to_message(world: World, alice: Person) -> None:
    page = alice.page(world.general["id"])

    assert "Direct messages" in page
    assert f'<option value="{world.bob["id"]}">' in page
    assert f'<option value="{world.install["bot_user_id"]}">' in page and "(app)" in page
    assert f'<option value="{world.alice["id"]}">' not in page


def test_two_people_write_to_each_other_and_nobody_else_sees_it(
    world: World, alice: Person, bob: Person
) -> None:
    dm = alice.dm_id(world.bob["id"])
    alice.write(dm, "lunch?")

    assert dm.startswith("D") and bob.dm_id(world.alice["id"]) == dm
    assert "lunch?" in bob.page(dm)
    assert [m["text"] for m in world.sim.get(f"/channels/{dm}/messages")["messages"]] == ["lunch?"]
    assert 'data-dm="Bob' in alice.page(world.general["id"])
    carol = world.sim.user(world.team["id"], "carol")
    assert (
        Person(world, carol["id"])
        .http.get(f"{world.url}/client/{world.team['id']}/{dm}", timeout=5)
        .status_code
        == 404
    )


def test_the_dm_with_the_app_is_the_one_the_app_opens(world: World, alice: Person) -> None:
    dm = alice.dm_id(world.install["bot_user_id"])
    alice.write(dm, "hi app")

    client = world.install_with(DM_SCOPES)
    opened = client.conversations_open(users=world.alice["id"])["channel"]["id"]
    history = client.conversations_history(channel=dm)["messages"]

    assert opened == dm
    assert [m["text"] for m in history] == ["hi app"]


def test_a_dm_the_app_opened_shows_in_the_persons_sidebar(world: World, alice: Person) -> None:
    client = world.install_with(DM_SCOPES)
    dm = client.conversations_open(users=world.alice["id"])["channel"]["id"]
    client.chat_postMessage(channel=dm, text="Your report is ready")

    assert f"/client/{world.team['id']}/{dm}" in alice.page(world.general["id"])
    assert "Your report is ready" in alice.page(dm)


def test_a_person_cannot_message_someone_who_is_not_there(world: World, alice: Person) -> None:
    answer = alice.open_dm("UNOBODY")

    assert answer.status_code == 302
    assert "No direct message" in alice.page(world.general["id"])
