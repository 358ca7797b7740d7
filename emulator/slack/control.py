"""The `/_sim/` control plane: seed and inspect fake Slack, act as a Slack user, inject faults,
switch rate limits, export and import. Documented in `openapi.py` (served at
`/_sim/openapi.json`) and in this package's README.

JSON in and out. Errors are 4xx `{"ok": false, "error": code, "message": text}`, rendered in this
blueprint's one error handler; nothing here answers 5xx.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, jsonify, request

from emulator.clock import VirtualClock
from emulator.slack import actor, events, openapi, snapshot
from emulator.slack.entities import Target
from emulator.slack.errors import SimError
from emulator.slack.models import SlackState
from emulator.slack.webapi import parse_json

if TYPE_CHECKING:
    from emulator.slack.app import FakeSlack

log = logging.getLogger(__name__)

bp = Blueprint("slack_control", __name__, url_prefix="/_sim")

Reply = tuple[Response, int]


@bp.errorhandler(SimError)
def _sim_error(error: SimError) -> Reply:
    return jsonify(error.body()), error.status


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Reply:
    if isinstance(error, SimError):
        return _sim_error(error)
    code = getattr(error, "code", None)
    if isinstance(code, int):  # werkzeug's HTTPException (404, 405, 415...)
        return jsonify({"ok": False, "error": "http_error", "message": str(error)}), code
    log.exception("control plane failed")
    return jsonify({"ok": False, "error": "bad_request", "message": repr(error)}), 400


def _fake() -> FakeSlack:
    return current_app.extensions["fakeslack"]


def _state() -> SlackState:
    return _fake().state


def _base_url() -> str:
    return (_fake().public_url or request.host_url).rstrip("/")


def _body() -> dict[str, Any]:
    if not request.get_data():
        return {}
    try:
        body = parse_json(request.get_data())
    except ValueError as error:
        raise SimError("invalid_json", f"the body is not JSON text: {error}") from None
    if not isinstance(body, dict):
        raise SimError("invalid_json", "the body must be a JSON object")
    return body


def _str(body: dict[str, Any], key: str, *, required: bool = False, default: str = "") -> str:
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise SimError("missing_field", f"{key!r} is required")
        return default
    if not isinstance(value, str | int | float):
        raise SimError("invalid_field", f"{key!r} must be a string")
    return str(value)


def _str_list(body: dict[str, Any], key: str) -> list[str] | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [s for s in value.replace(" ", ",").split(",") if s]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SimError("invalid_field", f"{key!r} must be a list of strings")
    return value


def _dict(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key) or {}
    if not isinstance(value, dict):
        raise SimError("invalid_field", f"{key!r} must be an object")
    return value


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, str(default)))
    except ValueError:
        raise SimError("invalid_field", f"{name!r} must be an integer") from None


def _ok(payload: dict[str, Any], status: int = 200) -> Reply:
    return jsonify({"ok": True, **payload}), status


# --- the whole state ----------------------------------------------------------------------------


@bp.post("/reset")
def reset() -> Reply:
    _fake().reset()
    return _ok({})


@bp.get("/state")
def state_dump() -> Reply:
    return _ok(_state().dump())


@bp.get("/export")
def export() -> Reply:
    return jsonify(snapshot.export_state(_state())), 200


@bp.post("/import")
def import_() -> Reply:
    counts = snapshot.import_state(_state(), _body())
    return _ok({"imported": counts})


@bp.get("/openapi.json")
def openapi_document() -> Reply:
    return jsonify(openapi.document()), 200


# --- seeding ----------------------------------------------------------------------------------


@bp.post("/workspaces")
def create_workspace() -> Reply:
    body = _body()
    name = _str(body, "name", required=True)
    domain = _str(body, "domain", default=name.lower().replace(" ", "-"))
    return _ok(_state().create_workspace(name=name, domain=domain).to_api(), 201)


@bp.post("/workspaces/<team_id>/users")
def create_user(team_id: str) -> Reply:
    body = _body()
    name = _str(body, "name", required=True)
    user = _state().create_user(
        team_id,
        name=name,
        email=_str(body, "email"),
        real_name=_str(body, "real_name"),
        is_admin=bool(body.get("is_admin", False)),
    )
    return _ok(user.to_api(with_email=True), 201)


@bp.post("/workspaces/<team_id>/channels")
def create_channel(team_id: str) -> Reply:
    body = _body()
    channel = _state().create_channel(
        team_id,
        name=_str(body, "name", required=True).lstrip("#"),
        is_private=bool(body.get("is_private", False)),
        members=_str_list(body, "members") or [],
    )
    return _ok({**channel.to_api(viewer=None), "members": list(channel.members)}, 201)


@bp.post("/channels/<channel_id>/invite")
def invite(channel_id: str) -> Reply:
    channel = _state().invite(channel_id, _str(_body(), "user", required=True))
    return _ok({"channel": channel.to_api(viewer=None), "members": list(channel.members)})


@bp.post("/channels/<channel_id>/archive")
def archive(channel_id: str) -> Reply:
    channel = _state().archive(channel_id, _str(_body(), "user"))
    return _ok({"channel": channel.to_api(viewer=None)})


@bp.post("/channels/<channel_id>/unarchive")
def unarchive(channel_id: str) -> Reply:
    channel = _state().unarchive(channel_id, _str(_body(), "user"))
    return _ok({"channel": channel.to_api(viewer=None)})


@bp.post("/channels/<channel_id>/rename")
def rename(channel_id: str) -> Reply:
    body = _body()
    name = _str(body, "name", required=True).lstrip("#")
    channel = _state().rename_channel(channel_id, name, _str(body, "user"))
    return _ok({"channel": channel.to_api(viewer=None)})


@bp.post("/channels/<channel_id>/leave")
def leave(channel_id: str) -> Reply:
    channel = _state().remove_member(channel_id, _str(_body(), "user", required=True))
    return _ok({"channel": channel.to_api(viewer=None), "members": list(channel.members)})


@bp.post("/channels/<channel_id>/messages")
def post_message(channel_id: str) -> Reply:
    body = _body()
    message = _state().post_as_user(
        channel_id,
        _str(body, "user", required=True),
        _str(body, "text", required=True),
        _str(body, "thread_ts"),
    )
    return _ok({"message": message.to_api()}, 201)


@bp.post("/channels/<channel_id>/reactions")
def add_reaction(channel_id: str) -> Reply:
    return _react(channel_id, add=True)


@bp.post("/channels/<channel_id>/reactions/remove")
def remove_reaction(channel_id: str) -> Reply:
    return _react(channel_id, add=False)


def _react(channel_id: str, *, add: bool) -> Reply:
    body = _body()
    message = _state().react(
        channel_id,
        _str(body, "ts", required=True),
        _str(body, "user", required=True),
        _str(body, "name", required=True),
        add=add,
    )
    return _ok({"message": message.to_api()})


@bp.get("/channels/<channel_id>/messages")
def channel_messages(channel_id: str) -> Reply:
    state = _state()
    user_id = request.args.get("user_id", "")
    messages = state.channel_messages(channel_id, user_id)
    channel = state.channel(channel_id).to_api(viewer=user_id or None)
    return _ok({"channel": channel, "messages": messages})


@bp.post("/apps")
def create_app() -> Reply:
    body = _body()
    subscriptions = _bot_events(body)
    state = _state()
    app = state.create_app(
        name=_str(body, "name", required=True),
        request_url=_str(body, "request_url"),
        redirect_urls=_str_list(body, "redirect_urls") or [],
        client_id=_str(body, "client_id"),
        client_secret=_str(body, "client_secret"),
        signing_secret=_str(body, "signing_secret"),
        commands=_commands(body) or [],
    )
    event_url = _str(body, "event_request_url")
    if event_url or subscriptions:
        try:
            _verify_event_url(app.id, event_url)
        except SimError:
            state.forget_app(app.id)  # refused whole: no app without the URL it asked for
            raise
        app = state.update_app(app.id, event_request_url=event_url, bot_events=subscriptions)
    return _ok(app.to_sim(), 201)


def _bot_events(body: dict[str, Any]) -> list[str] | None:
    names = _str_list(body, "bot_events")
    unknown = events.unknown_subscriptions(names or [])
    if unknown:
        known = ", ".join(sorted(events.EVENT_SCOPES))
        raise SimError("invalid_field", f"unknown bot events {unknown}; fake Slack emits {known}")
    return names


# Slack's app settings take a command as "/" and a lowercase name without spaces, at most 32
# characters in all (the "Create New Command" form); the pattern is ours.
_COMMAND_NAME = re.compile(r"/[a-z0-9_.\-]{1,31}")


def _commands(body: dict[str, Any]) -> list[str] | None:
    names = _str_list(body, "commands")
    bad = [name for name in names or [] if not _COMMAND_NAME.fullmatch(name)]
    if bad:
        raise SimError(
            "invalid_field",
            f"commands {bad}: a command is '/' and up to 31 lowercase letters, digits, '-_.'",
        )
    return names


def _verify_event_url(app_id: str, url: str) -> None:
    """Slack keeps an event request URL only once it has answered the challenge."""
    if not url:
        return
    app, state = _state().app(app_id), _state()
    failure = events.verify_url(
        url,
        signing_secret=app.signing_secret,
        verification_token=app.verification_token,
        timestamp=str(int(state.wall.now())),
    )
    if failure:
        raise SimError("url_verification_failed", f"{url}: {failure}", status=422)


@bp.get("/apps/<app_id>")
def get_app(app_id: str) -> Reply:
    return _ok(_state().app(app_id).to_sim())


@bp.patch("/apps/<app_id>")
def update_app(app_id: str) -> Reply:
    body = _body()
    subscriptions = _bot_events(body)
    event_url = body.get("event_request_url")
    if event_url is not None:
        event_url = _str(body, "event_request_url")
        if event_url != _state().app(app_id).event_request_url:
            _verify_event_url(app_id, event_url)
    app = _state().update_app(
        app_id,
        request_url=body.get("request_url") and _str(body, "request_url"),
        redirect_urls=_str_list(body, "redirect_urls"),
        name=body.get("name") and _str(body, "name"),
        event_request_url=event_url,
        bot_events=subscriptions,
        commands=_commands(body),
    )
    return _ok(app.to_sim())


@bp.post("/apps/<app_id>/install")
def install(app_id: str) -> Reply:
    body = _body()
    scopes = _str_list(body, "scopes")
    if not scopes:
        raise SimError("missing_field", "'scopes' must list at least one scope")
    done = _state().install(app_id, _str(body, "team_id", required=True), scopes)
    return _ok(done.to_sim(), 201)


# --- acting as a person -----------------------------------------------------------------------


@bp.post("/actions/command")
def command() -> Reply:
    body = _body()
    report = _fake().actor.run_command(
        _base_url(),
        channel_id=_str(body, "channel_id", required=True),
        user_id=_str(body, "user_id", required=True),
        command=_str(body, "command", required=True),
        text=_str(body, "text"),
        app_id=_str(body, "app_id"),
        team_id=_str(body, "team_id"),
    )
    return jsonify(report), 200


def _target(
    body: dict[str, Any], kind: str, *, label: str, action_id: str, value: str = ""
) -> Target:
    """An element on a message (`channel_id` + `message_ts`) or in a modal (`view_id`)."""
    user_id = _str(body, "user_id", required=True)
    if body.get("view_id"):
        return _state().find_view_element(
            view_id=_str(body, "view_id"),
            user_id=user_id,
            kind=kind,
            label=label,
            action_id=action_id,
            value=value,
        )
    return _state().find_element(
        channel_id=_str(body, "channel_id", required=True),
        message_ts=_str(body, "message_ts", required=True),
        user_id=user_id,
        kind=kind,
        label=label,
        action_id=action_id,
        value=value,
    )


@bp.post("/actions/click")
def click() -> Reply:
    body = _body()
    label, action_id = _str(body, "label"), _str(body, "action_id")
    if not label and not action_id:
        raise SimError("missing_field", "give the button's 'label' or its 'action_id'")
    target = _target(body, "button", label=label, action_id=action_id, value=_str(body, "value"))
    report = _fake().actor.interact(
        _base_url(), target, user_id=_str(body, "user_id"), action=actor.button_action(target)
    )
    return jsonify(report), 200


@bp.post("/actions/select")
def select() -> Reply:
    body = _body()
    if "query" in body:
        return _select_external(body)
    option = _str(body, "option", required=True)
    # `unlisted` sends an option the menu does not offer, as a tampered client would.
    unlisted = bool(body.get("unlisted", False))
    label = "" if unlisted else option
    target = _target(body, "static_select", label=label, action_id=_str(body, "action_id"))
    action = actor.select_action(target, option, unlisted=unlisted)
    report = _fake().actor.interact(
        _base_url(), target, user_id=_str(body, "user_id"), action=action
    )
    return jsonify(report), 200


@bp.post("/actions/type")
def type_into_select() -> Reply:
    """Type `query` into an external select: the options the app answers to block_suggestion."""
    body = _body()
    target = _target(body, "external_select", label="", action_id=_str(body, "action_id"))
    report = _fake().actor.suggest(
        target, user_id=_str(body, "user_id", required=True), query=_str(body, "query")
    )
    return jsonify(report), 200


def _select_external(body: dict[str, Any]) -> Reply:
    """`/actions/select` with a `query`: type it into an external select, pick `option`."""
    target = _target(body, "external_select", label="", action_id=_str(body, "action_id"))
    report = _fake().actor.pick_suggested(
        _base_url(),
        target,
        user_id=_str(body, "user_id", required=True),
        query=_str(body, "query"),
        option_ref=_str(body, "option", required=True),
    )
    return jsonify(report), 200


@bp.post("/actions/submit-view")
def submit_view() -> Reply:
    body = _body()
    report = _fake().actor.submit_view(
        _str(body, "view_id", required=True),
        _str(body, "user_id", required=True),
        _dict(body, "values"),
    )
    return jsonify(report), 200


@bp.post("/actions/close-view")
def close_view() -> Reply:
    body = _body()
    report = _fake().actor.close_view(
        _str(body, "view_id", required=True), _str(body, "user_id", required=True)
    )
    return jsonify(report), 200


@bp.get("/views")
def views() -> Reply:
    return _ok({"stacks": _state().open_views(request.args.get("user_id", ""))})


# --- faults, rate limits, journal, clock ------------------------------------------------------


@bp.get("/events")
def event_deliveries() -> Reply:
    return _ok(_fake().events.stats())


@bp.post("/events/wait")
def wait_for_events() -> Reply:
    try:
        timeout = min(float(_body().get("timeout", 5.0)), 60.0)
    except (TypeError, ValueError):
        raise SimError("invalid_field", "'timeout' must be a number of seconds") from None
    idle, pending = _fake().events.wait(timeout)
    return _ok({"idle": idle, "pending": pending})


@bp.get("/journal")
def journal() -> Reply:
    entries = _fake().journal.entries(
        method=request.args.get("method", ""),
        team_id=request.args.get("team_id", ""),
        limit=_int_arg("limit", 100),
    )
    return _ok({"entries": entries})


@bp.get("/faults")
def list_faults() -> Reply:
    return _ok({"faults": [rule.to_json() for rule in _fake().faults.rules()]})


@bp.post("/faults")
def add_fault() -> Reply:
    rule = _fake().faults.add(_body())
    return _ok(rule.to_json(), 201)


@bp.delete("/faults")
def clear_faults() -> Reply:
    _fake().faults.clear()
    return _ok({})


@bp.delete("/faults/<fault_id>")
def delete_fault(fault_id: str) -> Reply:
    _fake().faults.remove(fault_id)
    return _ok({})


@bp.get("/rate-limits")
def rate_limits() -> Reply:
    return _ok(_fake().limiter.to_json())


@bp.post("/rate-limits")
def set_rate_limits() -> Reply:
    body = _body()
    enabled = body.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise SimError("invalid_field", "'enabled' must be true or false")
    scale = body.get("time_scale")
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, int | float)):
        raise SimError("invalid_field", "'time_scale' must be a number")
    limiter = _fake().limiter
    limiter.configure(
        enabled=enabled,
        time_scale=scale,
        overrides=_dict(body, "overrides") if "overrides" in body else None,
    )
    return _ok(limiter.to_json())


@bp.post("/clock/advance")
def advance_clock() -> Reply:
    clock = _state().clock
    if not isinstance(clock, VirtualClock):
        raise SimError("clock_not_virtual", "the domain clock is the system's", status=409)
    try:
        seconds = float(_body().get("seconds", 0))
        now = clock.advance(seconds)
    except (TypeError, ValueError) as error:
        raise SimError("invalid_field", str(error)) from None
    return _ok({"now": now})
