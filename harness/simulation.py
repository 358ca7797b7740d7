"""Start fake ilert, fake Slack and the connector on loopback, wire them together, stop cleanly."""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import requests
from flask import Flask

from connector.app import create_app
from connector.config import BOT_SCOPES, ConnectorConfig
from connector.listeners.events import BOT_EVENTS
from emulator.clock import Clock, VirtualClock, make_clock
from emulator.ids import IdGenerator, secret_token
from emulator.ilert.app import FakeIlert
from emulator.serving import ServedApp, quiet_waitress
from emulator.slack.app import FakeSlack
from harness.driver import IlertControl, SlackControl

log = logging.getLogger(__name__)

Json = dict[str, Any]
APP_NAME = "ilert"
STATE_FORMAT = "ilert-slack-sim/1"
SLASH_COMMAND = "/ilert"
# The connector's slash commands, registered with its Slack app: fake Slack sends no other.
SLASH_COMMANDS = [SLASH_COMMAND, "/il-alert"]
CONNECTOR_DATABASE = "connector.sqlite3"
_SERVICES = {"fake-ilert": "fake ilert", "fake-slack": "fake Slack", "connector": "connector"}


class CannotListen(Exception):
    """One service could not bind its port (taken, or not allowed)."""

    def __init__(self, service: str, host: str, port: int, reason: str) -> None:
        super().__init__(f"{service} cannot listen on {host}:{port}: {reason}")
        self.service, self.host, self.port, self.reason = service, host, port, reason


class RestoreError(ValueError):
    """A saved simulation that cannot be restored; the message says what is wrong, in one line."""


class _LateBoundApp:
    """A WSGI app set after its server is bound: the connector must know its own URL first."""

    def __init__(self) -> None:
        self.target: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.target(environ, start_response)


@dataclass
class SimulationConfig:
    host: str = "127.0.0.1"
    ilert_port: int = 0
    slack_port: int = 0
    connector_port: int = 0
    seed: int = 0
    clock: str = "real"
    data_dir: str | None = None
    connector_secret: str = field(default_factory=lambda: secret_token(nbytes=16))
    verbose: bool = False
    # A connector already running elsewhere (another process, another implementation): the
    # harness registers the Slack app toward it and starts none of its own.
    external_connector_url: str | None = None
    # Subscribe the Slack app to its events when the simulation starts. Slack keeps an event URL
    # only once it answered the challenge there, so an external connector started after the
    # simulation (it needs `connector_config` first) sets this False and calls
    # `subscribe_to_events()` once it is up.
    subscribe_events: bool = True
    slack_time_scale: float = 1.0
    # Draw API keys, tokens and the Slack app's secrets from the seed too, so that one seed gives
    # the same keys on every run (for loopback, where a test writes a key down).
    stable_secrets: bool = False
    # Fake Slack lets Block Kit that Slack refuses through, with a warning in its journal.
    slack_lenient: bool = False


@dataclass(frozen=True)
class SlackAppCredentials:
    app_id: str
    client_id: str
    client_secret: str
    signing_secret: str


@dataclass(frozen=True)
class SavedState:
    """A file written by `Simulation.export_state`, its shape checked before any of it is used."""

    ilert: Json
    slack: Json
    app: SlackAppCredentials
    connector_secret: str
    connector_sql: str

    @classmethod
    def parse(cls, data: Any) -> SavedState:
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise RestoreError(
                f'no "format": "{STATE_FORMAT}": not a file written by --export-on-exit'
            )
        app = _member(data, "app", dict)
        connector = _member(data, "connector", dict)
        return cls(
            ilert=_member(data, "ilert", dict),
            slack=_member(data, "slack", dict),
            app=SlackAppCredentials(
                **{
                    name: _member(app, name, str, within="app")
                    for name in SlackAppCredentials.__dataclass_fields__
                }
            ),
            connector_secret=_member(data, "connectorSecret", str),
            connector_sql=_member(connector, "sql", str, within="connector"),
        )


def _member(data: Json, name: str, kind: type, *, within: str = "") -> Any:
    value = data.get(name)
    if not isinstance(value, kind):
        where = f"{within}.{name}" if within else name
        what = "an object" if kind is dict else "a string"
        raise RestoreError(f"{where} must be {what}, not {type(value).__name__}")
    return value


