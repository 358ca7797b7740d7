"""What a bot token may see and do: scopes, membership, private channels, other workspaces."""

from __future__ import annotations

import re

from tests.fidelity.conftest import BOT_SCOPES, Acme, error_of

TS = re.compile(r"^\d{10}\.\d{6}$")


def listed(client, types: str) -> set[str]:
    return {c["id"] for page in client.conversations_list(types=types) for c in page["channels"]}


def test_auth_test_names_the_scopes_in_a_lowercase_header(acme: Acme) -> None:
    answer = acme.client().auth_test()

    assert answer.headers["x-oauth-scopes"] == ",".join(BOT_SCOPES)
    assert (answer["team_id"], answer["user_id"]) == (acme.team["id"], acme.bot)
    assert answer["bot_id"] == acme.install["bot_id"] and answer["url"] == "https://acme.slack.com/"


def test_posting_needs_membership_unless_chat_write_public(acme: Acme) -> None:
    channel = acme.general["id"]

    assert error_of(acme.client().chat_postMessage, channel=channel, text="x")["error"] == (
        "not_in_channel"
    )
    public = acme.install_with([*BOT_SCOPES, "chat:write.public"])
    posted = public.chat_postMessage(channel=channel, text="hello")

    assert TS.match(posted["ts"]) and posted["channel"] == channel
    assert posted["message"]["text"] == "hello" and posted["message"]["bot_id"]
    assert error_of(public.conversations_history, channel=channel)["error"] == "not_in_channel"


def test_a_private_channel_exists_for_the_bot_only_once_it_is_a_member(acme: Acme) -> None:
    client, secret = acme.client(), acme.secret["id"]
    both = "public_channel,private_channel"
    before = listed(client, both)
    hidden = {
        call.__name__: error_of(call, channel=secret)["error"]
        for call in (client.conversations_info, client.conversations_history)
    }

    acme.invite_bot(secret)

    assert secret not in before and acme.general["id"] in before
    assert hidden == {
        "conversations_info": "channel_not_found",
        "conversations_history": ("channel_not_found"),
    }
    assert secret in listed(client, both)
    info = client.conversations_info(channel=secret)["channel"]
    assert (info["is_private"], info["is_group"], info["is_channel"], info["is_member"]) == (
        True,
        True,
        False,
        True,
    )
    assert client.chat_postMessage(channel=secret, text="inside")["ok"]
    assert [m["text"] for m in client.conversations_history(channel=secret)["messages"]] == [
        "inside"
    ]


def test_private_channels_in_a_listing_need_groups_read(acme: Acme) -> None:
    client = acme.install_with(["channels:read"])

    assert listed(client, "public_channel") == {acme.general["id"]}
    answer = error_of(client.conversations_list, types="public_channel,private_channel")
    assert (answer["error"], answer["needed"], answer["provided"]) == (
        "missing_scope",
        "groups:read",
        "channels:read",
    )


def test_an_email_needs_users_read_email(acme: Acme) -> None:
    without = acme.install_with(["users:read"])
    assert "email" not in without.users_info(user=acme.alice["id"])["user"]["profile"]
    assert all("email" not in m["profile"] for m in without.users_list()["members"])

    with_email = acme.install_with(["users:read", "users:read.email"])

    assert with_email.users_info(user=acme.alice["id"])["user"]["profile"]["email"] == (
        "alice@example.com"
    )


def test_a_token_never_reaches_another_workspace(acme: Acme) -> None:
    globex = acme.sim.workspace("Globex")
    hank = acme.sim.user(globex["id"], "hank")
    theirs = acme.sim.channel(globex["id"], "general", members=[hank["id"]])["id"]
    client = acme.install_with([*BOT_SCOPES, "chat:write.public"])

    for call in (
        client.conversations_info,
        client.conversations_join,
        client.conversations_members,
    ):
        assert error_of(call, channel=theirs)["error"] == "channel_not_found"
    assert error_of(client.chat_postMessage, channel=theirs, text="x")["error"] == (
        "channel_not_found"
    )
    assert error_of(client.users_info, user=hank["id"])["error"] == "user_not_found"
    assert hank["id"] not in {m["id"] for m in client.users_list()["members"]}


def test_revoked_and_uninstalled_tokens_stop_working(acme: Acme) -> None:
    client = acme.client()
    client.apps_uninstall(client_id=acme.app["client_id"], client_secret=acme.app["client_secret"])

    assert error_of(client.auth_test)["error"] == "token_revoked"
    again = acme.sim.install(acme.app["id"], acme.team["id"], ["chat:write"])
    assert again["access_token"] != acme.token
    assert acme.client(again["access_token"]).auth_test()["user_id"] == acme.bot
