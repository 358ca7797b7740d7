"""fake ilert's pages for people: log in, the alerts, alert sources and their tabs, an alert,
and the gear menu's Connectors → Slack Workspace Integration.

Thin: a view parses the form, calls the model exactly as the API does and redirects; what a page
shows comes from `pages` (read under the model's lock, shaped by `serialize`). Every permission is
the model's: a page leaves out the forms a role may not use, and posting one anyway gets the same
403 the API answers. The changing parts of a page keep themselves current by polling
`…/updates` (see `pages`). State-changing forms are plain POSTs; one whose browser names another
origin is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import requests
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from emulator.clock import VirtualClock
from emulator.ilert import alert_channels, pages
from emulator.ilert.errors import BadRequest, Conflict, Forbidden, IlertError, NotFound
from emulator.ilert.fields import is_id
from emulator.ilert.models import (
    SLACK,
    SLACK_CONNECTOR_LABEL,
    TRIGGER_MODES,
    TRIGGER_TYPES,
    Actor,
)
from emulator.ilert.redirects import same_origin_path
from emulator.ilert.tickets import issue_ticket, sign_headers
from emulator.ilert.wire import check_lengths

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
TABS = ("settings", "alerts", "alert-actions")


class LoginRequired(Exception):
    """Raised by `web_actor` when no one is logged in; answered with a redirect to /login."""


@dataclass(frozen=True)
class LivePage:
    """A page template and the partial templates of its changing parts, by region name."""

    template: str
    regions: dict[str, str]


ALERTS = LivePage("alerts.html", {"list": "parts/alerts_list.html"})
SOURCES = LivePage("sources.html", {"list": "parts/sources_list.html"})
SOURCE = LivePage(
    "source.html",
    {
        "head": "parts/source_head.html",
        "settings": "parts/source_settings.html",
        "actions": "parts/source_actions.html",
        "alerts": "parts/source_alerts.html",
    },
)
ALERT = LivePage(
    "alert.html",
    {
        "head": "parts/alert_head.html",
        "details": "parts/alert_details.html",
        "timeline": "parts/alert_timeline.html",
    },
)
CONNECTORS = LivePage("connectors.html", {"list": "parts/connectors_list.html"})
SLACK_PAGE = LivePage("slack.html", {"setup": "parts/slack_setup.html"})


def create_web(sim: FakeIlert) -> Blueprint:
    bp = Blueprint(
        "ilert_web",
        __name__,
        template_folder="web/templates",
        static_folder="web/static",
        static_url_path="/assets",
    )
    state = sim.state

    def web_actor() -> Actor:
        found = state.user_by_id(int(session.get("user_id", 0)))
        if found is None:
            raise LoginRequired()
        return Actor(*found)

    @bp.app_errorhandler(LoginRequired)
    def to_login(_: LoginRequired) -> Response:
        return redirect(url_for("ilert_web.login", next=request.full_path.rstrip("?")))

    @bp.before_request
    def same_origin_posts() -> None:
        # Browsers name the page a form was sent from; tools (requests, curl) send no Origin.
        origin = request.headers.get("Origin")
        if request.method == "POST" and origin and origin != request.host_url.rstrip("/"):
            raise Forbidden(f"A form of another site ({origin}) cannot act in fake ilert")

    @bp.before_request
    def bounded_form_fields() -> None:
        if request.method == "POST":
            values = {name: request.form.getlist(name) for name in request.form}
            check_lengths({k: v[0] if len(v) == 1 else v for k, v in values.items()})

    @bp.context_processor
    def globals_() -> dict[str, Any]:
        found = state.user_by_id(int(session.get("user_id", 0)))
        return {
            "me": found[1] if found else None,
            "account": found[0] if found else None,
            "perm": pages.permissions(Actor(*found)) if found else {},
            "slack_label": SLACK_CONNECTOR_LABEL,
            # Popped only when there is one: an untouched session sends no cookie back, so a poll
            # never races a form that just logged someone in or out.
            "flash": session.pop("flash") if "flash" in session else None,
        }

    bp.add_app_template_filter(pages.local_time, "local_time")
    bp.add_app_template_filter(pages.duration_words, "duration")
    bp.add_app_template_global(_page_url, "page_url")

    _session_pages(bp, sim)
    _connector_pages(bp, sim, web_actor)
    _source_pages(bp, sim, web_actor)
    _alert_pages(bp, sim, web_actor)
    return bp


# --- plumbing --------------------------------------------------------------------------------


def _clock(sim: FakeIlert) -> pages.Clock:
    return pages.Clock(sim.clock.now(), not isinstance(sim.clock, VirtualClock))


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 10 else 1


def _page_url(number: int, tab: str = "") -> str:
    """The page being drawn (also from its `…/updates`), at page `number` of its list."""
    query = {k: v for k, v in request.args.items() if k not in ("v", "page", "tab")}
    if tab:
        query["tab"] = tab
    if number > 1:
        query["page"] = str(number)
    path = request.path.removesuffix("/updates")
    return path + (f"?{urlencode(query)}" if query else "")


def _show(page: LivePage, live: pages.Live, **extra: Any) -> str:
    """The whole page; `updates` is where its script asks for changes."""
    query = {k: v for k, v in request.args.items() if k in ("page", "show")}
    updates = request.path.rstrip("/") + "/updates" + (f"?{urlencode(query)}" if query else "")
    return render_template(
        page.template, version=live.version, updates=updates, **live.context, **extra
    )


def _updates(page: LivePage, build: Callable[[], pages.Live]) -> Any:
    """204 while the page is current, else its changed parts; never a 4xx for the script (the
    browser's console would log it), but what became of the page instead."""
    try:
        live = build()
    except LoginRequired:
        return _no_store(jsonify({"loggedOut": True}))
    except IlertError as error:
        return _no_store(jsonify({"gone": error.message}))
    if request.args.get("v") == live.version:
        return _no_store(Response(status=204))
    html = {name: render_template(t, **live.context) for name, t in page.regions.items()}
    return _no_store(jsonify({"version": live.version, "html": html}))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _flash(kind: str, text: str) -> None:
    session["flash"] = {"kind": kind, "text": text}


def _back(path: str, **query: str) -> Response:
    return redirect(path + (f"?{urlencode(query)}" if query else ""))


# --- log in ----------------------------------------------------------------------------------


def _session_pages(bp: Blueprint, sim: FakeIlert) -> None:
    @bp.get("/")
    def home() -> Any:
        if request.accept_mimetypes.best == "application/json":
            return {
                "service": "fake-ilert",
                "api": "/api",
                "control": "/_sim",
                "openapi": "/_sim/openapi.json",
                "pages": [
                    "/login",
                    "/alerts",
                    "/alert-sources",
                    "/connectors",
                    "/connectors/slack",
                ],
            }
        if sim.state.user_by_id(int(session.get("user_id", 0))):
            return redirect("/alerts")
        return login()

    @bp.get("/login")
    def login() -> Any:
        """Who to log in as; also the start page of someone not logged in."""
        with sim.state.lock:
            accounts = [(a, list(a.users.values())) for a in sim.state.accounts.values()]
        return render_template("login.html", accounts=accounts, next=request.args.get("next", ""))

    @bp.post("/login")
    def do_login() -> Any:
        raw = request.form.get("user_id", "")
        if not is_id(raw) or sim.state.user_by_id(int(raw)) is None:
            raise NotFound(f"User {raw or '(none)'} not found")
        session["user_id"] = int(raw)
        return redirect(same_origin_path(request.form.get("next", "")) or "/")

    @bp.post("/logout")
    def logout() -> Any:
        session.pop("user_id", None)
        return redirect("/login")


# --- Connectors ------------------------------------------------------------------------------


def _connector_pages(bp: Blueprint, sim: FakeIlert, web_actor: Callable[[], Actor]) -> None:
    state = sim.state

    @bp.get("/connectors")
    def connectors() -> Any:
        return _show(CONNECTORS, pages.connectors_view(state, web_actor()))

    @bp.get("/connectors/updates")
    def connectors_updates() -> Any:
        return _updates(CONNECTORS, lambda: pages.connectors_view(state, web_actor()))

    @bp.get("/connectors/slack")
    def slack() -> Any:
        return _show(
            SLACK_PAGE,
            pages.connectors_view(state, web_actor()),
            status=request.args.get("status"),
            message=request.args.get("message"),
            error=request.args.get("error"),
        )

    @bp.get("/connectors/slack/updates")
    def slack_updates() -> Any:
        return _updates(SLACK_PAGE, lambda: pages.connectors_view(state, web_actor()))

    @bp.post("/connectors/slack/authorize")
    def authorize() -> Any:
        actor = web_actor()
        user = actor.user
        assert user is not None  # a page's actor is always a person
        if not pages.permissions(actor)["can_manage"]:
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


# --- alert sources ---------------------------------------------------------------------------


def _source_pages(bp: Blueprint, sim: FakeIlert, web_actor: Callable[[], Actor]) -> None:
    state = sim.state

    def listing() -> pages.Live:
        return pages.sources_view(state, web_actor(), page=_page_number())

    @bp.get("/alert-sources")
    def sources() -> Any:
        return _show(SOURCES, listing())

    @bp.get("/alert-sources/updates")
    def sources_updates() -> Any:
        return _updates(SOURCES, listing)

    def source_live(source_id: int) -> pages.Live:
        return pages.source_view(
            state,
            web_actor(),
            source_id,
            sim.public_url,
            page=_page_number(),
            clock=_clock(sim),
        )

    @bp.get("/alert-sources/<int:source_id>")
    def source(source_id: int) -> Any:
        actor = web_actor()
        live = source_live(source_id)
        offer_form = live.context["slack"] is not None and pages.permissions(actor)["can_configure"]
        # Only the form needs the connector's channel list, and only the full page has the form:
        # polling never asks the connector (a new private channel shows after a reload).
        channels, channel_error = (
            _fetch_channels(sim, actor.account.id) if offer_form else ([], None)
        )
        tab = request.args.get("tab", "")
        return _show(
            SOURCE,
            live,
            tab=tab if tab in TABS else "settings",
            channels=channels,
            channel_error=channel_error,
            trigger_types=TRIGGER_TYPES,
            trigger_modes=TRIGGER_MODES,
            default_triggers=DEFAULT_TRIGGERS,
        )

    @bp.get("/alert-sources/<int:source_id>/updates")
    def source_updates(source_id: int) -> Any:
        return _updates(SOURCE, lambda: source_live(source_id))

    @bp.post("/alert-sources/<int:source_id>/alerts")
    def create_alert(source_id: int) -> Any:
        actor = web_actor()
        try:
            alert = state.create_alert(
                actor,
                {
                    "summary": request.form.get("summary", ""),
                    "details": request.form.get("details", ""),
                    "priority": request.form.get("priority", "HIGH"),
                    "alertSource": {"id": source_id},
                },
            )
        except BadRequest as error:
            _flash("error", f"The alert was not created: {error.message}")
            return _back(f"/alert-sources/{source_id}", tab="alerts")
        return redirect(f"/alerts/{alert.id}")

    @bp.post("/alert-sources/<int:source_id>/alert-actions")
    def create_action(source_id: int) -> Any:
        actor = web_actor()
        slack = actor.account.slack_connector()
        channel_id, channel_name = _channel_from_form()
        try:
            action = state.create_action(
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
        except BadRequest as error:
            _flash("error", f"The alert action was not created: {error.message}")
        else:
            _flash("success", f"Alert action {action.name} created")
        return _back(f"/alert-sources/{source_id}", tab="alert-actions")

    @bp.post("/alert-sources/<int:source_id>/alert-actions/<action_id>/delete")
    def delete_action(source_id: int, action_id: str) -> Any:
        state.delete_action(web_actor(), action_id)
        _flash("success", "Alert action deleted")
        return _back(f"/alert-sources/{source_id}", tab="alert-actions")


def _channel_from_form() -> tuple[str, str]:
    """`channel` is "<id>|<name>" from the select; `channelId`/`channelName` type it by hand."""
    picked = request.form.get("channel", "")
    if "|" in picked:
        channel_id, channel_name = picked.split("|", 1)
        return channel_id, channel_name
    return request.form.get("channelId", "").strip(), request.form.get("channelName", "").strip()


# --- alerts ----------------------------------------------------------------------------------


def _alert_pages(bp: Blueprint, sim: FakeIlert, web_actor: Callable[[], Actor]) -> None:
    state = sim.state

    def listing() -> pages.Live:
        show = request.args.get("show", "open")
        return pages.alerts_view(
            state,
            web_actor(),
            sim.public_url,
            show=show if show in pages.ALERT_FILTERS else "open",
            page=_page_number(),
            clock=_clock(sim),
        )

    @bp.get("/alerts")
    def alerts() -> Any:
        return _show(ALERTS, listing())

    @bp.get("/alerts/updates")
    def alerts_updates() -> Any:
        return _updates(ALERTS, listing)

    def alert_live(alert_id: int) -> pages.Live:
        actor = web_actor()
        live = pages.alert_view(state, actor, alert_id, sim.public_url, clock=_clock(sim))
        alert = live.context["alert"]
        live.context["alert_channel"] = sim.alert_channels.of(actor.account.id, alert_id)
        live.context["slack_linked"] = actor.account.slack_connector() is not None
        live.context["channel_default"] = alert_channels.default_name(
            alert["alertSource"]["name"], alert_id
        )
        return live

    @bp.get("/alerts/<int:alert_id>")
    def alert(alert_id: int) -> Any:
        actor = web_actor()
        live = alert_live(alert_id)
        can_handle = pages.permissions(actor)["can_handle"]
        people = pages.assignees(state, actor, alert_id) if can_handle else []
        manual = [
            {"id": action.id, "name": action.name, "runs": len(runs)}
            for action, runs in sim.oncall.manual_actions(actor, alert_id)
        ]
        return _show(ALERT, live, assignees=people, manual_actions=manual)

    @bp.get("/alerts/<int:alert_id>/updates")
    def alert_updates(alert_id: int) -> Any:
        return _updates(ALERT, lambda: alert_live(alert_id))

    def act(alert_id: int, change: Callable[[Actor], Any]) -> Response:
        try:
            change(web_actor())
        except BadRequest as error:
            _flash("error", error.message)
        return redirect(f"/alerts/{alert_id}")

    @bp.post("/alerts/<int:alert_id>/accept")
    def accept(alert_id: int) -> Any:
        return act(alert_id, lambda actor: state.accept_alert(actor, alert_id))

    @bp.post("/alerts/<int:alert_id>/resolve")
    def resolve(alert_id: int) -> Any:
        return act(alert_id, lambda actor: state.resolve_alert(actor, alert_id))

    @bp.post("/alerts/<int:alert_id>/slack-channel")
    def create_slack_channel(alert_id: int) -> Any:
        """Links → Create Slack channel: the alert's own channel, made by the connector."""
        connection = alert_channels.Connection(
            url=lambda: sim.connector_url,
            secret=sim.connector_secret,
            public_url=lambda: sim.public_url,
        )
        name = request.form.get("name", "").strip()
        is_private = request.form.get("private") == "on"
        try:
            created = alert_channels.create_alert_channel(
                state,
                sim.alert_channels,
                connection,
                web_actor(),
                alert_id,
                name=name,
                is_private=is_private,
            )
        except alert_channels.ChannelNotCreated as error:
            _flash(
                "error", f"The Slack channel was not created: {error.message} ({error.slack_error})"
            )
        except (BadRequest, Conflict) as error:
            _flash("error", f"The Slack channel was not created: {error.message}")
        else:
            _flash("success", f"Slack channel #{created.channel.name} created{created.left_out()}")
        return redirect(f"/alerts/{alert_id}")

    @bp.post("/alerts/<int:alert_id>/actions/<action_id>/run")
    def run_action(alert_id: int, action_id: str) -> Any:
        """The alert page's "Run" on a MANUAL alert action (`POST /api/alerts/{id}/actions`)."""

        def run(actor: Actor) -> None:
            sim.oncall.run_action(actor, alert_id, action_id)
            _flash("success", "The alert action was run")

        return act(alert_id, run)

    @bp.post("/alerts/<int:alert_id>/assign")
    def assign(alert_id: int) -> Any:
        user = request.form.get("user_id", "")
        return act(alert_id, lambda actor: state.assign_alert(actor, alert_id, user=user))
