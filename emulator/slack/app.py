"""`FakeSlack`: the WSGI application of fake Slack, with its model, pages and control plane."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import flask
from flask import jsonify
from werkzeug.exceptions import HTTPException

from emulator.clock import Clock
from emulator.slack import actor, control, oauth, webapi
from emulator.slack.models import SlackState
from emulator.slack.wire import keep_lowercase_headers

log = logging.getLogger(__name__)

ROUTES = {
    "web_api": ["/api/<method>", "/<method>"],
    "oauth": ["GET /oauth/v2/authorize", "POST /oauth/v2/authorize"],
    "login": ["GET /login", "POST /login", "POST /logout"],
    "response_url": ["POST /commands/<team>/<id>/<secret>", "POST /actions/<team>/<id>/<secret>"],
    "control": [
        "POST /_sim/reset",
        "GET /_sim/state",
        "POST /_sim/workspaces",
        "POST /_sim/workspaces/<team_id>/users",
        "POST /_sim/workspaces/<team_id>/channels",
        "POST /_sim/channels/<channel_id>/invite",
        "POST /_sim/channels/<channel_id>/archive",
        "GET /_sim/channels/<channel_id>/messages",
        "POST /_sim/apps",
        "GET /_sim/apps/<app_id>",
        "PATCH /_sim/apps/<app_id>",
        "POST /_sim/apps/<app_id>/install",
        "POST /_sim/actions/command",
        "POST /_sim/actions/click",
        "POST /_sim/actions/select",
        "GET /_sim/journal",
        "POST /_sim/clock/advance",
    ],
}


class FakeSlack:
    """Fake Slack as one Flask app; `public_url` is the base of response URLs and permalinks."""

    def __init__(self, *, clock: Clock | None = None, seed: int = 0, public_url: str = "") -> None:
        keep_lowercase_headers()
        self.public_url = public_url
        self.state = SlackState(clock=clock, seed=seed)
        self.app = self._build_app()

    def reset(self) -> None:
        self.state.reset()

    def _build_app(self) -> flask.Flask:
        app = flask.Flask(__name__, template_folder="web/templates")
        app.secret_key = secrets.token_hex(32)
        # Fake ilert, fake Slack and the connector share a host, and cookies ignore ports.
        app.config["SESSION_COOKIE_NAME"] = "fakeslack_session"
        app.extensions["fakeslack"] = self
        app.url_map.converters["method"] = webapi.MethodConverter
        for blueprint in (control.bp, oauth.bp, actor.bp, webapi.bp):
            app.register_blueprint(blueprint)
        app.add_url_rule("/", "index", _index)
        app.register_error_handler(HTTPException, _http_error)
        app.register_error_handler(Exception, _unexpected)
        return app


def _index() -> Any:
    return jsonify({"ok": True, "service": "fake-slack", "routes": ROUTES})


def _unexpected(error: Exception) -> Any:
    """A bug must not answer 5xx to a script; it is logged and answered as a 400."""
    if isinstance(error, HTTPException):
        return _http_error(error)
    log.exception("fake Slack failed")
    return jsonify({"ok": False, "error": "internal_error", "message": repr(error)}), 400


def _http_error(error: HTTPException) -> Any:
    """404 and 405 outside the blueprints, as JSON so scripts can read them."""
    body = {
        "ok": False,
        "error": (error.name or "error").lower().replace(" ", "_"),
        "message": error.description or "",
    }
    return jsonify(body), error.code or 400
