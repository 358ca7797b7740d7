"""The composition of fake ilert: model, delivery queue, blueprints, error rendering, the clock.

sim = FakeIlert(clock=VirtualClock(), connector_url="http://127.0.0.1:8103")
served = ServedApp(sim.app).start(); sim.public_url = served.url
...
served.stop(); sim.close()
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from emulator.clock import Clock, SystemClock, VirtualClock
from emulator.ilert import alert_channels, snapshot
from emulator.ilert import serialize as ser
from emulator.ilert.api import create_api, register_converters
from emulator.ilert.api_oncall import create_oncall_api
from emulator.ilert.control import create_control
from emulator.ilert.delivery import Attempt, DeliveryQueue, parse_export
from emulator.ilert.errors import BadRequest, IlertError, InternalError
from emulator.ilert.events import create_events
from emulator.ilert.faults import FaultBook
from emulator.ilert.heartbeat_api import create_heartbeats
from emulator.ilert.models import AlertEvent, DeliveryStatus, IlertState
from emulator.ilert.oncall import OnCallService
from emulator.ilert.web import create_web
from emulator.ilert.wire import MAX_BODY_BYTES, body_too_large, check_body_size

log = logging.getLogger(__name__)
SESSION_COOKIE = "fakeilert_session"
_JSON_PREFIXES = ("/api", "/_sim")
_TITLES = {
    400: "Bad request",
    401: "Not logged in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
}


class FakeIlert:
    """One fake ilert: its state, its webhook queue and its WSGI app (`app`)."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        seed: int = 0,
        public_url: str = "",
        connector_url: str = "",
        connector_secret: str = "sim-connector-secret",
        stable_secrets: bool = False,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.public_url = public_url
        self.connector_url = connector_url
        self.connector_secret = connector_secret
        self.state = IlertState(clock=self.clock, seed=seed, stable_secrets=stable_secrets)
        self.faults = FaultBook(seed)
        self.delivery = DeliveryQueue(
            clock=self.clock,
            secret=connector_secret,
            url=lambda: self.connector_url,
            on_outcome=self._log_delivery,
        )
        self.alert_channels = alert_channels.AlertChannels()
        self.state.listeners.append(self._enqueue_event)
        self.oncall = OnCallService(self.state)
        self._closed = threading.Event()
        self._ticker: threading.Thread | None = None
        if isinstance(self.clock, VirtualClock):
            self.clock.on_advance(self._on_advance)
        else:
            self._ticker = threading.Thread(
                target=self._tick, name="fakeilert-escalations", daemon=True
            )
            self._ticker.start()
        self.app = self._build_app()

    # -- settable peer URLs (the harness learns ports after construction) ---------------------

    @property
    def public_url(self) -> str:
        return self._public_url

    @public_url.setter
    def public_url(self, value: str) -> None:
        self._public_url = (value or "").rstrip("/")

    @property
    def connector_url(self) -> str:
        return self._connector_url

    @connector_url.setter
    def connector_url(self, value: str) -> None:
        self._connector_url = (value or "").rstrip("/")

    # -- lifecycle ----------------------------------------------------------------------------

    def reset(self) -> None:
        self.state.reset()
        self.alert_channels.reset()
        self.delivery.reset()
        self.faults.reset()

    def export_state(self) -> dict[str, Any]:
        """The whole emulator as JSON: `snapshot.export_state` plus the webhook queue, the clock
        and the pages' session secret (so a logged-in browser stays logged in)."""
        with self.state.lock:  # events enqueue under this lock, so queue and alerts agree
            data = snapshot.export_state(self.state)
            data["deliveries"] = self.delivery.export()
            data["alertChannels"] = self.alert_channels.export()
        now = self.clock.now()
        virtual = isinstance(self.clock, VirtualClock)
        data["clock"] = {
            "kind": "virtual" if virtual else "system",
            "now": now,
            "offset": now - time.time(),
        }
        data["webSecret"] = str(self.app.secret_key)
        return data

    def import_state(self, data: Any) -> None:
        """Restore an export exactly; a refused import (400) changes nothing.

        A virtual clock moves forward to the exported time (never back: time only moves
        forward, and what is stored then simply lies in the past); the system clock stays.
        """
        if not isinstance(data, dict):
            raise BadRequest("Import: the state must be a JSON object")
        deliveries = parse_export(data.get("deliveries"))
        channels = alert_channels.parse_export(data.get("alertChannels"))
        clock = data.get("clock")
        exported_now = clock.get("now") if isinstance(clock, dict) else None
        if isinstance(exported_now, bool) or not isinstance(exported_now, int | float | None):
            raise BadRequest("Import: clock.now must be a number")
        snapshot.import_state(self.state, data)
        self.alert_channels.restore(channels)
        self.delivery.restore(deliveries)
        if isinstance(data.get("webSecret"), str) and data["webSecret"]:
            self.app.secret_key = data["webSecret"]
        if isinstance(self.clock, VirtualClock) and exported_now is not None:
            ahead = float(exported_now) - self.clock.now()
            if ahead > 0:
                self.clock.advance(ahead)
        self.delivery.notify()

    def close(self) -> None:
        """Stop the delivery worker and the escalation ticker; the app answers no more events."""
        self._closed.set()
        self.faults.close()
        self.delivery.close()
        if self._ticker is not None:
            self._ticker.join(2)

    # -- time ---------------------------------------------------------------------------------

    def _on_advance(self, now: float) -> None:
        if self._closed.is_set():
            return  # a VirtualClock cannot forget listeners, so a closed sim ignores it
        self.state.run_due(now)
        self.delivery.notify()

    def _tick(self) -> None:
        """With the system clock, escalate alerts as they fall due (looking each second)."""
        while not self._closed.is_set():
            self.state.run_due(self.clock.now())
            due = self.state.next_escalation_due()
            wait = 1.0 if due is None else min(max(due - self.clock.now(), 0.01), 1.0)
            self._closed.wait(wait)

    # -- webhooks -----------------------------------------------------------------------------

    def _enqueue_event(self, event: AlertEvent) -> None:
        """Called under the model's lock, so the alert JSON is the alert as of this event."""
        actions = self.state.matching_actions(event)
        own_channel = self.alert_channels.of(event.account.id, event.alert.id)
        if not actions and own_channel is None:
            return
        account, alert = event.account, event.alert
        alert_json = ser.alert_json(account, alert, self.public_url)
        actor = ser.user_json(event.actor) if event.actor else None
        for action in actions:
            body = {
                "eventType": event.event_type,
                "accountId": account.id,
                "alert": alert_json,
                "alertAction": ser.action_json(account, action, with_delivery=False),
                "actor": actor,
                "time": ser.iso(event.time),
            }
            channel = str(action.params.get("channelName") or action.params.get("channelId"))
            self.delivery.enqueue(
                account_id=account.id,
                alert_id=alert.id,
                action_id=action.id,
                channel=channel,
                event_type=event.event_type,
                body=json.dumps(body).encode(),
            )
        if own_channel is not None:
            # Every event of the alert also goes to its own channel (alert_channels).
            body = alert_channels.dedicated_body(
                own_channel,
                {
                    "eventType": event.event_type,
                    "accountId": account.id,
                    "alert": alert_json,
                    "actor": actor,
                    "time": ser.iso(event.time),
                },
            )
            self.delivery.enqueue(
                account_id=account.id,
                alert_id=alert.id,
                action_id=body["alertAction"]["id"],
                channel=own_channel.name,
                event_type=event.event_type,
                body=json.dumps(body).encode(),
            )

    def _log_delivery(self, attempt: Attempt) -> None:
        """Each attempt goes in the alert's log and sets its alert action's delivery status."""
        delivery, outcome = attempt.delivery, attempt.outcome
        kind = "AlertActionSuccessLogEntry" if outcome.delivered else "AlertActionFailLogEntry"
        self.state.add_log(delivery.account_id, delivery.alert_id, kind, attempt.describe())
        if outcome.delivered:
            status = DeliveryStatus("OKAY", last_attempt_at=attempt.now)
        else:
            status = DeliveryStatus(
                "FAILING" if attempt.wait is None else "RETRYING",
                error=outcome.error,
                reason=outcome.reason,
                last_attempt_at=attempt.now,
                next_attempt_at=attempt.retry_at,
            )
        self.state.record_delivery(delivery.account_id, delivery.action_id, status)

    # -- the WSGI app -------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask(__name__, template_folder="web/templates")
        app.config.update(
            SECRET_KEY=secrets.token_hex(32),
            SESSION_COOKIE_NAME=SESSION_COOKIE,
            JSON_SORT_KEYS=False,
            # A form's fields may fill the whole body limit (Werkzeug's own default is 500 kB).
            MAX_FORM_MEMORY_SIZE=MAX_BODY_BYTES,
        )
        app.json.sort_keys = False  # type: ignore[attr-defined]
        register_converters(app)
        app.register_blueprint(create_api(self))
        app.register_blueprint(create_oncall_api(self, self.oncall))
        app.register_blueprint(create_events(self))
        app.register_blueprint(create_heartbeats(self))
        app.register_blueprint(create_control(self))
        app.register_blueprint(create_web(self))
        app.register_error_handler(IlertError, _render_error)
        app.register_error_handler(HTTPException, _render_http_error)
        app.register_error_handler(Exception, _render_crash)

        @app.before_request
        def bound_the_body() -> None:
            # ilert's API, the events API and the pages; the control plane takes whole states.
            if not request.path.startswith("/_sim/"):
                check_body_size()

        @app.before_request
        def strike_faults() -> None:
            # ilert's API and events API only: the control plane and the pages stay reliable.
            if request.path.startswith("/api/"):
                self.faults.apply(request.method, request.path)

        @app.before_request
        def run_due_escalations() -> None:
            if not isinstance(self.clock, VirtualClock):
                self.state.run_due(self.clock.now())

        return app


