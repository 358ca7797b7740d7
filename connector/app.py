"""`create_app(config)`: the connector as a Flask application.

HTTP only parses and answers here, in one blueprint per caller: the install flow (a browser from
ilert, back from Slack), Slack's requests (the gate, then Bolt), ilert's requests (events and the
channel list). The blueprints read what they serve with from `app.extensions["connector"]`; the
install steps, the Bolt listeners and the notifier do the work. Slack's requests are checked by
the gate and Bolt's signature middleware, ilert's by `signing`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, make_response, redirect, request
from markupsafe import escape
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from werkzeug.exceptions import HTTPException

from connector.alert_channels import AlertChannels
from connector.config import ConnectorConfig
from connector.ids import ilert_id
from connector.install import STATE_COOKIE, STATE_TTL_SECONDS, Installer, InstallRefused, return_url
from connector.notifier import MALFORMED_EVENT, Notifier, Outcome, slack_refusal
from connector.pacing import Pacer
from connector.signing import InvalidSignature, verify_webhook
from connector.slack_app import SlackEndpoint, SlackRequestGate, build_bolt_app
from connector.store import ConnectorStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Connector:
    """What the blueprints serve with, built once by `create_app` (app.extensions["connector"])."""

    config: ConnectorConfig
    store: ConnectorStore
    installations: SQLite3InstallationStore
    installer: Installer
    notifier: Notifier
    alert_channels: AlertChannels
    slack_endpoint: SlackEndpoint
    clock: Callable[[], float]


def create_app(config: ConnectorConfig, *, clock: Callable[[], float] = time.time) -> Flask:
    app = Flask(__name__)
    app.config["SESSION_COOKIE_NAME"] = config.session_cookie_name
    store = ConnectorStore(config.database_path)
    # Whoever stops the app closes its database (harness.simulation), so the file can be replaced.
    app.extensions["connector_store"] = store
    installations = SQLite3InstallationStore(
        database=config.database_path, client_id=config.client_id
    )
    notifier = Notifier(
        store=store,
        installations=installations,
        slack_api_url=config.slack_api_url,
        ilert_url=config.ilert_url,
        pacer=Pacer(time_scale=config.slack_time_scale),
    )
    app.extensions["connector"] = Connector(
        config=config,
        store=store,
        installations=installations,
        installer=Installer(config, store, installations, clock=clock),
        notifier=notifier,
        alert_channels=AlertChannels(
            store=store,
            installations=installations,
            slack_api_url=config.slack_api_url,
            slack_url=config.slack_url,
            pacer=notifier.pacer,
        ),
        slack_endpoint=SlackEndpoint(
            build_bolt_app(config, store, installations),
            SlackRequestGate(config, store, clock=clock),
        ),
        clock=clock,
    )
    app.register_blueprint(index_bp)
    app.register_blueprint(install_bp)
    app.register_blueprint(slack_bp)
    app.register_blueprint(ilert_bp)
    return app


def _connector() -> Connector:
    return current_app.extensions["connector"]


index_bp = Blueprint("index", __name__)


@index_bp.get("/")
def index() -> Any:
    return jsonify(
        {
            "service": "ilert Slack connector",
            "routes": {
                "GET /slack/install?ticket=": "start an install (from ilert's Connectors page)",
                "GET /slack/oauth_redirect": "Slack's OAuth v2 callback",
                "POST /slack/events": "commands, interactions and events from Slack (signed)",
                "POST /ilert/events": "alert events from ilert (signed)",
                "GET /ilert/channels?accountId=": "the workspace's channels (signed)",
                "POST /ilert/alert-channels": "create an alert's own channel (signed)",
            },
        }
    )


# --- the install flow: a browser sent from ilert's Connectors page, and back from Slack -------

install_bp = Blueprint("install", __name__, url_prefix="/slack")


@install_bp.get("/install")
def install() -> Any:
    try:
        start = _connector().installer.start(request.args.get("ticket"))
    except InstallRefused as refusal:
        return _error_page(refusal.message, 400)
    response = redirect(start.authorize_url)
    response.set_cookie(
        STATE_COOKIE,
        start.state,
        max_age=STATE_TTL_SECONDS,
        httponly=True,
        samesite="Lax",
        path="/slack",
    )
    return response


@install_bp.get("/oauth_redirect")
def oauth_redirect() -> Any:
    installer = _connector().installer
    try:
        ticket = installer.ticket_for_callback(
            request.args.get("state"), request.cookies.get(STATE_COOKIE)
        )
    except InstallRefused as refusal:
        return _error_page(refusal.message, 400)
    try:
        link = installer.finish(
            ticket, code=request.args.get("code"), error=request.args.get("error")
        )
    except InstallRefused as refusal:
        target = return_url(ticket, status="error", error=refusal.code, message=refusal.message)
    else:
        target = return_url(ticket, status="success", workspace=link.team_name)
    response = redirect(target)
    response.delete_cookie(STATE_COOKIE, path="/slack")
    return response


# --- what Slack sends: commands and interactions, through the gate to Bolt --------------------

slack_bp = Blueprint("slack", __name__, url_prefix="/slack")


@slack_bp.post("/events")
def slack_events() -> Any:
    return _connector().slack_endpoint.handle(request)


# --- what ilert asks: alert events and the channel list (docs/contract.md, points 4 and 5) ----

ilert_bp = Blueprint("ilert", __name__, url_prefix="/ilert")


def _ilert_signature_refusal(signed: str) -> Response | None:
    connector = _connector()
    try:
        verify_webhook(
            secret=connector.config.ilert_secret,
            timestamp=request.headers.get("X-Ilert-Timestamp"),
            signature=request.headers.get("X-Ilert-Signature"),
            signed=signed,
            now=connector.clock(),
            max_age=connector.config.max_request_age,
        )
    except InvalidSignature as error:
        return _answer(Outcome.refused(401, "invalid_signature", str(error)))
    return None


@ilert_bp.post("/events")
def ilert_events() -> Any:
    refused = _ilert_signature_refusal(request.get_data(as_text=True))
    if refused is not None:
        return refused
    try:
        event = json.loads(request.get_data())
    except (ValueError, RecursionError):  # deeper than the parser goes is malformed too
        event = None
    delivery_id = request.headers.get("X-Ilert-Delivery", "")
    if not isinstance(event, dict) or not delivery_id:
        return _answer(MALFORMED_EVENT)
    connector = _connector()
    outcome = connector.notifier.handle(delivery_id, event)
    if outcome.status < 300:
        # An alert's own channel takes in whoever joins the alert (docs/contract.md §7).
        outcome = connector.alert_channels.invite_for_event(event) or outcome
    return _answer(outcome)


@ilert_bp.post("/alert-channels")
def ilert_alert_channels() -> Any:
    refused = _ilert_signature_refusal(request.get_data(as_text=True))
    if refused is not None:
        return refused
    try:
        body = json.loads(request.get_data())
    except (ValueError, RecursionError):
        body = None
    return _answer(_connector().alert_channels.create(body))


@ilert_bp.get("/channels")
def ilert_channels() -> Any:
    refused = _ilert_signature_refusal(request.full_path.rstrip("?"))
    if refused is not None:
        return refused
    account_id = ilert_id(request.args.get("accountId"))
    if account_id is None:
        return _answer(
            Outcome.refused(400, "invalid_account", "accountId must be an ilert account id.")
        )
    connector = _connector()
    link = connector.store.link_for_account(account_id)
    installations = connector.installations
    bot = installations.find_bot(enterprise_id=None, team_id=link.team_id) if link else None
    if bot is None:
        return _answer(
            Outcome.refused(
                404, "account_not_linked", "No Slack workspace is linked to this account."
            )
        )
    slack = WebClient(token=bot.bot_token, base_url=connector.config.slack_api_url)
    try:
        channels = [
            {"id": c["id"], "name": c["name"], "isPrivate": c.get("is_private", False)}
            for page in slack.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=200
            )
            for c in page["channels"]
        ]
    except SlackApiError as failure:
        refusal = slack_refusal(failure)
        # Slack's answer, not the connector's: a gateway's failure, with Slack's reason.
        return _answer(Outcome(502, refusal.body, refusal.retry_after))
    return jsonify({"ok": True, "channels": channels})


@ilert_bp.app_errorhandler(HTTPException)
def ilert_error(error: HTTPException) -> Any:
    """ilert reads every refusal as JSON (docs/contract.md, point 4); others get Flask's. App-wide,
    because Flask routes before it picks a blueprint: a 404 or a 405 under /ilert/ has none."""
    if not request.path.startswith("/ilert/"):
        return error
    code = (error.name or "error").lower().replace(" ", "_")
    response = _answer(Outcome.refused(error.code or 500, code, error.description or code))
    for name, value in error.get_headers():
        if name.lower() != "content-type":  # an Allow on a 405, for one
            response.headers[name] = value
    return response


def _answer(outcome: Outcome) -> Response:
    response = make_response(jsonify(outcome.body), outcome.status)
    if outcome.retry_after is not None:
        response.headers["Retry-After"] = str(outcome.retry_after)
    return response


def _error_page(message: str, status: int) -> Any:
    body = (
        f"<!doctype html><title>ilert Slack app</title><link rel='icon' href='data:,'>"
        f"<h1>The installation cannot go on</h1>"
        f"<p role='alert'>{escape(message)}</p>"
    )
    return make_response(body, status)
