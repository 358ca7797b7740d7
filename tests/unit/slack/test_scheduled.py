"""Scheduled messages post when the domain clock reaches their time, and not before; deleted ones
never; one with metadata never (as Slack documents); an export carries the pending ones."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.clock import VirtualClock
from emulator.slack import FakeSlack
from tests.unit.slack.conftest import World


def texts(world: World) -> list[str]:
    return [m["text"] for m in world.sim.messages(world.general["id"])]


def schedule(world: World, clock: VirtualClock, seconds: float, text: str, **extra: Any) -> str:
    post_at = int(clock.now() + seconds)
    answer = world.client().chat_scheduleMessage(
        channel=world.general["id"], post_at=post_at, text=text, **extra
    )
    return answer["scheduled_message_id"]


def post_what_is_due(fake: FakeSlack, clock: VirtualClock) -> None:
    """What the poster does when the clock moves, done here and now, so that a message that
    should not be posted yet is known not to be, rather than not to be so far."""
    fake.state.post_due(clock.now())


def wait_posted(world: World, text: str) -> None:
    from tests.fidelity.conftest import wait_for

    wait_for(lambda: text in texts(world), what=f"{text!r} posted")


@pytest.fixture
def bot_in_general(world: World) -> World:
    world.invite_bot(world.general["id"])
    return world


def test_a_scheduled_message_posts_when_its_time_comes(
    bot_in_general: World, clock: VirtualClock, fake: FakeSlack
) -> None:
    world = bot_in_general
    schedule(world, clock, 600, "Stand-up in 5")
    clock.advance(599)
    post_what_is_due(fake, clock)
    assert "Stand-up in 5" not in texts(world)
    listed = world.client().chat_scheduledMessages_list(channel=world.general["id"])
    assert [m["text"] for m in listed["scheduled_messages"]] == ["Stand-up in 5"]

    clock.advance(1)
    wait_posted(world, "Stand-up in 5")
    assert world.client().chat_scheduledMessages_list()["scheduled_messages"] == []


def test_a_deleted_scheduled_message_never_posts(
    bot_in_general: World, clock: VirtualClock, fake: FakeSlack
) -> None:
    world = bot_in_general
    doomed = schedule(world, clock, 60, "never")
    schedule(world, clock, 120, "later")
    world.client().chat_deleteScheduledMessage(
        channel=world.general["id"], scheduled_message_id=doomed
    )
    clock.advance(120)
    wait_posted(world, "later")
    assert "never" not in texts(world)


def test_metadata_keeps_a_scheduled_message_from_posting_as_on_slack(
    bot_in_general: World, clock: VirtualClock, fake: FakeSlack
) -> None:
    world = bot_in_general
    metadata = {"event_type": "reminder", "event_payload": {"id": 1}}
    schedule(world, clock, 60, "with metadata", metadata=metadata)
    schedule(world, clock, 61, "plain")
    clock.advance(61)
    wait_posted(world, "plain")
    assert "with metadata" not in texts(world)


def test_the_list_is_the_calling_apps_own_and_pages(
    bot_in_general: World, clock: VirtualClock, sim: Any
) -> None:
    world = bot_in_general
    for n in range(3):
        schedule(world, clock, 60 + n, f"mine {n}")
    other = sim.app(name="Other")
    token = sim.install(other["id"], world.team["id"], ["chat:write", "chat:write.public"])
    world.client(token["access_token"]).chat_scheduleMessage(
        channel=world.general["id"], post_at=int(clock.now()) + 90, text="theirs"
    )
    first = world.client().chat_scheduledMessages_list(limit=2)
    cursor = first["response_metadata"]["next_cursor"]
    second = world.client().chat_scheduledMessages_list(limit=2, cursor=cursor)
    seen = [m["text"] for m in [*first["scheduled_messages"], *second["scheduled_messages"]]]
    assert seen == ["mine 0", "mine 1", "mine 2"]
    assert second["response_metadata"]["next_cursor"] == ""


def test_an_export_carries_what_is_still_to_post(
    bot_in_general: World, clock: VirtualClock, fake: FakeSlack, sim: Any
) -> None:
    world = bot_in_general
    schedule(world, clock, 300, "after the restart")
    saved = sim.get("/export")
    sim.post("/reset")
    sim.post("/import", saved)
    clock.advance(300)
    wait_posted(world, "after the restart")
