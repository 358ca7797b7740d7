"""`FakeSlack`: the WSGI application of fake Slack, with its model, pages and control plane."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

import flask
from flask import jsonify
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import BaseConverter

from emulator.clock import Clock, VirtualClock
from emulator.slack import actor, control, jsontext, oauth, openapi, pages, webapi
from emulator.slack import webapi_managing as _managing_handlers  # noqa: F401 (registers)
from emulator.slack import webapi_scheduled as _scheduled_handlers  # noqa: F401 (registers)
from emulator.slack.events import EventQueue
from emulator.slack.faults import FaultBook
from emulator.slack.journal import Journal
from emulator.slack.methods import method_specs
from emulator.slack.models import SlackState
from emulator.slack.ratelimits import RateLimiter
from emulator.slack.scheduling import DuePoster
from emulator.slack.wire import keep_lowercase_headers

log = logging.getLogger(__name__)

try:
    from waitress.channel import ClientDisconnected as _Disconnect
except ImportError:  # pragma: no cover - waitress is a dependency
    _Disconnect = ConnectionAbortedError  # type: ignore[assignment,misc]


class DroppedConnection(_Disconnect):  # type: ignore[misc,valid-type]
    """Raised past Flask when a fault drops the connection.

    Waitress takes it for a client that went away: it writes nothing and closes the socket, so
    the client sees the connection close without an HTTP answer. Under another WSGI server the
    exception reaches that server's own error handling instead.
    """


class _PageSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, opened only for requests that carry the cookie.

    Sessions belong to the pages people sign in on; Web API clients send no cookie, and building
    the signing serializer for each of their calls would cost as much as the call itself.
    """

    def open_session(self, app: flask.Flask, request: flask.Request) -> SecureCookieSession | None:
        if "HTTP_COOKIE" not in request.environ:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(
        self, app: flask.Flask, session: SecureCookieSession, response: flask.Response
    ) -> None:
        if session or session.modified or session.accessed:
            super().save_session(app, session, response)


