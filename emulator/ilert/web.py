"""fake ilert's pages: log in, Connectors → Slack Workspace Integration, alert sources, alerts.

Server-rendered forms without JavaScript. Every role check happens in the model, as for the API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import requests
from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from emulator.ilert import serialize as ser
from emulator.ilert.errors import Forbidden, NotFound
from emulator.ilert.models import (
    SLACK,
    SLACK_CONNECTOR_LABEL,
    TRIGGER_MODES,
    TRIGGER_TYPES,
    Actor,
)
from emulator.ilert.tickets import issue_ticket, sign_headers

if TYPE_CHECKING:
    from emulator.ilert.app import FakeIlert

CHANNELS_TIMEOUT = 5.0
DEFAULT_TRIGGERS = (
    "alert-created",
    "alert-assigned",
    "alert-auto-escalated",
    "alert-acknowledged",
    "alert-resolved",
)


class LoginRequired(Exception):
    """Raised by `web_actor` when no one is logged in; answered with a redirect to /login."""


def create_web(sim: FakeIlert) -> Blueprint:
    bp = Blueprint("ilert_web", __name__, template_folder="web/templates")
    state = sim.state

    def web_actor() -> Actor:
        found = state.user_by_id(int(session.get("user_id", 0)))
        if found is None:
            raise LoginRequired()
        return Actor(*found)

    @bp.app_errorhandler(LoginRequired)
    def to_login(_: LoginRequired) -> Response:
        return redirect(url_for("ilert_web.login", next=request.full_path.rstrip("?")))

    @bp.context_processor
    def globals_() -> dict[str, Any]:
        found = state.user_by_id(int(session.get("user_id", 0)))
        return {
            "me": found[1] if found else None,
            "account": found[0] if found else None,
            "slack_label": SLACK_CONNECTOR_LABEL,
        }

    _session_pages(bp, sim)
    _connector_pages(bp, sim, web_actor)
    _source_pages(bp, sim, web_actor)
    _alert_pages(bp, sim, web_actor)
    return bp


def _session_pages(bp: Blueprint, sim: FakeIlert) -> None:
    @bp.get("/")
    def home() -> Any:
        if request.accept_mimetypes.best == "application/json":
            return {
                "service": "fake-ilert",
                "api": "/api",
                "control": "/_sim",
                "pages": ["/login", "/connectors", "/connectors/slack", "/alert-sources"],
            }
        return render_template("home.html")

    @bp.get("/login")
    def login() -> Any:
        with sim.state.lock:
            accounts = [(a, list(a.users.values())) for a in sim.state.accounts.values()]
        return render_template("login.html", accounts=accounts, next=request.args.get("next", ""))

    @bp.post("/login")
    def do_login() -> Any:
        raw = request.form.get("user_id", "")
        if not raw.isdigit() or sim.state.user_by_id(int(raw)) is None:
            raise NotFound(f"User {raw or '(none)'} not found")
        session["user_id"] = int(raw)
        target = request.form.get("next", "")
        return redirect(target if target.startswith("/") and not target.startswith("//") else "/")

    @bp.post("/logout")
    def logout() -> Any:
        session.pop("user_id", None)
        return redirect("/login")


def _connector_pages(bp: Blueprint, sim: FakeIlert, web_actor: Any) -> None:
    @bp.get("/connectors")
    def connectors() -> Any:
        actor = web_actor()
        return render_template(
            "connectors.html",
            slack=actor.account.slack_connector(),
            others=[c for c in sim.state.list_connectors(actor) if c.type != SLACK],
        )

    @bp.get("/connectors/slack")
    def slack() -> Any:
        actor = web_actor()
        return render_template(
            "slack.html",
            connector=actor.account.slack_connector(),
            status=request.args.get("status"),
            message=request.args.get("message"),
            error=request.args.get("error"),
        )

    @bp.post("/connectors/slack/authorize")
    def authorize() -> Any:
        actor = web_actor()
        user = actor.user
        if not (user.is_owner or user.role == "ADMIN"):
            raise Forbidden(
                f"Only an Admin can authorize the {SLACK_CONNECTOR_LABEL}. You are "
                f"logged in as {user.name} with the role {user.role}."
            )
        ticket = issue_ticket(
            sim.connector_secret,
            account_id=actor.account.id,
            user_id=user.id,
            return_url=f"{sim.public_url}/connectors/slack",
        )
        return redirect(f"{sim.connector_url}/slack/install?{urlencode({'ticket': ticket})}")


def _fetch_channels(sim: FakeIlert, account_id: int) -> tuple[list[dict[str, Any]], str | None]:
    """The workspace's channels as the connector lists them (docs/contract.md §5)."""
    path = f"/ilert/channels?{urlencode({'accountId': account_id})}"
    if not sim.connector_url:
        return [], "No connector URL is configured"
    try:
        response = requests.get(
            sim.connector_url.rstrip("/") + path,
            headers=sign_headers(sim.connector_secret, path),
            timeout=CHANNELS_TIMEOUT,
        )
        response.raise_for_status()
        channels = response.json().get("channels", [])
        return [c for c in channels if isinstance(c, dict) and c.get("id")], None
    except (requests.RequestException, ValueError, AttributeError) as error:
        return [], f"The channel list could not be loaded from the connector ({error})"


