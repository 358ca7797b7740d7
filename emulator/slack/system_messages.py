"""The messages Slack itself posts in a channel when its members or settings change.

Joining, leaving (or being removed), renaming, archiving, unarchiving and setting the topic or
the purpose each leave a message in the channel, with a `subtype` and Slack's wording
(docs.slack.dev/reference/events/message/channel_join, …/channel_leave, …/channel_name,
…/channel_archive, …/channel_unarchive, …/channel_topic, …/channel_purpose). They are read back
by `conversations.history` and reach apps as `message` events with that subtype. Private
channels use the same subtypes: Slack's `group_join`, `group_leave`, … belong to the private
channels with `G` ids made before March 2021, and fake Slack's private channels have `C` ids, as
Slack's newer ones do (docs.slack.dev/reference/events/member_joined_channel, `channel_type`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.slack.entities import Message


@dataclass(frozen=True)
class Notice:
    """What a system message says: its subtype, Slack's text and the subtype's own fields."""

    subtype: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict)


class SystemMessage(Message):
    """A message with a subtype and the subtype's fields (`inviter`, `old_name`, `topic`, …),
    by the person or bot whose action it tells; no `bot_id`, so no app may edit or delete it."""

    __slots__ = ("fields", "subtype")

    def __init__(
        self, *args: Any, subtype: str, fields: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.subtype = subtype
        self.fields = dict(fields or {})

    def to_api(self, *, include_metadata: bool = True, raw: bool = False) -> dict[str, Any]:
        out = super().to_api(include_metadata=include_metadata, raw=raw)
        return {"type": "message", "subtype": self.subtype, **out, **self.fields}

    def to_sim(self, replies: list[Message]) -> dict[str, Any]:
        return {**super().to_sim(replies), "subtype": self.subtype}

    def export(self) -> dict[str, Any]:
        return {**super().export(), "subtype": self.subtype, "fields": dict(self.fields)}


def joined(user_id: str, inviter: str = "") -> Notice:
    """`channel_join`, with the `inviter` when someone else brought the user in."""
    fields = {"inviter": inviter} if inviter and inviter != user_id else {}
    return Notice("channel_join", f"<@{user_id}> has joined the channel", fields)


def left(user_id: str) -> Notice:
    return Notice("channel_leave", f"<@{user_id}> has left the channel")


def renamed(user_id: str, old_name: str, name: str) -> Notice:
    text = f'<@{user_id}> has renamed the channel from "{old_name}" to "{name}"'
    return Notice("channel_name", text, {"old_name": old_name, "name": name})


def archived(user_id: str) -> Notice:
    return Notice("channel_archive", f"<@{user_id}> archived the channel")


def unarchived(user_id: str) -> Notice:
    return Notice("channel_unarchive", f"<@{user_id}> un-archived the channel")


def text_set(user_id: str, which: str, value: str) -> Notice:
    """`channel_topic` or `channel_purpose` (`which` is "topic" or "purpose")."""
    return Notice(
        f"channel_{which}", f"<@{user_id}> set the channel {which}: {value}", {which: value}
    )