def _render_error(error: IlertError) -> Any:
    """The one place a typed error becomes a response: JSON for the API, a page for people.
    Every 405 names the methods the path takes (RFC 9110 §15.5.6 requires `Allow`)."""
    headers = {"Allow": ", ".join(_allowed_methods())} if error.status == 405 else {}
    if request.path.startswith(_JSON_PREFIXES):
        return jsonify(error.to_json()), error.status, headers
    page = render_template(
        "error.html",
        status=error.status,
        message=error.message,
        title=_TITLES.get(error.status, "Error"),
    )
    return page, error.status, headers


def _allowed_methods() -> list[str]:
    adapter = current_app.url_map.bind_to_environ(request.environ)
    return sorted(adapter.allowed_methods())


def _render_http_error(error: HTTPException) -> Any:
    if error.code == 413:  # a body without a length that outgrew the limit while read
        return _render_error(body_too_large(request.content_length))
    typed = IlertError(error.description or error.name)
    typed.status = error.code or 500
    typed.code = (error.name or "Error").upper().replace(" ", "_")
    return _render_error(typed)


def _render_crash(error: Exception) -> Any:
    log.exception("fake ilert failed on %s %s", request.method, request.path)
    return _render_error(InternalError(f"Internal error: {type(error).__name__}: {error}"))