def _source_pages(bp: Blueprint, sim: FakeIlert, web_actor: Any) -> None:
    state = sim.state

    @bp.get("/alert-sources")
    def sources() -> Any:
        actor = web_actor()
        items = [ser.source_json(state, actor.account, s) for s in state.list_sources(actor)]
        return render_template("sources.html", sources=items)

    @bp.get("/alert-sources/<int:source_id>")
    def source(source_id: int) -> Any:
        actor = web_actor()
        src = state.get_source(actor, source_id)
        slack = actor.account.slack_connector()
        channels, channel_error = _fetch_channels(sim, actor.account.id) if slack else ([], None)
        alerts = state.list_alerts(actor, states=[], sources=[src.id], limit=20)
        return render_template(
            "source.html",
            source=ser.source_json(state, actor.account, src),
            actions=[
                ser.action_json(actor.account, a) for a in state.list_actions(actor, source=src.id)
            ],
            alerts=[ser.alert_json(actor.account, a, sim.public_url) for a in alerts],
            slack=slack,
            channels=channels,
            channel_error=channel_error,
            trigger_types=TRIGGER_TYPES,
            trigger_modes=TRIGGER_MODES,
            default_triggers=DEFAULT_TRIGGERS,
            message=request.args.get("message"),
        )

    @bp.post("/alert-sources/<int:source_id>/alerts")
    def create_alert(source_id: int) -> Any:
        actor = web_actor()
        alert = state.create_alert(
            actor,
            {
                "summary": request.form.get("summary", ""),
                "details": request.form.get("details", ""),
                "priority": request.form.get("priority", "HIGH"),
                "alertSource": {"id": source_id},
            },
        )
        return redirect(f"/alerts/{alert.id}")

    @bp.post("/alert-sources/<int:source_id>/alert-actions")
    def create_action(source_id: int) -> Any:
        actor = web_actor()
        slack = actor.account.slack_connector()
        channel_id, channel_name = _channel_from_form()
        state.create_action(
            actor,
            {
                "name": request.form.get("name") or None,
                "alertSources": [{"id": source_id}],
                "connectorType": SLACK,
                "connectorId": slack.id if slack else None,
                "triggerMode": request.form.get("triggerMode", "AUTOMATIC"),
                "triggerTypes": request.form.getlist("triggerTypes"),
                "params": {"channelId": channel_id, "channelName": channel_name},
            },
        )
        return redirect(f"/alert-sources/{source_id}?message=Alert+action+created")

    @bp.post("/alert-sources/<int:source_id>/alert-actions/<action_id>/delete")
    def delete_action(source_id: int, action_id: str) -> Any:
        state.delete_action(web_actor(), action_id)
        return redirect(f"/alert-sources/{source_id}?message=Alert+action+deleted")


def _channel_from_form() -> tuple[str, str]:
    """`channel` is "<id>|<name>" from the select; `channelId`/`channelName` type it by hand."""
    picked = request.form.get("channel", "")
    if "|" in picked:
        channel_id, channel_name = picked.split("|", 1)
        return channel_id, channel_name
    return request.form.get("channelId", "").strip(), request.form.get("channelName", "").strip()


def _alert_pages(bp: Blueprint, sim: FakeIlert, web_actor: Any) -> None:
    state = sim.state

    @bp.get("/alerts/<int:alert_id>")
    def alert(alert_id: int) -> Any:
        actor = web_actor()
        found = state.get_alert(actor, alert_id)
        return render_template(
            "alert.html",
            alert=ser.alert_json(actor.account, found, sim.public_url),
            log=[ser.log_entry_json(actor.account, e) for e in state.log_entries(actor, alert_id)],
        )

    @bp.post("/alerts/<int:alert_id>/accept")
    def accept(alert_id: int) -> Any:
        state.accept_alert(web_actor(), alert_id)
        return redirect(f"/alerts/{alert_id}")

    @bp.post("/alerts/<int:alert_id>/resolve")
    def resolve(alert_id: int) -> Any:
        state.resolve_alert(web_actor(), alert_id)
        return redirect(f"/alerts/{alert_id}")
