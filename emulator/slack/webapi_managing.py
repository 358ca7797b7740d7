"""Web API handlers for channel management and reactions (the model side is `managing.py`).

Registered with `webapi.method` like every other handler; `app.py` imports this module so that
they are in place before the first call.
"""

from __future__ import annotations

from emulator.slack.entities import Channel
from emulator.slack.webapi import Call, Reply, method


def _channel_answer(call: Call, channel: Channel) -> Reply:
    return {"channel": channel.to_api(viewer=call.install.bot_user_id)}


@method("conversations.open")
def conversations_open(call: Call) -> Reply:
    """Opens the bot's DM with one person, or a group DM with two to eight."""
    channel, already = call.state.conversations_open(
        call.install,
        users=call.text("users"),
        channel_ref=call.text("channel"),
        prevent_creation=call.flag("prevent_creation"),
    )
    if channel is None:
        return {"channel": {}}
    full = call.flag("return_im") or channel.is_mpim
    shown = channel.to_api(viewer=call.install.bot_user_id) if full else {"id": channel.id}
    if already:
        return {"no_op": True, "already_open": True, "channel": shown}
    return {"channel": shown}


@method("conversations.archive")
def conversations_archive(call: Call) -> Reply:
    call.state.conversations_archive(call.install, call.text("channel"))
    return {}


@method("conversations.unarchive")
def conversations_unarchive(call: Call) -> Reply:
    call.state.conversations_unarchive(call.install, call.text("channel"))
    return {}


@method("conversations.rename")
def conversations_rename(call: Call) -> Reply:
    channel = call.state.conversations_rename(call.install, call.text("channel"), call.text("name"))
    return _channel_answer(call, channel)


@method("conversations.setTopic")
def conversations_set_topic(call: Call) -> Reply:
    """Leaves out the `channel_topic` message Slack posts in the channel."""
    channel = call.state.conversations_set_text(
        call.install, call.text("channel"), "topic", call.text("topic")
    )
    return _channel_answer(call, channel)


@method("conversations.setPurpose")
def conversations_set_purpose(call: Call) -> Reply:
    """Leaves out the `channel_purpose` message Slack posts in the channel."""
    channel = call.state.conversations_set_text(
        call.install, call.text("channel"), "purpose", call.text("purpose")
    )
    return _channel_answer(call, channel)


@method("conversations.kick")
def conversations_kick(call: Call) -> Reply:
    call.state.conversations_kick(call.install, call.text("channel"), call.text("user"))
    return {}


@method("conversations.leave")
def conversations_leave(call: Call) -> Reply:
    was_member = call.state.conversations_leave(call.install, call.text("channel"))
    return {} if was_member else {"not_in_channel": True}


@method("reactions.add")
def reactions_add(call: Call) -> Reply:
    call.state.reactions_add(
        call.install, call.text("channel"), call.text("timestamp"), call.text("name")
    )
    return {}


@method("reactions.remove")
def reactions_remove(call: Call) -> Reply:
    """Messages only: `file` and `file_comment` items are not emulated."""
    call.state.reactions_remove(
        call.install, call.text("channel"), call.text("timestamp"), call.text("name")
    )
    return {}


@method("reactions.get")
def reactions_get(call: Call) -> Reply:
    ts = call.text("timestamp")
    channel, message = call.state.reactions_get(call.install, call.text("channel"), ts)
    message["permalink"] = call.permalink(channel, ts)
    return {"type": "message", "channel": channel.id, "message": message}
