"""The Web API blueprint: `/api/<method>` and `/<method>`, as `slack_sdk` and Bolt call them.

Parses arguments (query string, form and JSON body merged), authenticates the token, checks the
method's bot scopes from Slack's metadata, calls the model and serialises. Every `SlackError` is
rendered here as HTTP 200 `{"ok": false, "error": ...}`.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.routing import BaseConverter

from emulator.slack.errors import (
    InvalidArguments,
    NotAuthed,
    SlackError,
    UnknownMethod,
)
from emulator.slack.methods import MethodSpec, method_specs
from emulator.slack.models import Install, SlackState

log = logging.getLogger(__name__)

bp = Blueprint("slack_webapi", __name__)

Reply = dict[str, Any] | tuple[dict[str, Any], dict[str, str]]
Handler = Callable[["Call"], Reply]
HANDLERS: dict[str, Handler] = {}
_TRUE = {"1", "true", "yes", "on"}
_REDACTED = {"token", "client_secret", "code"}


class MethodConverter(BaseConverter):
    """A Web API method name such as `chat.postMessage`: at least one dot, no slash."""

    regex = r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+"


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


@dataclass
class Call:
    """One Web API call: its arguments, the caller's install (None if tokenless) and the model."""

    name: str
    args: dict[str, Any]
    install_: Install | None
    state: SlackState
    base_url: str

    @property
    def install(self) -> Install:
        if self.install_ is None:
            raise NotAuthed()
        return self.install_

    def text(self, key: str, default: str = "") -> str:
        value = self.args.get(key)
        return default if value is None else str(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.args.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in _TRUE

    def number(self, key: str, default: int, *, high: int, error: str = "invalid_limit") -> int:
        value = self.args.get(key)
        if value in (None, ""):
            return default
        try:
            number = int(str(value))
        except ValueError:
            raise SlackError(error) from None
        if number == 0:
            return default
        if number < 0 or number > high:
            raise SlackError(error)
        return number

    def decoded(self, key: str, error: str) -> Any:
        """A value that may come as JSON (from a JSON body) or a JSON-encoded string (form)."""
        value = self.args.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise SlackError(error) from None
        return value

    def blocks(self) -> list[Any] | None:
        return self._list("blocks", "invalid_blocks_format")

    def attachments(self) -> list[Any] | None:
        return self._list("attachments", "invalid_attachments")

    def _list(self, key: str, error: str) -> list[Any] | None:
        value = self.decoded(key, error)
        if value is not None and not isinstance(value, list):
            raise SlackError(error)
        return value

    def metadata(self) -> dict[str, Any] | None:
        value = self.decoded("metadata", "invalid_metadata_format")
        if value is None:
            return None
        if not isinstance(value, dict) or not isinstance(value.get("event_type"), str):
            raise SlackError("invalid_metadata_format")
        return value


def _base_url() -> str:
    fake = current_app.extensions["fakeslack"]
    return (fake.public_url or request.host_url).rstrip("/")


def _request_args() -> dict[str, Any]:
    args: dict[str, Any] = dict(request.args.items())
    args.update(request.form.items())
    # WebClient.auth_test() posts an empty body labelled application/json; that is no error.
    if request.mimetype == "application/json" and request.get_data():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise SlackError("invalid_json")
        args.update(body)
    return args


def _bearer_token(args: dict[str, Any]) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return str(args.pop("token", "") or "")


def basic_credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _authenticate(state: SlackState, spec: MethodSpec | None, args: dict[str, Any]):
    token = _bearer_token(args)
    args.pop("token", None)
    if spec is not None and not spec.needs_token:
        return state.authenticate(token) if token.startswith("xoxb-") else None
    if not token:
        raise NotAuthed()
    install = state.authenticate(token)
    if spec is not None and spec.bot_scopes:
        install.require(*spec.bot_scopes)
    return install


def _check_required(spec: MethodSpec | None, args: dict[str, Any]) -> None:
    for name in spec.required_args if spec else ():
        if args.get(name) in (None, ""):
            raise InvalidArguments(f"missing required field: {name}")


def _run(name: str, args: dict[str, Any], state: SlackState) -> Reply:
    handler = HANDLERS.get(name)
    if handler is None:
        raise UnknownMethod()
    spec = method_specs().get(name)
    install = _authenticate(state, spec, args)
    _check_required(spec, args)
    return handler(Call(name, args, install, state, _base_url()))


def _journal(state: SlackState, name: str, args: dict[str, Any], body: dict[str, Any]) -> None:
    redacted = {k: ("<redacted>" if k in _REDACTED else v) for k, v in args.items()}
    state.record(
        {
            "method": name,
            "args": redacted,
            "ok": bool(body.get("ok")),
            "error": body.get("error"),
            "time": state.wall.now(),
        }
    )


@bp.route("/api/<path:name>", methods=["GET", "POST"])
@bp.route("/<method:name>", methods=["GET", "POST"])
def dispatch(name: str) -> Response:
    state: SlackState = current_app.extensions["fakeslack"].state
    headers: dict[str, str] = {}
    args: dict[str, Any] = {}
    try:
        args = _request_args()
        reply = _run(name, args, state)
        body, headers = reply if isinstance(reply, tuple) else (reply, {})
        body = {"ok": True, **body}
    except SlackError as error:
        body = error.body()
    except Exception:
        # A bug must still answer in Slack's shape; the client sees internal_error, not a 500.
        log.exception("fake Slack failed on %s", name)
        body = {"ok": False, "error": "internal_error"}
    _journal(state, name, args, body)
    response = jsonify(body)
    response.headers.update(headers)
    return response


# --- methods -------------------------------------------------------------------------------


@method("api.test")
def api_test(call: Call) -> Reply:
    if call.args.get("error"):
        raise SlackError(call.text("error"))
    return {"args": call.args} if call.args else {}


@method("auth.test")
def auth_test(call: Call) -> Reply:
    body = call.state.auth_test(call.install)
    # Bolt reads the scopes from this header, in exactly this lowercase spelling.
    return body, {"x-oauth-scopes": ",".join(call.install.scopes)}


@method("auth.revoke")
def auth_revoke(call: Call) -> Reply:
    """Leaves out `test=true` (a dry run): the token is always revoked."""
    call.state.auth_revoke(call.install)
    return {"revoked": True}


@method("apps.uninstall")
def apps_uninstall(call: Call) -> Reply:
    client_id, secret = basic_credentials() or (call.text("client_id"), call.text("client_secret"))
    call.state.apps_uninstall(call.install, client_id=client_id, client_secret=secret)
    return {}


@method("oauth.v2.access")
def oauth_v2_access(call: Call) -> Reply:
    """Bot tokens only: no user tokens (`authed_user` has no access_token), no token rotation."""
    client_id, secret = basic_credentials() or (call.text("client_id"), call.text("client_secret"))
    if not client_id:
        raise SlackError("invalid_client_id")
    install, grant = call.state.oauth_v2_access(
        client_id=client_id,
        client_secret=secret,
        code=call.text("code"),
        redirect_uri=call.text("redirect_uri"),
    )
    ws = call.state.workspaces[install.team_id]
    authed_user: dict[str, Any] = {"id": grant.user_id}
    if grant.user_scopes:
        authed_user.update(scope=",".join(grant.user_scopes), token_type="user")
    return {
        "app_id": install.app_id,
        "authed_user": authed_user,
        "scope": ",".join(install.scopes),
        "token_type": "bot",
        "access_token": install.token,
        "bot_user_id": install.bot_user_id,
        "team": {"id": ws.id, "name": ws.name},
        "enterprise": None,
        "is_enterprise_install": False,
    }


@method("chat.postMessage")
def chat_post_message(call: Call) -> Reply:
    message = call.state.chat_post_message(
        call.install,
        call.text("channel"),
        text=call.text("text"),
        blocks=call.blocks(),
        attachments=call.attachments(),
        thread_ts=call.text("thread_ts"),
        metadata=call.metadata(),
    )
    return {"channel": message.channel_id, "ts": message.ts, "message": message.to_api()}


@method("chat.update")
def chat_update(call: Call) -> Reply:
    text = call.args.get("text")
    message = call.state.chat_update(
        call.install,
        call.text("channel"),
        call.text("ts"),
        text=None if text is None else str(text),
        blocks=call.blocks(),
        attachments=call.attachments(),
        metadata=call.metadata(),
    )
    return {
        "channel": message.channel_id,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_api(),
    }


@method("chat.postEphemeral")
def chat_post_ephemeral(call: Call) -> Reply:
    message = call.state.chat_post_ephemeral(
        call.install,
        call.text("channel"),
        call.text("user"),
        text=call.text("text"),
        blocks=call.blocks(),
        attachments=call.attachments(),
        thread_ts=call.text("thread_ts"),
    )
    return {"message_ts": message.ts}


@method("chat.delete")
def chat_delete(call: Call) -> Reply:
    call.state.chat_delete(call.install, call.text("channel"), call.text("ts"))
    return {"channel": call.text("channel"), "ts": call.text("ts")}


@method("chat.getPermalink")
def chat_get_permalink(call: Call) -> Reply:
    ts = call.text("message_ts")
    channel = call.state.message_for_permalink(call.install, call.text("channel"), ts)
    permalink = f"{call.base_url}/archives/{channel.id}/p{ts.replace('.', '')}"
    return {"channel": channel.id, "permalink": permalink}


@method("conversations.list")
def conversations_list(call: Call) -> Reply:
    types = [t.strip() for t in call.text("types", "public_channel").split(",") if t.strip()]
    channels, cursor = call.state.conversations_list(
        call.install,
        types=types or ["public_channel"],
        exclude_archived=call.flag("exclude_archived"),
        limit=call.number("limit", 100, high=999),
        cursor=call.text("cursor"),
    )
    return {"channels": channels, "response_metadata": {"next_cursor": cursor}}


@method("conversations.info")
def conversations_info(call: Call) -> Reply:
    return {"channel": call.state.conversations_info(call.install, call.text("channel"))}


@method("conversations.join")
def conversations_join(call: Call) -> Reply:
    channel, already = call.state.conversations_join(call.install, call.text("channel"))
    body: dict[str, Any] = {"channel": channel.to_api(viewer=call.install.bot_user_id)}
    if already:
        body.update(
            warning="already_in_channel", response_metadata={"warnings": ["already_in_channel"]}
        )
    return body


@method("conversations.members")
def conversations_members(call: Call) -> Reply:
    members, cursor = call.state.conversations_members(
        call.install,
        call.text("channel"),
        limit=call.number("limit", 100, high=999),
        cursor=call.text("cursor"),
    )
    return {"members": members, "response_metadata": {"next_cursor": cursor}}


@method("conversations.history")
def conversations_history(call: Call) -> Reply:
    """Leaves out `include_all_metadata` filtering by event type and pin counts."""
    messages, has_more, cursor = call.state.conversations_history(
        call.install,
        call.text("channel"),
        limit=call.number("limit", 100, high=999),
        cursor=call.text("cursor"),
        latest=call.text("latest"),
        oldest=call.text("oldest"),
        inclusive=call.flag("inclusive"),
    )
    with_metadata = call.flag("include_all_metadata")
    return {
        "messages": [m.to_api(include_metadata=with_metadata) for m in messages],
        "has_more": has_more,
        "pin_count": 0,
        "response_metadata": {"next_cursor": cursor},
    }


@method("conversations.replies")
def conversations_replies(call: Call) -> Reply:
    messages, cursor = call.state.conversations_replies(
        call.install,
        call.text("channel"),
        call.text("ts"),
        limit=call.number("limit", 1000, high=1000),
        cursor=call.text("cursor"),
    )
    with_metadata = call.flag("include_all_metadata")
    return {
        "messages": [m.to_api(include_metadata=with_metadata) for m in messages],
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor},
    }


