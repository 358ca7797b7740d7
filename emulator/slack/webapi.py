"""The Web API: `/api/<method>` and `/<method>`, as `slack_sdk` and Bolt call them.

`GET` and `POST /api/<method>` reach the pipeline through `WebApiRoute`, a WSGI route in front of
the Flask app; the blueprint's routes serve the same pipeline for the rest (`/<method>`, `HEAD`).

Each call goes through one pipeline: arguments (query string, form and JSON body merged), the
token, fault rules that strike before the effect, the rate limit, the method's bot scopes from
Slack's metadata, required arguments, the method itself, fault rules that strike after it, and
the journal. Every `SlackError` is rendered here: HTTP 200 `{"ok": false, "error": ...}`, or 429
with `Retry-After` for rate limits.
"""

from __future__ import annotations

import base64
import binascii
import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Request, Response, current_app, request
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import BaseConverter

from emulator.slack import jsontext
from emulator.slack.errors import (
    InvalidArguments,
    NotAuthed,
    RateLimited,
    SlackError,
    UnknownMethod,
)
from emulator.slack.faults import FaultRule
from emulator.slack.metadata import checked_metadata
from emulator.slack.methods import MethodSpec, method_specs
from emulator.slack.modals import View
from emulator.slack.models import Channel, Install, SlackState
from emulator.slack.presentation import Presentation

if TYPE_CHECKING:
    from emulator.slack.app import FakeSlack

log = logging.getLogger(__name__)

bp = Blueprint("slack_webapi", __name__)

# Set in the WSGI environ when a fault drops the connection; `app.py` closes the socket.
DROP_CONNECTION = "fakeslack.drop_connection"
Header = tuple[str, str]
JSON_TYPE: Header = ("Content-Type", "application/json")

Reply = dict[str, Any] | tuple[dict[str, Any], dict[str, str]]
Handler = Callable[["Call"], Reply]
HANDLERS: dict[str, Handler] = {}
_TRUE = {"1", "true", "yes", "on"}
MAX_TEXT = 40_000
MAX_ATTACHMENTS = 100


def parse_json(text: str | bytes) -> Any:
    """A request's JSON; a `ValueError` for what is no JSON text, as Slack's parser sees it
    (`jsontext`: bad syntax, nesting deeper than 1,024, a lone UTF-16 surrogate)."""
    return jsontext.loads(text)


class MethodConverter(BaseConverter):
    """A Web API method name such as `chat.postMessage`: at least one dot, no slash."""

    regex = r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+"


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


@dataclass
class Content:
    """A message's text, blocks and attachments, validated (Block Kit by `blockkit`)."""

    text: str
    blocks: list[Any] | None
    attachments: list[Any] | None


# Each paginated method's default page size and the largest it gives, from its reference page
# (docs.slack.dev/reference/methods/<method>, and the metadata in methods/*.json):
# conversations.list "no larger than 1000" in Slack's earlier metadata (`limit=1000` is the
# common idiom and works; the newer wording "under 1000" is not what Slack enforces);
# conversations.history "maximum of 999"; conversations.replies default and maximum 1000 (its
# metadata); conversations.members gives 1,000 a page (github.com/ToolJet/ToolJet/issues/5578);
# users.list default 0, "Slack attempting to deliver you the entire result set";
# chat.scheduledMessages.list documents no maximum: 1,000 as the other lists (ours). Above the
# maximum Slack clamps: a page of at most the maximum and a cursor for the rest, never an error
# (people report it, e.g. github.com/pymc-labs/daimon/pull/130: "asking for 100 was silently
# clamped" under the 15-item cap of non-Marketplace apps).
PAGE_LIMITS: dict[str, tuple[int, int]] = {
    "conversations.list": (100, 1000),
    "conversations.members": (100, 1000),
    "conversations.history": (100, 999),
    "conversations.replies": (1000, 1000),
    "users.list": (sys.maxsize, 1000),
    "chat.scheduledMessages.list": (100, 1000),
}


