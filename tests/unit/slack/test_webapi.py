"""Fake Slack's Web API as `slack_sdk`'s clients see it."""

from __future__ import annotations

import asyncio

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.unit.slack.conftest import ALL_SCOPES, World


def error_of(call, **kwargs) -> dict:
    with pytest.raises(SlackApiError) as caught:
        call(**kwargs)
    return caught.value.response.data


def test_auth_test_answers_the_bot_and_its_scopes_in_a_lowercase_header(world: World) -> None:
    result = world.client().auth_test()

    assert result["team_id"] == world.team["id"]
    assert result["user_id"] == world.install["bot_user_id"]
    assert result["bot_id"] == world.install["bot_id"]
    assert result["url"] == "https://acme.slack.com/"
    assert result["is_enterprise_install"] is False
    # Bolt reads exactly this spelling from a plain dict.
    assert result.headers.get("x-oauth-scopes") == ",".join(ALL_SCOPES)


def test_tokens_are_checked(world: World) -> None:
    assert error_of(WebClient(base_url=f"{world.url}/api/").auth_test)["error"] == "not_authed"
    assert error_of(world.client("xoxb-nope").auth_test)["error"] == "invalid_auth"


def test_a_revoked_token_is_refused(world: World) -> None:
    client = world.client()
    assert client.auth_revoke()["revoked"] is True
    assert error_of(client.auth_test)["error"] == "token_revoked"


def test_unknown_methods_answer_unknown_method(world: World) -> None:
    assert error_of(world.client().api_call, api_method="chat.teleport")["error"] == (
        "unknown_method"
    )


def test_missing_scope_names_the_needed_and_provided_scopes(world: World) -> None:
    client = world.install_with(["chat:write", "channels:read"])

    data = error_of(client.users_info, user=world.alice["id"])
    assert data == {
        "ok": False,
        "error": "missing_scope",
        "needed": "users:read",
        "provided": "chat:write,channels:read",
    }
    listing = error_of(client.conversations_list, types="public_channel,private_channel")
    assert listing["needed"] == "groups:read"


