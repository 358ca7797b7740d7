"""Export fake Slack's state as JSON and import it again, so a demo survives a restart.

Kept: workspaces, users, channels with their members, messages (blocks, metadata, `edited` marks,
thread replies, ephemerals, the system messages Slack posts), apps with their secrets, installs
with their tokens and scopes.
Left out, because they are short-lived or configuration rather than state: OAuth codes, trigger
ids, response URLs, open modals, the journal, fault rules and rate-limit settings. Ids issued
after an import never repeat an imported one.
"""

from __future__ import annotations

import bisect
import dataclasses
from typing import TYPE_CHECKING, Any

from emulator.slack.entities import (
    App,
    Channel,
    Install,
    Message,
    ScheduledMessage,
    User,
    Workspace,
    parse_ts,
)
from emulator.slack.errors import SimError
from emulator.slack.presentation import in_history
from emulator.slack.system_messages import SystemMessage

if TYPE_CHECKING:
    from emulator.slack.models import SlackState

FORMAT = "fake-slack-state"
VERSION = 1

_CHANNEL_SKIP = {"messages", "order", "history", "_api", "_version"}
_WORKSPACE_SKIP = {"channel_pos", "channel_by_name"}


def export_state(state: SlackState) -> dict[str, Any]:
    with state._lock:
        return {
            "format": FORMAT,
            "version": VERSION,
            "seed": state.seed,
            "exported_at": state.wall.now(),
            "workspaces": [_fields(ws, _WORKSPACE_SKIP) for ws in state.workspaces.values()],
            "users": [_fields(user) for user in state.users.values()],
            "channels": [_channel(channel) for channel in state.channels.values()],
            "apps": [_fields(app) for app in state.apps.values()],
            "installs": [_fields(install) for install in state.installs.values()],
            "scheduled": [_fields(message) for message in state.scheduled.values()],
        }


def _fields(obj: Any, skip: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    return {
        f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.name not in skip
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _channel(channel: Channel) -> dict[str, Any]:
    out = _fields(channel, _CHANNEL_SKIP)
    out["members"] = list(channel.members)
    out["messages"] = [_plain(channel.messages[ts].export()) for ts in channel.order]
    return out


def import_state(state: SlackState, data: Any) -> dict[str, int]:
    """Replace the whole state with an export; answers how many of each kind came in."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SimError("invalid_import", f"not a {FORMAT} document")
    if data.get("version") != VERSION:
        raise SimError("invalid_import", f"version {data.get('version')!r}; expected {VERSION}")
    try:
        loaded = _Loaded(data)
    except (TypeError, KeyError, ValueError, AttributeError) as error:
        raise SimError("invalid_import", f"malformed export: {error}") from None
    with state._lock:
        state.reset()
        loaded.install_into(state)
    return loaded.counts()


class _Loaded:
    """An export parsed into entities, checked before anything in the state changes."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.workspaces = [
            Workspace(**_only(raw, Workspace, _WORKSPACE_SKIP)) for raw in data["workspaces"]
        ]
        self.users = [User(**_only(raw, User)) for raw in data["users"]]
        self.apps = [App(**_only(raw, App)) for raw in data["apps"]]
        self.installs = [Install(**_only(raw, Install)) for raw in data["installs"]]
        self.scheduled = [
            ScheduledMessage(**_only(raw, ScheduledMessage)) for raw in data.get("scheduled", [])
        ]
        self.channels = [_load_channel(raw) for raw in data["channels"]]
        self._check_references()

    def _check_references(self) -> None:
        teams = {ws.id for ws in self.workspaces}
        apps = {app.id for app in self.apps}
        users = {user.id for user in self.users}
        for thing in [*self.users, *self.channels]:
            if thing.team_id not in teams:
                raise ValueError(f"{thing.id} names an unknown workspace {thing.team_id}")
        for install in self.installs:
            if install.app_id not in apps or install.team_id not in teams:
                raise ValueError(f"install of {install.app_id} in {install.team_id} is dangling")
            if install.bot_user_id not in users:
                raise ValueError(f"bot user {install.bot_user_id} is missing")
        channels = {channel.id for channel in self.channels}
        for message in self.scheduled:
            if message.app_id not in apps or message.channel_id not in channels:
                raise ValueError(f"scheduled message {message.id} is dangling")

    def install_into(self, state: SlackState) -> None:
        for ws in self.workspaces:
            ws.channel_ids, ws.channel_pos, ws.channel_by_name = [], {}, {}
            state.workspaces[ws.id] = ws
        for user in self.users:
            state.users[user.id] = user
        for channel in self.channels:
            state.register_channel(state.workspaces[channel.team_id], channel)
        for app in self.apps:
            state.apps[app.id] = app
            state.apps_by_client[app.client_id] = app.id
        for install in self.installs:
            state.installs[(install.app_id, install.team_id)] = install
            state.tokens[install.token] = install
            state.bots[install.bot_id] = install
        for message in self.scheduled:
            state.scheduled[message.id] = message
        state.taken_ids = {
            *state.scheduled,
            *state.workspaces,
            *state.users,
            *state.channels,
            *state.apps,
            *state.bots,
        }
        if self.scheduled and state.on_scheduled is not None:
            state.on_scheduled()

    def counts(self) -> dict[str, int]:
        return {
            "workspaces": len(self.workspaces),
            "users": len(self.users),
            "channels": len(self.channels),
            "messages": sum(len(c.messages) for c in self.channels),
            "apps": len(self.apps),
            "installs": len(self.installs),
            "scheduled": len(self.scheduled),
        }


def _only(raw: dict[str, Any], cls: type, skip: set[str] | frozenset[str] = frozenset()) -> dict:
    names = {f.name for f in dataclasses.fields(cls)} - set(skip)
    return {k: v for k, v in raw.items() if k in names}


def _message_fields(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k in Message.FIELDS}


def _load_message(raw: dict[str, Any]) -> Message:
    """A message, or a system message with its `subtype` and `fields` (`SystemMessage.export`)."""
    if raw.get("subtype"):
        fields = raw.get("fields") or {}
        return SystemMessage(**_message_fields(raw), subtype=str(raw["subtype"]), fields=fields)
    return Message(**_message_fields(raw))


def _load_channel(raw: dict[str, Any]) -> Channel:
    fields = _only(raw, Channel, _CHANNEL_SKIP)
    fields["members"] = dict.fromkeys(raw.get("members") or [])
    channel = Channel(**fields)
    messages = [_load_message(m) for m in raw.get("messages") or []]
    for message in sorted(messages, key=lambda m: _micros(m.ts)):
        channel.messages[message.ts] = message
        channel.order.append(message.ts)
        if in_history(message):
            bisect.insort(channel.history, _micros(message.ts))
        channel.last_micros = max(channel.last_micros, _micros(message.ts))
    return channel


def _micros(ts: str) -> int:
    micros = parse_ts(ts)
    if micros is None:
        raise ValueError(f"bad ts {ts!r}")
    return micros