class Simulation:
    """The three services in this process, each on its own port and server thread."""

    def __init__(self, config: SimulationConfig | None = None) -> None:
        self.config = config or SimulationConfig()
        self.clock: Clock = make_clock(self.config.clock)
        self._servers: list[ServedApp] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        seed, stable = self.config.seed, self.config.stable_secrets
        self.fake_slack = FakeSlack(
            clock=self.clock, seed=seed, stable_secrets=stable, lenient=self.config.slack_lenient
        )
        self.fake_ilert = FakeIlert(
            clock=self.clock,
            seed=seed,
            connector_secret=self.config.connector_secret,
            stable_secrets=stable,
        )
        # Numbered apart from the fakes' own generators, so the app's secrets are not theirs.
        secrets = IdGenerator(seed, first_number=0, stable_secrets=stable)
        self.app_credentials: SlackAppCredentials = SlackAppCredentials(
            app_id="",
            client_id=f"{secrets.secret(nbytes=6)}.{secrets.secret(nbytes=6)}",
            client_secret=secrets.secret(nbytes=16),
            signing_secret=secrets.secret(nbytes=16),
        )
        self._external_connector_url = self.config.external_connector_url
        self._connector_app: Flask | None = None

    # lifecycle

    def start(self, *, restore: Json | SavedState | None = None) -> Simulation:
        """Start the three; `restore` is what `export_state` wrote before a restart.

        Raises `CannotListen` or `RestoreError` with nothing left running, and a refused restore
        leaves the data directory as it was."""
        try:
            return self._start(restore)
        except BaseException:
            self.stop()
            raise

    def _start(self, restore: Json | SavedState | None) -> Simulation:
        quiet_waitress(self.config.verbose)
        c = self.config
        slack = self._serve(self.fake_slack.app, c.slack_port, "fake-slack")
        ilert = self._serve(self.fake_ilert.app, c.ilert_port, "fake-ilert")
        connector_app = _LateBoundApp()
        connector = None
        if self._external_connector_url is None:
            connector = self._serve(connector_app, c.connector_port, "connector")
        self.fake_slack.public_url = slack.url
        self.fake_ilert.public_url = ilert.url
        self.fake_ilert.connector_url = self.connector_url
        slack.start()
        ilert.start()
        if restore is None:
            self._register_slack_app(self.connector_url)
        else:
            self._restore(restore)
        if connector is not None:
            self._connector_app = create_app(self.connector_config(connector.url))
            connector_app.target = self._connector_app
            connector.start()
        if self.config.subscribe_events:
            self.subscribe_to_events()
        return self

    # state across restarts

    def export_state(self) -> Json:
        """Everything needed to carry the simulation over a restart, as JSON."""
        return {
            "format": STATE_FORMAT,
            "ilert": self.ilert().export_state(),
            "slack": self.slack().export_state(),
            "app": asdict(self.app_credentials),
            "connectorSecret": self.config.connector_secret,
            "connector": {"sql": self._dump_connector_database()},
        }

    def _restore(self, saved: Json | SavedState) -> None:
        """Everything in `saved` or nothing: the two fakes are fresh, so a refusal from either
        leaves only what `stop` discards, and the connector's database, loaded into a file of
        its own first, replaces the data directory's in one rename once all the rest is in."""
        state = saved if isinstance(saved, SavedState) else SavedState.parse(saved)
        if state.connector_secret != self.config.connector_secret:
            raise RestoreError(
                "the saved state was signed with another connector secret: start "
                "with SimulationConfig(connector_secret=saved['connectorSecret'])"
            )
        _import_into("fake ilert", self.ilert_url, state.ilert)
        _import_into("fake Slack", self.slack_url, state.slack)
        self.app_credentials = state.app
        self._move_app_to_connector()
        if self._external_connector_url is None:
            database = self._data_dir() / CONNECTOR_DATABASE
            staged = _load_database_beside(database, state.connector_sql)
            try:
                _replace_database(database, staged)
            finally:
                staged.unlink(missing_ok=True)

    def _move_app_to_connector(self) -> None:
        """The app already exists in the restored fake Slack; only its addresses may have moved."""
        app_id = self.app_credentials.app_id
        answer = requests.patch(
            f"{self.slack_url}/_sim/apps/{app_id}",
            json={
                "request_url": f"{self.connector_url}/slack/events",
                "redirect_urls": [f"{self.connector_url}/slack/oauth_redirect"],
                "commands": SLASH_COMMANDS,
            },
            timeout=10,
        )
        if answer.status_code != 200:
            raise RestoreError(f"app.app_id {app_id!r} is not an app of the saved fake Slack")
        registered = answer.json()
        for name in ("client_id", "client_secret", "signing_secret"):
            if registered[name] != getattr(self.app_credentials, name):
                raise RestoreError(
                    f"app.{name} is not that of app {app_id} in the saved fake Slack"
                )

    def _close_connector_database(self) -> None:
        """Closed when the connector stops, not whenever its app is collected: until then the
        file stays open, and an import into the same data directory would find it busy."""
        if self._connector_app is not None:
            self._connector_app.extensions["connector_store"].close()
            self._connector_app = None

    def _dump_connector_database(self) -> str:
        if self._external_connector_url is not None:
            return ""
        with closing(sqlite3.connect(self._data_dir() / CONNECTOR_DATABASE)) as db:
            return "\n".join(db.iterdump())

    def stop(self) -> None:
        for server in reversed(self._servers):
            server.stop()
            if server.name == "connector":
                self._close_connector_database()
        self._servers.clear()
        self.fake_ilert.close()
        self.fake_slack.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Simulation:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # wiring

    def _serve(self, app: Any, port: int, name: str) -> ServedApp:
        try:
            server = ServedApp(app, host=self.config.host, port=port, name=name)
        except OSError as error:
            reason = error.strerror or str(error)
            raise CannotListen(_SERVICES[name], self.config.host, port, reason) from None
        self._servers.append(server)
        return server

    def _register_slack_app(self, connector_url: str) -> None:
        """The connector's Slack app, registered the way a developer would in Slack's settings."""
        created = self.slack().create_app(
            name=APP_NAME,
            request_url=f"{connector_url}/slack/events",
            redirect_urls=[f"{connector_url}/slack/oauth_redirect"],
            commands=SLASH_COMMANDS,
            client_id=self.app_credentials.client_id,
            client_secret=self.app_credentials.client_secret,
            signing_secret=self.app_credentials.signing_secret,
        )
        self.app_credentials = replace(self.app_credentials, app_id=created["id"])

    def subscribe_to_events(self) -> None:
        """The app's event subscriptions, set once the connector is up: Slack keeps an event
        request URL only after it has answered Slack's challenge there."""
        self.slack().update_app(
            self.app_credentials.app_id,
            event_request_url=f"{self.connector_url}/slack/events",
            bot_events=list(BOT_EVENTS),
        )

    def connector_config(self, connector_url: str) -> ConnectorConfig:
        """What a connector needs to join this simulation (also for one started elsewhere)."""
        return ConnectorConfig(
            slack_url=self.slack_url,
            ilert_url=self.ilert_url,
            public_url=connector_url,
            client_id=self.app_credentials.client_id,
            client_secret=self.app_credentials.client_secret,
            signing_secret=self.app_credentials.signing_secret,
            ilert_secret=self.config.connector_secret,
            database_path=str(self._data_dir() / CONNECTOR_DATABASE),
            scopes=BOT_SCOPES,
            slack_time_scale=self.config.slack_time_scale,
        )

    def _data_dir(self) -> Path:
        if self.config.data_dir:
            path = Path(self.config.data_dir)
            path.mkdir(parents=True, exist_ok=True)
            return path
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="ilert-slack-sim-")
        return Path(self._tmp.name)

    def restart_connector(self) -> None:
        """Stop the connector and start a new one on the same port and SQLite files, as after a
        crash: whatever it had only in memory is gone."""
        old = next(s for s in self._servers if s.name == "connector")
        old.stop()
        self._servers.remove(old)
        app = self._connector_app = create_app(self.connector_config(old.url))
        self._servers.append(
            ServedApp(app, host=self.config.host, port=old.port, name="connector").start()
        )

    # what tests and the CLI use

    def _url(self, name: str) -> str:
        return next(s.url for s in self._servers if s.name == name)

    @property
    def ilert_url(self) -> str:
        return self._url("fake-ilert")

    @property
    def slack_url(self) -> str:
        return self._url("fake-slack")

    @property
    def connector_url(self) -> str:
        return self._external_connector_url or self._url("connector")

    @property
    def virtual_clock(self) -> VirtualClock | None:
        return self.clock if isinstance(self.clock, VirtualClock) else None

    def slack(self) -> SlackControl:
        return SlackControl(self.slack_url)

    def ilert(self) -> IlertControl:
        return IlertControl(self.ilert_url)