@dataclass
class Call:
    """One Web API call: its arguments, the caller's install (None if tokenless) and the model."""

    name: str
    args: dict[str, Any]
    install_: Install | None
    state: SlackState
    req: Request

    def permalink(self, channel: Channel, ts: str) -> str:
        return self.state.permalink(channel, ts)

    @property
    def authorization(self) -> str:
        return str(self.req.environ.get("HTTP_AUTHORIZATION", ""))

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

    def limit(self) -> int:
        """The page size asked for, as Slack takes it: absent or 0 is the method's default;
        above the method's maximum it is that maximum (Slack answers "fewer than the requested
        number of items", it does not refuse); negative or not a number is `invalid_limit`."""
        default, highest = PAGE_LIMITS[self.name]
        value = self.args.get("limit")
        if value in (None, ""):
            return default
        try:
            number = int(str(value).strip())
        except ValueError:
            raise SlackError("invalid_limit") from None
        if number < 0:
            raise SlackError("invalid_limit")
        return min(number, highest) if number else default

    def decoded(self, key: str, error: str) -> Any:
        """A value that may come as JSON (from a JSON body) or a JSON-encoded string (form)."""
        value = self.args.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = parse_json(value)
            except ValueError:
                raise SlackError(error) from None
        return value

    def blocks(self) -> list[Any] | None:
        return self._list("blocks", "invalid_blocks_format")

    def attachments(self) -> list[Any] | None:
        attachments = self._list("attachments", "invalid_attachments")
        if attachments is None:
            return None
        if len(attachments) > MAX_ATTACHMENTS:
            raise SlackError("too_many_attachments")
        if not all(isinstance(a, dict) for a in attachments):
            raise SlackError("invalid_attachments")
        # Slack numbers attachments as it parses them.
        return [{**a, "id": a.get("id", n)} for n, a in enumerate(attachments, 1)]

    def _list(self, key: str, error: str) -> list[Any] | None:
        value = self.decoded(key, error)
        if value is not None and not isinstance(value, list):
            raise SlackError(error)
        return value

    def content(self, *, long_text: str = "") -> Content:
        """Text, blocks and attachments, or `markdown_text` as a markdown block.

        Text beyond 40,000 characters is refused with `long_text`, or cut (as chat.postMessage
        does) when `long_text` is empty.
        """
        text, markdown = self.text("text"), self.text("markdown_text")
        blocks, attachments = self.blocks(), self.attachments()
        if markdown and (text or blocks):
            raise SlackError("markdown_text_conflict")
        self.state.block_kit.message(self.name, blocks, attachments)
        if markdown:
            text, blocks = markdown, [{"type": "markdown", "text": markdown}]
        if len(text) > MAX_TEXT:
            if long_text:
                raise SlackError(long_text)
            text = text[:MAX_TEXT]
        return Content(text, blocks, attachments)

    def presentation(self) -> Presentation:
        """The post's name, icon and text arguments (`presentation.py` applies them)."""
        return Presentation(
            username=self.text("username"),
            icon_emoji=self.text("icon_emoji"),
            icon_url=self.text("icon_url"),
            parse=self.text("parse"),
            link_names=self.flag("link_names"),
            mrkdwn=self.flag("mrkdwn", default=True),
        )

    def metadata(self) -> dict[str, Any] | None:
        value = self.decoded("metadata", "invalid_metadata_format")
        return None if value is None else checked_metadata(value)


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _request_args(req: Request) -> tuple[dict[str, Any], bytes]:
    """Query string, form and JSON body merged, each parsed only when the request has one; and
    the JSON body's text, which the journal keeps instead of what was parsed from it."""
    environ = req.environ
    args: dict[str, Any] = dict(req.args.items()) if environ.get("QUERY_STRING") else {}
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type.startswith(_FORMS):
        args.update(req.form.items())
    elif content_type.startswith("application/json"):
        data = _body(req)
        # WebClient.auth_test() posts an empty body labelled application/json; that is no error.
        if data:
            try:
                body = parse_json(data)
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            args.update(body)
            return args, data
    return args, b""


