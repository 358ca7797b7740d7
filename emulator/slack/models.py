"""State and operations of fake Slack: workspaces, users, channels, messages, apps and installs.

Plain classes with no web framework. Every public operation takes the state's lock, so the
multi-threaded server can call in concurrently. Operations raise the typed errors of `errors.py`;
the HTTP layers turn them into wire answers. Messages are indexed per channel by `ts`, so a
request's cost does not grow with what is stored. What Slack does toward the app (commands,
interactions, modals) is in `interactions.py`; export and import in `snapshot.py`.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from emulator.clock import Clock, SystemClock
from emulator.ids import IdGenerator, secret_token
from emulator.slack.blockkit import Leniency
from emulator.slack.entities import (
    MICROS,
    SLACKBOT_ID,
    App,
    Channel,
    ChannelPage,
    ChannelRow,
    Install,
    Message,
    OAuthCode,
    ResponseUrl,
    ScheduledMessage,
    ShownMessage,
    Trigger,
    User,
    Workspace,
    WorkspaceOverview,
    decode_cursor,
    encode_cursor,
    format_ts,
    locked,
    parse_ts,
    slackbot,
)
from emulator.slack.errors import (
    ChannelNotFound,
    InvalidAuth,
    MessageNotFound,
    NotFound,
    NotInChannel,
    SimError,
    SlackError,
    TokenRevoked,
    UserNotFound,
)
from emulator.slack.interactions import Interactions
from emulator.slack.managing import Managing
from emulator.slack.modals import View
from emulator.slack.presentation import (
    CUSTOMIZE_SCOPE,
    PLAIN,
    Presentation,
    authorship,
    formatted,
    in_history,
)
from emulator.slack.publishing import EventSink, Publishing
from emulator.slack.scheduling import Scheduling
from emulator.slack.system_messages import archived, joined, unarchived

OAUTH_CODE_TTL = 600.0

CHANNEL_TYPE_SCOPES = {
    "public_channel": "channels:read",
    "private_channel": "groups:read",
    "mpim": "mpim:read",
    "im": "im:read",
}


class SlackState(Interactions, Publishing, Managing, Scheduling):
    """All of fake Slack's state. `clock` tells domain time (message ts); `wall` expires codes."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        seed: int = 0,
        wall: Clock | None = None,
        stable_secrets: bool = False,
    ):
        self.clock: Clock = clock or SystemClock()
        self.wall: Clock = wall or SystemClock()
        self.seed = seed
        self.stable_secrets = stable_secrets
        self._lock = threading.RLock()
        # Where Events API envelopes go (`FakeSlack` plugs in its `EventQueue`); None: nowhere.
        self.event_sink: EventSink | None = None
        # Block Kit rules refused (Slack's way) or, in lenient mode, only warned about.
        self.block_kit = Leniency()
        self.reset()

    @locked
    def reset(self) -> None:
        self.ids = IdGenerator(self.seed, stable_secrets=self.stable_secrets)
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
        self.views: dict[str, View] = {}
        self.stacks: dict[str, list[str]] = {}  # root view id -> the ids on its stack
        self.scheduled: dict[str, ScheduledMessage] = {}
        self.dms: dict[tuple[str, ...], str] = {}  # (team, *members sorted) -> DM channel id
        self.taken_ids: set[str] = set()  # ids restored by an import, never issued again

    def _now(self) -> int:
        return int(self.clock.now())

    def new_id(self, prefix: str) -> str:
        """A fresh Slack id; after an import, one that no restored object has."""
        while True:
            candidate = self.ids.slack_id(prefix)
            if candidate not in self.taken_ids:
                return candidate

    # --- seeding (control plane) -------------------------------------------------------------

    @locked
    def create_workspace(self, *, name: str, domain: str) -> Workspace:
        if any(ws.domain == domain for ws in self.workspaces.values()):
            raise SimError("domain_taken", f"domain {domain!r} is taken", status=409)
        ws = Workspace(self.new_id("T"), name, domain, self._now())
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
            self.new_id("U"),
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
        return self._add_channel(ws, name, is_private, member_ids)

    def _add_channel(
        self, ws: Workspace, name: str, is_private: bool, member_ids: list[str]
    ) -> Channel:
        channel = Channel(
            self.new_id("C"),
            ws.id,
            name,
            is_private,
            self._now(),
            creator=member_ids[0] if member_ids else "",
            members=dict.fromkeys(member_ids),
            is_general=not ws.channel_ids and not is_private,
        )
        self.register_channel(ws, channel)
        self._publish_channel_created(channel)
        return channel

    def register_channel(self, ws: Workspace, channel: Channel) -> None:
        self.channels[channel.id] = channel
        if channel.is_dm:
            self.dms[_dm_key(channel.team_id, channel.members)] = channel.id
            return
        ws.channel_pos[channel.id] = len(ws.channel_ids)
        ws.channel_ids.append(channel.id)
        ws.channel_by_name[channel.name] = channel.id

    def _member_of(self, ws: Workspace, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None or user.team_id != ws.id:
            raise SimError("user_not_found", f"no user {user_id!r} in {ws.id}", status=404)
        return user

    @locked
    def invite(self, channel_id: str, user_id: str) -> Channel:
        """Someone is put in a channel, as a workspace is set up: like a channel created with its
        members, no `channel_join` message is posted (an app's join, invite or create posts one).
        """
        channel = self.channel(channel_id)
        self._member_of(self.workspaces[channel.team_id], user_id)
        if user_id not in channel.members:
            channel.add_member(user_id)
            self._publish_member_joined(channel, user_id)
        return channel

    @locked
    def remove_member(self, channel_id: str, user_id: str) -> Channel:
        """A person leaves a channel (or is removed from it); like `invite`, it sets up the
        workspace, so no `channel_leave` message is posted."""
        channel = self.channel(channel_id)
        self._member_of(self.workspaces[channel.team_id], user_id)
        if user_id not in channel.members:
            raise SimError("not_in_channel", f"{user_id} is not in {channel_id}", status=409)
        self._publish_member_left(channel, user_id)
        channel.remove_member(user_id)
        self._publish_left(channel, user_id, actor_id=user_id)
        return channel

    @locked
    def archive(self, channel_id: str, user_id: str = "") -> Channel:
        channel = self.channel(channel_id)
        if user_id:
            self._member_of(self.workspaces[channel.team_id], user_id)
        if not channel.is_archived:
            if user_id:
                self.post_notice(channel, user_id, archived(user_id))
            self._publish_archive(channel, user_id)
            channel.archive()
        return channel

    @locked
    def unarchive(self, channel_id: str, user_id: str = "") -> Channel:
        """A person unarchives a channel; the `channel_unarchive` message only when we know who."""
        channel = self.channel(channel_id)
        if user_id:
            self._member_of(self.workspaces[channel.team_id], user_id)
        if channel.is_archived:
            channel.unarchive()
            if user_id:
                self.post_notice(channel, user_id, unarchived(user_id))
            self._publish_unarchive(channel, user_id)
        return channel

    @locked
    def rename_channel(self, channel_id: str, name: str, user_id: str = "") -> Channel:
        """A person renames a channel; the `channel_name` message only when we know who."""
        channel = self.channel(channel_id)
        if user_id:
            self._member_of(self.workspaces[channel.team_id], user_id)
        try:
            self.rename(channel, name, by=user_id)
        except SlackError as error:
            status = 409 if error.code == "name_taken" else 400
            raise SimError(error.code, f"#{name}: {error.code}", status=status) from None
        return channel

    @locked
    def post_as_user(
        self, channel_id: str, user_id: str, text: str, thread_ts: str = ""
    ) -> Message:
        """A person writes in a channel they are in (the web client's message box)."""
        channel = self.channel(channel_id)
        user = self._member_of(self.workspaces[channel.team_id], user_id)
        if not text.strip():
            raise SimError("no_text", "a message needs text")
        if user_id not in channel.members:
            raise SimError("not_in_channel", f"{user_id} is not in {channel_id}", status=409)
        if channel.is_archived:
            raise SimError("is_archived", f"{channel_id} is archived", status=409)
        try:
            return self._append_as(channel, user.id, "", "", text=text, thread_ts=thread_ts)
        except SlackError as error:
            raise SimError(error.code, f"no thread {thread_ts!r} in {channel_id}") from None

    @locked
    def with_mentions(self, team_id: str, text: str) -> str:
        """`@name` as Slack's client sends it, `<@U…>`, for the workspace's people and bots."""
        ws = self.workspace(team_id)
        names = {self.users[u].name: u for u in ws.user_ids}
        return _MENTION.sub(lambda m: f"<@{names[m[1]]}>" if m[1] in names else m[0], text)

    @locked
    def react(self, channel_id: str, ts: str, user_id: str, name: str, *, add: bool) -> Message:
        """A person adds (or takes back) an emoji reaction on a message."""
        channel = self.channel(channel_id)
        self._member_of(self.workspaces[channel.team_id], user_id)
        message = channel.messages.get(ts)
        if message is None or message.ephemeral_to:
            raise NotFound("message", ts)
        try:
            self.toggle_reaction(channel, message, user_id, name, add=add)
        except SlackError as error:
            raise SimError(error.code, f"{user_id} on {ts}: {error.code}", status=409) from None
        return message

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
        commands: Iterable[str] = (),
    ) -> App:
        app_id = self.new_id("A")
        client_id = client_id or self._free_client_id()
        if client_id in self.apps_by_client:
            raise SimError("client_id_taken", f"client_id {client_id!r} is taken", status=409)
        app = App(
            app_id,
            name,
            client_id,
            client_secret or self.ids.secret(nbytes=16),
            signing_secret or self.ids.secret(nbytes=16),
            self.ids.secret(nbytes=12),
            request_url,
            list(redirect_urls),
            commands=_dedupe(commands),
        )
        self.apps[app_id] = app
        self.apps_by_client[client_id] = app_id
        return app

    @locked
    def forget_app(self, app_id: str) -> None:
        """Take back an app that was never installed (a registration that failed half-way)."""
        app = self.app(app_id)
        if any(key[0] == app_id for key in self.installs):
            raise SimError("app_installed", f"{app_id} is installed", status=409)
        del self.apps[app_id]
        del self.apps_by_client[app.client_id]

    def _free_client_id(self) -> str:
        while True:
            client_id = f"{self.ids.number()}.{self.ids.number()}"
            if client_id not in self.apps_by_client:
                return client_id

    @locked
    def update_app(
        self,
        app_id: str,
        *,
        request_url: str | None = None,
        redirect_urls: Iterable[str] | None = None,
        name: str | None = None,
        event_request_url: str | None = None,
        bot_events: Iterable[str] | None = None,
        commands: Iterable[str] | None = None,
    ) -> App:
        app = self.app(app_id)
        if commands is not None:
            app.commands = _dedupe(commands)
        if event_request_url is not None:
            app.event_request_url = event_request_url
        if bot_events is not None:
            app.bot_events = _dedupe(bot_events)
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
            existing.token = self._new_bot_token()
            existing.revoked = False
            self.tokens[existing.token] = existing
        existing.scopes = _dedupe(scopes)
        existing.installer_user_id = installer or existing.installer_user_id
        return existing

    def _new_bot_token(self) -> str:
        """A token no install holds: stable secrets start over after a reset or an import."""
        while True:
            token = self.ids.secret("xoxb-")
            if token not in self.tokens:
                return token

    def _new_install(self, app: App, ws: Workspace) -> Install:
        bot_id = self.new_id("B")
        bot_name = app.name.lower().replace(" ", "_")
        user = User(
            self.new_id("U"),
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
        install = Install(app.id, ws.id, user.id, bot_id, self._new_bot_token(), [])
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

    def authenticate(self, token: str) -> Install:
        # No lock: one dict lookup, atomic on its own, on every call of the Web API.
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
        self._publish_revoked(install, uninstalled=False)

    @locked
    def apps_uninstall(self, install: Install, *, client_id: str, client_secret: str) -> None:
        app = self.client_app(client_id, client_secret)
        if app.id != install.app_id:
            raise SlackError("client_id_token_mismatch")
        install.revoked = True
        self._publish_revoked(install, uninstalled=True)

    # --- OAuth v2 ----------------------------------------------------------------------------

    @locked
    def issue_code(
        self,
        app: App,
        *,
        user_id: str,
        scopes: list[str],
        redirect_uri: str,
    ) -> str:
        """The user allowed the install: install now, hand out a single-use code."""
        user = self.user(user_id)
        self.install(app.id, user.team_id, scopes, installer=user.id)
        code = f"{self.ids.number()}.{secret_token(nbytes=16)}"
        self.codes[code] = OAuthCode(
            code, app.id, user.team_id, user.id, redirect_uri, self.wall.now()
        )
        return code

    def client_app(self, client_id: str, client_secret: str) -> App:
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
        app = self.client_app(client_id, client_secret)
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

    def channel_key(self, team_id: str, ref: str) -> str:
        """The channel's id for a rate-limit bucket, whether `ref` is an id or a name."""
        if ref in self.channels:
            return ref
        ws = self.workspaces.get(team_id)
        return (ws.channel_by_name.get(ref.lstrip("#")) if ws else None) or ref

    @staticmethod
    def _require_type_scope(install: Install, channel: Channel, public: str, private: str) -> None:
        """The scope for the channel's kind: `private` names the private channel's (`groups:…`);
        DMs and group DMs need the `im:…` and `mpim:…` scope of the same family."""
        if channel.is_dm:
            family = "im:" if channel.is_im else "mpim:"
            install.require(family + private.split(":", 1)[1])
            return
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
        raw: bool = False,
    ) -> tuple[list[Any], str]:
        """Pages over the workspace's channels, then the bot's DMs and group DMs when `types`
        asks for them; filters apply after the page, as on Slack. `raw`: as `Channel.to_api`."""
        for kind in types:
            if kind not in CHANNEL_TYPE_SCOPES:
                raise SlackError("invalid_types")
            install.require(CHANNEL_TYPE_SCOPES[kind])
        ws = self.workspaces[install.team_id]
        ids = ws.channel_ids
        if "im" in types or "mpim" in types:
            ids = [*ids, *self._dms_of(install)]
        start = 0
        if cursor:
            after = decode_cursor("team", cursor)
            start = ws.channel_pos.get(after, -1)
            if start < 0 and after in ids:
                start = ids.index(after, len(ws.channel_ids))
            if start < 0:
                raise SlackError("invalid_cursor")
        page = ids[start : start + limit]
        rest = ids[start + limit : start + limit + 1]
        out = []
        for channel_id in page:
            channel = self.channels[channel_id]
            if channel.kind not in types or (exclude_archived and channel.is_archived):
                continue
            if channel.is_private and install.bot_user_id not in channel.members:
                continue
            out.append(channel.to_api(viewer=install.bot_user_id, raw=raw))
        return out, encode_cursor("team", rest[0]) if rest else ""

    def _dms_of(self, install: Install) -> list[str]:
        return [
            channel_id
            for key, channel_id in self.dms.items()
            if key[0] == install.team_id and install.bot_user_id in key[1:]
        ]

    @locked
    def conversations_open(
        self, install: Install, *, users: str, channel_ref: str, prevent_creation: bool
    ) -> tuple[Channel | None, bool]:
        """The DM (one person) or group DM (two to eight) of the bot and `users`, opened if new;
        or the DM named by `channel_ref`. Answers it (None when `prevent_creation` found none)
        and whether it was open already."""
        if channel_ref:
            channel = self.channels.get(channel_ref)
            if channel is None or channel.team_id != install.team_id:
                raise ChannelNotFound()
            if not channel.is_dm:
                raise SlackError("method_not_supported_for_channel_type")
            if install.bot_user_id not in channel.members:
                raise ChannelNotFound()
            return channel, True
        wanted = _dedupe(users.split(","))
        if not wanted:
            raise SlackError("users_list_not_supplied")
        if len(wanted) > 8:
            raise SlackError("too_many_users")
        for user_id in wanted:
            user = self.users.get(user_id)
            if user is None or user.team_id != install.team_id:
                raise UserNotFound()
            if user.deleted:
                raise SlackError("user_disabled")
            if user.is_bot and user_id != install.bot_user_id:
                raise SlackError("cannot_dm_bot")
        members = _dedupe([install.bot_user_id, *wanted])
        is_im = len(members) <= 2
        install.require("im:write" if is_im else "mpim:write")
        existing = self.dms.get(_dm_key(install.team_id, members))
        if existing is not None:
            return self.channels[existing], True
        if prevent_creation:
            return None, False
        return self._open_dm(install.team_id, members, install.bot_user_id), False

    def _open_dm(self, team_id: str, members: list[str], creator: str) -> Channel:
        is_im = len(members) <= 2
        others = [m for m in members if m != creator] or [creator]
        name = "mpdm-" + "--".join(self.users[m].name for m in members) + "-1"
        channel = Channel(
            self.new_id("D" if is_im else "G"),
            team_id,
            "" if is_im else name,
            True,
            self._now(),
            creator=creator,
            members=dict.fromkeys(members),
            is_im=is_im,
            is_mpim=not is_im,
            im_user=others[0] if is_im else "",
        )
        self.register_channel(self.workspaces[team_id], channel)
        return channel

    @locked
    def conversations_join(self, install: Install, channel_ref: str) -> tuple[Channel, bool]:
        """Returns the channel and whether the bot was already a member."""
        channel = self._visible_channel(install, channel_ref)
        if channel.is_private:
            raise SlackError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise SlackError("is_archived")
        already = install.bot_user_id in channel.members
        if not already:
            channel.add_member(install.bot_user_id)
            self._publish_member_joined(channel, install.bot_user_id)
            self.post_notice(channel, install.bot_user_id, joined(install.bot_user_id))
        return channel, already

    @locked
    def conversations_create(self, install: Install, name: str, *, is_private: bool) -> Channel:
        """The bot creates a channel and is its first member. Leaves out `team_id` (org apps)."""
        if is_private:
            install.require("groups:write")
        else:
            install.require("channels:manage", "channels:write")
        ws = self.workspaces[install.team_id]
        if check_channel_name(name) in ws.channel_by_name:
            raise SlackError("name_taken")
        channel = self._add_channel(ws, name, is_private, [install.bot_user_id])
        self.post_notice(channel, install.bot_user_id, joined(install.bot_user_id))
        return channel

    @locked
    def conversations_invite(self, install: Install, channel_ref: str, users: str) -> Channel:
        """Adds people (or other bots) to a channel the bot is in.

        Stops at the first user it cannot invite, with that user's error; Slack's `force` and its
        per-user `errors` list are left out.
        """
        channel = self._visible_channel(install, channel_ref)
        if channel.is_private:
            install.require("groups:write.invites", "groups:write")
        else:
            install.require("channels:write.invites", "channels:manage")
        if channel.is_archived:
            raise SlackError("is_archived")
        if install.bot_user_id not in channel.members:
            raise NotInChannel()
        wanted = _dedupe(users.split(","))
        if not wanted:
            raise SlackError("no_user")
        for user_id in wanted:
            user = self.users.get(user_id)
            if user is None or user.team_id != channel.team_id:
                raise UserNotFound()
            if user_id == install.bot_user_id:
                raise SlackError("cant_invite_self")
        if all(user_id in channel.members for user_id in wanted):
            raise SlackError("already_in_channel")
        for user_id in wanted:
            if user_id not in channel.members:
                channel.add_member(user_id)
                self._publish_member_joined(channel, user_id, inviter=install.bot_user_id)
                self.post_notice(channel, user_id, joined(user_id, inviter=install.bot_user_id))
        return channel

    @locked
    def conversations_members(
        self, install: Install, channel_ref: str, *, limit: int, cursor: str
    ) -> tuple[list[str], str]:
        channel = self._visible_channel(install, channel_ref)
        self._require_type_scope(install, channel, "channels:read", "groups:read")
        members = list(channel.members)
        start = decode_index("member", cursor)
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
            after = decode_cursor("next_ts", cursor)
            high = bisect.bisect_left(channel.history, _ts_key(after, "invalid_cursor"))
        elif latest:
            bound = _ts_key(latest, "invalid_ts_latest")
            find = bisect.bisect_right if inclusive else bisect.bisect_left
            high = find(channel.history, bound)
        low = 0
        if oldest:
            find = bisect.bisect_left if inclusive else bisect.bisect_right
            low = find(channel.history, _ts_key(oldest, "invalid_ts_oldest"))
        start = max(low, high - limit)
        keys = channel.history[start:high][::-1]
        has_more = start > low
        next_cursor = encode_cursor("next_ts", format_ts(keys[-1])) if has_more else ""
        return [channel.messages[format_ts(k)] for k in keys], has_more, next_cursor

    @locked
    def conversations_replies(
        self,
        install: Install,
        channel_ref: str,
        ts: str,
        *,
        limit: int,
        cursor: str,
        latest: str = "",
        oldest: str = "",
        inclusive: bool = False,
    ) -> tuple[list[Message], str]:
        """The parent first, then its replies between `oldest` and `latest`, oldest first."""
        channel = self._readable_channel(install, channel_ref)
        low = _ts_key(oldest, "invalid_ts_oldest") if oldest else None
        high = _ts_key(latest, "invalid_ts_latest") if latest else None
        parent = channel.messages.get(ts)
        if parent is None or parent.ephemeral_to:
            raise SlackError("thread_not_found")
        if parent.is_reply:
            parent = channel.messages[parent.thread_ts]
        replies = [
            channel.messages[t]
            for t in parent.replies
            if _within(_order_key(t), low, high, inclusive)
        ]
        thread = [parent, *replies]
        start = decode_index("reply", cursor)
        more = start + limit < len(thread)
        return thread[start : start + limit], encode_cursor(
            "reply", str(start + limit)
        ) if more else ""

    def _dm_with(self, install: Install, user_id: str) -> Channel | None:
        """A user id as a `channel`: the app's DM with that person (Slack opens it to post)."""
        user = self.users.get(user_id)
        if user is None or user.team_id != install.team_id or user.is_bot or user.deleted:
            return None
        members = _dedupe([install.bot_user_id, user_id])
        existing = self.dms.get(_dm_key(install.team_id, members))
        if existing is not None:
            return self.channels[existing]
        return self._open_dm(install.team_id, members, install.bot_user_id)

    def _readable_channel(self, install: Install, channel_ref: str) -> Channel:
        channel = self._visible_channel(install, channel_ref)
        self._require_type_scope(install, channel, "channels:history", "groups:history")
        # A bot reads only what it is in, even in a public channel.
        if install.bot_user_id not in channel.members:
            raise NotInChannel()
        return channel

    # --- messages ------------------------------------------------------------------------------

    def _postable_channel(self, install: Install, channel_ref: str) -> Channel:
        channel = self._dm_with(install, channel_ref) or self._visible_channel(install, channel_ref)
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
        presentation: Presentation = PLAIN,
        reply_broadcast: bool = False,
    ) -> Message:
        """Posts as the app's bot, with the name, icon and text `presentation` asks for.
        `reply_broadcast` shows a thread reply in the channel too; without `thread_ts` Slack
        ignores it (its metadata: "Used in conjunction with `thread_ts`")."""
        _require_content(text, blocks, attachments)
        channel = self._postable_channel(install, channel_ref)
        return self._append(
            channel,
            install,
            text=self._formatted(channel.team_id, text, presentation),
            blocks=blocks,
            attachments=attachments,
            thread_ts=thread_ts,
            metadata=metadata,
            broadcast=reply_broadcast and bool(thread_ts),
            **self._look(install, presentation),
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
        presentation: Presentation = PLAIN,
    ) -> Message:
        _require_content(text, blocks, attachments)
        channel = self._postable_channel(install, channel_ref)
        if user_id not in channel.members:
            raise SlackError("user_not_in_channel")
        return self._append(
            channel,
            install,
            text=self._formatted(channel.team_id, text, presentation),
            blocks=blocks,
            attachments=attachments,
            thread_ts=thread_ts,
            ephemeral_to=user_id,
            **self._look(install, presentation),
        )

    @staticmethod
    def _look(install: Install, presentation: Presentation) -> dict[str, Any]:
        """The `Message` fields of a post's name, icon and `mrkdwn`."""
        look: dict[str, Any] = authorship(presentation, customize=install.has(CUSTOMIZE_SCOPE))
        look["mrkdwn"] = presentation.mrkdwn
        return look

    def _formatted(self, team_id: str, text: str, presentation: Presentation) -> str:
        """`text` with the links `parse` and `link_names` ask for (`presentation.formatted`)."""
        if not presentation.links:
            return text
        return formatted(
            text,
            parse=presentation.parse,
            link_names=presentation.link_names,
            channel_id=lambda name: self._public_channel_id(team_id, name),
        )

    def _public_channel_id(self, team_id: str, name: str) -> str | None:
        channel = self.channels.get(self.workspaces[team_id].channel_by_name.get(name, ""))
        return channel.id if channel is not None and not channel.is_private else None

    def _append(self, channel: Channel, install: Install, **content: Any) -> Message:
        """A message from the app's bot."""
        return self._append_as(
            channel, install.bot_user_id, install.bot_id, install.app_id, **content
        )

    def _append_as(
        self,
        channel: Channel,
        user: str,
        bot_id: str,
        app_id: str,
        *,
        text: str,
        blocks: list[Any] | None = None,
        attachments: list[Any] | None = None,
        thread_ts: str = "",
        metadata: dict[str, Any] | None = None,
        ephemeral_to: str = "",
        broadcast: bool = False,
        **look: Any,
    ) -> Message:
        """A new message; `look` is its name, icon and `mrkdwn` (`Message` fields)."""
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
            user,
            bot_id,
            app_id,
            blocks,
            attachments,
            metadata,
            thread_ts=parent.ts if parent else "",
            ephemeral_to=ephemeral_to,
            parent_user_id=parent.user if parent else "",
            broadcast=broadcast and parent is not None and not ephemeral_to,
            **look,
        )
        channel.messages[ts] = message
        channel.order.append(ts)
        if parent is not None and not ephemeral_to:
            parent.thread_ts = parent.ts
            parent.add_reply(ts, message.user)
        if in_history(message):
            channel.history.append(channel.last_micros)
        self._publish_message(channel, message)
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
        presentation: Presentation = PLAIN,
        reply_broadcast: bool = False,
    ) -> Message:
        """Omitted fields keep their value, as on Slack; only the latest version is kept. New
        text is parsed for links as `presentation` asks: chat.update's metadata says an omitted
        `parse` or `link_names` means the default, not the value the message was posted with.
        `reply_broadcast` sends an existing thread reply to the channel too."""
        channel = self._visible_channel(install, channel_ref)
        message = self._own_message(install, channel, ts, "cant_update_message")
        if reply_broadcast:
            return self._broadcast(channel, message, text, blocks, attachments)
        previous = self._previous(channel, message)
        if text is not None:
            message.text = self._formatted(channel.team_id, text, presentation)
        if blocks is not None:
            message.blocks = blocks
        if attachments is not None:
            message.attachments = attachments
        if metadata is not None:
            message.metadata = metadata
        edit_ts = format_ts(int(self.clock.now() * MICROS))
        message.edited = {"user": install.bot_user_id, "ts": edit_ts}
        self._publish_message_changed(channel, previous, message)
        return message

    def _broadcast(
        self,
        channel: Channel,
        message: Message,
        text: str | None,
        blocks: list[Any] | None,
        attachments: list[Any] | None,
    ) -> Message:
        """chat.update's `reply_broadcast`, "Broadcast an existing thread reply": only a reply
        can be (`cant_broadcast_message`, "Unable to broadcast this message"), and not with new
        content (`no_dual_broadcast_content_update`, "Can't broadcast an old reply and update
        the content at the same time"; both from chat.update's metadata). The reply joins the
        channel's history where its ts falls; it is not marked edited, its content is as it was."""
        if not message.is_reply:
            raise SlackError("cant_broadcast_message")
        if text is not None or blocks is not None or attachments is not None:
            raise SlackError("no_dual_broadcast_content_update")
        if message.broadcast:
            return message
        previous = self._previous(channel, message)
        message.broadcast = True
        bisect.insort(channel.history, _order_key(message.ts))
        self._publish_message_changed(channel, previous, message)
        return message

    @locked
    def chat_delete(self, install: Install, channel_ref: str, ts: str) -> Channel:
        channel = self._visible_channel(install, channel_ref)
        message = self._own_message(install, channel, ts, "cant_delete_message")
        self._remove(channel, ts)
        self._publish_message_deleted(channel, message)
        return channel

    def _remove(self, channel: Channel, ts: str) -> None:
        message = channel.messages.pop(ts)
        _discard_sorted(channel.order, ts, key=_order_key)
        if message.is_reply:
            parent = channel.messages.get(message.thread_ts)
            if parent is not None:
                parent.drop_reply(ts)
        if in_history(message):
            key = _order_key(ts)
            index = bisect.bisect_left(channel.history, key)
            if index < len(channel.history) and channel.history[index] == key:
                del channel.history[index]

    @locked
    def message_for_permalink(self, install: Install, channel_ref: str, ts: str) -> Channel:
        channel = self._visible_channel(install, channel_ref)
        if ts not in channel.messages:
            raise MessageNotFound()
        return channel

    @locked
    def permalink(self, channel: Channel, ts: str) -> str:
        """Where Slack shows a message: under the workspace's URL (the one `auth.test` gives),
        `archives/<channel>/p<ts without the dot>`, and for a thread reply
        `?thread_ts=<parent>&cid=<channel>` (docs.slack.dev/reference/methods/chat.getPermalink)."""
        link = f"{self.workspaces[channel.team_id].url}archives/{channel.id}/p{ts.replace('.', '')}"
        message = channel.messages.get(ts)
        if message is not None and message.is_reply:
            link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
        return link

    # --- users, team, bots ---------------------------------------------------------------------

    @locked
    def users_info(self, install: Install, user_id: str) -> dict[str, Any]:
        if "," in user_id:
            raise SlackError("too_many_users")
        user = self._workspace_user(install.team_id, user_id)
        if user is None:
            raise UserNotFound()
        return user.to_api(with_email=install.has("users:read.email"), now=self.clock.now())

    def _workspace_user(self, team_id: str, user_id: str) -> User | None:
        if user_id == SLACKBOT_ID:
            return slackbot(team_id)
        user = self.users.get(user_id)
        return user if user is not None and user.team_id == team_id else None

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
        ids = [SLACKBOT_ID, *self.workspaces[install.team_id].user_ids]
        start = decode_index("user", cursor)
        with_email, now = install.has("users:read.email"), self.clock.now()
        page = [
            user.to_api(with_email=with_email, now=now)
            for u in ids[start : start + limit]
            if (user := self._workspace_user(install.team_id, u)) is not None
        ]
        more = start + limit < len(ids)
        return page, encode_cursor("user", str(start + limit)) if more else ""

    @locked
    def team_info(self, install: Install, team: str, domain: str = "") -> dict[str, Any]:
        """Only the token's own workspace: another team or domain is `team_not_found`."""
        own = self.workspaces[install.team_id]
        if (team and team != own.id) or (domain and domain != own.domain):
            raise SlackError("team_not_found")
        info = self.workspaces[install.team_id].to_api()
        info.pop("url")
        return info

    @locked
    def bots_info(self, install: Install, bot_id: str, team_id: str = "") -> dict[str, Any]:
        if team_id and team_id != install.team_id:
            raise SlackError("team_not_found")
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

    # --- what a person's client shows ----------------------------------------------------------

    @locked
    def channel_page(
        self, channel_id: str, *, viewer_id: str, before: str | None = None, limit: int = 100
    ) -> ChannelPage:
        """The newest `limit` top-level messages `viewer_id` sees before the ts `before` (the
        channel's end without one, or when it is not a ts), each with the replies they see.

        Copies, so the caller draws them outside the lock. Whether the viewer may read the
        channel at all (a private one) is the caller's check.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        channel = self.channel(channel_id)
        # Walks back from the end of `order` (every ts, ascending): the cost follows the page,
        # not the channel.
        order, messages = channel.order, channel.messages
        end = len(order)
        key = parse_ts(before) if before else None
        if key is not None:
            end = bisect.bisect_left(order, key, key=lambda ts: parse_ts(ts) or 0)
        picked: list[Message] = []
        index = end - 1
        # One more than the page, to know whether there is an older page.
        while index >= 0 and len(picked) <= limit:
            message = messages.get(order[index])
            if (
                message is not None
                and (not message.is_reply or message.broadcast)
                and message.visible_to(viewer_id)
            ):
                picked.append(message)
            index -= 1
        older = picked[limit - 1].ts if len(picked) > limit else ""
        shown = [
            _shown(
                message,
                [
                    _shown(messages[ts])
                    for ts in message.replies
                    if ts in messages and messages[ts].visible_to(viewer_id)
                ],
            )
            for message in reversed(picked[:limit])
        ]
        return ChannelPage(shown, older)

    @locked
    def workspace_overview(self, team_id: str, viewer_id: str) -> WorkspaceOverview:
        """The channels `viewer_id` may open (not archived; private ones only as a member), in
        the workspace's order, and the bot user of each app installed in the workspace."""
        workspace = self.workspace(team_id)
        bots = [
            self.users[install.bot_user_id]
            for (_, install_team), install in self.installs.items()
            if install_team == team_id and not install.revoked
        ]
        rows = []
        for channel_id in workspace.channel_ids:
            channel = self.channels[channel_id]
            is_member = viewer_id in channel.members
            if channel.is_archived or (channel.is_private and not is_member):
                continue
            rows.append(
                ChannelRow(
                    channel.id,
                    channel.name,
                    channel.is_private,
                    is_member,
                    [b for b in bots if b.id in channel.members],
                    len(channel.members),
                )
            )
        dms, people = self.direct_messages_of(team_id, viewer_id, bots)
        return WorkspaceOverview(workspace, rows, bots, dms, people)

    @locked
    def people_by_workspace(self) -> list[tuple[Workspace, list[User]]]:
        """Every workspace with its people (bots left out), in the order they were created."""
        return [
            (ws, [self.users[u] for u in ws.user_ids if not self.users[u].is_bot])
            for ws in self.workspaces.values()
        ]

    # --- inspection ----------------------------------------------------------------------------

    @locked
    def channel_messages(self, channel_id: str, user_id: str = "") -> list[dict[str, Any]]:
        """Oldest first, thread replies under their parent (one also sent to the channel is in
        both places, as the client shows it); only what `user_id` sees if given."""
        channel = self.channel(channel_id)
        out = []
        for ts in channel.order:
            message = channel.messages[ts]
            if (message.is_reply and not message.broadcast) or (
                user_id and not message.visible_to(user_id)
            ):
                continue
            replies = [channel.messages[t] for t in message.replies]
            out.append(_sim_message(message, replies))
        return out

    @locked
    def dump(self) -> dict[str, Any]:
        """The whole state at a glance, for people; `snapshot.export_state` is the lossless one."""
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


