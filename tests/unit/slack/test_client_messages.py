"""A person's plain line in the web client is a message of theirs, with `@name` as a mention,
and it reaches the apps that subscribe to it."""

from __future__ import annotations

from emulator.slack.app import FakeSlack
from tests.unit.slack.conftest import World


def test_at_names_become_mentions_of_the_workspace_people(world: World, fake: FakeSlack) -> None:
    alice, bob = world.alice, world.bob
    text = fake.state.with_mentions(world.team["id"], f"@{bob['name']} and @nobody, a@b.c")

    assert text == f"<@{bob['id']}> and @nobody, a@b.c"
    assert alice["id"] not in text
