"""conversations.create and conversations.invite, and the argument checks of chat methods."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from tests.unit.slack.conftest import ALL_SCOPES, World

MANAGE = [*ALL_SCOPES, "channels:manage", "groups:write", "channels:write.invites"]


def error_of(call, **kwargs) -> str:
    with pytest.raises(SlackApiError) as caught:
        call(**kwargs)
    return caught.value.response["error"]


def test_a_bot_creates_a_channel_and_invites_people(world: World) -> None:
    client = world.install_with(MANAGE)

    created = client.conversations_create(name="incident-42")["channel"]
    invited = client.conversations_invite(
        channel=created["id"], users=f"{world.alice['id']},{world.bob['id']}"
    )["channel"]

    assert created["name"] == "incident-42" and created["is_member"] is True
    assert created["creator"] == world.install["bot_user_id"]
    assert invited["num_members"] == 3
    members = client.conversations_members(channel=created["id"])["members"]
    assert members == [world.install["bot_user_id"], world.alice["id"], world.bob["id"]]


def test_private_channels_need_groups_write(world: World) -> None:
    client = world.install_with([*ALL_SCOPES, "channels:manage"])

    with pytest.raises(SlackApiError) as caught:
        client.conversations_create(name="secret-2", is_private=True)

    assert caught.value.response.data == {
        "ok": False,
        "error": "missing_scope",
        "needed": "groups:write",
        "provided": ",".join([*ALL_SCOPES, "channels:manage"]),
    }


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("general", "name_taken"),
        ("Has Spaces", "invalid_name_specials"),
        ("x" * 81, "invalid_name_maxlength"),
        ("---", "invalid_name_punctuation"),
    ],
)
def test_channel_names_follow_slacks_rules(world: World, name: str, error: str) -> None:
    assert error_of(world.install_with(MANAGE).conversations_create, name=name) == error


def test_invite_errors(world: World) -> None:
    client = world.install_with(MANAGE)
    channel = world.general["id"]
    assert error_of(client.conversations_invite, channel=channel, users=world.bob["id"]) == (
        "not_in_channel"
    )
    world.invite_bot(channel)

    cases = [
        (world.bob["id"], "already_in_channel"),
        (world.install["bot_user_id"], "cant_invite_self"),
        ("UNOBODY", "user_not_found"),
        (",", "no_user"),
    ]
    for users, error in cases:
        assert error_of(client.conversations_invite, channel=channel, users=users) == error


def test_chat_arguments_are_checked_with_slacks_codes(world: World) -> None:
    client, channel = world.client(), world.general["id"]
    world.invite_bot(channel)
    post = client.chat_postMessage

    assert (
        error_of(post, channel=channel, text="x", blocks=[{"text": "no type"}]) == "invalid_blocks"
    )
    assert (
        error_of(post, channel=channel, text="x", blocks=[{"type": "divider"}] * 51)
        == "invalid_blocks"
    )
    assert error_of(post, channel=channel, text="x", attachments=[{}] * 101) == (
        "too_many_attachments"
    )
    assert error_of(post, channel=channel, text="x", markdown_text="*y*") == (
        "markdown_text_conflict"
    )
    long = post(channel=channel, text="x" * 40_001)
    assert len(long["message"]["text"]) == 40_000  # chat.postMessage cuts, as on Slack
    assert (
        error_of(
            client.chat_postEphemeral, channel=channel, user=world.alice["id"], text="x" * 40_001
        )
        == "msg_too_long"
    )
    numbered = post(channel=channel, text="x", attachments=[{"text": "a"}, {"text": "b"}])
    assert [a["id"] for a in numbered["message"]["attachments"]] == [1, 2]
    with pytest.raises(SlackApiError) as caught:
        post(
            channel=channel,
            text="x",
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}],
        )
    assert caught.value.response["errors"] == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