def _import_into(service: str, url: str, part: Json) -> None:
    answer = requests.post(f"{url}/_sim/import", json=part, timeout=60)
    if answer.status_code >= 300:
        raise RestoreError(f"{service} refused its part of the file: {_message_of(answer)}")


def _message_of(answer: requests.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return f"HTTP {answer.status_code}"
    message = body.get("message") or body.get("error") if isinstance(body, dict) else None
    return str(message or f"HTTP {answer.status_code}")


def _load_database_beside(target: Path, sql: str) -> Path:
    """`sql` (an `iterdump`) loaded into a new database file next to `target`."""
    staged = target.with_name(f"{target.name}.importing")
    staged.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(staged)) as db:
            # The dump is data: it may create and fill tables, never reach other files.
            db.set_authorizer(_refuse_attach)
            db.executescript(sql)
    except sqlite3.Error as error:
        staged.unlink(missing_ok=True)
        raise RestoreError(f"connector.sql does not load: {error}") from None
    return staged


def _refuse_attach(action: int, *_: object) -> int:
    return sqlite3.SQLITE_DENY if action == sqlite3.SQLITE_ATTACH else sqlite3.SQLITE_OK


def _replace_database(target: Path, staged: Path) -> None:
    """Put `staged` in `target`'s place in one rename. The old database's write-ahead log goes
    first: SQLite would otherwise replay it into the new file, whose pages it does not match."""
    if target.exists():
        try:
            with closing(sqlite3.connect(target, timeout=1)) as db:
                db.execute("PRAGMA journal_mode=DELETE")  # checkpoints and removes the log
        except sqlite3.OperationalError as error:
            if "locked" in str(error):
                raise RestoreError(
                    f"{target} is open in a running connector; stop it first"
                ) from None
        except sqlite3.DatabaseError:
            pass  # not a database at all: nothing of it is worth keeping
    for leftover in ("-wal", "-shm"):
        target.with_name(target.name + leftover).unlink(missing_ok=True)
    os.replace(staged, target)
