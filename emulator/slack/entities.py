"""The things fake Slack keeps: workspaces, users, channels, messages, apps, installs, and the
short-lived handles of the actor (response URLs, triggers). Plain dataclasses, no web framework.

`to_api` renders an object in the shape Slack's Web API answers with; `to_sim` in the control
plane's shape. At the end, what the web client for people draws (`ChannelPage`,
`WorkspaceOverview`): built by `SlackState` under its lock, read by the pages outside it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from emulator.slack import jsontext
from emulator.slack.errors import MissingScope, SlackError

if TYPE_CHECKING:
    from emulator.slack.modals import View

MICROS = 1_000_000
AVATAR_SIZES = (24, 32, 48, 72, 192, 512, 1024)
ICON_SIZES = (34, 44, 68, 88, 102, 132)
AVATAR_HOST = "https://avatars.fakeslack.test"

P = ParamSpec("P")
R = TypeVar("R")


def locked(method: Callable[P, R]) -> Callable[P, R]:
    """Run a `SlackState` method under the state's re-entrant lock."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0]._lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


def format_ts(micros: int) -> str:
    return f"{micros // MICROS}.{micros % MICROS:06d}"


def parse_ts(ts: str) -> int | None:
    """`"1700000000.000100"` as integer microseconds, or None when it is not a Slack ts."""
    seconds, _, fraction = str(ts).partition(".")
    if not seconds.isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > 6:
        return None
    return int(seconds) * MICROS + int(fraction.ljust(6, "0") or 0)


def encode_cursor(kind: str, value: str) -> str:
    return base64.b64encode(f"{kind}:{value}".encode()).decode()


def decode_cursor(kind: str, cursor: str) -> str:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise SlackError("invalid_cursor") from None
    prefix, _, value = text.partition(":")
    if prefix != kind or not value:
        raise SlackError("invalid_cursor")
    return value


@dataclass
class Workspace:
    id: str
    name: str
    domain: str
    created: int
    channel_ids: list[str] = field(default_factory=list)
    channel_pos: dict[str, int] = field(default_factory=dict)
    channel_by_name: dict[str, str] = field(default_factory=dict)
    user_ids: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://{self.domain}.slack.com/"

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "domain": self.domain,
            "url": self.url,
            "email_domain": "",
            "icon": {
                **{f"image_{size}": f"{AVATAR_HOST}/{self.id}_{size}.png" for size in ICON_SIZES},
                "image_default": True,
            },
        }


@dataclass
class User:
    id: str
    team_id: str
    name: str
    real_name: str
    email: str
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    bot_id: str = ""
    app_id: str = ""
    deleted: bool = False
    updated: int = 0
    tz: str = "Europe/Berlin"

    def to_api(self, *, with_email: bool, now: float | None = None) -> dict[str, Any]:
        """Slack's user object; `now` (the domain clock) picks summer or winter time."""
        first, _, last = self.real_name.partition(" ")
        label, offset = zone_label(self.tz, now)
        profile: dict[str, Any] = {
            "avatar_hash": self.id.lower()[-12:],
            "first_name": first,
            "last_name": last,
            "title": "",
            "phone": "",
            "skype": "",
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "status_text": "",
            "status_emoji": "",
            "image_original": f"{AVATAR_HOST}/{self.id}.png",
            **{f"image_{size}": f"{AVATAR_HOST}/{self.id}_{size}.png" for size in AVATAR_SIZES},
            "team": self.team_id,
        }
        if with_email and self.email:
            profile["email"] = self.email
        if self.is_bot:
            profile["bot_id"] = self.bot_id
            profile["api_app_id"] = self.app_id
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": label,
            "tz_offset": offset,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": self.updated,
            "is_email_confirmed": bool(self.email),
            "who_can_share_contact_card": "EVERYONE",
            "has_2fa": False,
            "profile": profile,
        }


SLACKBOT_ID = "USLACKBOT"


