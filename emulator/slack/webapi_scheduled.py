"""Web API handlers for scheduled messages (the model side is `scheduling.py`)."""

from __future__ import annotations

from emulator.slack.webapi import Call, Reply, method


@method("chat.scheduleMessage")
def chat_schedule_message(call: Call) -> Reply:
    """`unfurl_*` change nothing fake Slack shows, as in chat.postMessage."""
    content = call.content(long_text="msg_too_long")
    scheduled = call.state.chat_schedule_message(
        call.install,
        call.text("channel"),
        call.text("post_at"),
        text=content.text,
        blocks=content.blocks,
        attachments=content.attachments,
        thread_ts=call.text("thread_ts"),
        metadata=call.metadata(),
        presentation=call.presentation(),
        reply_broadcast=call.flag("reply_broadcast"),
    )
    message = {"type": "delayed_message", "text": scheduled.text, "bot_id": call.install.bot_id}
    message.update(user=call.install.bot_user_id, team=call.install.team_id)
    if scheduled.blocks is not None:
        message["blocks"] = scheduled.blocks
    if scheduled.attachments:
        message["attachments"] = scheduled.attachments
    return {
        "channel": scheduled.channel_id,
        "scheduled_message_id": scheduled.id,
        # A string in Slack's published example.
        "post_at": str(scheduled.post_at),
        "message": message,
    }


@method("chat.deleteScheduledMessage")
def chat_delete_scheduled_message(call: Call) -> Reply:
    call.state.chat_delete_scheduled_message(
        call.install, call.text("channel"), call.text("scheduled_message_id")
    )
    return {}


@method("chat.scheduledMessages.list")
def chat_scheduled_messages_list(call: Call) -> Reply:
    messages, cursor = call.state.chat_scheduled_messages_list(
        call.install,
        channel_ref=call.text("channel"),
        oldest=call.text("oldest"),
        latest=call.text("latest"),
        limit=call.limit(),
        cursor=call.text("cursor"),
    )
    return {"scheduled_messages": messages, "response_metadata": {"next_cursor": cursor}}
