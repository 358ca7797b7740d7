"""The `/_sim/` control plane: seed and inspect fake Slack, and act as a Slack user.

JSON in and out. Errors are 4xx `{"ok": false, "error": code, "message": text}`, rendered in this
blueprint's one error handler; nothing here answers 5xx.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from emulator.clock import VirtualClock
from emulator.slack import actor
from emulator.slack.errors import SimError
from emulator.slack.models import SlackState

log = logging.getLogger(__name__)

bp = Blueprint("slack_control", __name__, url_prefix="/_sim")


@bp.errorhandler(SimError)
def _sim_error(error: SimError) -> tuple[Response, int]:
    return jsonify(error.body()), error.status


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> tuple[Response, int]:
    if isinstance(error, SimError):
        return _sim_error(error)
    code = getattr(error, "code", None)
    if isinstance(code, int):  # werkzeug's HTTPException (404, 405, 415...)
        return jsonify({"ok": False, "error": "http_error", "message": str(error)}), code
    log.exception("control plane failed")
    return jsonify({"ok": False, "error": "bad_request", "message": repr(error)}), 400


def _state() -> SlackState:
    return current_app.extensions["fakeslack"].state


def _base_url() -> str:
    fake = current_app.extensions["fakeslack"]
    return (fake.public_url or request.host_url).rstrip("/")


def _body() -> dict[str, Any]:
    if not request.get_data():
        return {}
    body = request.get_json(force=True, silent=True)
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


def _ok(payload: dict[str, Any], status: int = 200) -> tuple[Response, int]:
    return jsonify({"ok": True, **payload}), status


@bp.post("/reset")
def reset() -> tuple[Response, int]:
    current_app.extensions["fakeslack"].reset()
    return _ok({})


@bp.get("/state")
def state_dump() -> tuple[Response, int]:
    return _ok(_state().dump())


@bp.post("/workspaces")
def create_workspace() -> tuple[Response, int]:
    body = _body()
    name = _str(body, "name", required=True)
    domain = _str(body, "domain", default=name.lower().replace(" ", "-"))
    return _ok(_state().create_workspace(name=name, domain=domain).to_api(), 201)


@bp.post("/workspaces/<team_id>/users")
def create_user(team_id: str) -> tuple[Response, int]:
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
def create_channel(team_id: str) -> tuple[Response, int]:
    body = _body()
    channel = _state().create_channel(
        team_id,
        name=_str(body, "name", required=True).lstrip("#"),
        is_private=bool(body.get("is_private", False)),
        members=_str_list(body, "members") or [],
    )
    return _ok({**channel.to_api(viewer=None), "members": list(channel.members)}, 201)


@bp.post("/channels/<channel_id>/invite")
def invite(channel_id: str) -> tuple[Response, int]:
    channel = _state().invite(channel_id, _str(_body(), "user", required=True))
    return _ok({"channel": channel.to_api(viewer=None), "members": list(channel.members)})


@bp.post("/channels/<channel_id>/archive")
def archive(channel_id: str) -> tuple[Response, int]:
    return _ok({"channel": _state().archive(channel_id).to_api(viewer=None)})


@bp.get("/channels/<channel_id>/messages")
def channel_messages(channel_id: str) -> tuple[Response, int]:
    state = _state()
    user_id = request.args.get("user_id", "")
    messages = state.channel_messages(channel_id, user_id)
    channel = state.channel(channel_id).to_api(viewer=user_id or None)
    return _ok({"channel": channel, "messages": messages})


@bp.post("/apps")
def create_app() -> tuple[Response, int]:
    body = _body()
    app = _state().create_app(
        name=_str(body, "name", required=True),
        request_url=_str(body, "request_url"),
        redirect_urls=_str_list(body, "redirect_urls") or [],
        client_id=_str(body, "client_id"),
        client_secret=_str(body, "client_secret"),
        signing_secret=_str(body, "signing_secret"),
    )
    return _ok(app.to_sim(), 201)


@bp.get("/apps/<app_id>")
def get_app(app_id: str) -> tuple[Response, int]:
    return _ok(_state().app(app_id).to_sim())


@bp.patch("/apps/<app_id>")
def update_app(app_id: str) -> tuple[Response, int]:
    body = _body()
    app = _state().update_app(
        app_id,
        request_url=body.get("request_url") and _str(body, "request_url"),
        redirect_urls=_str_list(body, "redirect_urls"),
        name=body.get("name") and _str(body, "name"),
    )
    return _ok(app.to_sim())


@bp.post("/apps/<app_id>/install")
def install(app_id: str) -> tuple[Response, int]:
    body = _body()
    scopes = _str_list(body, "scopes")
    if not scopes:
        raise SimError("missing_field", "'scopes' must list at least one scope")
    done = _state().install(app_id, _str(body, "team_id", required=True), scopes)
    return _ok(done.to_sim(), 201)


@bp.post("/actions/command")
def command() -> tuple[Response, int]:
    body = _body()
    report = actor.run_command(
        _state(),
        _base_url(),
        channel_id=_str(body, "channel_id", required=True),
        user_id=_str(body, "user_id", required=True),
        command=_str(body, "command", required=True),
        text=_str(body, "text"),
        app_id=_str(body, "app_id"),
        team_id=_str(body, "team_id"),
    )
    return jsonify(report), 200


@bp.post("/actions/click")
def click() -> tuple[Response, int]:
    body = _body()
    label, action_id = _str(body, "label"), _str(body, "action_id")
    if not label and not action_id:
        raise SimError("missing_field", "give the button's 'label' or its 'action_id'")
    user_id = _str(body, "user_id", required=True)
    target = _state().find_element(
        channel_id=_str(body, "channel_id", required=True),
        message_ts=_str(body, "message_ts", required=True),
        user_id=user_id,
        kind="button",
        label=label,
        action_id=action_id,
        value=_str(body, "value"),
    )
    action = actor.button_action(target)
    report = actor.interact(_state(), _base_url(), target, user_id=user_id, action=action)
    return jsonify(report), 200


@bp.post("/actions/select")
def select() -> tuple[Response, int]:
    body = _body()
    option = _str(body, "option", required=True)
    user_id = _str(body, "user_id", required=True)
    target = _state().find_element(
        channel_id=_str(body, "channel_id", required=True),
        message_ts=_str(body, "message_ts", required=True),
        user_id=user_id,
        kind="static_select",
        label=option,
        action_id=_str(body, "action_id"),
    )
    action = actor.select_action(target, option)
    report = actor.interact(_state(), _base_url(), target, user_id=user_id, action=action)
    return jsonify(report), 200


@bp.get("/journal")
def journal() -> tuple[Response, int]:
    try:
        limit = int(request.args.get("limit", "100"))
    except ValueError:
        raise SimError("invalid_field", "'limit' must be an integer") from None
    entries = _state().journal_entries(request.args.get("method", ""), limit)
    return _ok({"entries": entries})


@bp.post("/clock/advance")
def advance_clock() -> tuple[Response, int]:
    clock = _state().clock
    if not isinstance(clock, VirtualClock):
        raise SimError("clock_not_virtual", "the domain clock is the system's", status=409)
    try:
        seconds = float(_body().get("seconds", 0))
        now = clock.advance(seconds)
    except (TypeError, ValueError) as error:
        raise SimError("invalid_field", str(error)) from None
    return _ok({"now": now})
