"""`create_app(config)`: the connector as a Flask application.

HTTP only parses and answers here; the install steps, the Bolt listeners and the notifier do the
work. Slack's requests are checked by Bolt's signature middleware, ilert's by `signing`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, make_response, redirect, request
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


def create_app(config: ConnectorConfig, *, clock: Callable[[], float] = time.time) -> Flask:
    app = Flask(__name__)
    app.config["SESSION_COOKIE_NAME"] = config.session_cookie_name
    store = ConnectorStore(config.database_path)
    # Whoever stops the app closes its database (harness.simulation), so the file can be replaced.
    app.extensions["connector_store"] = store
    installations = SQLite3InstallationStore(
        database=config.database_path, client_id=config.client_id
    )
    installer = Installer(config, store, installations, clock=clock)
    notifier = Notifier(
        store=store,
        installations=installations,
        slack_api_url=config.slack_api_url,
        ilert_url=config.ilert_url,
        pacer=Pacer(time_scale=config.slack_time_scale),
    )
    alert_channels = AlertChannels(
        store=store,
        installations=installations,
        slack_api_url=config.slack_api_url,
        slack_url=config.slack_url,
        pacer=notifier.pacer,
    )
    slack_endpoint = SlackEndpoint(
        build_bolt_app(config, store, installations), SlackRequestGate(config, store, clock=clock)
    )

    @app.get("/")
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

    @app.get("/slack/install")
    def install() -> Any:
        try:
            start = installer.start(request.args.get("ticket"))
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

    @app.get("/slack/oauth_redirect")
    def oauth_redirect() -> Any:
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

    @app.post("/slack/events")
    def slack_events() -> Any:
        return slack_endpoint.handle(request)

    def check_ilert_signature(signed: str) -> Response | None:
        try:
            verify_webhook(
                secret=config.ilert_secret,
                timestamp=request.headers.get("X-Ilert-Timestamp"),
                signature=request.headers.get("X-Ilert-Signature"),
                signed=signed,
                now=clock(),
                max_age=config.max_request_age,
            )
        except InvalidSignature as error:
            return _answer(Outcome.refused(401, "invalid_signature", str(error)))
        return None

    @app.post("/ilert/events")
    def ilert_events() -> Any:
        refused = check_ilert_signature(request.get_data(as_text=True))
        if refused is not None:
            return refused
        try:
            event = json.loads(request.get_data())
        except (ValueError, RecursionError):  # deeper than the parser goes is malformed too
            event = None
        delivery_id = request.headers.get("X-Ilert-Delivery", "")
        if not isinstance(event, dict) or not delivery_id:
            return _answer(MALFORMED_EVENT)
        outcome = notifier.handle(delivery_id, event)
        if outcome.status < 300:
            # An alert's own channel takes in whoever joins the alert (docs/contract.md §6).
            outcome = alert_channels.invite_for_event(event) or outcome
        return _answer(outcome)

    @app.post("/ilert/alert-channels")
    def ilert_alert_channels() -> Any:
        refused = check_ilert_signature(request.get_data(as_text=True))
        if refused is not None:
            return refused
        try:
            body = json.loads(request.get_data())
        except (ValueError, RecursionError):
            body = None
        return _answer(alert_channels.create(body))

    @app.get("/ilert/channels")
    def ilert_channels() -> Any:
        refused = check_ilert_signature(request.full_path.rstrip("?"))
        if refused is not None:
            return refused
        account_id = ilert_id(request.args.get("accountId"))
        if account_id is None:
            return _answer(
                Outcome.refused(400, "invalid_account", "accountId must be an ilert account id.")
            )
        link = store.link_for_account(account_id)
        bot = installations.find_bot(enterprise_id=None, team_id=link.team_id) if link else None
        if bot is None:
            return _answer(
                Outcome.refused(
                    404, "account_not_linked", "No Slack workspace is linked to this account."
                )
            )
        slack = WebClient(token=bot.bot_token, base_url=config.slack_api_url)
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

    @app.errorhandler(HTTPException)
    def ilert_error(error: HTTPException) -> Any:
        """ilert reads every refusal as JSON (docs/contract.md, point 4); others get Flask's."""
        if not request.path.startswith("/ilert/"):
            return error
        code = (error.name or "error").lower().replace(" ", "_")
        response = _answer(Outcome.refused(error.code or 500, code, error.description or code))
        for name, value in error.get_headers():
            if name.lower() != "content-type":  # an Allow on a 405, for one
                response.headers[name] = value
        return response

    return app


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
