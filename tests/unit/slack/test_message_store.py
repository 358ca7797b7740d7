"""How fake Slack keeps messages and its journal: compactly (few objects for the garbage collector
to walk), and losing nothing: every reader gets back exactly what was posted."""

from __future__ import annotations

import gc
import json
from typing import Any

from emulator.slack import FakeSlack
from emulator.slack.journal import Journal
from emulator.slack.snapshot import export_state, import_state
from tests.unit.slack.conftest import World

# What JSON can say, in the corners a re-encoding could lose: key order, non-ASCII and astral
# characters, escapes, numbers of each kind, empty containers, nulls.
BLOCKS: list[Any] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": '*Zürich* 🚨 "quoted" \\ <b>'}},
    {"type": "context", "elements": [{"type": "plain_text", "text": "日本語", "emoji": True}]},
    {
        "type": "actions",
        "block_id": "alert_1",
        "elements": [
            {
                "type": "button",
                "action_id": "accept",
                "text": {"type": "plain_text", "text": "Accept"},
                "value": "1",
            }
        ],
    },
]
ATTACHMENTS: list[Any] = [{"color": "#ff0000", "fallback": "Zürich", "blocks": BLOCKS[:1]}]
METADATA: dict[str, Any] = {
    "event_type": "ilert_alert",
    "event_payload": {"z": 1, "a": 2.5, "n": None, "t": True, "list": [], "map": {}, "big": 2**60},
}


def _tracked_under(obj: Any) -> list[Any]:
    """The objects the collector tracks among what `obj` refers to (its class left out)."""
    return [ref for ref in gc.get_referents(obj) if gc.is_tracked(ref) and ref is not type(obj)]


def _post(fake: FakeSlack, **content: Any) -> tuple[Any, str]:
    state = fake.state
    team = state.create_workspace(name="Acme", domain="acme")
    app = state.create_app(name="bench")
    install = state.install(app.id, team.id, ["chat:write", "channels:history"])
    channel = state.create_channel(team.id, name="ops", is_private=False, members=[])
    state.invite(channel.id, install.bot_user_id)
    message = state.chat_post_message(install, channel.id, **content)
    return message, channel.id


def test_a_stored_message_holds_its_content_as_text_not_as_objects_to_walk() -> None:
    message, _ = _post(
        FakeSlack(), text="x", blocks=BLOCKS, attachments=ATTACHMENTS, metadata=METADATA
    )
    message.edited = {"user": "U1", "ts": "1.000001"}

    assert _tracked_under(message) == []
    assert (message.blocks, message.attachments, message.metadata) == (
        BLOCKS,
        ATTACHMENTS,
        METADATA,
    )
    assert message.edited == {"user": "U1", "ts": "1.000001"}


def test_reading_content_gives_a_copy_and_assigning_replaces_it() -> None:
    message, _ = _post(FakeSlack(), text="x", blocks=BLOCKS, attachments=None, metadata=None)

    message.blocks[0]["type"] = "divider"  # type: ignore[index]
    assert message.blocks == BLOCKS
    message.blocks = [{"type": "divider"}]
    assert message.to_api()["blocks"] == [{"type": "divider"}]
    message.blocks = None
    assert "blocks" not in message.to_api()


def test_only_a_thread_parent_has_reply_lists() -> None:
    fake = FakeSlack()
    parent, channel_id = _post(fake, text="parent", blocks=None, attachments=None)
    install = next(iter(fake.state.installs.values()))
    reply = fake.state.chat_post_message(
        install, channel_id, text="reply", blocks=None, attachments=None, thread_ts=parent.ts
    )

    assert (reply.replies, reply.reply_users) == ((), ())
    assert parent.replies == [reply.ts] and parent.reply_users == [install.bot_user_id]
    fake.state.chat_delete(install, channel_id, reply.ts)
    assert parent.replies == []


def test_every_reader_gets_back_exactly_what_was_posted(world: World, fake: FakeSlack) -> None:
    client, channel = world.client(), world.general["id"]
    world.invite_bot(channel)
    posted = client.chat_postMessage(
        channel=channel, text="Zürich", blocks=BLOCKS, attachments=ATTACHMENTS, metadata=METADATA
    )
    ts = posted["ts"]
    client.chat_postMessage(channel=channel, text="reply", thread_ts=ts, metadata=METADATA)
    numbered = [{**ATTACHMENTS[0], "id": 1}]  # Slack numbers attachments

    assert posted["message"]["blocks"] == BLOCKS
    assert posted["message"]["attachments"] == numbered
    history = client.conversations_history(channel=channel, include_all_metadata=True)
    top = history["messages"][0]
    assert (top["blocks"], top["attachments"], top["metadata"]) == (BLOCKS, numbered, METADATA)
    assert json.dumps(top["metadata"]) == json.dumps(METADATA)  # key order too
    replies = client.conversations_replies(channel=channel, ts=ts, include_all_metadata=True)
    assert replies["messages"][1]["metadata"] == METADATA
    shown = world.sim.messages(channel)[0]
    assert (shown["blocks"], shown["attachments"], shown["metadata"]) == (
        BLOCKS,
        numbered,
        METADATA,
    )
    page = fake.state.channel_page(channel, viewer_id=world.alice["id"])
    assert page.messages[0].blocks == BLOCKS and page.messages[0].attachments == numbered


def test_an_export_round_trips_message_content_exactly(world: World, fake: FakeSlack) -> None:
    client, channel = world.client(), world.general["id"]
    world.invite_bot(channel)
    ts = client.chat_postMessage(channel=channel, text="x", blocks=BLOCKS, metadata=METADATA)["ts"]
    client.chat_postMessage(channel=channel, text="reply", thread_ts=ts)
    client.chat_update(channel=channel, ts=ts, text="y", attachments=ATTACHMENTS)

    exported = json.loads(json.dumps(export_state(fake.state)))
    again = FakeSlack()
    import_state(again.state, exported)

    assert json.loads(json.dumps(export_state(again.state)))["channels"] == exported["channels"]
    message = again.state.channels[channel].messages[ts]
    assert message.to_api() == fake.state.channels[channel].messages[ts].to_api()
    assert message.edited == {"user": world.install["bot_user_id"], "ts": message.edited["ts"]}


def test_the_journal_shows_each_call_as_it_came_and_keeps_no_objects_of_it() -> None:
    journal = Journal(size=10)
    body = {"channel": "C1", "token": "xoxb-secret", "blocks": BLOCKS, "metadata": METADATA}
    raw = json.dumps(body).encode()
    args = {"unfurl_links": "false", **json.loads(raw)}
    journal.record(
        method="chat.postMessage",
        args=args,
        json_body=raw,
        team_id="T1",
        app_id="A1",
        status=200,
        body={"ok": True},
        time=1.5,
    )
    journal.record(
        method="api.test",
        args={"nested": {"given": ["without a body"]}},
        team_id="",
        app_id="",
        status=200,
        body={"ok": False, "error": "x"},
        time=2.0,
    )
    gc.collect()

    first, second = journal.entries()
    assert first["args"] == {**args, "token": "<redacted>"}
    assert list(first["args"]) == list(args)
    assert first["args"]["metadata"] == METADATA
    assert (first["method"], first["team_id"], first["ok"], first["id"]) == (
        "chat.postMessage",
        "T1",
        True,
        1,
    )
    assert second["args"] == {"nested": {"given": ["without a body"]}}
    assert journal.entries(method="api.test") == [second]
    stored = journal._entries[0]
    assert [ref for ref in _tracked_under(stored) if ref is not stored.shown] == []
