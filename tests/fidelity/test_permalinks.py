"""Permalinks live under the workspace's URL, the one `auth.test` reports, as on Slack:
`<url>archives/<channel>/p<ts without the dot>`, with `thread_ts` and `cid` for a reply."""

from __future__ import annotations

from tests.fidelity.conftest import BOT_SCOPES, Acme


def test_get_permalink_is_under_the_url_auth_test_reports(acme: Acme) -> None:
    client, channel = acme.client(), acme.general["id"]
    acme.invite_bot(channel)
    ts = client.chat_postMessage(channel=channel, text="x")["ts"]

    url = client.auth_test()["url"]
    link = client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]

    assert url == "https://acme.slack.com/"
    assert link == f"{url}archives/{channel}/p{ts.replace('.', '')}"
    assert client.team_info()["team"]["domain"] == "acme"


def test_a_reply_links_to_its_thread(acme: Acme) -> None:
    client, channel = acme.client(), acme.general["id"]
    acme.invite_bot(channel)
    parent = client.chat_postMessage(channel=channel, text="parent")["ts"]
    reply = client.chat_postMessage(channel=channel, text="reply", thread_ts=parent)["ts"]

    link = client.chat_getPermalink(channel=channel, message_ts=reply)["permalink"]

    digits = reply.replace(".", "")
    assert (
        link
        == f"https://acme.slack.com/archives/{channel}/p{digits}?thread_ts={parent}&cid={channel}"
    )


def test_reactions_get_gives_the_same_permalink(acme: Acme) -> None:
    client, channel = acme.client(), acme.general["id"]
    acme.invite_bot(channel)
    ts = client.chat_postMessage(channel=channel, text="x")["ts"]
    client.reactions_add(channel=channel, timestamp=ts, name="eyes")

    reacted = client.reactions_get(channel=channel, timestamp=ts)["message"]

    assert (
        reacted["permalink"]
        == client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    )


def test_each_workspace_links_under_its_own_url(acme: Acme) -> None:
    other = acme.sim.workspace("Globex", domain="globex")
    channel = acme.sim.channel(other["id"], "ops")
    token = acme.sim.install(acme.app["id"], other["id"], BOT_SCOPES)["access_token"]
    acme.sim.invite(
        channel["id"], acme.sim.install(acme.app["id"], other["id"], BOT_SCOPES)["bot_user_id"]
    )
    client = acme.client(token)
    ts = client.chat_postMessage(channel=channel["id"], text="x")["ts"]

    link = client.chat_getPermalink(channel=channel["id"], message_ts=ts)["permalink"]

    assert client.auth_test()["url"] == "https://globex.slack.com/"
    assert link.startswith("https://globex.slack.com/archives/")
