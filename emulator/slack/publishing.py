"""What fake Slack tells apps through the Events API: which apps receive an event, in what envelope.

A mixin of `SlackState`, called under its lock by the operations that change what an app may be
told about (a message, a member joining or leaving, a reaction, a channel created, archived,
unarchived, renamed or left, an uninstall). The envelope is built here, at the moment of the
event, and handed to `event_sink` (the `EventQueue` of `events.py`), which sends it outside the
lock.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emulator.slack.entities import MICROS, App, Channel, Install, Message, format_ts
from emulator.slack.events import scopes_for
from emulator.slack.system_messages import SystemMessage

if TYPE_CHECKING:
    from emulator.clock import Clock

EventSink = Callable[..., None]
# A channel's kind as a message event's `channel_type`.
_MESSAGE_KINDS = {
    "public_channel": "channel",
    "private_channel": "group",
    "im": "im",
    "mpim": "mpim",
}


class Publishing:
    """Publishes events to subscribed apps. Needs the state's `apps`, `installs`, `clock`."""

    apps: dict[str, App]
    channels: dict[str, Channel]
    installs: dict[tuple[str, str], Install]
    clock: Clock
    event_sink: EventSink | None = None

    def _listening(self, team_id: str) -> bool:
        """Whether any app installed in the workspace has an event URL: a message is turned into
        an event only then, so posting costs nothing more where nobody subscribes."""
        return any(
            (app := self.apps.get(install.app_id)) is not None and app.event_request_url
            for install in self._installs_in(team_id)
        )

    def _installs_in(self, team_id: str) -> list[Install]:
        return [i for (_, team), i in self.installs.items() if team == team_id and not i.revoked]

    def _publish_channel_event(
        self, channel: Channel, subscription: str, event: dict[str, Any], *, also: str = ""
    ) -> None:
        """Tell every app whose bot is in `channel` (or is `also`, a bot that just left)."""
        if self.event_sink is None:
            return
        scopes = scopes_for(subscription, private=channel.is_private)
        for install in self._installs_in(channel.team_id):
            if install.bot_user_id in channel.members or install.bot_user_id == also:
                self._offer(install, subscription, scopes, event, channel.id)

    def _publish_team_event(
        self, team_id: str, subscription: str, event: dict[str, Any], *, channel_id: str = ""
    ) -> None:
        if self.event_sink is None:
            return
        for install in self._installs_in(team_id):
            self._offer(install, subscription, scopes_for(subscription), event, channel_id)

    def _publish_app_event(
        self, install: Install, subscription: str, event: dict[str, Any]
    ) -> None:
        """An event about the app itself (uninstalled, tokens revoked): no scope, no membership;
        delivered even though its tokens no longer work."""
        if self.event_sink is not None:
            self._offer(install, subscription, (), event, "")

    def _offer(
        self,
        install: Install,
        subscription: str,
        scopes: tuple[str, ...],
        event: dict[str, Any],
        channel_id: str,
    ) -> None:
        app = self.apps.get(install.app_id)
        if app is None or not app.event_request_url or subscription not in app.bot_events:
            return
        if scopes and not any(install.has(scope) for scope in scopes):
            return
        assert self.event_sink is not None
        event_id = "Ev" + secrets.token_hex(5).upper()
        envelope = self._envelope(app, install, event, event_id)
        self.event_sink(
            event_id=event_id,
            app_id=app.id,
            team_id=install.team_id,
            channel_id=channel_id,
            event_type=str(event["type"]),
            url=app.event_request_url,
            signing_secret=app.signing_secret,
            body=json.dumps(envelope),
        )

    def _envelope(
        self, app: App, install: Install, event: dict[str, Any], event_id: str
    ) -> dict[str, Any]:
        context = base64.urlsafe_b64encode(f"{install.team_id}:{event_id}".encode()).decode()
        return {
            "token": app.verification_token,
            "team_id": install.team_id,
            "context_team_id": install.team_id,
            "context_enterprise_id": None,
            "api_app_id": app.id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(self.clock.now()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": install.team_id,
                    "user_id": install.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + context.rstrip("="),
        }

    def message_object(
        self, message: Message, *, include_metadata: bool = True, raw: bool = False
    ) -> dict[str, Any]:
        """`message` as apps read it in a channel (events, `conversations.history`, the post's
        answer): a thread reply also sent to the channel carries its thread's parent as `root`
        (docs.slack.dev/reference/events/message/thread_broadcast). `conversations.replies`
        gives the reply without it: there the parent comes first anyway. `raw`: as
        `Message.to_api`."""
        out = message.to_api(include_metadata=include_metadata, raw=raw)
        channel = self.channels.get(message.channel_id)
        if message.broadcast and channel is not None:
            parent = channel.messages.get(message.thread_ts)
            if parent is not None:
                out["root"] = parent.to_api(include_metadata=include_metadata, raw=raw)
        return out

    # --- the events themselves --------------------------------------------------------------

    def _event_ts(self) -> str:
        return format_ts(int(self.clock.now() * MICROS))

    def _publish_message(self, channel: Channel, message: Message) -> None:
        """`message` (message.channels / message.groups) and, for each bot it names,
        `app_mention`."""
        if self.event_sink is None or message.ephemeral_to or not self._listening(channel.team_id):
            return
        kind = _MESSAGE_KINDS[channel.kind]
        event = {
            **self.message_object(message),
            "channel": channel.id,
            "event_ts": message.ts,
            "channel_type": kind,
        }
        subscription = f"message.{kind}s" if kind in ("channel", "group") else f"message.{kind}"
        self._publish_channel_event(channel, subscription, event)
        if isinstance(message, SystemMessage):
            return  # "<@U…> has joined the channel" names the bot, but mentions nobody
        for install in self._installs_in(channel.team_id):
            if (
                f"<@{install.bot_user_id}>" in message.text
                and install.bot_user_id in channel.members
            ):
                mention = {
                    "type": "app_mention",
                    "user": message.user,
                    "text": message.text,
                    "ts": message.ts,
                    "channel": channel.id,
                    "event_ts": message.ts,
                    "team": channel.team_id,
                }
                if message.thread_ts:
                    mention["thread_ts"] = message.thread_ts
                self._offer(install, "app_mention", scopes_for("app_mention"), mention, channel.id)

    def _publish_message_changed(
        self, channel: Channel, previous: dict[str, Any] | None, message: Message
    ) -> None:
        """A message was edited (chat.update, `replace_original`): the `message_changed`
        subtype, with the message as it is now and as it was
        (docs.slack.dev/reference/events/message/message_changed)."""
        if previous is None or message.ephemeral_to:
            return
        self._publish_hidden(
            channel,
            "message_changed",
            message=self.message_object(message),
            previous_message=previous,
        )

    def _publish_message_deleted(self, channel: Channel, message: Message) -> None:
        """A message was deleted (chat.delete, `delete_original`): the `message_deleted`
        subtype with `deleted_ts` and the message as it was
        (docs.slack.dev/reference/events/message/message_deleted)."""
        if message.ephemeral_to:
            return
        self._publish_hidden(
            channel, "message_deleted", deleted_ts=message.ts, previous_message=message.to_api()
        )

    def _publish_hidden(self, channel: Channel, subtype: str, **fields: Any) -> None:
        if self.event_sink is None or not self._listening(channel.team_id):
            return
        kind = _MESSAGE_KINDS[channel.kind]
        now = self._event_ts()
        event = {
            "type": "message",
            "subtype": subtype,
            "hidden": True,
            "channel": channel.id,
            "ts": now,
            **fields,
            "event_ts": now,
            "channel_type": kind,
        }
        subscription = f"message.{kind}s" if kind in ("channel", "group") else f"message.{kind}"
        self._publish_channel_event(channel, subscription, event)

    def _previous(self, channel: Channel, message: Message) -> dict[str, Any] | None:
        """The message as apps saw it, before a change: kept only if someone may be told."""
        if self.event_sink is None or not self._listening(channel.team_id):
            return None
        return self.message_object(message)

    def _publish_member_joined(self, channel: Channel, user_id: str, inviter: str = "") -> None:
        event: dict[str, Any] = {
            "type": "member_joined_channel",
            "user": user_id,
            "channel": channel.id,
            "channel_type": "G" if channel.is_private else "C",
            "team": channel.team_id,
            "event_ts": self._event_ts(),
        }
        if inviter:
            event["inviter"] = inviter
        self._publish_channel_event(channel, "member_joined_channel", event)

    def _publish_member_left(self, channel: Channel, user_id: str) -> None:
        event = {
            "type": "member_left_channel",
            "user": user_id,
            "channel": channel.id,
            "channel_type": "G" if channel.is_private else "C",
            "team": channel.team_id,
            "event_ts": self._event_ts(),
        }
        self._publish_channel_event(channel, "member_left_channel", event, also=user_id)

    def _publish_reaction(
        self, channel: Channel, message: Message, user_id: str, name: str, *, added: bool
    ) -> None:
        kind = "reaction_added" if added else "reaction_removed"
        event = {
            "type": kind,
            "user": user_id,
            "reaction": name,
            "item_user": message.user,
            "item": {"type": "message", "channel": channel.id, "ts": message.ts},
            "event_ts": self._event_ts(),
        }
        self._publish_channel_event(channel, kind, event)

    def _publish_channel_created(self, channel: Channel) -> None:
        if channel.is_private:
            return  # Slack tells only about public channels
        event = {
            "type": "channel_created",
            "channel": {
                "id": channel.id,
                "name": channel.name,
                "created": channel.created,
                "creator": channel.creator,
                "is_channel": True,
            },
            "event_ts": self._event_ts(),
        }
        self._publish_team_event(channel.team_id, "channel_created", event, channel_id=channel.id)

    def _publish_channel_news(self, channel: Channel, event: dict[str, Any]) -> None:
        """A channel archived, unarchived or renamed. Slack sends a public channel's
        (`channel_*`) "to all connections for a workspace", a private one's (`group_*`) "to all
        connections for members of a private channel" (docs.slack.dev/reference/events/
        channel_archive, …/group_archive): every subscribed app with the scope, or only those
        whose bot is in the private channel."""
        kind = str(event["type"])
        if channel.is_private:
            self._publish_channel_event(channel, kind, event)
        else:
            self._publish_team_event(channel.team_id, kind, event, channel_id=channel.id)

    def _publish_archive(self, channel: Channel, user_id: str) -> None:
        kind = "group_archive" if channel.is_private else "channel_archive"
        event: dict[str, Any] = {"type": kind, "channel": channel.id, "event_ts": self._event_ts()}
        if user_id:
            event["user"] = user_id
        self._publish_channel_news(channel, event)

    def _publish_unarchive(self, channel: Channel, user_id: str) -> None:
        """`channel_unarchive` names the `user`, `group_unarchive` the `actor_id`, as Slack's
        payloads do (github.com/seratch/seratch-slack-types, events-api/*UnarchivePayload)."""
        kind = "group_unarchive" if channel.is_private else "channel_unarchive"
        event: dict[str, Any] = {"type": kind, "channel": channel.id, "event_ts": self._event_ts()}
        if user_id:
            event["actor_id" if channel.is_private else "user"] = user_id
        self._publish_channel_news(channel, event)

    def _publish_rename(self, channel: Channel) -> None:
        """The channel as Slack's rename payloads carry it, `is_channel` or `is_group`
        (github.com/seratch/seratch-slack-types, events-api/*RenamePayload)."""
        kind = "group_rename" if channel.is_private else "channel_rename"
        event = {
            "type": kind,
            "channel": {
                "id": channel.id,
                "name": channel.name,
                "name_normalized": channel.name,
                "created": channel.created,
                ("is_group" if channel.is_private else "is_channel"): True,
            },
            "event_ts": self._event_ts(),
        }
        self._publish_channel_news(channel, event)

    def _publish_left(self, channel: Channel, bot_user_id: str, actor_id: str) -> None:
        """`channel_left` / `group_left` to the app whose bot left or was removed: Slack sends
        it "to all connections for a user when that user leaves" (docs.slack.dev/reference/
        events/channel_left), with `actor_id`, who removed it."""
        if self.event_sink is None:
            return
        kind = "group_left" if channel.is_private else "channel_left"
        event = {
            "type": kind,
            "channel": channel.id,
            "actor_id": actor_id,
            "event_ts": self._event_ts(),
        }
        for install in self._installs_in(channel.team_id):
            if install.bot_user_id == bot_user_id:
                self._offer(install, kind, scopes_for(kind), event, channel.id)

    def _publish_revoked(self, install: Install, *, uninstalled: bool) -> None:
        revoked = {
            "type": "tokens_revoked",
            "tokens": {"oauth": [], "bot": [install.bot_user_id]},
            "event_ts": self._event_ts(),
        }
        self._publish_app_event(install, "tokens_revoked", revoked)
        if uninstalled:
            event = {"type": "app_uninstalled", "event_ts": self._event_ts()}
            self._publish_app_event(install, "app_uninstalled", event)