def slackbot(team_id: str) -> User:
    """Slackbot, who is in every workspace under the same id, and whom `users.list` shows.
    Famously not `is_bot`."""
    return User(SLACKBOT_ID, team_id, "slackbot", "Slackbot", "", tz="America/Los_Angeles")


# Time zones' long names as Slack shows them in `tz_label`, by abbreviation.
_ZONE_NAMES = {
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
}


@functools.lru_cache(maxsize=256)
def _zone_at(tz: str, hour: int) -> tuple[str, int]:
    try:
        moment = datetime.fromtimestamp(hour * 3600, ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return tz, 0
    offset = moment.utcoffset()
    abbreviation = moment.tzname() or tz
    return _ZONE_NAMES.get(abbreviation, abbreviation), int(offset.total_seconds()) if offset else 0


def zone_label(tz: str, now: float | None) -> tuple[str, int]:
    """`tz_label` and `tz_offset` (seconds east of UTC) of an IANA zone at `now`."""
    moment = time.time() if now is None else now
    return _zone_at(tz, int(moment // 3600))


# A message keeps its content (blocks, attachments, metadata) and its `edited` mark as compact JSON
# (UTF-8 bytes, `jsontext.dumps`), parsed when read, or answered as it is (`to_api(raw=True)`).
# Bytes are no object the garbage collector tracks; the parsed form was a
# dozen dicts and lists per message, each walked by every full collection (at 100,000 stored
# messages: 519,000 tracked objects and 165-275 ms a full collection, now 165,000 and 45 ms, on
# the loaded reference machine), and a string of its own for every key and value
# (bench/memory.py, bench/p99_vs_stored.py). Only a thread's parent gets lists for its replies.
_NO_REPLIES: tuple[str, ...] = ()


def _packed(value: Any) -> bytes | None:
    return None if value is None else jsontext.dumps(value)


def _unpacked(text: bytes | None) -> Any:
    return None if text is None else jsontext.loads(text)


class Message:
    """One message. Reading `blocks`, `attachments` or `metadata` parses a new copy each time:
    change the content by assigning to them, never in place."""

    # What an export holds, in this order (`snapshot.py`); content fields are kept packed.
    FIELDS = (
        "ts",
        "channel_id",
        "team_id",
        "text",
        "user",
        "bot_id",
        "app_id",
        "blocks",
        "attachments",
        "metadata",
        "thread_ts",
        "edited",
        "ephemeral_to",
        "replies",
        "reply_users",
        "parent_user_id",
        "reactions",
        "username",
        "icon_emoji",
        "icon_url",
        "broadcast",
        "mrkdwn",
    )
    # The packed ones (`_blocks`, ...) hold compact JSON as UTF-8 bytes, or None.
    __slots__ = (
        "_attachments",
        "_blocks",
        "_edited",
        "_metadata",
        "app_id",
        "bot_id",
        "broadcast",
        "channel_id",
        "ephemeral_to",
        "icon_emoji",
        "icon_url",
        "mrkdwn",
        "parent_user_id",
        "reactions",
        "replies",
        "reply_users",
        "team_id",
        "text",
        "thread_ts",
        "ts",
        "user",
        "username",
    )

    def __init__(
        self,
        ts: str,
        channel_id: str,
        team_id: str,
        text: str,
        user: str,
        bot_id: str = "",
        app_id: str = "",
        blocks: list[Any] | None = None,
        attachments: list[Any] | None = None,
        metadata: dict[str, Any] | None = None,
        thread_ts: str = "",
        edited: dict[str, str] | None = None,
        ephemeral_to: str = "",
        replies: list[str] | tuple[str, ...] = _NO_REPLIES,
        reply_users: list[str] | tuple[str, ...] = _NO_REPLIES,
        parent_user_id: str = "",
        reactions: dict[str, list[str]] | None = None,  # name -> who reacted, in order
        username: str = "",  # the name and icon shown instead of the app's (`presentation.py`)
        icon_emoji: str = "",
        icon_url: str = "",
        broadcast: bool = False,  # a thread reply also shown in the channel (`thread_broadcast`)
        mrkdwn: bool = True,  # False: the text is shown as it is, unformatted
    ) -> None:
        self.ts, self.channel_id, self.team_id = ts, channel_id, team_id
        self.text, self.user, self.bot_id, self.app_id = text, user, bot_id, app_id
        self.blocks, self.attachments, self.metadata = blocks, attachments, metadata
        self.thread_ts, self.edited, self.ephemeral_to = thread_ts, edited, ephemeral_to
        self.replies = list(replies) if replies else _NO_REPLIES
        self.reply_users = list(reply_users) if reply_users else _NO_REPLIES
        self.parent_user_id, self.reactions = parent_user_id, reactions
        self.username, self.icon_emoji, self.icon_url = username, icon_emoji, icon_url
        self.broadcast, self.mrkdwn = broadcast, mrkdwn

    def __repr__(self) -> str:
        return f"Message(ts={self.ts!r}, channel_id={self.channel_id!r}, text={self.text!r})"

    @property
    def blocks(self) -> list[Any] | None:
        return _unpacked(self._blocks)

    @blocks.setter
    def blocks(self, value: list[Any] | None) -> None:
        self._blocks = _packed(value)

    @property
    def attachments(self) -> list[Any] | None:
        return _unpacked(self._attachments)

    @attachments.setter
    def attachments(self, value: list[Any] | None) -> None:
        self._attachments = _packed(value)

    @property
    def metadata(self) -> dict[str, Any] | None:
        return _unpacked(self._metadata)

    @metadata.setter
    def metadata(self, value: dict[str, Any] | None) -> None:
        self._metadata = _packed(value)

    @property
    def edited(self) -> dict[str, str] | None:
        return _unpacked(self._edited)

    @edited.setter
    def edited(self, value: dict[str, str] | None) -> None:
        self._edited = _packed(value)

    def add_reply(self, ts: str, user: str) -> None:
        """A reply in this message's thread; the first one makes it a thread's parent."""
        if not self.replies:
            self.replies, self.reply_users = [], []
        self.replies.append(ts)
        if user not in self.reply_users:
            self.reply_users.append(user)

    def drop_reply(self, ts: str) -> None:
        if ts in self.replies:
            self.replies.remove(ts)

    def export(self) -> dict[str, Any]:
        """Every field, content parsed (`snapshot.py`); `Message(**exported)` restores it."""
        return {name: getattr(self, name) for name in self.FIELDS}

    @property
    def is_reply(self) -> bool:
        return bool(self.thread_ts) and self.thread_ts != self.ts

    def visible_to(self, user_id: str | None) -> bool:
        return not self.ephemeral_to or self.ephemeral_to == user_id

    def to_api(self, *, include_metadata: bool = True, raw: bool = False) -> dict[str, Any]:
        """Slack's message object. `raw`: the content as the JSON it is kept in, unparsed
        (`jsontext.Fragment`), for an answer fake Slack's own JSON provider writes, and nothing
        else reads."""
        out: dict[str, Any] = {"type": "message"}
        if self.bot_id:
            out.update(subtype="bot_message", bot_id=self.bot_id, app_id=self.app_id)
        out.update(text=self.text, user=self.user, ts=self.ts, team=self.team_id)
        read = jsontext.Fragment if raw else jsontext.loads
        if self._blocks is not None:
            out["blocks"] = read(self._blocks)
        if self._attachments is not None and self._attachments != b"[]":
            out["attachments"] = read(self._attachments)
        if self._metadata is not None and include_metadata:
            out["metadata"] = read(self._metadata)
        if self._edited is not None and self._edited != b"{}":
            out["edited"] = read(self._edited)
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
            if self.parent_user_id:
                out["parent_user_id"] = self.parent_user_id
        if self.broadcast:
            out["subtype"] = "thread_broadcast"
        if self.username:
            out["username"] = self.username
        # Slack's `icons` of a bot_message; its own emoji also get an `image_64` (not drawn here).
        if self.icon_emoji:
            out["icons"] = {"emoji": self.icon_emoji}
        elif self.icon_url:
            out["icons"] = {"image_48": self.icon_url}
        if not self.mrkdwn:
            out["mrkdwn"] = False
        if self.replies:
            out.update(
                reply_count=len(self.replies),
                reply_users=list(self.reply_users),
                reply_users_count=len(self.reply_users),
                latest_reply=self.replies[-1],
            )
        if self.reactions:
            out["reactions"] = self.reaction_list()
        return out

    def reaction_list(self) -> list[dict[str, Any]]:
        return [
            {"name": name, "users": list(users), "count": len(users)}
            for name, users in (self.reactions or {}).items()
        ]

    def to_sim(self, replies: list[Message]) -> dict[str, Any]:
        return {
            "ts": self.ts,
            "user": self.user,
            "bot_id": self.bot_id or None,
            "text": self.text,
            "blocks": self.blocks or [],
            "attachments": self.attachments or [],
            "metadata": self.metadata,
            "edited": self.edited,
            "ephemeral_to": self.ephemeral_to or None,
            "thread_ts": self.thread_ts or None,
            "reply_count": len(self.replies),
            "replies": [reply.to_sim([]) for reply in replies],
            "reactions": self.reaction_list(),
        }


@dataclass
class Channel:
    """A public or private channel. Change `members` and `is_archived` through `add_member` and
    `archive`, which also drop the cached API object."""

    id: str
    team_id: str
    name: str
    is_private: bool
    created: int
    creator: str
    members: dict[str, None] = field(default_factory=dict)  # ordered set
    is_archived: bool = False
    is_general: bool = False
    # A direct message (`D…`, the bot and one person, `im_user`) or a group DM (`G…`, `mpdm-…`):
    # both are private, have no name to look up, and are listed only with `types=im` / `mpim`.
    is_im: bool = False
    is_mpim: bool = False
    im_user: str = ""
    topic: str = ""
    purpose: str = ""
    # Who set the topic or purpose, and when (0: set when the channel was made, by its creator).
    topic_creator: str = ""
    topic_last_set: int = 0
    purpose_creator: str = ""
    purpose_last_set: int = 0
    previous_names: list[str] = field(default_factory=list)
    messages: dict[str, Message] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # every ts, ephemerals and replies included
    history: list[int] = field(default_factory=list)  # top-level public ts in micros, ascending
    last_micros: int = 0
    # The API object without `is_member`, kept with the version it shows until the channel
    # changes: listings stay cheap, and a copy built while the channel changed is never reused.
    _version: int = field(default=0, repr=False, compare=False)
    # With it, the same object as JSON text, by `is_member`, made when first asked for.
    _api: tuple[int, dict[str, Any], dict[bool, Any]] | None = field(
        default=None, repr=False, compare=False
    )

    def add_member(self, user_id: str) -> None:
        self.members[user_id] = None
        self._version += 1

    def remove_member(self, user_id: str) -> None:
        self.members.pop(user_id, None)
        self._version += 1

    def archive(self) -> None:
        self.is_archived = True
        self._version += 1

    def rename(self, name: str) -> None:
        self.previous_names.insert(0, self.name)
        self.name = name
        self._version += 1

    def unarchive(self) -> None:
        self.is_archived = False
        self._version += 1

    def set_text(self, which: str, value: str, *, by: str, at: int) -> None:
        """Set the `topic` or the `purpose`."""
        setattr(self, which, value)
        setattr(self, f"{which}_creator", by)
        setattr(self, f"{which}_last_set", at)
        self._version += 1

    def next_ts(self, now: float) -> str:
        # Slack's ts is unique per channel; a standing virtual clock still yields distinct ones.
        self.last_micros = max(int(now * MICROS), self.last_micros + 1)
        return format_ts(self.last_micros)

    def to_api(self, *, viewer: str | None, raw: bool = False) -> Any:
        """Slack's channel object as `viewer` sees it. `raw`: as JSON text
        (`jsontext.Fragment`), encoded once per version, for an answer fake Slack's own JSON
        provider writes: a listing of 100 channels then costs no encoding at all."""
        cached = self._api
        _, base, wire = cached if cached and cached[0] == self._version else self._cached()
        member = viewer in self.members if viewer else False
        if not raw:
            return {**base, "is_member": member}
        fragment = wire.get(member)
        if fragment is None:
            fragment = jsontext.Fragment(jsontext.dumps({**base, "is_member": member}))
            wire[member] = fragment
        return fragment

    def _cached(self) -> tuple[int, dict[str, Any], dict[bool, Any]]:
        cached, version = self._api, self._version
        if cached is None or cached[0] != version:
            cached = (version, self._api_object(), {})
            self._api = cached
        return cached

    def _text_field(self, which: str) -> dict[str, Any]:
        value: str = getattr(self, which)
        by, at = getattr(self, f"{which}_creator"), getattr(self, f"{which}_last_set")
        if at:
            return {"value": value, "creator": by, "last_set": at}
        return {"value": value, "creator": self.creator, "last_set": self.created if value else 0}

    @property
    def is_dm(self) -> bool:
        return self.is_im or self.is_mpim

    @property
    def kind(self) -> str:
        """The `types` word of conversations.list."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "private_channel" if self.is_private else "public_channel"

    def _api_object(self) -> dict[str, Any]:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": self.team_id,
                "updated": self.created * 1000,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private and not self.is_mpim,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private,
            "created": self.created,
            "creator": self.creator,
            "is_archived": self.is_archived,
            "is_general": self.is_general,
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_frozen": False,
            "parent_conversation": None,
            "pending_connected_team_ids": [],
            "is_ext_shared": False,
            "is_org_shared": False,
            "pending_shared": [],
            "is_pending_ext_shared": False,
            "context_team_id": self.team_id,
            "shared_team_ids": [self.team_id],
            "topic": self._text_field("topic"),
            "purpose": self._text_field("purpose"),
            "previous_names": list(self.previous_names),
            "num_members": len(self.members),
            "updated": self.created * 1000,
        }


@dataclass
class App:
    id: str
    name: str
    client_id: str
    client_secret: str
    signing_secret: str
    verification_token: str
    request_url: str
    redirect_urls: list[str]
    # The Events API: where events go and which bot events the app subscribes to.
    event_request_url: str = ""
    bot_events: list[str] = field(default_factory=list)
    # The slash commands the app registered ("/ilert"); Slack sends an app no other command.
    commands: list[str] = field(default_factory=list)

    def to_sim(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "signing_secret": self.signing_secret,
            "verification_token": self.verification_token,
            "request_url": self.request_url,
            "redirect_urls": list(self.redirect_urls),
            "event_request_url": self.event_request_url,
            "bot_events": list(self.bot_events),
            "commands": list(self.commands),
        }


@dataclass
class Install:
    """One app in one workspace: its bot user and bot token."""

    app_id: str
    team_id: str
    bot_user_id: str
    bot_id: str
    token: str
    scopes: list[str]
    installer_user_id: str = ""
    revoked: bool = False

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    def require(self, *any_of: str) -> None:
        """Raise missing_scope unless the token holds one of `any_of`."""
        for scope in any_of:
            if scope in self.scopes:
                return
        raise MissingScope(",".join(any_of), self.scopes)

    def to_sim(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "team_id": self.team_id,
            "access_token": self.token,
            "bot_user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "scopes": list(self.scopes),
            "installer_user_id": self.installer_user_id,
            "revoked": self.revoked,
        }


@dataclass
class OAuthCode:
    code: str
    app_id: str
    team_id: str
    user_id: str
    redirect_uri: str
    issued: float
    used: bool = False


@dataclass
class ScheduledMessage:
    """A message an app asked to post later (chat.scheduleMessage): posted when the domain clock
    reaches `post_at`, unless deleted first."""

    id: str
    app_id: str
    team_id: str
    channel_id: str
    post_at: int
    date_created: int
    text: str
    blocks: list[Any] | None = None
    attachments: list[Any] | None = None
    thread_ts: str = ""
    metadata: dict[str, Any] | None = None
    reply_broadcast: bool = False  # the reply is to be sent to the channel too

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel_id": self.channel_id,
            "post_at": self.post_at,
            "date_created": self.date_created,
            "text": self.text,
        }


@dataclass
class ResponseUrl:
    """A `response_url` handed to the app with a command or an interaction."""

    kind: str  # "commands" or "actions"
    id: str
    secret: str
    app_id: str
    team_id: str
    channel_id: str
    user_id: str
    message_ts: str
    created: float
    uses: int = 0

    @property
    def path(self) -> str:
        return f"/{self.kind}/{self.team_id}/{self.id}/{self.secret}"


@dataclass
class Trigger:
    """A `trigger_id`: single-use, valid three seconds; `view_root` when issued inside a modal."""

    id: str
    app_id: str
    team_id: str
    user_id: str
    issued: float
    used: bool = False
    view_root: str = ""


@dataclass
class Delivery:
    """What the actor must send to the app, prepared under the lock and sent outside it."""

    app: App
    install: Install
    response_url: ResponseUrl | None
    trigger_id: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Target:
    """An interactive element found in a message or a modal: its block and the element itself."""

    block_id: str
    element: dict[str, Any]
    message: Message | None = None
    view: View | None = None


# --- what a person's client draws: built under the state's lock, read outside it ---------------


@dataclass
class ShownMessage:
    """A message as one person's client draws it, with the thread replies that person sees."""

    ts: str
    user: str
    text: str
    blocks: list[Any]
    attachments: list[Any]
    edited: bool
    ephemeral: bool
    replies: list[ShownMessage] = field(default_factory=list)
    # The name and icon it shows instead of its author's, whether it is a thread reply also sent
    # to the channel, and whether its text is mrkdwn (set by `SlackState.channel_page`).
    username: str = ""
    icon_emoji: str = ""
    icon_url: str = ""
    broadcast: bool = False
    mrkdwn: bool = True

    @classmethod
    def of(cls, message: Message, replies: list[ShownMessage] | None = None) -> ShownMessage:
        return cls(
            message.ts,
            message.user,
            message.text,
            list(message.blocks or []),
            list(message.attachments or []),
            bool(message.edited),
            bool(message.ephemeral_to),
            replies or [],
        )


@dataclass
class ChannelPage:
    """One page of a channel's top-level messages as one person sees them, oldest first."""

    messages: list[ShownMessage]
    older: str  # the `before` of the previous page, or "" at the channel's start


@dataclass
class ChannelRow:
    """A channel in a person's sidebar."""

    id: str
    name: str
    is_private: bool
    is_member: bool
    bots: list[User]  # the installed apps' bots that are members
    members: int


@dataclass
class DmRow:
    """A direct message (or group DM) in a person's sidebar, named by the others in it."""

    id: str
    label: str
    others: list[User]


@dataclass
class WorkspaceOverview:
    """A workspace as one person's sidebar shows it: the channels they may open and the apps,
    their direct messages, and whom they may start one with."""

    workspace: Workspace
    rows: list[ChannelRow]
    bots: list[User]  # the bot user of each app installed in the workspace
    dms: list[DmRow] = field(default_factory=list)
    people: list[User] = field(default_factory=list)  # others to message: people, then bots

    def row(self, channel_id: str) -> ChannelRow | None:
        return next((r for r in self.rows if r.id == channel_id), None)

    def dm(self, channel_id: str) -> DmRow | None:
        return next((d for d in self.dms if d.id == channel_id), None)