@method("users.info")
def users_info(call: Call) -> Reply:
    return {"user": call.state.users_info(call.install, call.text("user"))}


@method("users.lookupByEmail")
def users_lookup_by_email(call: Call) -> Reply:
    return {"user": call.state.users_lookup_by_email(call.install, call.text("email"))}


@method("users.list")
def users_list(call: Call) -> Reply:
    members, cursor = call.state.users_list(
        call.install, limit=call.number("limit", 100, high=1000), cursor=call.text("cursor")
    )
    return {
        "members": members,
        "cache_ts": int(call.state.clock.now()),
        "response_metadata": {"next_cursor": cursor},
    }


@method("team.info")
def team_info(call: Call) -> Reply:
    return {"team": call.state.team_info(call.install, call.text("team"))}


@method("bots.info")
def bots_info(call: Call) -> Reply:
    return {"bot": call.state.bots_info(call.install, call.text("bot"))}


def _view(call: Call) -> dict[str, Any]:
    view = call.decoded("view", "invalid_arguments")
    if not isinstance(view, dict) or view.get("type", "modal") != "modal":
        raise InvalidArguments("view must be a modal view object")
    return view


@method("views.open")
def views_open(call: Call) -> Reply:
    view = _view(call)
    return {"view": call.state.views_open(call.install, call.text("trigger_id"), view)}


@method("views.update")
def views_update(call: Call) -> Reply:
    view = call.state.views_update(
        call.install,
        view_id=call.text("view_id"),
        external_id=call.text("external_id"),
        view=_view(call),
        hash_=call.text("hash"),
    )
    return {"view": view}