def _sim_message(message: Message, replies: list[Message]) -> dict[str, Any]:
    """The control plane's view of a message, with the name, icon and format it was posted with
    where they differ from the plain post's."""
    out = message.to_sim(replies)
    out["replies"] = [_sim_message(reply, []) for reply in replies]
    api = message.to_api(include_metadata=False)
    out.update({key: api[key] for key in ("username", "icons", "mrkdwn") if key in api})
    if message.broadcast:
        out["subtype"] = "thread_broadcast"
    return out


def _shown(message: Message, replies: list[ShownMessage] | None = None) -> ShownMessage:
    """A message as the client draws it, with the name, icon and format it was posted with."""
    return dataclasses.replace(
        ShownMessage.of(message, replies),
        username=message.username,
        icon_emoji=message.icon_emoji,
        icon_url=message.icon_url,
        broadcast=message.broadcast,
        mrkdwn=message.mrkdwn,
    )


def _dm_key(team_id: str, members: Iterable[str]) -> tuple[str, ...]:
    return (team_id, *sorted(members))


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(s.strip() for s in items if s and s.strip()))


def _ts_key(ts: str, error: str) -> int:
    key = parse_ts(ts)
    if key is None:
        raise SlackError(error)
    return key


def _order_key(ts: str) -> int:
    return _ts_key(ts, "invalid_ts_latest")


