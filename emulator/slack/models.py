"""State and operations of fake Slack: workspaces, users, channels, messages, apps and installs.

Plain classes with no web framework. Every public operation takes the state's lock, so the
multi-threaded server can call in concurrently. Operations raise the typed errors of `errors.py`;
the HTTP layers turn them into wire answers. Messages are indexed per channel by `ts`, so a
request's cost does not grow with what is stored.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import collections
import functools
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from emulator.clock import Clock, SystemClock
from emulator.ids import IdGenerator, secret_token
from emulator.slack.errors import (
    ChannelNotFound,
    InvalidAuth,
    MessageNotFound,
    MissingScope,
    NotFound,
    NotInChannel,
    SimError,
    SlackError,
    TokenRevoked,
    UserNotFound,
)

MICROS = 1_000_000
OAUTH_CODE_TTL = 600.0
RESPONSE_URL_TTL = 1800.0
RESPONSE_URL_MAX_USES = 5
TRIGGER_TTL = 3.0
JOURNAL_SIZE = 1000

CHANNEL_TYPE_SCOPES = {
    "public_channel": "channels:read",
    "private_channel": "groups:read",
    "mpim": "mpim:read",
    "im": "im:read",
}

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
            "icon": {"image_default": True, "image_34": "", "image_68": "", "image_132": ""},
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

    def to_api(self, *, with_email: bool) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "image_48": f"https://avatars.fakeslack.test/{self.id}_48.png",
            "status_text": "",
            "status_emoji": "",
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
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": 0,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": self.updated,
            "profile": profile,
        }


@dataclass
class Message:
    ts: str
    channel_id: str
    team_id: str
    text: str
    user: str
    bot_id: str = ""
    app_id: str = ""
    blocks: list[Any] | None = None
    attachments: list[Any] | None = None
    metadata: dict[str, Any] | None = None
    thread_ts: str = ""
    edited: dict[str, str] | None = None
    ephemeral_to: str = ""
    replies: list[str] = field(default_factory=list)
    reply_users: list[str] = field(default_factory=list)

    @property
    def is_reply(self) -> bool:
        return bool(self.thread_ts) and self.thread_ts != self.ts

    def visible_to(self, user_id: str | None) -> bool:
        return not self.ephemeral_to or self.ephemeral_to == user_id

    def to_api(self, *, include_metadata: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message"}
        if self.bot_id:
            out.update(subtype="bot_message", bot_id=self.bot_id, app_id=self.app_id)
        out.update(text=self.text, user=self.user, ts=self.ts, team=self.team_id)
        if self.blocks is not None:
            out["blocks"] = self.blocks
        if self.attachments:
            out["attachments"] = self.attachments
        if self.metadata is not None and include_metadata:
            out["metadata"] = self.metadata
        if self.edited:
            out["edited"] = dict(self.edited)
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.replies:
            out.update(
                reply_count=len(self.replies),
                reply_users=list(self.reply_users),
                reply_users_count=len(self.reply_users),
                latest_reply=self.replies[-1],
            )
        return out

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
        }


@dataclass
class Channel:
    id: str
    team_id: str
    name: str
    is_private: bool
    created: int
    creator: str
    members: dict[str, None] = field(default_factory=dict)  # ordered set
    is_archived: bool = False
    is_general: bool = False
    topic: str = ""
    purpose: str = ""
    messages: dict[str, Message] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # every ts, ephemerals and replies included
    history: list[int] = field(default_factory=list)  # top-level public ts in micros, ascending
    last_micros: int = 0

    def next_ts(self, now: float) -> str:
        # Slack's ts is unique per channel; a standing virtual clock still yields distinct ones.
        self.last_micros = max(int(now * MICROS), self.last_micros + 1)
        return format_ts(self.last_micros)

    def to_api(self, *, viewer: str | None) -> dict[str, Any]:
        text_field = {"creator": self.creator, "last_set": self.created if self.topic else 0}
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "creator": self.creator,
            "is_archived": self.is_archived,
            "is_general": self.is_general,
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "pending_shared": [],
            "is_pending_ext_shared": False,
            "context_team_id": self.team_id,
            "shared_team_ids": [self.team_id],
            "is_member": viewer in self.members if viewer else False,
            "topic": {"value": self.topic, **text_field},
            "purpose": {"value": self.purpose, **text_field},
            "previous_names": [],
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
        if not any(scope in self.scopes for scope in any_of):
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
    user_scopes: list[str]
    issued: float
    used: bool = False


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
    id: str
    app_id: str
    team_id: str
    user_id: str
    issued: float
    used: bool = False


@dataclass
class Delivery:
    """What the actor must send to the app, prepared under the lock and sent outside it."""

    app: App
    install: Install
    response_url: ResponseUrl
    trigger_id: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Target:
    """An interactive element found in a message: its block and the element itself."""

    message: Message
    block_id: str
    element: dict[str, Any]


class SlackState:
    """All of fake Slack's state. `clock` tells domain time (message ts); `wall` expires codes."""

    def __init__(self, *, clock: Clock | None = None, seed: int = 0, wall: Clock | None = None):
        self.clock: Clock = clock or SystemClock()
        self.wall: Clock = wall or SystemClock()
        self.seed = seed
        self._lock = threading.RLock()
        self.reset()

    @locked
    def reset(self) -> None:
        self.ids = IdGenerator(self.seed)
        self.workspaces: dict[str, Workspace] = {}
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.apps: dict[str, App] = {}
        self.apps_by_client: dict[str, str] = {}
        self.installs: dict[tuple[str, str], Install] = {}
        self.tokens: dict[str, Install] = {}
        self.bots: dict[str, Install] = {}
        self.codes: dict[str, OAuthCode] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.triggers: dict[str, Trigger] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.journal: collections.deque[dict[str, Any]] = collections.deque(maxlen=JOURNAL_SIZE)

    def _now(self) -> int:
        return int(self.clock.now())

    # --- seeding (control plane) -------------------------------------------------------------

    @locked
    def create_workspace(self, *, name: str, domain: str) -> Workspace:
        if any(ws.domain == domain for ws in self.workspaces.values()):
            raise SimError("domain_taken", f"domain {domain!r} is taken", status=409)
        ws = Workspace(self.ids.slack_id("T"), name, domain, self._now())
        self.workspaces[ws.id] = ws
        return ws

    @locked
    def create_user(
        self, team_id: str, *, name: str, email: str, real_name: str, is_admin: bool = False
    ) -> User:
        ws = self.workspace(team_id)
        if email and self._user_by_email(team_id, email):
            raise SimError("email_taken", f"{email!r} is taken in {team_id}", status=409)
        user = User(
            self.ids.slack_id("U"),
            ws.id,
            name,
            real_name or name,
            email,
            is_admin=is_admin,
            updated=self._now(),
        )
        self._add_user(ws, user)
        return user

    def _add_user(self, ws: Workspace, user: User) -> None:
        self.users[user.id] = user
        ws.user_ids.append(user.id)

    @locked
    def create_channel(
        self, team_id: str, *, name: str, is_private: bool, members: Iterable[str] = ()
    ) -> Channel:
        ws = self.workspace(team_id)
        if name in ws.channel_by_name:
            raise SimError("name_taken", f"#{name} exists in {team_id}", status=409)
        member_ids = list(members)
        for user_id in member_ids:
            self._member_of(ws, user_id)
        channel = Channel(
            self.ids.slack_id("C"),
            ws.id,
            name,
            is_private,
            self._now(),
            creator=member_ids[0] if member_ids else "",
            members=dict.fromkeys(member_ids),
            is_general=not ws.channel_ids and not is_private,
        )
        self.channels[channel.id] = channel
        ws.channel_pos[channel.id] = len(ws.channel_ids)
        ws.channel_ids.append(channel.id)
        ws.channel_by_name[name] = channel.id
        return channel

    def _member_of(self, ws: Workspace, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None or user.team_id != ws.id:
            raise SimError("user_not_found", f"no user {user_id!r} in {ws.id}", status=404)
        return user

    @locked
    def invite(self, channel_id: str, user_id: str) -> Channel:
        channel = self.channel(channel_id)
        self._member_of(self.workspaces[channel.team_id], user_id)
        channel.members[user_id] = None
        return channel

    @locked
    def archive(self, channel_id: str) -> Channel:
        channel = self.channel(channel_id)
        channel.is_archived = True
        return channel

    @locked
    def create_app(
        self,
        *,
        name: str,
        request_url: str = "",
        redirect_urls: Iterable[str] = (),
        client_id: str = "",
        client_secret: str = "",
        signing_secret: str = "",
    ) -> App:
        app_id = self.ids.slack_id("A")
        client_id = client_id or f"{self.ids.number()}.{self.ids.number()}"
        if client_id in self.apps_by_client:
            raise SimError("client_id_taken", f"client_id {client_id!r} is taken", status=409)
        app = App(
            app_id,
            name,
            client_id,
            client_secret or secret_token(nbytes=16),
            signing_secret or secret_token(nbytes=16),
            secret_token(nbytes=12),
            request_url,
            list(redirect_urls),
        )
        self.apps[app_id] = app
        self.apps_by_client[client_id] = app_id
        return app

    @locked
    def update_app(
        self,
        app_id: str,
        *,
        request_url: str | None = None,
        redirect_urls: Iterable[str] | None = None,
        name: str | None = None,
    ) -> App:
        app = self.app(app_id)
        if request_url is not None:
            app.request_url = request_url
        if redirect_urls is not None:
            app.redirect_urls = list(redirect_urls)
        if name is not None:
            app.name = name
        return app

    @locked
    def install(
        self, app_id: str, team_id: str, scopes: Iterable[str], *, installer: str = ""
    ) -> Install:
        """Install (or re-install) an app: one bot user per app and workspace; token kept."""
        app, ws = self.app(app_id), self.workspace(team_id)
        existing = self.installs.get((app.id, ws.id))
        if existing is None:
            existing = self._new_install(app, ws)
        elif existing.revoked:
            # A revoked token stays dead; a new install gets a new one, as on Slack.
            existing.token = secret_token("xoxb-")
            existing.revoked = False
            self.tokens[existing.token] = existing
        existing.scopes = _dedupe(scopes)
        existing.installer_user_id = installer or existing.installer_user_id
        return existing

    def _new_install(self, app: App, ws: Workspace) -> Install:
        bot_id = self.ids.slack_id("B")
        bot_name = app.name.lower().replace(" ", "_")
        user = User(
            self.ids.slack_id("U"),
            ws.id,
            bot_name,
            app.name,
            "",
            is_bot=True,
            bot_id=bot_id,
            app_id=app.id,
            updated=self._now(),
        )
        self._add_user(ws, user)
        install = Install(app.id, ws.id, user.id, bot_id, secret_token("xoxb-"), [])
        self.installs[(app.id, ws.id)] = install
        self.tokens[install.token] = install
        self.bots[bot_id] = install
        return install

    # --- lookups -----------------------------------------------------------------------------

    def workspace(self, team_id: str) -> Workspace:
        ws = self.workspaces.get(team_id)
        if ws is None:
            raise NotFound("workspace", team_id)
        return ws

    def channel(self, channel_id: str) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise NotFound("channel", channel_id)
        return channel

    def app(self, app_id: str) -> App:
        app = self.apps.get(app_id)
        if app is None:
            raise NotFound("app", app_id)
        return app

    def user(self, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise NotFound("user", user_id)
        return user

    def app_by_client_id(self, client_id: str) -> App | None:
        app_id = self.apps_by_client.get(client_id)
        return self.apps.get(app_id) if app_id else None

    def _user_by_email(self, team_id: str, email: str) -> User | None:
        wanted = email.strip().lower()
        ws = self.workspaces[team_id]
        # Linear in the workspace's people, which only the seeding controls; fine for lookups.
        for user_id in ws.user_ids:
            user = self.users[user_id]
            if user.email.lower() == wanted and not user.is_bot:
                return user
        return None

    # --- auth --------------------------------------------------------------------------------

    @locked
    def authenticate(self, token: str) -> Install:
        install = self.tokens.get(token)
        if install is None:
            raise InvalidAuth()
        if install.revoked:
            raise TokenRevoked()
        return install

    @locked
    def auth_test(self, install: Install) -> dict[str, Any]:
        ws = self.workspaces[install.team_id]
        bot = self.users[install.bot_user_id]
        return {
            "url": ws.url,
            "team": ws.name,
            "user": bot.name,
            "team_id": ws.id,
            "user_id": bot.id,
            "bot_id": install.bot_id,
            "is_enterprise_install": False,
        }

    @locked
    def auth_revoke(self, install: Install) -> None:
        install.revoked = True

    @locked
    def apps_uninstall(self, install: Install, *, client_id: str, client_secret: str) -> None:
        app = self._client_app(client_id, client_secret)
        if app.id != install.app_id:
            raise SlackError("invalid_client_id")
        install.revoked = True

    # --- OAuth v2 ----------------------------------------------------------------------------

    @locked
    def issue_code(
        self,
        app: App,
        *,
        user_id: str,
        scopes: list[str],
        user_scopes: list[str],
        redirect_uri: str,
    ) -> str:
        """The user allowed the install: install now, hand out a single-use code."""
        user = self.user(user_id)
        self.install(app.id, user.team_id, scopes, installer=user.id)
        code = f"{self.ids.number()}.{secret_token(nbytes=16)}"
        self.codes[code] = OAuthCode(
            code, app.id, user.team_id, user.id, redirect_uri, user_scopes, self.wall.now()
        )
        return code

    def _client_app(self, client_id: str, client_secret: str) -> App:
        app = self.app_by_client_id(client_id)
        if app is None:
            raise SlackError("invalid_client_id")
        if client_secret != app.client_secret:
            raise SlackError("bad_client_secret")
        return app

    @locked
    def oauth_v2_access(
        self, *, client_id: str, client_secret: str, code: str, redirect_uri: str
    ) -> tuple[Install, OAuthCode]:
        app = self._client_app(client_id, client_secret)
        grant = self.codes.get(code)
        expired = grant is not None and self.wall.now() - grant.issued > OAUTH_CODE_TTL
        if grant is None or grant.used or expired or grant.app_id != app.id:
            raise SlackError("invalid_code")
        if redirect_uri and redirect_uri != grant.redirect_uri:
            raise SlackError("bad_redirect_uri")
        grant.used = True
        return self.installs[(app.id, grant.team_id)], grant

    # --- channels as a token sees them ---------------------------------------------------------

    def _visible_channel(self, install: Install, ref: str) -> Channel:
        """The channel by id or name, if the token's bot may see it; else channel_not_found."""
        ws = self.workspaces[install.team_id]
        ref = ref.lstrip("#")
        channel = self.channels.get(ref) or self.channels.get(ws.channel_by_name.get(ref, ""))
        if channel is None or channel.team_id != install.team_id:
            raise ChannelNotFound()
        if channel.is_private and install.bot_user_id not in channel.members:
            raise ChannelNotFound()
        return channel

    @staticmethod
    def _require_type_scope(install: Install, channel: Channel, public: str, private: str) -> None:
        install.require(private if channel.is_private else public)

    @locked
    def conversations_info(self, install: Install, channel_ref: str) -> dict[str, Any]:
        channel = self._visible_channel(install, channel_ref)
        self._require_type_scope(install, channel, "channels:read", "groups:read")
        return channel.to_api(viewer=install.bot_user_id)

    @locked
    def conversations_list(
        self,
        install: Install,
        *,
        types: list[str],
        exclude_archived: bool,
        limit: int,
        cursor: str,
    ) -> tuple[list[dict[str, Any]], str]:
        """Pages over the workspace's channels; filters apply after the page, as on Slack.

        Only public and private channels exist here; `im` and `mpim` are accepted but empty.
        """
        for kind in types:
            if kind not in CHANNEL_TYPE_SCOPES:
                raise SlackError("invalid_types")
            install.require(CHANNEL_TYPE_SCOPES[kind])
        ws = self.workspaces[install.team_id]
        start = 0
        if cursor:
            after = decode_cursor("team", cursor)
            if after not in ws.channel_pos:
                raise SlackError("invalid_cursor")
            start = ws.channel_pos[after]
        page = ws.channel_ids[start : start + limit]
        rest = ws.channel_ids[start + limit : start + limit + 1]
        out = []
        for channel_id in page:
            channel = self.channels[channel_id]
            kind = "private_channel" if channel.is_private else "public_channel"
            if kind not in types or (exclude_archived and channel.is_archived):
                continue
            if channel.is_private and install.bot_user_id not in channel.members:
                continue
            out.append(channel.to_api(viewer=install.bot_user_id))
        return out, encode_cursor("team", rest[0]) if rest else ""

    @locked
    def conversations_join(self, install: Install, channel_ref: str) -> tuple[Channel, bool]:
        """Returns the channel and whether the bot was already a member."""
        channel = self._visible_channel(install, channel_ref)
        if channel.is_private:
            raise SlackError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise SlackError("is_archived")
        already = install.bot_user_id in channel.members
        channel.members[install.bot_user_id] = None
        return channel, already

    @locked
    def conversations_members(
        self, install: Install, channel_ref: str, *, limit: int, cursor: str
    ) -> tuple[list[str], str]:
        channel = self._visible_channel(install, channel_ref)
        self._require_type_scope(install, channel, "channels:read", "groups:read")
        members = list(channel.members)
        start = int(decode_cursor("member", cursor)) if cursor else 0
        page = members[start : start + limit]
        more = start + limit < len(members)
        return page, encode_cursor("member", str(start + limit)) if more else ""

    @locked
    def conversations_history(
        self,
        install: Install,
        channel_ref: str,
        *,
        limit: int,
        cursor: str,
        latest: str,
        oldest: str,
        inclusive: bool,
    ) -> tuple[list[Message], bool, str]:
        """Top-level public messages, newest first. Ephemerals and thread replies are not here."""
        channel = self._readable_channel(install, channel_ref)
        high = len(channel.history)
        if cursor:
            high = bisect.bisect_left(channel.history, _ts_key(decode_cursor("next_ts", cursor)))
        elif latest:
            bound = _ts_key(latest)
            find = bisect.bisect_right if inclusive else bisect.bisect_left
            high = find(channel.history, bound)
        low = 0
        if oldest:
            find = bisect.bisect_left if inclusive else bisect.bisect_right
            low = find(channel.history, _ts_key(oldest))
        start = max(low, high - limit)
        keys = channel.history[start:high][::-1]
        has_more = start > low
        next_cursor = encode_cursor("next_ts", format_ts(keys[-1])) if has_more else ""
        return [channel.messages[format_ts(k)] for k in keys], has_more, next_cursor

    @locked
    def conversations_replies(
        self, install: Install, channel_ref: str, ts: str, *, limit: int, cursor: str
    ) -> tuple[list[Message], str]:
        channel = self._readable_channel(install, channel_ref)
        parent = channel.messages.get(ts)
        if parent is None or parent.ephemeral_to:
            raise SlackError("thread_not_found")
        if parent.is_reply:
            parent = channel.messages[parent.thread_ts]
        thread = [parent, *(channel.messages[t] for t in parent.replies)]
        start = int(decode_cursor("reply", cursor)) if cursor else 0
        more = start + limit < len(thread)
        return thread[start : start + limit], encode_cursor(
            "reply", str(start + limit)
        ) if more else ""

    def _readable_channel(self, install: Install, channel_ref: str) -> Channel:
        channel = self._visible_channel(install, channel_ref)
        self._require_type_scope(install, channel, "channels:history", "groups:history")
        # A bot reads only what it is in, even in a public channel.
        if install.bot_user_id not in channel.members:
            raise NotInChannel()
        return channel

    # --- messages ------------------------------------------------------------------------------

    def _postable_channel(self, install: Install, channel_ref: str) -> Channel:
        channel = self._visible_channel(install, channel_ref)
        if channel.is_archived:
            raise SlackError("is_archived")
        member = install.bot_user_id in channel.members
        if not member and not install.has("chat:write.public"):
            raise NotInChannel()
        return channel

    @locked
    def chat_post_message(
        self,
        install: Install,
        channel_ref: str,
        *,
        text: str,
        blocks: list[Any] | None,
        attachments: list[Any] | None,
        thread_ts: str = "",
        metadata: dict[str, Any] | None = None,
    ) -> Message:
        """Posts as the app's bot. Leaves out `reply_broadcast`, `unfurl_*`, `mrkdwn` and icons."""
        _require_content(text, blocks, attachments)
        channel = self._postable_channel(install, channel_ref)
        return self._append(
            channel,
            install,
            text=text,
            blocks=blocks,
            attachments=attachments,
            thread_ts=thread_ts,
            metadata=metadata,
        )

    @locked
    def chat_post_ephemeral(
        self,
        install: Install,
        channel_ref: str,
        user_id: str,
        *,
        text: str,
        blocks: list[Any] | None,
        attachments: list[Any] | None,
        thread_ts: str = "",
    ) -> Message:
        _require_content(text, blocks, attachments)
        channel = self._postable_channel(install, channel_ref)
        if user_id not in channel.members:
            raise SlackError("user_not_in_channel")
        return self._append(
            channel,
            install,
            text=text,
            blocks=blocks,
            attachments=attachments,
            thread_ts=thread_ts,
            ephemeral_to=user_id,
        )

    def _append(
        self,
        channel: Channel,
        install: Install,
        *,
        text: str,
        blocks: list[Any] | None,
        attachments: list[Any] | None,
        thread_ts: str = "",
        metadata: dict[str, Any] | None = None,
        ephemeral_to: str = "",
    ) -> Message:
        parent = None
        if thread_ts:
            parent = channel.messages.get(thread_ts)
            if parent is None or parent.ephemeral_to:
                raise SlackError("thread_not_found")
            if parent.is_reply:
                parent = channel.messages[parent.thread_ts]
        ts = channel.next_ts(self.clock.now())
        message = Message(
            ts,
            channel.id,
            channel.team_id,
            text,
            install.bot_user_id,
            install.bot_id,
            install.app_id,
            blocks,
            attachments,
            metadata,
            thread_ts=parent.ts if parent else "",
            ephemeral_to=ephemeral_to,
        )
        channel.messages[ts] = message
        channel.order.append(ts)
        if parent is not None and not ephemeral_to:
            parent.thread_ts = parent.ts
            parent.replies.append(ts)
            if message.user not in parent.reply_users:
                parent.reply_users.append(message.user)
        elif parent is None and not ephemeral_to:
            channel.history.append(channel.last_micros)
        return message

    def _own_message(self, install: Install, channel: Channel, ts: str, denied: str) -> Message:
        message = channel.messages.get(ts)
        if message is None or message.ephemeral_to:
            raise MessageNotFound()
        if message.bot_id != install.bot_id:
            raise SlackError(denied)
        return message

    @locked
    def chat_update(
        self,
        install: Install,
        channel_ref: str,
        ts: str,
        *,
        text: str | None,
        blocks: list[Any] | None,
        attachments: list[Any] | None,
        metadata: dict[str, Any] | None = None,
    ) -> Message:
        """Omitted fields keep their value, as on Slack; only the latest version is kept."""
        channel = self._visible_channel(install, channel_ref)
        message = self._own_message(install, channel, ts, "cant_update_message")
        if text is not None:
            message.text = text
        if blocks is not None:
            message.blocks = blocks
        if attachments is not None:
            message.attachments = attachments
        if metadata is not None:
            message.metadata = metadata
        edit_ts = format_ts(int(self.clock.now() * MICROS))
        message.edited = {"user": install.bot_user_id, "ts": edit_ts}
        return message

    @locked
    def chat_delete(self, install: Install, channel_ref: str, ts: str) -> None:
        channel = self._visible_channel(install, channel_ref)
        self._own_message(install, channel, ts, "cant_delete_message")
        self._remove(channel, ts)

    def _remove(self, channel: Channel, ts: str) -> None:
        message = channel.messages.pop(ts)
        _discard_sorted(channel.order, ts, key=_ts_key)
        if message.is_reply:
            parent = channel.messages.get(message.thread_ts)
            if parent is not None and ts in parent.replies:
                parent.replies.remove(ts)
        elif not message.ephemeral_to:
            key = _ts_key(ts)
            index = bisect.bisect_left(channel.history, key)
            if index < len(channel.history) and channel.history[index] == key:
                del channel.history[index]

    @locked
    def message_for_permalink(self, install: Install, channel_ref: str, ts: str) -> Channel:
        channel = self._visible_channel(install, channel_ref)
        if ts not in channel.messages:
            raise MessageNotFound()
        return channel

    # --- users, team, bots ---------------------------------------------------------------------

    @locked
    def users_info(self, install: Install, user_id: str) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None or user.team_id != install.team_id:
            raise UserNotFound()
        return user.to_api(with_email=install.has("users:read.email"))

    @locked
    def users_lookup_by_email(self, install: Install, email: str) -> dict[str, Any]:
        user = self._user_by_email(install.team_id, email)
        if user is None:
            raise SlackError("users_not_found")
        return user.to_api(with_email=True)

    @locked
    def users_list(
        self, install: Install, *, limit: int, cursor: str
    ) -> tuple[list[dict[str, Any]], str]:
        ids = self.workspaces[install.team_id].user_ids
        start = int(decode_cursor("user", cursor)) if cursor else 0
        with_email = install.has("users:read.email")
        page = [self.users[u].to_api(with_email=with_email) for u in ids[start : start + limit]]
        more = start + limit < len(ids)
        return page, encode_cursor("user", str(start + limit)) if more else ""

    @locked
    def team_info(self, install: Install, team: str) -> dict[str, Any]:
        if team and team != install.team_id:
            raise SlackError("team_not_found")
        info = self.workspaces[install.team_id].to_api()
        info.pop("url")
        return info

    @locked
    def bots_info(self, install: Install, bot_id: str) -> dict[str, Any]:
        other = self.bots.get(bot_id or install.bot_id)
        if other is None or other.team_id != install.team_id:
            raise SlackError("bot_not_found")
        app = self.apps[other.app_id]
        return {
            "id": other.bot_id,
            "deleted": other.revoked,
            "name": app.name,
            "updated": self._now(),
            "app_id": app.id,
            "user_id": other.bot_user_id,
            "icons": {"image_36": "", "image_48": "", "image_72": ""},
        }

    # --- the actor: Slack toward the app -------------------------------------------------------

    def _issue_response_url(
        self, kind: str, install: Install, channel: Channel, user_id: str, message_ts: str = ""
    ) -> ResponseUrl:
        url = ResponseUrl(
            kind,
            str(self.ids.number()),
            secret_token(nbytes=12),
            install.app_id,
            install.team_id,
            channel.id,
            user_id,
            message_ts,
            self.wall.now(),
        )
        self.response_urls[url.id] = url
        return url

    def _issue_trigger(self, install: Install, user_id: str) -> str:
        trigger = Trigger(
            f"{self.ids.number()}.{secret_token(nbytes=8)}",
            install.app_id,
            install.team_id,
            user_id,
            self.wall.now(),
        )
        self.triggers[trigger.id] = trigger
        return trigger.id

    def _actor(self, channel_id: str, user_id: str) -> tuple[Channel, User]:
        channel = self.channel(channel_id)
        user = self.user(user_id)
        if user.team_id != channel.team_id:
            raise SimError("user_not_in_workspace", f"{user_id} is not in {channel.team_id}")
        return channel, user

    def _command_install(self, team_id: str, app_id: str) -> Install:
        installs = [
            i
            for (a, t), i in self.installs.items()
            if t == team_id and not i.revoked and (not app_id or a == app_id)
        ]
        routable = [i for i in installs if self.apps[i.app_id].request_url]
        if not routable:
            raise SimError(
                "no_app", f"no installed app with a request_url in {team_id}", status=409
            )
        return routable[0]

    @locked
    def prepare_command(
        self,
        *,
        channel_id: str,
        user_id: str,
        command: str,
        text: str,
        app_id: str = "",
        team_id: str = "",
    ) -> Delivery:
        """A person types `command text` in a channel; the app owning it is chosen."""
        channel, user = self._actor(channel_id, user_id)
        if team_id and team_id != channel.team_id:
            raise SimError("channel_not_in_workspace", f"{channel_id} is not in {team_id}")
        install = self._command_install(channel.team_id, app_id)
        app, ws = self.apps[install.app_id], self.workspaces[channel.team_id]
        response_url = self._issue_response_url("commands", install, channel, user.id)
        trigger_id = self._issue_trigger(install, user.id)
        fields = {
            "token": app.verification_token,
            "team_id": ws.id,
            "team_domain": ws.domain,
            "channel_id": channel.id,
            "channel_name": channel.name,
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": app.id,
            "is_enterprise_install": "false",
            "trigger_id": trigger_id,
        }
        return Delivery(app, install, response_url, trigger_id, fields)

    @locked
    def find_element(
        self,
        *,
        channel_id: str,
        message_ts: str,
        user_id: str,
        kind: str,
        label: str = "",
        action_id: str = "",
        value: str = "",
    ) -> Target:
        """A button (`kind="button"`) or a static select in a message the user can see."""
        channel, _ = self._actor(channel_id, user_id)
        message = channel.messages.get(message_ts)
        if message is None or not message.visible_to(user_id):
            raise SimError(
                "message_not_found", f"{user_id} sees no message {message_ts}", status=404
            )
        found = list(_interactive_elements(message, kind))
        for block_id, element in found:
            if value and kind == "button" and element.get("value") != value:
                continue
            if (action_id and element.get("action_id") == action_id) or (
                not action_id and _element_matches(element, kind, label)
            ):
                return Target(message, block_id, element)
        there = ", ".join(_describe(e) for _, e in found) or "none"
        raise SimError(
            "action_not_found",
            f"no {kind} {label or action_id!r} on {message_ts}; there: {there}",
            status=404,
        )

    @locked
    def prepare_interaction(self, target: Target, user_id: str) -> Delivery:
        message = target.message
        channel = self.channels[message.channel_id]
        install = self.installs.get((message.app_id, channel.team_id))
        if install is None or install.revoked:
            raise SimError("app_not_installed", f"{message.app_id} is not installed", status=409)
        app = self.apps[install.app_id]
        response_url = self._issue_response_url(
            "actions", install, channel, user_id, message_ts=message.ts
        )
        trigger_id = self._issue_trigger(install, user_id)
        return Delivery(app, install, response_url, trigger_id, {})

    @locked
    def post_app_reply(
        self, install: Install, channel_id: str, *, user_id: str, body: dict[str, Any]
    ) -> Message:
        """The app answered a command (ack body or response_url): a new message."""
        channel = self.channels[channel_id]
        in_channel = body.get("response_type") == "in_channel"
        return self._append(
            channel,
            install,
            text=str(body.get("text") or ""),
            blocks=body.get("blocks"),
            attachments=body.get("attachments"),
            thread_ts=str(body.get("thread_ts") or ""),
            ephemeral_to="" if in_channel else user_id,
        )

    @locked
    def post_command_ack(
        self, delivery: Delivery, *, user_id: str, body: dict[str, Any]
    ) -> Message:
        """The app's ack body for a command became a message; later replace_original aims at it."""
        message = self.post_app_reply(
            delivery.install, delivery.response_url.channel_id, user_id=user_id, body=body
        )
        delivery.response_url.message_ts = message.ts
        return message

    @locked
    def respond(
        self, kind: str, team_id: str, url_id: str, secret: str, body: dict[str, Any]
    ) -> Message | None:
        """A POST to a response_url: replace, delete or add a message."""
        url = self.response_urls.get(url_id)
        if url is None or url.kind != kind or url.team_id != team_id or url.secret != secret:
            raise SimError("no_service", "unknown response_url", status=404)
        if url.uses >= RESPONSE_URL_MAX_USES or self.wall.now() - url.created > RESPONSE_URL_TTL:
            raise SimError("used_url", "response_url used 5 times or older than 30 min", status=404)
        url.uses += 1
        install = self.installs[(url.app_id, url.team_id)]
        channel = self.channels[url.channel_id]
        original = channel.messages.get(url.message_ts) if url.message_ts else None
        if body.get("delete_original") and original is not None:
            self._remove(channel, original.ts)
            return None
        if body.get("replace_original") and original is not None:
            original.text = str(body.get("text") or "")
            original.blocks = body.get("blocks")
            original.attachments = body.get("attachments")
            return original
        message = self.post_app_reply(install, channel.id, user_id=url.user_id, body=body)
        if url.kind == "commands" and not url.message_ts:
            url.message_ts = message.ts
        return message

    @locked
    def use_trigger(self, install: Install, trigger_id: str) -> Trigger:
        trigger = self.triggers.get(trigger_id)
        if trigger is None or trigger.app_id != install.app_id:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.wall.now() - trigger.issued > TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    @locked
    def views_open(self, install: Install, trigger_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """Opens a modal for the trigger's user. Leaves out the view stack (`views.push`)."""
        trigger = self.use_trigger(install, trigger_id)
        view_id = self.ids.slack_id("V")
        stored = {
            "id": view_id,
            "team_id": install.team_id,
            "app_id": install.app_id,
            "bot_id": install.bot_id,
            "root_view_id": view_id,
            "previous_view_id": None,
            "user_id": trigger.user_id,
        }
        self.views[view_id] = stored
        return self._set_view(stored, view)

    @locked
    def views_update(
        self,
        install: Install,
        *,
        view_id: str,
        external_id: str,
        view: dict[str, Any],
        hash_: str,
    ) -> dict[str, Any]:
        stored = self.views.get(view_id) if view_id else self._view_by_external(external_id)
        if stored is None or stored["app_id"] != install.app_id:
            raise SlackError("not_found")
        if hash_ and hash_ != stored["hash"]:
            raise SlackError("hash_conflict")
        return self._set_view(stored, view)

    def _view_by_external(self, external_id: str) -> dict[str, Any] | None:
        # Linear in open views, which stay few: only tests and demos open them.
        return next((v for v in self.views.values() if v["external_id"] == external_id), None)

    def _set_view(self, stored: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
        stored.update(
            type=view.get("type", "modal"),
            title=view.get("title"),
            submit=view.get("submit"),
            close=view.get("close"),
            blocks=view.get("blocks") or [],
            private_metadata=view.get("private_metadata", ""),
            callback_id=view.get("callback_id", ""),
            external_id=view.get("external_id", ""),
            clear_on_close=bool(view.get("clear_on_close", False)),
            notify_on_close=bool(view.get("notify_on_close", False)),
            state={"values": {}},
            hash=f"{int(self.wall.now())}.{secret_token(nbytes=4)}",
        )
        return {k: v for k, v in stored.items() if k != "user_id"}

    # --- inspection ----------------------------------------------------------------------------

    @locked
    def channel_messages(self, channel_id: str, user_id: str = "") -> list[dict[str, Any]]:
        """Oldest first, thread replies under their parent; only what `user_id` sees if given."""
        channel = self.channel(channel_id)
        out = []
        for ts in channel.order:
            message = channel.messages[ts]
            if message.is_reply or (user_id and not message.visible_to(user_id)):
                continue
            replies = [channel.messages[t] for t in message.replies]
            out.append(message.to_sim(replies))
        return out

    @locked
    def record(self, entry: dict[str, Any]) -> None:
        self.journal.append(entry)

    @locked
    def journal_entries(self, method: str = "", limit: int = 100) -> list[dict[str, Any]]:
        entries = [e for e in self.journal if not method or e["method"] == method]
        return entries[-limit:] if limit > 0 else []

    @locked
    def dump(self) -> dict[str, Any]:
        return {
            "workspaces": [
                {**ws.to_api(), "users": ws.user_ids, "channels": ws.channel_ids}
                for ws in self.workspaces.values()
            ],
            "users": [u.to_api(with_email=True) for u in self.users.values()],
            "channels": [
                {
                    **c.to_api(viewer=None),
                    "team_id": c.team_id,
                    "members": list(c.members),
                    "messages": len(c.history),
                    "all_messages": len(c.messages),
                }
                for c in self.channels.values()
            ],
            "apps": [a.to_sim() for a in self.apps.values()],
            "installs": [i.to_sim() for i in self.installs.values()],
        }


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(s.strip() for s in items if s and s.strip()))


def _ts_key(ts: str) -> int:
    key = parse_ts(ts)
    if key is None:
        raise SlackError("invalid_ts_latest")
    return key


def _discard_sorted(items: list[str], value: str, *, key: Callable[[str], int]) -> None:
    # `order` is ascending by ts, so bisect finds the entry without a scan.
    keys = _KeyView(items, key)
    index = bisect.bisect_left(keys, key(value))
    if index < len(items) and items[index] == value:
        del items[index]


class _KeyView:
    """A read-only sequence of `key(item)` for bisect (whose `key=` needs a key'd target)."""

    def __init__(self, items: list[str], key: Callable[[str], int]) -> None:
        self.items, self.key = items, key

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> int:
        return self.key(self.items[index])


def _require_content(text: str, blocks: list[Any] | None, attachments: list[Any] | None) -> None:
    if not text and not blocks and not attachments:
        raise SlackError("no_text")


def _interactive_elements(message: Message, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    blocks = list(message.blocks or [])
    for attachment in message.attachments or []:
        if isinstance(attachment, dict):
            blocks.extend(attachment.get("blocks") or [])
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        block_id = str(block.get("block_id") or f"b{index}")
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("type") == kind:
                yield block_id, element


def _text_of(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return [o for o in options if isinstance(o, dict)]


def _element_matches(element: dict[str, Any], kind: str, label: str) -> bool:
    if kind == "button":
        return _text_of(element.get("text")) == label
    return find_option(element, label) is not None


def find_option(element: dict[str, Any], wanted: str) -> dict[str, Any] | None:
    """A select's option by its label text or its value."""
    for option in _options(element):
        if wanted in (_text_of(option.get("text")), option.get("value")):
            return option
    return None


def _describe(element: dict[str, Any]) -> str:
    if element.get("type") == "button":
        return f"button {_text_of(element.get('text'))!r} ({element.get('action_id')})"
    labels = [_text_of(o.get("text")) for o in _options(element)]
    return f"select {element.get('action_id')} {labels}"
