"""What an app does to channels and messages beyond posting: archive, rename, topic and purpose,
kick and leave (`conversations.*`), and emoji reactions (`reactions.*`).

A mixin of `SlackState`: every public operation runs under the state's lock and raises the Web
API's typed errors. The rules are those of each method's page on docs.slack.dev (shipped as
`methods/<name>.json`): a bot acts only in channels it can see, and changes only those it is in.
Each change tells subscribed apps what happened (`publishing.py`), as Slack's events do, and
leaves the message Slack posts in the channel about it (`system_messages.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.slack.entities import Channel, DmRow, Install, Message, User, locked, parse_ts
from emulator.slack.errors import (
    MessageNotFound,
    NotInChannel,
    SimError,
    SlackError,
    UserNotFound,
)
from emulator.slack.system_messages import (
    Notice,
    SystemMessage,
    archived,
    left,
    renamed,
    text_set,
    unarchived,
)

if TYPE_CHECKING:
    from emulator.slack.models import SlackState

MAX_TOPIC = 250  # conversations.setTopic / setPurpose: too_long past 250 characters
# Slack lets a message carry 23 different emoji; past that reactions.add answers too_many_emoji.
MAX_DISTINCT_REACTIONS = 23
_MANAGE = ("channels:manage", "groups:write")


class Managing:
    """Channel management and reactions, done by an app's bot; and the DMs people open."""

    # --- direct messages as people open them in the web client ---------------------------------

    def direct_messages_of(
        self: SlackState, team_id: str, viewer_id: str, bots: list[User]
    ) -> tuple[list[DmRow], list[User]]:
        """The DMs and group DMs `viewer_id` is in (whoever opened them: a person here, or an
        app with conversations.open), and the others they may start one with: the
        workspace's people (not deleted) and the installed apps' bots."""
        rows = []
        for key, channel_id in self.dms.items():
            if key[0] != team_id or viewer_id not in key[1:]:
                continue
            others = [self.users[m] for m in key[1:] if m != viewer_id and m in self.users]
            label = ", ".join(u.real_name or u.name for u in others) or "You"
            rows.append(DmRow(channel_id, label, others))
        people = [
            self.users[u]
            for u in self.workspaces[team_id].user_ids
            if u != viewer_id and not self.users[u].is_bot and not self.users[u].deleted
        ]
        return rows, [*people, *bots]

    @locked
    def open_direct_message(
        self: SlackState, team_id: str, viewer_id: str, other_id: str
    ) -> Channel:
        """A person opens their DM with another person or an installed app's bot (or with
        themselves): the one that exists, shared with the app's conversations.open, or a new one."""
        ws = self.workspace(team_id)
        me, other = self._member_of(ws, viewer_id), self._member_of(ws, other_id)
        if other.deleted:
            raise SimError("user_disabled", f"{other.id} is deactivated", status=409)
        if other.is_bot and not any(
            i.bot_user_id == other.id and not i.revoked for i in self._installs_in(team_id)
        ):
            raise SimError("user_not_found", f"{other.id} is not an installed app", status=404)
        members = sorted({me.id, other.id})
        existing = self.dms.get((team_id, *members))  # the key `register_channel` files it by
        if existing is not None:
            return self.channels[existing]
        return self._open_dm(team_id, members, me.id)

    def _managed_channel(self: SlackState, install: Install, ref: str) -> Channel:
        """A channel the bot can see, with the scope its kind asks for to manage it."""
        channel = self._visible_channel(install, ref)
        self._require_type_scope(install, channel, *_MANAGE)
        return channel

    def _require_member(self: SlackState, install: Install, channel: Channel) -> None:
        if install.bot_user_id not in channel.members:
            raise NotInChannel()

    def post_notice(self: SlackState, channel: Channel, user_id: str, notice: Notice) -> None:
        """The message Slack posts in `channel` about what `user_id` did (or had done)."""
        ts = channel.next_ts(self.clock.now())
        message = SystemMessage(
            ts,
            channel.id,
            channel.team_id,
            notice.text,
            user_id,
            subtype=notice.subtype,
            fields=notice.fields,
        )
        channel.messages[ts] = message
        channel.order.append(ts)
        channel.history.append(channel.last_micros)
        self._publish_message(channel, message)

    @locked
    def conversations_archive(self: SlackState, install: Install, ref: str) -> Channel:
        channel = self._managed_channel(install, ref)
        if channel.is_archived:
            raise SlackError("already_archived")
        if channel.is_general:
            raise SlackError("cant_archive_general")
        self._require_member(install, channel)
        self.post_notice(channel, install.bot_user_id, archived(install.bot_user_id))
        self._publish_archive(channel, install.bot_user_id)
        channel.archive()
        return channel

    @locked
    def conversations_unarchive(self: SlackState, install: Install, ref: str) -> Channel:
        channel = self._managed_channel(install, ref)
        if not channel.is_archived:
            raise SlackError("not_archived")
        self._require_member(install, channel)
        channel.unarchive()
        self.post_notice(channel, install.bot_user_id, unarchived(install.bot_user_id))
        self._publish_unarchive(channel, install.bot_user_id)
        return channel

    @locked
    def conversations_rename(self: SlackState, install: Install, ref: str, name: str) -> Channel:
        channel = self._managed_channel(install, ref)
        if channel.is_archived:
            raise SlackError("is_archived")
        self._require_member(install, channel)
        self.rename(channel, name, by=install.bot_user_id)
        return channel

    def rename(self: SlackState, channel: Channel, name: str, *, by: str = "") -> None:
        """Slack's channel-name rules, a name free in the workspace, and the rename event; the
        `channel_name` message names who renamed it, if known."""
        from emulator.slack.models import check_channel_name

        check_channel_name(name)
        ws = self.workspaces[channel.team_id]
        if ws.channel_by_name.get(name, channel.id) != channel.id:
            raise SlackError("name_taken")
        if name != channel.name:
            old_name = channel.name
            del ws.channel_by_name[channel.name]
            ws.channel_by_name[name] = channel.id
            channel.rename(name)
            self._publish_rename(channel)
            if by:
                self.post_notice(channel, by, renamed(by, old_name, name))

    @locked
    def conversations_set_text(
        self: SlackState, install: Install, ref: str, which: str, value: str
    ) -> Channel:
        """setTopic (`which` = "topic") and setPurpose ("purpose")."""
        channel = self._managed_channel(install, ref)
        if channel.is_archived:
            raise SlackError("is_archived")
        self._require_member(install, channel)
        if len(value) > MAX_TOPIC:
            raise SlackError("too_long")
        channel.set_text(which, value, by=install.bot_user_id, at=self._now())
        self.post_notice(channel, install.bot_user_id, text_set(install.bot_user_id, which, value))
        return channel

    @locked
    def conversations_kick(self: SlackState, install: Install, ref: str, user_id: str) -> None:
        channel = self._managed_channel(install, ref)
        if not user_id:
            raise SlackError("no_user")
        user = self.users.get(user_id)
        if user is None or user.team_id != channel.team_id:
            raise UserNotFound()
        if user_id == install.bot_user_id:
            raise SlackError("cant_kick_self")
        if channel.is_general:
            raise SlackError("cant_kick_from_general")
        self._require_member(install, channel)
        if user_id not in channel.members:
            raise NotInChannel()
        self._publish_member_left(channel, user_id)
        channel.remove_member(user_id)
        self.post_notice(channel, user_id, left(user_id))
        self._publish_left(channel, user_id, actor_id=install.bot_user_id)

    @locked
    def conversations_leave(self: SlackState, install: Install, ref: str) -> bool:
        """Whether the bot was in the channel (Slack answers `not_in_channel: true` if not)."""
        channel = self._managed_channel(install, ref)
        if channel.is_archived:
            raise SlackError("is_archived")
        if channel.is_general:
            raise SlackError("cant_leave_general")
        if install.bot_user_id not in channel.members:
            return False
        if channel.is_private and len(channel.members) == 1:
            raise SlackError("last_member")
        self._publish_member_left(channel, install.bot_user_id)
        channel.remove_member(install.bot_user_id)
        self.post_notice(channel, install.bot_user_id, left(install.bot_user_id))
        self._publish_left(channel, install.bot_user_id, actor_id=install.bot_user_id)
        return True

    # --- reactions ----------------------------------------------------------------------------

    def _reacted_message(
        self: SlackState, install: Install, ref: str, ts: str
    ) -> tuple[Channel, Message]:
        if not ref or not ts:
            raise SlackError("no_item_specified")
        channel = self._visible_channel(install, ref)
        if parse_ts(ts) is None:
            raise SlackError("bad_timestamp")
        message = channel.messages.get(ts)
        if message is None or message.ephemeral_to:
            raise MessageNotFound()
        return channel, message

    @locked
    def reactions_add(self: SlackState, install: Install, ref: str, ts: str, name: str) -> None:
        channel, message = self._reacted_message(install, ref, ts)
        if channel.is_archived:
            raise SlackError("is_archived")
        self.toggle_reaction(channel, message, install.bot_user_id, name, add=True)

    @locked
    def reactions_remove(self: SlackState, install: Install, ref: str, ts: str, name: str) -> None:
        channel, message = self._reacted_message(install, ref, ts)
        self.toggle_reaction(channel, message, install.bot_user_id, name, add=False)

    @locked
    def reactions_get(
        self: SlackState, install: Install, ref: str, ts: str
    ) -> tuple[Channel, dict[str, Any]]:
        channel, message = self._reacted_message(install, ref, ts)
        return channel, message.to_api()

    def toggle_reaction(
        self: SlackState, channel: Channel, message: Message, user_id: str, name: str, *, add: bool
    ) -> None:
        """Add or take back `user_id`'s `name` reaction, with Slack's errors; tells the apps."""
        name = name.strip(":")
        if not _is_emoji_name(name):
            raise SlackError("invalid_name")
        reactions = message.reactions or {}
        users = reactions.get(name, [])
        if add and user_id in users:
            raise SlackError("already_reacted")
        if not add and user_id not in users:
            raise SlackError("no_reaction")
        if add and name not in reactions and len(reactions) >= MAX_DISTINCT_REACTIONS:
            raise SlackError("too_many_emoji")
        if add:
            reactions[name] = [*users, user_id]
        else:
            users = [u for u in users if u != user_id]
            if users:
                reactions[name] = users
            else:
                del reactions[name]
        message.reactions = reactions or None
        self._publish_reaction(channel, message, user_id, name, added=add)


def _is_emoji_name(name: str) -> bool:
    """Lower-case letters, digits, `_`, `-`, `+` and `'`; skin tones as `::skin-tone-2`."""
    base, _, tone = name.partition("::")
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789_-+'")
    if tone and not (tone.startswith("skin-tone-") and tone[10:] in {"2", "3", "4", "5", "6"}):
        return False
    return bool(base) and len(base) <= 100 and set(base) <= allowed