def _within(key: int, low: int | None, high: int | None, inclusive: bool) -> bool:
    if low is not None and (key < low or (key == low and not inclusive)):
        return False
    return high is None or key < high or (key == high and inclusive)


def decode_index(kind: str, cursor: str) -> int:
    """A cursor that holds a position in a list; 0 without a cursor."""
    if not cursor:
        return 0
    value = decode_cursor(kind, cursor)
    if not value.isdigit():
        raise SlackError("invalid_cursor")
    return int(value)


_MENTION = re.compile(r"(?<![\w<])@([\w.\-]+)")
MAX_CHANNEL_NAME = 80
# Unicode categories a channel name may hold besides `-` and `_`: letters without case or in
# lower case, their marks, and digits. Slack's pages say "lowercase letters, numbers, hyphens, and
# underscores" (docs.slack.dev/reference/methods/conversations.create#naming); workspaces hold
# names such as `日本語チャンネル` (github.com/langchain-ai/langchain/issues/16610), and upper
# case is what `invalid_name_specials` names ("special characters or upper case characters").
_NAME_CATEGORIES = {"Ll", "Lo", "Lm", "Mn", "Mc", "Nd"}


def check_channel_name(name: str) -> str:
    """Slack's rules for a channel's name (conversations.create and .rename), with its codes."""
    if not name:
        raise SlackError("invalid_name_required")
    if len(name) > MAX_CHANNEL_NAME:
        raise SlackError("invalid_name_maxlength")
    if not all(c in "-_" or unicodedata.category(c) in _NAME_CATEGORIES for c in name):
        raise SlackError("invalid_name_specials")
    if all(c in "-_" for c in name):
        raise SlackError("invalid_name_punctuation")
    return name


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