def test_post_update_and_history(world: World) -> None:
    client, channel = world.client(), world.general["id"]
    world.invite_bot(channel)
    metadata = {"event_type": "alert", "event_payload": {"alert_id": 42}}
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Alert*"}}]

    first = client.chat_postMessage(channel=channel, text="one", blocks=blocks, metadata=metadata)
    second = client.chat_postMessage(channel=channel, text="two")
    updated = client.chat_update(channel=channel, ts=first["ts"], text="one, edited")

    assert first["message"]["subtype"] == "bot_message"
    assert first["message"]["user"] == world.install["bot_user_id"]
    assert first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    assert updated["text"] == "one, edited"
    assert updated["message"]["edited"]["user"] == world.install["bot_user_id"]
    history = client.conversations_history(channel=channel, include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["two", "one, edited"]
    assert history["messages"][1]["metadata"] == metadata
    plain = client.conversations_history(channel=channel)
    assert "metadata" not in plain["messages"][1]


def test_history_pages_with_a_cursor(world: World) -> None:
    client, channel = world.client(), world.general["id"]
    world.invite_bot(channel)
    for n in range(5):
        client.chat_postMessage(channel=channel, text=str(n))

    texts = [
        m["text"]
        for page in client.conversations_history(channel=channel, limit=2)
        for m in page["messages"]
    ]

    assert texts == ["4", "3", "2", "1", "0"]


def test_only_the_posting_bot_may_update_a_message(world: World) -> None:
    channel = world.general["id"]
    world.invite_bot(channel)
    posted = world.client().chat_postMessage(channel=channel, text="mine")
    other_app = world.sim.app(name="other")
    other = world.sim.install(
        other_app["id"], world.team["id"], ["chat:write", "chat:write.public"]
    )
    client = world.client(other["access_token"])

    assert error_of(client.chat_update, channel=channel, ts=posted["ts"], text="x")["error"] == (
        "cant_update_message"
    )
    assert error_of(client.chat_update, channel=channel, ts="1.000001", text="x")["error"] == (
        "message_not_found"
    )


def test_ephemeral_messages_are_seen_only_by_their_user(world: World) -> None:
    client, channel = world.client(), world.general["id"]
    world.invite_bot(channel)
    client.chat_postMessage(channel=channel, text="everyone")

    result = client.chat_postEphemeral(channel=channel, user=world.alice["id"], text="psst")

    assert result["message_ts"]
    assert [m["text"] for m in client.conversations_history(channel=channel)["messages"]] == [
        "everyone"
    ]
    seen_by_alice = world.sim.messages(channel, user_id=world.alice["id"])
    assert [m["text"] for m in seen_by_alice] == ["everyone", "psst"]
    assert [m["text"] for m in world.sim.messages(channel, user_id=world.bob["id"])] == ["everyone"]
    stranger = world.sim.user(world.team["id"], "carol")["id"]
    assert (
        error_of(client.chat_postEphemeral, channel=channel, user=stranger, text="x")["error"]
        == "user_not_in_channel"
    )


def test_posting_needs_membership_or_chat_write_public(world: World) -> None:
    channel = world.general["id"]
    assert error_of(world.client().chat_postMessage, channel=channel, text="hi")["error"] == (
        "not_in_channel"
    )

    public = world.install_with([*ALL_SCOPES, "chat:write.public"])

    assert public.chat_postMessage(channel=channel, text="hi")["ok"]


def test_no_text_is_refused(world: World) -> None:
    world.invite_bot(world.general["id"])
    # api_call, because chat_postMessage itself warns (an error here) before sending no text.
    client = world.client()
    data = error_of(
        client.api_call, api_method="chat.postMessage", json={"channel": world.general["id"]}
    )
    assert data["error"] == "no_text"


def test_a_private_channel_is_invisible_to_the_bot_until_invited(world: World) -> None:
    client, secret = world.client(), world.secret["id"]
    listed = {c["id"] for c in client.conversations_list(types="private_channel")["channels"]}
    assert secret not in listed
    assert error_of(client.conversations_info, channel=secret)["error"] == "channel_not_found"
    assert error_of(client.chat_postMessage, channel=secret, text="x")["error"] == (
        "channel_not_found"
    )

    world.invite_bot(secret)

    listed = {c["id"] for c in client.conversations_list(types="private_channel")["channels"]}
    assert listed == {secret}
    info = client.conversations_info(channel=secret)["channel"]
    assert info["is_private"] is True and info["is_member"] is True
    assert client.chat_postMessage(channel=secret, text="x")["ok"]


def test_conversations_list_pages_to_the_end(world: World) -> None:
    for n in range(5):
        world.sim.channel(world.team["id"], f"ops-{n}")
    client = world.client()

    # A SlackResponse is one object updated in place as it pages, so read each page in the loop.
    pages = [
        ([c["name"] for c in page["channels"]], page["response_metadata"]["next_cursor"])
        for page in client.conversations_list(limit=2)
    ]

    names = [name for page_names, _ in pages for name in page_names]
    assert names == ["general", "ops-0", "ops-1", "ops-2", "ops-3", "ops-4"]
    # The private channel takes a place on the second page and is filtered out after, as on Slack.
    assert [len(page_names) for page_names, _ in pages] == [1, 2, 2, 1]
    assert pages[-1][1] == ""


def test_conversations_list_rejects_bad_limits_and_cursors(world: World) -> None:
    client = world.client()
    assert error_of(client.conversations_list, limit=-1)["error"] == "invalid_limit"
    assert error_of(client.conversations_list, limit="lots")["error"] == "invalid_limit"
    assert error_of(client.conversations_list, cursor="garbage!")["error"] == "invalid_cursor"


def test_users_info_shows_the_email_only_with_users_read_email(world: World) -> None:
    alice = world.alice["id"]
    with_email = world.client().users_info(user=alice)["user"]
    assert with_email["profile"]["email"] == "alice@example.com"

    client = world.install_with(["users:read"])

    assert "email" not in client.users_info(user=alice)["user"]["profile"]
    assert error_of(client.users_info, user="UNOBODY")["error"] == "user_not_found"


def test_users_lookup_by_email(world: World) -> None:
    client = world.client()
    assert client.users_lookupByEmail(email="BOB@example.com")["user"]["id"] == world.bob["id"]
    assert error_of(client.users_lookupByEmail, email="x@y.z")["error"] == "users_not_found"


def test_a_token_never_reaches_another_workspace(world: World) -> None:
    other = world.sim.workspace("Globex")
    outsider = world.sim.user(other["id"], "hank")
    their_channel = world.sim.channel(other["id"], "general", members=[outsider["id"]])
    client = world.install_with([*ALL_SCOPES, "chat:write.public"])

    for call, kwargs in [
        (client.conversations_info, {"channel": their_channel["id"]}),
        (client.chat_postMessage, {"channel": their_channel["id"], "text": "x"}),
        (client.conversations_join, {"channel": their_channel["id"]}),
    ]:
        assert error_of(call, **kwargs)["error"] == "channel_not_found"
    assert error_of(client.users_info, user=outsider["id"])["error"] == "user_not_found"


def test_join_then_read_a_thread(world: World) -> None:
    client, channel = world.client(), world.general["id"]
    assert client.conversations_join(channel=channel)["channel"]["is_member"] is True
    parent = client.chat_postMessage(channel=channel, text="parent")
    client.chat_postMessage(channel=channel, text="reply", thread_ts=parent["ts"])

    history = client.conversations_history(channel=channel)["messages"]
    replies = client.conversations_replies(channel=channel, ts=parent["ts"])["messages"]

    # Joining leaves Slack's `channel_join` message in the history, under what the bot posted.
    bot = world.install["bot_user_id"]
    assert [m["text"] for m in history] == ["parent", f"<@{bot}> has joined the channel"]
    assert history[1]["subtype"] == "channel_join"
    assert history[0]["reply_count"] == 1
    assert [m["text"] for m in replies] == ["parent", "reply"]
    again = client.conversations_join(channel=channel)
    assert again["warning"] == "already_in_channel"


def test_team_info_and_permalink(world: World) -> None:
    client, channel = world.client(), world.general["id"]
    world.invite_bot(channel)
    posted = client.chat_postMessage(channel=channel, text="x")

    assert client.team_info()["team"]["domain"] == "acme"
    link = client.chat_getPermalink(channel=channel, message_ts=posted["ts"])["permalink"]
    assert link == f"https://acme.slack.com/archives/{channel}/p{posted['ts'].replace('.', '')}"


def test_the_async_client_uses_get_with_a_query_string(world: World) -> None:
    async def run() -> tuple[dict, dict]:
        client = AsyncWebClient(token=world.install["access_token"], base_url=f"{world.url}/api/")
        auth = await client.auth_test()
        listed = await client.conversations_list(types="public_channel", exclude_archived=True)
        return auth.data, listed.data

    auth, listed = asyncio.run(run())

    assert auth["bot_id"] == world.install["bot_id"]
    assert [c["name"] for c in listed["channels"]] == ["general"]


def test_form_posts_and_token_fields_work_without_the_sdk(world: World) -> None:
    world.invite_bot(world.general["id"])
    response = requests.post(
        f"{world.url}/chat.postMessage",
        data={
            "token": world.install["access_token"],
            "channel": world.general["id"],
            "blocks": '[{"type": "divider"}]',
        },
        timeout=10,
    )

    assert response.status_code == 200
    assert response.json()["message"]["blocks"] == [{"type": "divider"}]
    bad = requests.post(
        f"{world.url}/api/chat.postMessage",
        data={"token": world.install["access_token"], "channel": "C1", "blocks": "[not json"},
        timeout=10,
    )
    assert bad.json()["error"] == "invalid_blocks_format"


def test_the_journal_redacts_tokens(world: World) -> None:
    world.client().auth_test()

    entries = world.sim.get("/journal", method="auth.test")["entries"]

    assert entries[-1]["method"] == "auth.test" and entries[-1]["ok"] is True
    assert world.install["access_token"] not in str(entries)
