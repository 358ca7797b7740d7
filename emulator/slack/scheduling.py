"""Scheduled messages (`chat.scheduleMessage` and friends), and the worker that posts them when the
domain clock reaches their time.

The rules are those of the method pages on docs.slack.dev: `post_at` in the future and at most
120 days ahead, no more than 30 messages due within five minutes in one channel, checked as a post
would be when scheduled. One documented quirk is kept, because an app that relies on it breaks on
Slack too: a scheduled message that carries `metadata` is accepted and listed, and never posted
("Messages scheduled with chat.scheduleMessage will not post if the metadata parameter is used").
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emulator.slack.entities import (
    Install,
    ScheduledMessage,
    decode_cursor,
    encode_cursor,
    locked,
)
from emulator.slack.errors import SlackError
from emulator.slack.presentation import PLAIN, Presentation

if TYPE_CHECKING:
    from emulator.clock import Clock
    from emulator.slack.models import SlackState

MAX_AHEAD = 120 * 86_400
CROWD_WINDOW = 300  # seconds
CROWD_LIMIT = 30


class Scheduling:
    """A mixin of `SlackState`: the scheduled messages of every app, by id."""

    scheduled: dict[str, ScheduledMessage]
    on_scheduled: Callable[[], None] | None = None  # wakes the poster

    @locked
    def chat_schedule_message(
        self: SlackState,
        install: Install,
        channel_ref: str,
        post_at: str,
        *,
        text: str,
        blocks: list[Any] | None,
        attachments: list[Any] | None,
        thread_ts: str = "",
        metadata: dict[str, Any] | None = None,
        presentation: Presentation = PLAIN,
        reply_broadcast: bool = False,
    ) -> ScheduledMessage:
        """`presentation`'s `parse` and `link_names` apply to the text now; chat.scheduleMessage
        takes no name, icon or `mrkdwn` (its reference lists none)."""
        from emulator.slack.models import _require_content

        when = _post_at(post_at)
        now = self._now()
        if when <= now:
            raise SlackError("time_in_past")
        if when > now + MAX_AHEAD:
            raise SlackError("time_too_far")
        _require_content(text, blocks, attachments)
        channel = self._postable_channel(install, channel_ref)
        if thread_ts and thread_ts not in channel.messages:
            raise SlackError("thread_not_found")
        crowd = [
            s
            for s in self.scheduled.values()
            if s.channel_id == channel.id and abs(s.post_at - when) < CROWD_WINDOW
        ]
        if len(crowd) >= CROWD_LIMIT:
            raise SlackError("restricted_too_many")
        message = ScheduledMessage(
            self.new_id("Q"),
            install.app_id,
            install.team_id,
            channel.id,
            when,
            now,
            self._formatted(channel.team_id, text, presentation),
            blocks,
            attachments,
            thread_ts,
            metadata,
            reply_broadcast=reply_broadcast and bool(thread_ts),
        )
        self.scheduled[message.id] = message
        if self.on_scheduled is not None:
            self.on_scheduled()
        return message

    @locked
    def chat_delete_scheduled_message(
        self: SlackState, install: Install, channel_ref: str, message_id: str
    ) -> None:
        channel = self._visible_channel(install, channel_ref)
        message = self.scheduled.get(message_id)
        if message is None or message.app_id != install.app_id or message.channel_id != channel.id:
            raise SlackError("invalid_scheduled_message_id")
        del self.scheduled[message_id]

    @locked
    def chat_scheduled_messages_list(
        self: SlackState,
        install: Install,
        *,
        channel_ref: str,
        oldest: str,
        latest: str,
        limit: int,
        cursor: str,
    ) -> tuple[list[dict[str, Any]], str]:
        channel_id = ""
        if channel_ref:
            try:
                channel_id = self._visible_channel(install, channel_ref).id
            except SlackError:
                raise SlackError("invalid_channel") from None
        low, high = _bound(oldest), _bound(latest)
        mine = sorted(
            (
                s
                for s in self.scheduled.values()
                if s.app_id == install.app_id
                and s.team_id == install.team_id
                and (not channel_id or s.channel_id == channel_id)
                and (low is None or s.post_at >= low)
                and (high is None or s.post_at <= high)
            ),
            key=lambda s: (s.post_at, s.id),
        )
        start = int(decode_cursor("scheduled", cursor)) if cursor else 0
        page = mine[start : start + limit]
        more = start + limit < len(mine)
        return [s.to_api() for s in page], encode_cursor(
            "scheduled", str(start + limit)
        ) if more else ""

    @locked
    def post_due(self: SlackState, now: float) -> float | None:
        """Post what is due at `now`, oldest first; answers when the next one is due."""
        due = sorted(
            (s for s in self.scheduled.values() if s.post_at <= now), key=lambda s: s.post_at
        )
        for message in due:
            del self.scheduled[message.id]
            self._post_scheduled(message)
        return min((s.post_at for s in self.scheduled.values()), default=None)

    def _post_scheduled(self: SlackState, message: ScheduledMessage) -> None:
        install = self.installs.get((message.app_id, message.team_id))
        if install is None or install.revoked or message.metadata is not None:
            return  # gone with the app; and see the module's note on metadata
        try:
            channel = self._postable_channel(install, message.channel_id)
            if message.thread_ts and message.thread_ts not in channel.messages:
                return
            self._append(
                channel,
                install,
                text=message.text,
                blocks=message.blocks,
                attachments=message.attachments,
                thread_ts=message.thread_ts,
                broadcast=message.reply_broadcast,
            )
        except SlackError:
            return  # Slack drops a scheduled message it can no longer post


def _post_at(raw: str) -> int:
    try:
        return int(float(raw))
    except (TypeError, ValueError, OverflowError):
        raise SlackError("invalid_time") from None


def _bound(raw: str) -> float | None:
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise SlackError("invalid_arguments") from None


class DuePoster:
    """One thread that posts scheduled messages when they fall due; started by the first one.

    It sleeps until the next is due (at most a second, so the system clock is followed), or,
    with nothing scheduled, until it is woken: when a message is scheduled or imported, or a
    virtual clock moves.
    """

    def __init__(self, clock: Clock, post_due: Callable[[float], float | None]) -> None:
        self.clock = clock
        self._post_due = post_due
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._woken = False  # a wake-up that came while the worker was posting is not lost

    def wake(self) -> None:
        with self._cond:
            self._woken = True
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._run, name="fakeslack-scheduled", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(2.0)

    def _run(self) -> None:
        while True:
            next_due = self._post_due(self.clock.now())
            with self._cond:
                if self._closed:
                    return
                if not self._woken:
                    # Nothing due: sleep until woken. Else until then, at most a second, so
                    # that the system clock's passing is noticed.
                    wait = None if next_due is None else min(next_due - self.clock.now(), 1.0)
                    self._cond.wait(None if wait is None else max(0.001, wait))
                self._woken = False
