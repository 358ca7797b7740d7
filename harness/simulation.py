"""Start fake ilert, fake Slack and the connector on loopback, wire them together, stop cleanly."""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from connector.app import create_app
from connector.config import BOT_SCOPES, ConnectorConfig
from emulator.clock import Clock, VirtualClock, make_clock
from emulator.ids import secret_token
from emulator.ilert.app import FakeIlert
from emulator.serving import ServedApp, quiet_waitress
from emulator.slack.app import FakeSlack
from harness.driver import IlertControl, SlackControl

log = logging.getLogger(__name__)

Json = dict[str, Any]
APP_NAME = "ilert"
STATE_FORMAT = "ilert-slack-sim/1"
SLASH_COMMAND = "/ilert"


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
    slack_time_scale: float = 1.0


@dataclass(frozen=True)
class SlackAppCredentials:
    app_id: str
    client_id: str
    client_secret: str
    signing_secret: str


class Simulation:
    """The three services in this process, each on its own port and server thread."""

    def __init__(self, config: SimulationConfig | None = None) -> None:
        self.config = config or SimulationConfig()
        self.clock: Clock = make_clock(self.config.clock)
        self._servers: list[ServedApp] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.fake_slack = FakeSlack(clock=self.clock, seed=self.config.seed)
        self.fake_ilert = FakeIlert(
            clock=self.clock, seed=self.config.seed, connector_secret=self.config.connector_secret
        )
        self.app_credentials: SlackAppCredentials = SlackAppCredentials(
            app_id="",
            client_id=f"{secret_token(nbytes=6)}.{secret_token(nbytes=6)}",
            client_secret=secret_token(nbytes=16),
            signing_secret=secret_token(nbytes=16),
        )
        self._external_connector_url = self.config.external_connector_url

    # lifecycle

    def start(self, *, restore: Json | None = None) -> Simulation:
        """Start the three; `restore` is what `export_state` wrote before a restart."""
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
            connector_app.target = create_app(self.connector_config(connector.url))
            connector.start()
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

    def _restore(self, saved: Json) -> None:
        if saved.get("format") != STATE_FORMAT:
            raise ValueError(f"not an ilert-slack-sim state file (format {saved.get('format')!r})")
        self.ilert().import_state(saved["ilert"])
        self.slack().import_state(saved["slack"])
        if saved["connectorSecret"] != self.config.connector_secret:
            raise ValueError(
                "the saved state was signed with another connector secret: start "
                "with SimulationConfig(connector_secret=saved['connectorSecret'])"
            )
        self.app_credentials = SlackAppCredentials(**saved["app"])
        # The app already exists in the restored fake Slack; only its addresses may have moved.
        self.slack().update_app(
            self.app_credentials.app_id,
            request_url=f"{self.connector_url}/slack/events",
            redirect_urls=[f"{self.connector_url}/slack/oauth_redirect"],
        )
        if self._external_connector_url is None:
            with sqlite3.connect(self._data_dir() / "connector.sqlite3") as db:
                db.executescript(saved["connector"]["sql"])

    def _dump_connector_database(self) -> str:
        if self._external_connector_url is not None:
            return ""
        with sqlite3.connect(self._data_dir() / "connector.sqlite3") as db:
            return "\n".join(db.iterdump())

    def stop(self) -> None:
        for server in reversed(self._servers):
            server.stop()
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
        server = ServedApp(app, host=self.config.host, port=port, name=name)
        self._servers.append(server)
        return server

    def _register_slack_app(self, connector_url: str) -> None:
        """The connector's Slack app, registered the way a developer would in Slack's settings."""
        created = self.slack().create_app(
            name=APP_NAME,
            request_url=f"{connector_url}/slack/events",
            redirect_urls=[f"{connector_url}/slack/oauth_redirect"],
            client_id=self.app_credentials.client_id,
            client_secret=self.app_credentials.client_secret,
            signing_secret=self.app_credentials.signing_secret,
        )
        self.app_credentials = replace(self.app_credentials, app_id=created["id"])

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
            database_path=str(self._data_dir() / "connector.sqlite3"),
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
        app = create_app(self.connector_config(old.url))
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
