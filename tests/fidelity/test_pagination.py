"""Cursor pagination, as `SlackResponse` iteration (sync and async) follows it to the end."""

from __future__ import annotations

import asyncio

from tests.fidelity.conftest import Acme


def test_conversations_list_pages_to_the_end_with_filters_after_each_page(acme: Acme) -> None:
    for n in range(5):
        acme.sim.channel(acme.team["id"], f"ops-{n}")

    # A SlackResponse is one object updated in place as it pages: read each page in the loop.
    pages = [
        ([c["name"] for c in page["channels"]], page["response_metadata"]["next_cursor"])
        for page in acme.client().conversations_list(limit=2)
    ]

    assert [name for names, _ in pages for name in names] == [
        "general",
        "ops-0",
        "ops-1",
        "ops-2",
        "ops-3",
        "ops-4",
    ]
    # #secret takes a place on a page and is filtered out after, as Slack does.
    assert [len(names) for names, _ in pages] == [1, 2, 2, 1]
    assert all(cursor for _, cursor in pages[:-1]) and pages[-1][1] == ""


def test_users_and_members_page_too(acme: Acme) -> None:
    for name in ("carol", "dave", "erin"):
        acme.sim.invite(acme.general["id"], acme.sim.user(acme.team["id"], name)["id"])
    client = acme.client()

    users = [m["name"] for page in client.users_list(limit=2) for m in page["members"]]
    members = [
        member
        for page in client.conversations_members(channel=acme.general["id"], limit=2)
        for member in page["members"]
    ]

    assert users == ["slackbot", "alice", "bob", "acme_bot", "carol", "dave", "erin"]
    assert len(members) == 5 and members[:2] == [acme.alice["id"], acme.bob["id"]]


def test_history_and_replies_page_newest_first_and_oldest_first(acme: Acme) -> None:
    client, channel = acme.client(), acme.general["id"]
    acme.invite_bot(channel)
    for n in range(5):
        client.chat_postMessage(channel=channel, text=f"m{n}")
    parent = client.chat_postMessage(channel=channel, text="parent")["ts"]
    for n in range(4):
        client.chat_postMessage(channel=channel, text=f"r{n}", thread_ts=parent)

    history = [
        m["text"]
        for page in client.conversations_history(channel=channel, limit=2)
        for m in page["messages"]
    ]
    thread = [
        m["text"]
        for page in client.conversations_replies(channel=channel, ts=parent, limit=2)
        for m in page["messages"]
    ]

    assert history == ["parent", "m4", "m3", "m2", "m1", "m0"]
    assert thread == ["parent", "r0", "r1", "r2", "r3"]


def test_the_async_client_pages_with_async_for(acme: Acme) -> None:
    for n in range(3):
        acme.sim.channel(acme.team["id"], f"ops-{n}")

    async def names() -> list[str]:
        client = acme.sim.async_client(acme.token)
        found = []
        async for page in await client.conversations_list(limit=2):
            found += [c["name"] for c in page["channels"]]
        return found

    assert asyncio.run(names()) == ["general", "ops-0", "ops-1", "ops-2"]