class FakeSlack:
    """Fake Slack as one Flask app; `public_url` is the base of response URLs.

    `clock` tells domain time (message ts), `wall` signs requests and expires triggers and codes,
    `ack_timeout` is how long the actor waits for the app (three seconds on Slack), `rate_limits`
    and `time_scale` are the rate limiter's starting settings, `monotonic` its clock;
    `stable_secrets` draws tokens and app secrets from the seed too (`emulator.ids`);
    `lenient` lets Block Kit that Slack refuses through, with a warning in the journal (off by
    default: a green run should mean Slack would have taken the same calls).
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        seed: int = 0,
        public_url: str = "",
        wall: Clock | None = None,
        ack_timeout: float = actor.ACK_TIMEOUT,
        rate_limits: bool = False,
        time_scale: float = 1.0,
        journal_size: int = 1000,
        monotonic: Callable[[], float] = time.monotonic,
        stable_secrets: bool = False,
        lenient: bool = False,
    ) -> None:
        keep_lowercase_headers()
        self.public_url = public_url
        self.state = SlackState(clock=clock, seed=seed, wall=wall, stable_secrets=stable_secrets)
        self.events = EventQueue(
            clock=self.state.clock, wall=self.state.wall, ack_timeout=ack_timeout
        )
        self.state.event_sink = self.events.enqueue
        self.scheduled = DuePoster(self.state.clock, self.state.post_due)
        self.state.on_scheduled = self.scheduled.wake
        if isinstance(self.state.clock, VirtualClock):
            self.state.clock.on_advance(lambda _now: self._clock_moved())
        tiers = {name: spec.tier for name, spec in method_specs().items()}
        self.limiter = RateLimiter(
            tiers, enabled=rate_limits, time_scale=time_scale, monotonic=monotonic
        )
        self.faults = FaultBook(seed)
        self.journal = Journal(journal_size)
        self.state.block_kit.lenient = lenient
        self.state.block_kit.record = self._journal_warning
        self.actor = actor.Actor(self.state, ack_timeout=ack_timeout)
        self.app = self._build_app()

    def reset(self) -> None:
        """Everything back to the start: state, fault rules, rate-limit settings, journal."""
        self.state.reset()
        self.events.reset()
        self.faults.reset()
        self.limiter.reset()
        self.journal.reset()

    @property
    def lenient(self) -> bool:
        return self.state.block_kit.lenient

    def _journal_warning(self, surface: str, line: str) -> None:
        """A Block Kit rule let through outside a Web API call (a response URL, an ack)."""
        self.journal.record(
            method=surface,
            args={},
            team_id="",
            app_id="",
            status=200,
            body={"ok": True},
            time=self.state.wall.now(),
            warnings=[line],
        )

    def _clock_moved(self) -> None:
        self.scheduled.wake()
        self.events.notify()

    def close(self) -> None:
        """Stop the workers (the server is stopped by whoever serves the app)."""
        self.scheduled.close()
        self.events.close()

    def _build_app(self) -> flask.Flask:
        app = flask.Flask(__name__, template_folder="web/templates")
        app.secret_key = secrets.token_hex(32)
        # Fake ilert, fake Slack and the connector share a host, and cookies ignore ports.
        app.config["SESSION_COOKIE_NAME"] = "fakeslack_session"
        app.session_interface = _PageSessions()
        # Slack answers keys in its own order, `ok` first; stored content goes out unparsed.
        app.json = jsontext.SlackJSONProvider(app)
        app.extensions["fakeslack"] = self
        app.url_map.converters["method"] = webapi.MethodConverter
        app.url_map.converters["file"] = FileName
        for blueprint in (control.bp, oauth.bp, actor.bp, pages.bp, webapi.bp):
            app.register_blueprint(blueprint)
        app.add_url_rule("/", "index", _index)
        app.add_url_rule("/favicon.ico", "favicon", _favicon)
        app.add_url_rule("/<file:name>", "no_such_file", _no_such_file, methods=["GET", "POST"])
        app.register_error_handler(HTTPException, _http_error)
        app.register_error_handler(Exception, _unexpected)
        web_api = webapi.WebApiRoute(self, app.wsgi_app)
        app.wsgi_app = _ConnectionDropper(web_api)  # type: ignore[method-assign]
        return app


class FileName(BaseConverter):
    """A file that browsers and crawlers ask for at the root: `robots.txt`, `favicon.png`.

    Such a name has the shape of a Web API method too (`/<method>`), but no Slack method ends
    in a file type; matched here first, it is a 404 and stays out of the Web API's journal.
    """

    regex = r"[^/]+\.(?:ico|png|svg|gif|jpe?g|webp|txt|xml|html?|js|css|map|webmanifest)"
    weight = 50  # below the default 100 of the `method` converter: werkzeug tries it first


def _favicon() -> flask.Response:
    return flask.send_from_directory(
        pages.bp.static_folder or "", "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )


def _no_such_file(name: str) -> Any:
    raise NotFound(f"No file {name} here; fake Slack's pages live under /client.")


class _ConnectionDropper:
    """WSGI middleware: when a fault asked for it, answer nothing and close the connection."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        result = self.wsgi_app(environ, start_response)
        if environ.get(webapi.DROP_CONNECTION):
            close = getattr(result, "close", None)
            if close is not None:
                close()
            raise DroppedConnection("fault rule: connection dropped")
        return result


def _index() -> Any:
    routes = {
        "web_api": ["/api/<method>", "/<method>"],
        "oauth": ["GET /oauth/v2/authorize", "POST /oauth/v2/authorize"],
        "login": ["GET /login", "POST /login", "POST /logout"],
        "response_url": [
            "POST /commands/<team>/<id>/<secret>",
            "POST /actions/<team>/<id>/<secret>",
        ],
        "control": [f"{verb} {path}" for verb, path in openapi.control_routes()],
        "openapi": "/_sim/openapi.json",
    }
    return jsonify({"ok": True, "service": "fake-slack", "routes": routes})


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
