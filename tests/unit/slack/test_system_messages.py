"""The messages Slack posts in a channel when an app changes it: what `conversations.history`
gives back after each `conversations.*` call, with Slack's subtype, wording and fields."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.unit.slack.conftest import ALL_SCOPES, World

MANAGE = [*ALL_SCOPES, "channels:manage", "groups:write", "channels:write.invites", "chat:write"]


def newest(client: WebClient, channel: str) -> dict:
    return client.conversations_history(channel=channel, limit=1)["messages"][0]


def shown(message: dict) -> dict:
    """What a system message says, without its ts and team."""
    return {k: v for k, v in message.items() if k not in ("ts", "team")}


def test_each_change_an_app_makes_leaves_slacks_message(world: World) -> None:
    client = world.install_with(MANAGE)
    bot, alice = world.install["bot_user_id"], world.alice["id"]
    channel = client.conversations_create(name="incident-3")["channel"]["id"]
    said = [shown(newest(client, channel))]
    steps = [
        lambda: client.conversations_invite(channel=channel, users=alice),
        lambda: client.conversations_setTopic(channel=channel, topic="db is down"),
        lambda: client.conversations_setPurpose(channel=channel, purpose="fix the db"),
        lambda: client.conversations_rename(channel=channel, name="incident-3-db"),
        lambda: client.conversations_kick(channel=channel, user=alice),
        lambda: client.conversations_archive(channel=channel),
        lambda: client.conversations_unarchive(channel=channel),
    ]
    for step in steps:
        step()
        said.append(shown(newest(client, channel)))

    def by(user: str, subtype: str, text: str, **fields: str) -> dict:
        return {"type": "message", "subtype": subtype, "user": user, "text": text, **fields}

    assert said == [
        by(bot, "channel_join", f"<@{bot}> has joined the channel"),
        by(alice, "channel_join", f"<@{alice}> has joined the channel", inviter=bot),
        by(bot, "channel_topic", f"<@{bot}> set the channel topic: db is down", topic="db is down"),
        by(
            bot,
            "channel_purpose",
            f"<@{bot}> set the channel purpose: fix the db",
            purpose="fix the db",
        ),
        by(
            bot,
            "channel_name",
            f'<@{bot}> has renamed the channel from "incident-3" to "incident-3-db"',
            old_name="incident-3",
            name="incident-3-db",
        ),
        by(alice, "channel_leave", f"<@{alice}> has left the channel"),
        by(bot, "channel_archive", f"<@{bot}> archived the channel"),
        by(bot, "channel_unarchive", f"<@{bot}> un-archived the channel"),
    ]
    history = client.conversations_history(channel=channel)["messages"]
    assert len(history) == len(said)


def test_joining_and_leaving_are_told_in_the_channel(world: World) -> None:
    client = world.install_with(MANAGE)
    bot = world.install["bot_user_id"]
    channel = world.sim.channel(world.team["id"], "random", members=[world.alice["id"]])["id"]

    client.conversations_join(channel=channel)
    client.conversations_leave(channel=channel)

    said = [(m["subtype"], m["text"]) for m in world.sim.messages(channel)]
    assert said == [
        ("channel_join", f"<@{bot}> has joined the channel"),
        ("channel_leave", f"<@{bot}> has left the channel"),
    ]


def test_the_app_can_neither_edit_nor_delete_them(world: World) -> None:
    client = world.install_with(MANAGE)
    channel = client.conversations_create(name="incident-5")["channel"]["id"]
    joined = newest(client, channel)["ts"]

    with pytest.raises(SlackApiError) as update:
        client.chat_update(channel=channel, ts=joined, text="I was never here")
    with pytest.raises(SlackApiError) as delete:
        client.chat_delete(channel=channel, ts=joined)

    assert update.value.response["error"] == "cant_update_message"
    assert delete.value.response["error"] == "cant_delete_message"


def test_people_renaming_and_archiving_leave_the_message_too(world: World) -> None:
    channel, alice = world.general["id"], world.alice["id"]
    world.sim.post(f"/channels/{channel}/rename", {"name": "lobby", "user": alice})
    world.sim.post(f"/channels/{channel}/archive", {"user": alice})
    said = [(m["subtype"], m["text"]) for m in world.sim.messages(channel)]
    assert said == [
        ("channel_name", f'<@{alice}> has renamed the channel from "general" to "lobby"'),
        ("channel_archive", f"<@{alice}> archived the channel"),
    ]


def test_an_export_keeps_them(world: World) -> None:
    client = world.install_with(MANAGE)
    channel = client.conversations_create(name="incident-6")["channel"]["id"]
    client.conversations_setTopic(channel=channel, topic="all good")
    before = client.conversations_history(channel=channel)["messages"]

    world.sim.post("/import", world.sim.get("/export"))

    assert client.conversations_history(channel=channel)["messages"] == before