def _body(req: Request) -> bytes:
    # Reading the declared length straight from the stream spares werkzeug's wrappers, which
    # cost more than parsing a message; anything unusual goes the general way.
    length = req.environ.get("CONTENT_LENGTH", "")
    if length.isdigit() and not req.environ.get("HTTP_TRANSFER_ENCODING"):
        return req.environ["wsgi.input"].read(int(length)) if length != "0" else b""
    return req.get_data()


def _bearer_token(authorization: str, args: dict[str, Any]) -> str:
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return str(args.get("token", "") or "")


def basic_credentials(authorization: str) -> tuple[str, str] | None:
    """`(client_id, client_secret)` from an `Authorization: Basic` header, if there is one."""
    if authorization[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _client_credentials(call: Call) -> tuple[str, str]:
    basic = basic_credentials(call.authorization)
    return basic or (call.text("client_id"), call.text("client_secret"))


# --- the pipeline ------------------------------------------------------------------------------


@dataclass
class Answer:
    """What goes back on the wire (or, for a dropped connection, nothing at all)."""

    body: dict[str, Any]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


class Pipeline:
    """One Web API call from the request to the answer; see the module doc for the order."""

    def __init__(self, fake: FakeSlack, name: str, req: Request) -> None:
        self.fake, self.name, self.req = fake, name, req
        self.authorization = str(req.environ.get("HTTP_AUTHORIZATION", ""))
        self.state: SlackState = fake.state
        self.args: dict[str, Any] = {}
        self.json_body = b""
        self.install: Install | None = None
        self.struck: list[dict[str, Any]] = []
        self.warnings: list[str] = []  # Block Kit rules let through in lenient mode

    def run(self) -> Answer:
        reached = False
        try:
            handler, spec = self._prepare()
            before = self._fault("before")
            if before is not None:
                return before
            self._limit()
            _check_scopes(spec, self.install)
            _check_required(spec, self.args)
            reached = True
            call = Call(self.name, self.args, self.install, self.state, self.req)
            with self.state.block_kit.collecting() as self.warnings:
                answer = _ok(handler(call))
        except RateLimited as error:
            return Answer(error.body(), 429, {"Retry-After": str(error.retry_after)})
        except SlackError as error:
            answer = Answer(error.body())
        except Exception:
            # A bug must still answer in Slack's shape; the client sees internal_error, not a 500.
            log.exception("fake Slack failed on %s", self.name)
            answer = Answer({"ok": False, "error": "internal_error"})
        after = self._fault("after") if reached else None
        return after or answer

    def _prepare(self) -> tuple[Handler, MethodSpec | None]:
        self.args, self.json_body = _request_args(self.req)
        handler = HANDLERS.get(self.name)
        if handler is None:
            raise UnknownMethod()
        spec = method_specs().get(self.name)
        token = _bearer_token(self.authorization, self.args)
        self.install = _authenticate(self.state, spec, token)
        self.args.pop("token", None)
        return handler, spec

    @property
    def team_id(self) -> str:
        return self.install.team_id if self.install else ""

    def _limit(self) -> None:
        limiter = self.fake.limiter
        if not limiter.enabled:
            return
        if self.install is not None:
            key = [self.install.app_id, self.install.team_id]
        else:
            basic = basic_credentials(self.authorization) or ("",)
            key = [str(self.args.get("client_id") or basic[0]), ""]
        if limiter.per_channel(self.name):
            key.append(self.state.channel_key(self.team_id, str(self.args.get("channel", ""))))
        limiter.check(self.name, *key)

    def _fault(self, when: str) -> Answer | None:
        """The answer of a rule that strikes now, if it replaces the real one."""
        faults = self.fake.faults
        if faults.empty:
            return None
        rule = faults.strike(self.name, when, self.team_id)
        if rule is None:
            return None
        self.struck.append({"id": rule.id, "when": when, "effects": rule.effects()})
        if rule.latency_ms:
            time.sleep(rule.latency_ms / 1000)
        if rule.delays_only:
            return None
        return _fault_answer(rule)

    def journal(self, answer: Answer) -> None:
        install = self.install
        self.fake.journal.record(
            method=self.name,
            args=self.args,
            json_body=self.json_body,
            team_id=install.team_id if install else "",
            app_id=install.app_id if install else "",
            status=0 if answer.drop else answer.status,
            body=answer.body,
            time=self.state.wall.now(),
            fault=self.struck[0] if len(self.struck) == 1 else (self.struck or None),
            warnings=self.warnings,
        )


def _ok(reply: Reply) -> Answer:
    body, headers = reply if isinstance(reply, tuple) else (reply, {})
    return Answer({"ok": True, **body}, headers=headers)


def _fault_answer(rule: FaultRule) -> Answer:
    if rule.drop_connection:
        return Answer({}, drop=True)
    headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after else {}
    return Answer({"ok": False, "error": rule.error_code()}, rule.http_status(), headers)


def _authenticate(state: SlackState, spec: MethodSpec | None, token: str) -> Install | None:
    if spec is not None and not spec.needs_token:
        return state.authenticate(token) if token.startswith("xoxb-") else None
    if not token:
        raise NotAuthed()
    return state.authenticate(token)


def _check_scopes(spec: MethodSpec | None, install: Install | None) -> None:
    if spec is not None and spec.bot_scopes and install is not None and spec.needs_token:
        install.require(*spec.bot_scopes)


def _check_required(spec: MethodSpec | None, args: dict[str, Any]) -> None:
    """An empty required argument answers the method's own code where Slack documents one."""
    for name in spec.required_args if spec else ():
        if args.get(name) in (None, ""):
            own = spec.empty_errors.get(name) if spec else None
            raise SlackError(own) if own else InvalidArguments(f"missing required field: {name}")


@bp.route("/api/<path:name>", methods=["GET", "POST"])
@bp.route("/<method:name>", methods=["GET", "POST"])
def dispatch(name: str) -> Response:
    """Any method name; those fake Slack emulates also have static routes (below)."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    status, headers, body = wire_answer(current_app.extensions["fakeslack"], name, req)
    return current_app.response_class(body, status=status, headers=headers)


def wire_answer(fake: FakeSlack, name: str, req: Request) -> tuple[int, list[Header], bytes]:
    """One Web API call's status, headers and body, ready for the wire."""
    pipeline = Pipeline(fake, name, req)
    answer = pipeline.run()
    pipeline.journal(answer)
    if answer.drop:
        req.environ[DROP_CONNECTION] = True
    body = fake.app.json.encode(answer.body)
    return answer.status, _json_headers(body, answer.headers.items()), body


def _json_headers(body: bytes, extra: Iterable[Header] = ()) -> list[Header]:
    return [JSON_TYPE, ("Content-Length", str(len(body))), *extra]


class WebApiRoute:
    """WSGI: `GET` and `POST /api/<method>` go straight to the pipeline, the rest to Flask.

    A Web API call needs nothing of what Flask does around a view (contexts, URL matching,
    sessions, signals, response processing), and that machinery cost as much as a 20-block
    message's whole Block Kit check, state and journal together (`bench/slack_webapi.py`). The
    answers are the same as through the blueprint's routes, which stay for `/<method>`, `HEAD`,
    `OPTIONS` and paths Flask normalises (`//`). `tests/unit/slack/test_web_api_route.py`
    holds the two ways to each other.
    """

    def __init__(self, fake: FakeSlack, flask_app: Callable[..., Any]) -> None:
        self.fake, self.flask_app = fake, flask_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if (
            not path.startswith("/api/")
            or len(path) == 5
            or "//" in path
            or environ.get("REQUEST_METHOD") not in ("GET", "POST")
        ):
            return self.flask_app(environ, start_response)
        req = self.fake.app.request_class(environ)
        try:
            status, headers, body = wire_answer(self.fake, req.path[5:], req)
        except Exception as error:  # as the app's own handler answers a bug: logged, a 400
            log.exception("fake Slack failed")
            answer = {"ok": False, "error": "internal_error", "message": repr(error)}
            body = self.fake.app.json.encode(answer)
            status, headers = 400, _json_headers(body)
        start_response(f"{status} {HTTP_STATUS_CODES.get(status, 'unknown').upper()}", headers)
        return [body]


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
    """`test=true` checks the token and revokes nothing, as on Slack."""
    if call.flag("test"):
        return {"revoked": False}
    call.state.auth_revoke(call.install)
    return {"revoked": True}


@method("apps.uninstall")
def apps_uninstall(call: Call) -> Reply:
    client_id, secret = _client_credentials(call)
    call.state.apps_uninstall(call.install, client_id=client_id, client_secret=secret)
    return {}


@method("oauth.v2.access")
def oauth_v2_access(call: Call) -> Reply:
    """Bot tokens only: an install that asks for user scopes is refused on the consent page,
    so `authed_user` is the installer's id alone; no token rotation (a `refresh_token` grant
    is always `invalid_refresh_token`), no PKCE."""
    client_id, secret = _client_credentials(call)
    if not client_id:
        raise SlackError("invalid_client_id")
    grant_type = call.text("grant_type", "authorization_code")
    if grant_type == "refresh_token":
        call.state.client_app(client_id, secret)
        raise SlackError("invalid_refresh_token")
    if grant_type != "authorization_code":
        raise SlackError("invalid_grant_type")
    install, grant = call.state.oauth_v2_access(
        client_id=client_id,
        client_secret=secret,
        code=call.text("code"),
        redirect_uri=call.text("redirect_uri"),
    )
    ws = call.state.workspaces[install.team_id]
    return {
        "app_id": install.app_id,
        "authed_user": {"id": grant.user_id},
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
    """Leaves out drafts. `unfurl_links` / `unfurl_media` only tell Slack whether to unfurl, and
    fake Slack draws no unfurls: they change nothing it shows."""
    content = call.content()
    message = call.state.chat_post_message(
        call.install,
        call.text("channel"),
        text=content.text,
        blocks=content.blocks,
        attachments=content.attachments,
        thread_ts=call.text("thread_ts"),
        metadata=call.metadata(),
        presentation=call.presentation(),
        reply_broadcast=call.flag("reply_broadcast"),
    )
    answer = call.state.message_object(message, raw=True)
    return {"channel": message.channel_id, "ts": message.ts, "message": answer}


@method("chat.update")
def chat_update(call: Call) -> Reply:
    text = call.args.get("text")
    if text is not None and len(str(text)) > MAX_TEXT:
        raise SlackError("msg_too_long")
    blocks, attachments = call.blocks(), call.attachments()
    call.state.block_kit.message(call.name, blocks, attachments)
    message = call.state.chat_update(
        call.install,
        call.text("channel"),
        call.text("ts"),
        text=None if text is None else str(text),
        blocks=blocks,
        attachments=attachments,
        metadata=call.metadata(),
        presentation=call.presentation(),
        reply_broadcast=call.flag("reply_broadcast"),
    )
    return {
        "channel": message.channel_id,
        "ts": message.ts,
        "text": message.text,
        "message": call.state.message_object(message, raw=True),
    }


@method("chat.postEphemeral")
def chat_post_ephemeral(call: Call) -> Reply:
    content = call.content(long_text="msg_too_long")
    message = call.state.chat_post_ephemeral(
        call.install,
        call.text("channel"),
        call.text("user"),
        text=content.text,
        blocks=content.blocks,
        attachments=content.attachments,
        thread_ts=call.text("thread_ts"),
        presentation=call.presentation(),
    )
    return {"message_ts": message.ts}


@method("chat.delete")
def chat_delete(call: Call) -> Reply:
    channel = call.state.chat_delete(call.install, call.text("channel"), call.text("ts"))
    return {"channel": channel.id, "ts": call.text("ts")}


@method("chat.getPermalink")
def chat_get_permalink(call: Call) -> Reply:
    ts = call.text("message_ts")
    channel = call.state.message_for_permalink(call.install, call.text("channel"), ts)
    permalink = call.permalink(channel, ts)
    return {"channel": channel.id, "permalink": permalink}


@method("conversations.list")
def conversations_list(call: Call) -> Reply:
    types = [t.strip() for t in call.text("types", "public_channel").split(",") if t.strip()]
    channels, cursor = call.state.conversations_list(
        call.install,
        types=types or ["public_channel"],
        exclude_archived=call.flag("exclude_archived"),
        limit=call.limit(),
        cursor=call.text("cursor"),
        raw=True,
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


@method("conversations.create")
def conversations_create(call: Call) -> Reply:
    channel = call.state.conversations_create(
        call.install, call.text("name"), is_private=call.flag("is_private")
    )
    return {"channel": channel.to_api(viewer=call.install.bot_user_id)}


@method("conversations.invite")
def conversations_invite(call: Call) -> Reply:
    channel = call.state.conversations_invite(
        call.install, call.text("channel"), call.text("users")
    )
    return {"channel": channel.to_api(viewer=call.install.bot_user_id)}


@method("conversations.members")
def conversations_members(call: Call) -> Reply:
    members, cursor = call.state.conversations_members(
        call.install,
        call.text("channel"),
        limit=call.limit(),
        cursor=call.text("cursor"),
    )
    return {"members": members, "response_metadata": {"next_cursor": cursor}}


@method("conversations.history")
def conversations_history(call: Call) -> Reply:
    """Leaves out `include_all_metadata` filtering by event type and pin counts."""
    messages, has_more, cursor = call.state.conversations_history(
        call.install,
        call.text("channel"),
        limit=call.limit(),
        cursor=call.text("cursor"),
        latest=call.text("latest"),
        oldest=call.text("oldest"),
        inclusive=call.flag("inclusive"),
    )
    with_metadata = call.flag("include_all_metadata")
    return {
        "messages": [
            call.state.message_object(m, include_metadata=with_metadata, raw=True) for m in messages
        ],
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
        limit=call.limit(),
        cursor=call.text("cursor"),
        latest=call.text("latest"),
        oldest=call.text("oldest"),
        inclusive=call.flag("inclusive"),
    )
    with_metadata = call.flag("include_all_metadata")
    return {
        "messages": [m.to_api(include_metadata=with_metadata, raw=True) for m in messages],
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
        call.install, limit=call.limit(), cursor=call.text("cursor")
    )
    return {
        "members": members,
        "cache_ts": int(call.state.clock.now()),
        "response_metadata": {"next_cursor": cursor},
    }


@method("team.info")
def team_info(call: Call) -> Reply:
    team = call.state.team_info(call.install, call.text("team"), call.text("domain"))
    return {"team": team}


@method("bots.info")
def bots_info(call: Call) -> Reply:
    bot = call.state.bots_info(call.install, call.text("bot"), call.text("team_id"))
    return {"bot": bot}


def _trigger(call: Call) -> str:
    trigger_id = call.text("trigger_id") or call.text("interactivity_pointer")
    if not trigger_id:
        raise InvalidArguments("missing required field: trigger_id")
    return trigger_id


def _view_reply(view: View) -> Reply:
    return {"view": view.to_api()}


@method("views.open")
def views_open(call: Call) -> Reply:
    view = call.decoded("view", "invalid_arguments")
    return _view_reply(call.state.views_open(call.install, _trigger(call), view))


@method("views.push")
def views_push(call: Call) -> Reply:
    view = call.decoded("view", "invalid_arguments")
    return _view_reply(call.state.views_push(call.install, _trigger(call), view))


@method("views.update")
def views_update(call: Call) -> Reply:
    if not call.text("view_id") and not call.text("external_id"):
        raise InvalidArguments("either view_id or external_id is required")
    view = call.state.views_update(
        call.install,
        view_id=call.text("view_id"),
        external_id=call.text("external_id"),
        view=call.decoded("view", "invalid_arguments"),
        hash_=call.text("hash"),
    )
    return _view_reply(view)


def _static_view(name: str) -> Callable[[], Response]:
    def view() -> Response:
        return dispatch(name)

    return view


# A static rule per emulated method: werkzeug matches those by a dict lookup, where a dynamic
# rule costs a regex match per request.
for _name in method_specs():
    _key = _name.replace(".", "_")
    for _prefix in ("/api/", "/"):
        bp.add_url_rule(
            f"{_prefix}{_name}",
            f"{_prefix.strip('/') or 'root'}_{_key}",
            _static_view(_name),
            methods=["GET", "POST"],
        )
