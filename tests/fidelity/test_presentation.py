"""How a post is presented, through slack_sdk's WebClient as apps call it: a custom name and icon
(`username`, `icon_emoji`, `icon_url`, with `chat:write.customize`), a thread reply also sent to
the channel (`reply_broadcast`), and the text Slack stores for `parse`, `link_names`, `mrkdwn`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient

from emulator.slack.client import SlackSim
from tests.fidelity.conftest import BOT_SCOPES, Acme, error_of, wait_for
from tests.fidelity.test_edit_events import Channel, _channel

CUSTOMIZE = [*BOT_SCOPES, "chat:write.customize"]


def _history(client: WebClient, channel: str) -> list[dict[str, Any]]:
    return client.conversations_history(channel=channel)["messages"]


def _customized(acme: Acme) -> WebClient:
    acme.invite_bot(acme.general["id"])
    return acme.install_with(CUSTOMIZE)


# --- username and icons --------------------------------------------------------------------


def test_a_custom_name_and_emoji_show_on_the_message_and_in_history(acme: Acme) -> None:
    client = _customized(acme)
    posted = client.chat_postMessage(
        channel=acme.general["id"], text="deployed", username="Deploy Bot", icon_emoji=":rocket:"
    )

    assert posted["message"]["subtype"] == "bot_message"
    assert posted["message"]["username"] == "Deploy Bot"
    assert posted["message"]["icons"] == {"emoji": ":rocket:"}
    stored = _history(client, acme.general["id"])[0]
    assert stored["username"] == "Deploy Bot" and stored["icons"] == {"emoji": ":rocket:"}


def test_an_icon_url_is_the_icon_unless_an_emoji_is_given_too(acme: Acme) -> None:
    client = _customized(acme)
    url = "https://example.com/icon.png"
    alone = client.chat_postMessage(channel=acme.general["id"], text="a", icon_url=url)
    both = client.chat_postMessage(
        channel=acme.general["id"], text="b", icon_url=url, icon_emoji=":fire:"
    )

    assert alone["message"]["icons"] == {"image_48": url}
    assert "username" not in alone["message"]
    assert both["message"]["icons"] == {"emoji": ":fire:"}  # "Overrides `icon_url`"


def test_without_the_customize_scope_the_name_and_icon_are_ignored(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    posted = acme.client().chat_postMessage(
        channel=acme.general["id"], text="hi", username="Someone Else", icon_emoji=":ghost:"
    )

    assert posted["ok"] is True
    assert "username" not in posted["message"] and "icons" not in posted["message"]
    assert "username" not in _history(acme.client(), acme.general["id"])[0]


def test_an_ephemeral_message_takes_the_custom_name_too(acme: Acme) -> None:
    client = _customized(acme)
    client.chat_postEphemeral(
        channel=acme.general["id"], user=acme.alice["id"], text="psst", username="Whisper"
    )

    shown = acme.sim.messages(acme.general["id"], user_id=acme.alice["id"])
    assert [(m["text"], m.get("username")) for m in shown] == [("psst", "Whisper")]


# --- reply_broadcast -------------------------------------------------------------------------


def _thread(acme: Acme) -> tuple[WebClient, str]:
    acme.invite_bot(acme.general["id"])
    client = acme.client()
    return client, client.chat_postMessage(channel=acme.general["id"], text="incident")["ts"]


def test_a_broadcast_reply_is_in_the_thread_and_in_the_channel(acme: Acme) -> None:
    client, parent = _thread(acme)
    posted = client.chat_postMessage(
        channel=acme.general["id"], thread_ts=parent, text="resolved", reply_broadcast=True
    )

    assert posted["message"]["subtype"] == "thread_broadcast"
    assert posted["message"]["thread_ts"] == parent
    assert posted["message"]["root"]["ts"] == parent
    assert posted["message"]["root"]["reply_count"] == 1
    history = _history(client, acme.general["id"])
    assert [m["text"] for m in history] == ["resolved", "incident"]
    assert history[0]["subtype"] == "thread_broadcast" and history[0]["root"]["text"] == "incident"
    assert history[1]["reply_count"] == 1
    replies = client.conversations_replies(channel=acme.general["id"], ts=parent)["messages"]
    assert [(m["text"], m.get("subtype")) for m in replies] == [
        ("incident", "bot_message"),
        ("resolved", "thread_broadcast"),
    ]


def test_reply_broadcast_without_a_thread_is_an_ordinary_post(acme: Acme) -> None:
    client, _ = _thread(acme)
    posted = client.chat_postMessage(channel=acme.general["id"], text="hi", reply_broadcast=True)

    assert posted["message"]["subtype"] == "bot_message"
    assert "thread_ts" not in posted["message"] and "root" not in posted["message"]


@pytest.fixture
def watched(fake_slack: SlackSim) -> Iterator[Channel]:
    """A channel a Bolt app follows (`message.channels`), and another app posting in it."""
    yield from _channel(fake_slack, private=False)


def test_a_subscribed_app_hears_a_broadcast_with_its_root(watched: Channel) -> None:
    parent = watched.poster.chat_postMessage(channel=watched.id, text="incident")["ts"]
    watched.poster.chat_postMessage(
        channel=watched.id, thread_ts=parent, text="resolved", reply_broadcast=True
    )

    def broadcast() -> list[dict[str, Any]]:
        with watched.heard.lock:
            return [e for e in watched.heard.others if e.get("subtype") == "thread_broadcast"]

    event = wait_for(broadcast, what="the thread_broadcast event")[0]
    assert event["text"] == "resolved" and event["thread_ts"] == parent
    assert event["root"]["ts"] == parent and event["root"]["text"] == "incident"
    assert event["bot_id"] and event["channel"] == watched.id


def test_a_deleted_broadcast_leaves_the_channel_and_the_thread(acme: Acme) -> None:
    client, parent = _thread(acme)
    ts = client.chat_postMessage(
        channel=acme.general["id"], thread_ts=parent, text="oops", reply_broadcast=True
    )["ts"]
    assert [m["text"] for m in _history(client, acme.general["id"])] == ["oops", "incident"]

    client.chat_delete(channel=acme.general["id"], ts=ts)

    assert [m["text"] for m in _history(client, acme.general["id"])] == ["incident"]
    replies = client.conversations_replies(channel=acme.general["id"], ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["incident"]


def test_chat_update_broadcasts_an_existing_reply(acme: Acme) -> None:
    client, parent = _thread(acme)
    ts = client.chat_postMessage(channel=acme.general["id"], thread_ts=parent, text="later")["ts"]
    client.chat_postMessage(channel=acme.general["id"], text="newer")
    assert "later" not in [m["text"] for m in _history(client, acme.general["id"])]

    with pytest.warns(UserWarning, match="top-level `text` argument is missing"):
        updated = client.chat_update(channel=acme.general["id"], ts=ts, reply_broadcast=True)

    assert updated["message"]["subtype"] == "thread_broadcast"
    assert "edited" not in updated["message"]
    assert [m["text"] for m in _history(client, acme.general["id"])] == [
        "newer",
        "later",
        "incident",
    ]


def test_chat_update_refuses_to_broadcast_what_it_cannot(acme: Acme) -> None:
    client, parent = _thread(acme)
    reply = client.chat_postMessage(channel=acme.general["id"], thread_ts=parent, text="r")["ts"]
    channel = acme.general["id"]

    with pytest.warns(UserWarning, match="top-level `text` argument is missing"):
        top = error_of(client.chat_update, channel=channel, ts=parent, reply_broadcast=True)
    dual = error_of(client.chat_update, channel=channel, ts=reply, text="x", reply_broadcast=True)

    assert top["error"] == "cant_broadcast_message"
    assert dual["error"] == "no_dual_broadcast_content_update"
    assert [m["text"] for m in _history(client, channel)] == ["incident"]


# --- parse, link_names, mrkdwn ---------------------------------------------------------------


def _stored_text(acme: Acme, **args: Any) -> str:
    acme.invite_bot(acme.general["id"])
    client = acme.client()
    posted = client.chat_postMessage(channel=acme.general["id"], **args)
    assert _history(client, acme.general["id"])[0]["text"] == posted["message"]["text"]
    return str(posted["message"]["text"])


def test_parse_full_escapes_markup_and_links_urls_channels_and_specials(acme: Acme) -> None:
    text = _stored_text(
        acme, text="Foo <!everyone> bar http://test.com, @here in #general", parse="full"
    )

    general = acme.general["id"]
    assert text == f"Foo &lt;!everyone&gt; bar <http://test.com>, <!here> in <#{general}|general>"


def test_link_names_links_specials_and_channels_but_not_people(acme: Acme) -> None:
    text = _stored_text(
        acme,
        text="@channel see #general and #nowhere, ask @alice <https://x.test/#general>",
        link_names=True,
    )

    general = acme.general["id"]
    assert text == (
        f"<!channel> see <#{general}|general> and #nowhere, ask @alice <https://x.test/#general>"
    )


def test_parse_none_and_no_parse_keep_the_text_as_sent(acme: Acme) -> None:
    sent = "Foo <!everyone> bar http://test.com @here #general"

    assert _stored_text(acme, text=sent, parse="none") == sent
    assert _stored_text(acme, text=sent) == sent


def test_mrkdwn_false_is_kept_on_the_message(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    client = acme.client()
    posted = client.chat_postMessage(channel=acme.general["id"], text="*not bold*", mrkdwn=False)
    plain = client.chat_postMessage(channel=acme.general["id"], text="*bold*")

    assert posted["message"]["mrkdwn"] is False
    assert "mrkdwn" not in plain["message"]
    assert _history(client, acme.general["id"])[1]["mrkdwn"] is False


def test_chat_update_parses_the_new_text_as_asked(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    client = acme.client()
    ts = client.chat_postMessage(channel=acme.general["id"], text="x")["ts"]

    updated = client.chat_update(channel=acme.general["id"], ts=ts, text="@here", link_names=1)

    assert updated["text"] == "<!here>" and updated["message"]["text"] == "<!here>"
