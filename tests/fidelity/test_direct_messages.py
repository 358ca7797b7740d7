"""Direct messages as an app meets them: posting to a person's user id opens the app's DM with
them, `conversations.open` finds it again, it is listed with `types=im` and read with
`conversations.history` (with the `im:` scopes), and a group DM holds the bot and its people."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from tests.fidelity.conftest import Acme


def test_posting_to_a_user_id_lands_in_the_apps_dm_with_them(acme: Acme) -> None:
    client = acme.client()
    posted = client.chat_postMessage(channel=acme.alice["id"], text="Your report is ready")
    dm = client.conversations_open(users=acme.alice["id"])["channel"]["id"]

    assert posted["channel"] == dm and dm.startswith("D")
    history = client.conversations_history(channel=dm)["messages"]
    assert [m["text"] for m in history] == ["Your report is ready"]
    assert [m["text"] for m in acme.sim.messages(dm)] == ["Your report is ready"]


def test_dms_are_listed_only_when_asked_for(acme: Acme) -> None:
    client = acme.client()
    dm = client.conversations_open(users=acme.alice["id"], return_im=True)["channel"]

    listed = client.conversations_list(types="im")["channels"]
    channels = client.conversations_list(types="public_channel")["channels"]
    assert [(c["id"], c["user"], c["is_im"]) for c in listed] == [
        (dm["id"], acme.alice["id"], True)
    ]
    assert dm["id"] not in [c["id"] for c in channels]


def test_reading_a_dm_needs_the_im_scope(acme: Acme) -> None:
    dm = acme.client().conversations_open(users=acme.alice["id"])["channel"]["id"]
    limited = acme.install_with(["chat:write", "im:write", "channels:history", "groups:history"])

    with pytest.raises(SlackApiError) as caught:
        limited.conversations_history(channel=dm)
    assert caught.value.response["error"] == "missing_scope"
    assert caught.value.response["needed"] == "im:history"


def test_a_group_dm_holds_the_bot_and_its_people(acme: Acme) -> None:
    client = acme.client()
    group = client.conversations_open(users=f"{acme.alice['id']},{acme.bob['id']}")["channel"]

    assert group["is_mpim"] is True and group["id"].startswith("G")
    members = client.conversations_members(channel=group["id"])["members"]
    assert sorted(members) == sorted([acme.bot, acme.alice["id"], acme.bob["id"]])
    again = client.conversations_open(users=f"{acme.bob['id']},{acme.alice['id']}")
    assert again["channel"]["id"] == group["id"] and again["already_open"] is True


def test_another_workspace_cannot_reach_the_dm(acme: Acme) -> None:
    dm = acme.client().conversations_open(users=acme.alice["id"])["channel"]["id"]
    other = acme.sim.workspace("Elsewhere")
    token = acme.sim.install(acme.app["id"], other["id"], ["chat:write", "im:history"])

    with pytest.raises(SlackApiError) as caught:
        acme.client(token["access_token"]).chat_postMessage(channel=dm, text="hi")
    assert caught.value.response["error"] == "channel_not_found"
