"""The connector's own SQLite tables: workspace links, pending installs, messages, deliveries.

Installations (tokens) live in `slack_sdk`'s SQLite installation store beside these tables; this
module keeps what ties them to ilert. One connection serves every server thread, one statement
block at a time under a lock: opening a connection per call cost more than the queries, and a
connection per thread kept a page cache per thread (64 of them in a busy connector).
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_SCHEMA = """
CREATE TABLE IF NOT EXISTS workspace_links (
    team_id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL UNIQUE,
    team_domain TEXT NOT NULL,
    team_name TEXT NOT NULL,
    connector_id TEXT NOT NULL,
    integration_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_installs (
    state TEXT PRIMARY KEY,
    ticket TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_messages (
    alert_id INTEGER NOT NULL,
    alert_action_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    ts TEXT NOT NULL,
    PRIMARY KEY (alert_id, alert_action_id)
);
CREATE INDEX IF NOT EXISTS alert_messages_by_ts ON alert_messages (channel_id, ts);
CREATE TABLE IF NOT EXISTS pending_effects (
    effect TEXT PRIMARY KEY,
    started_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS joined_channels (
    team_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    PRIMARY KEY (team_id, channel_id)
);
CREATE TABLE IF NOT EXISTS handled_deliveries (
    delivery_id TEXT PRIMARY KEY,
    handled_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS seen_requests (
    signature TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_requests_by_time ON seen_requests (seen_at);
CREATE TABLE IF NOT EXISTS handled_slack_events (
    event_id TEXT PRIMARY KEY,
    handled_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS handled_slack_events_by_time ON handled_slack_events (handled_at);
CREATE TABLE IF NOT EXISTS missed_alerts (
    alert_id INTEGER NOT NULL,
    alert_action_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    PRIMARY KEY (alert_id, alert_action_id)
);
CREATE INDEX IF NOT EXISTS missed_alerts_by_channel ON missed_alerts (team_id, channel_id);
CREATE TABLE IF NOT EXISTS channel_changes (
    team_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    holder TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (team_id, channel_id)
);
"""


_ALERT_LOCK_STRIPES = 256
# A change to a channel's alert actions is a few calls to ilert, each given 5 seconds at most; a
# claim older than this belongs to a connector that died during its change.
CHANNEL_CLAIM_SECONDS = 60.0
# How long a click waits for another change to the same channel to finish.
CHANNEL_WAIT_SECONDS = 5.0
_CHANNEL_POLL_SECONDS = 0.02


class ChannelBusy(Exception):
    """Another change to the same channel's alert actions did not finish in time."""


@dataclass(frozen=True)
class WorkspaceLink:
    """One Slack workspace bound to one ilert account (FAQ-1 makes the binding one-to-one)."""

    team_id: str
    account_id: int
    team_domain: str
    team_name: str
    connector_id: str
    integration_key: str


@dataclass(frozen=True)
class AlertMessage:
    """Where the connector posted an alert for one alert action."""

    alert_id: int
    alert_action_id: str
    team_id: str
    channel_id: str
    ts: str


class ConnectorStore:
    def __init__(self, database_path: str) -> None:
        self.database_path = database_path
        self._db = sqlite3.connect(database_path, timeout=10, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        # Write-ahead logging with `synchronous=NORMAL`: a commit is a write to the log, not an
        # fsync, yet survives the process being killed (only a power cut may lose the last ones).
        # Each delivery commits several times, so fsyncs were most of its cost. The connection
        # stays open, so that slack_sdk's stores, which open and close one per call, never close
        # the last one (which would checkpoint and fsync the log each time).
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()
        self._alert_locks = [threading.Lock() for _ in range(_ALERT_LOCK_STRIPES)]
        self._channel_locks = [threading.Lock() for _ in range(_ALERT_LOCK_STRIPES)]
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection, folding the write-ahead log into the file: after this, an
        import may replace the file (harness.simulation)."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """The connection, for one thread at a time, in a transaction that commits at the end."""
        with self._lock, self._db:
            yield self._db

    def alert_lock(self, alert_id: int) -> threading.Lock:
        """The lock that puts one alert's changes to Slack in order. Not a table: the store is
        the one object the event endpoint and the Slack listeners share, and both change the
        alert's messages (ilert's events, and a click that updates its message at once). Locks
        are striped, so their number stays the same however many alerts there are; two alerts
        on one stripe only wait for each other."""
        return self._alert_locks[alert_id % _ALERT_LOCK_STRIPES]

    @contextmanager
    def channel_change(
        self, team_id: str, channel_id: str, *, wait: float = CHANNEL_WAIT_SECONDS
    ) -> Iterator[None]:
        """Hold the right to change one channel's alert actions; ChannelBusy after `wait` s.

        ilert lets several alert actions name one channel (so may real ilert), and checking
        ilert's list before creating one is a check-then-act: two clicks at once both find
        nothing and both create. The rule "one change to a channel at a time" therefore lives
        here, as the primary key of `channel_changes`, which every connector process sharing
        this database honours. It is a claim on the channel rather than on (channel, source):
        removing one source of a two-source alert action rewrites that action's list, and
        alert actions made in ilert's web interface have no claim of their own, so only a
        whole-channel claim lets each change read ilert and act on what it read. ilert stays
        the one record of what is linked; the claim holds nothing but the right to change it.
        A thread lock in front (striped like the alert locks: two channels on one stripe only
        wait for each other) spares the threads of one process from polling the table.
        """
        deadline = time.monotonic() + wait
        local = self._channel_locks[hash((team_id, channel_id)) % _ALERT_LOCK_STRIPES]
        if not local.acquire(timeout=wait):
            raise ChannelBusy(channel_id)
        try:
            holder = self._claim_channel(team_id, channel_id, deadline)
            try:
                yield
            finally:
                with self._connect() as db:
                    db.execute("DELETE FROM channel_changes WHERE holder = ?", (holder,))
        finally:
            local.release()

    def _claim_channel(self, team_id: str, channel_id: str, deadline: float) -> str:
        holder = secrets.token_hex(8)
        while True:
            now = time.time()
            with self._connect() as db:
                db.execute(
                    "DELETE FROM channel_changes WHERE team_id = ? AND channel_id = ? "
                    "AND expires_at < ?",
                    (team_id, channel_id, now),
                )
                claimed = db.execute(
                    "INSERT OR IGNORE INTO channel_changes VALUES (?, ?, ?, ?)",
                    (team_id, channel_id, holder, now + CHANNEL_CLAIM_SECONDS),
                ).rowcount
            if claimed:
                return holder
            if time.monotonic() >= deadline:
                raise ChannelBusy(channel_id)
            time.sleep(_CHANNEL_POLL_SECONDS)

    # workspace links

    def link_for_team(self, team_id: str) -> WorkspaceLink | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM workspace_links WHERE team_id = ?", (team_id,)
            ).fetchone()
        return WorkspaceLink(**dict(row)) if row else None

    def link_for_account(self, account_id: int) -> WorkspaceLink | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM workspace_links WHERE account_id = ?", (account_id,)
            ).fetchone()
        return WorkspaceLink(**dict(row)) if row else None

    def save_link(self, link: WorkspaceLink) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO workspace_links VALUES (?, ?, ?, ?, ?, ?)",
                (
                    link.team_id,
                    link.account_id,
                    link.team_domain,
                    link.team_name,
                    link.connector_id,
                    link.integration_key,
                ),
            )

    # installs in progress: the ilert ticket bound to the OAuth state

    def bind_ticket(self, state: str, ticket: str, *, at: float | None = None) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO pending_installs VALUES (?, ?, ?)",
                (state, ticket, time.time() if at is None else at),
            )

    def is_pending(self, state: str) -> bool:
        return self.pending_since(state) is not None

    def pending_since(self, state: str) -> float | None:
        """When the install bound to `state` started, or None if there is none (any more)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT created_at FROM pending_installs WHERE state = ?", (state,)
            ).fetchone()
        return None if row is None else float(row["created_at"])

    def take_ticket(self, state: str) -> str | None:
        """The ticket bound to `state`, removed so that a state is honoured once."""
        with self._connect() as db:
            row = db.execute(
                "DELETE FROM pending_installs WHERE state = ? RETURNING ticket", (state,)
            ).fetchone()
        return row["ticket"] if row else None

    # alert messages

    def alert_message(self, alert_id: int, alert_action_id: str) -> AlertMessage | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM alert_messages WHERE alert_id = ? AND alert_action_id = ?",
                (alert_id, alert_action_id),
            ).fetchone()
        return AlertMessage(**dict(row)) if row else None

    def message_at(self, channel_id: str, ts: str) -> AlertMessage | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM alert_messages WHERE channel_id = ? AND ts = ?", (channel_id, ts)
            ).fetchone()
        return AlertMessage(**dict(row)) if row else None

    def save_alert_message(self, message: AlertMessage) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO alert_messages VALUES (?, ?, ?, ?, ?)",
                (
                    message.alert_id,
                    message.alert_action_id,
                    message.team_id,
                    message.channel_id,
                    message.ts,
                ),
            )

    # deliveries from ilert, remembered so that a retried delivery is not published twice

    def was_handled(self, delivery_id: str) -> bool:
        with self._connect() as db:
            row = db.execute(
                "SELECT 1 FROM handled_deliveries WHERE delivery_id = ?", (delivery_id,)
            ).fetchone()
        return row is not None

    def mark_handled(self, delivery_id: str, *, ending: str | None = None) -> None:
        """Remember the delivery as done and, in the same transaction, end the effect `ending`."""
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO handled_deliveries VALUES (?, ?)", (delivery_id, time.time())
            )
            if ending is not None:
                db.execute("DELETE FROM pending_effects WHERE effect = ?", (ending,))

    # effects on Slack that may have happened although their answer was lost (DESIGN: exactly once)

    def begin_effect(self, effect: str) -> bool:
        """Note that `effect` is about to be attempted; True if an earlier attempt never ended."""
        with self._connect() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO pending_effects VALUES (?, ?)", (effect, time.time())
            ).rowcount
        return inserted == 0

    def end_effect(self, effect: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM pending_effects WHERE effect = ?", (effect,))

    # signed requests from Slack already taken, kept for their signing window (replays)

    def first_use(self, signature: str, *, now: float, keep_for: float) -> bool:
        """Remember a request's signature; False if it was seen within `keep_for` seconds."""
        with self._connect() as db:
            db.execute("DELETE FROM seen_requests WHERE seen_at < ?", (now - keep_for,))
            inserted = db.execute(
                "INSERT OR IGNORE INTO seen_requests VALUES (?, ?)", (signature, now)
            ).rowcount
        return inserted == 1

    def has_joined(self, team_id: str, channel_id: str) -> bool:
        with self._connect() as db:
            row = db.execute(
                "SELECT 1 FROM joined_channels WHERE team_id = ? AND channel_id = ?",
                (team_id, channel_id),
            ).fetchone()
        return row is not None

    def mark_joined(self, team_id: str, channel_id: str) -> None:
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO joined_channels VALUES (?, ?)", (team_id, channel_id))

    # events from Slack's Events API, taken once however often Slack retries them

    def first_event(self, event_id: str, *, now: float, keep_for: float) -> bool:
        """Remember an event id; False if it was taken within `keep_for` seconds."""
        with self._connect() as db:
            db.execute("DELETE FROM handled_slack_events WHERE handled_at < ?", (now - keep_for,))
            inserted = db.execute(
                "INSERT OR IGNORE INTO handled_slack_events VALUES (?, ?)", (event_id, now)
            ).rowcount
        return inserted == 1

    # alerts Slack refused to show because the bot was not in the channel, posted once it is

    def note_missed(
        self, alert_id: int, alert_action_id: str, team_id: str, channel_id: str
    ) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO missed_alerts VALUES (?, ?, ?, ?)",
                (alert_id, alert_action_id, team_id, channel_id),
            )

    def missed_in(self, team_id: str, channel_id: str) -> list[tuple[int, str]]:
        """(alert id, alert action id) of each alert the channel missed, oldest alert first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT alert_id, alert_action_id FROM missed_alerts "
                "WHERE team_id = ? AND channel_id = ? ORDER BY alert_id",
                (team_id, channel_id),
            ).fetchall()
        return [(int(row["alert_id"]), str(row["alert_action_id"])) for row in rows]

    def forget_missed(self, alert_id: int, alert_action_id: str) -> None:
        with self._connect() as db:
            db.execute(
                "DELETE FROM missed_alerts WHERE alert_id = ? AND alert_action_id = ?",
                (alert_id, alert_action_id),
            )

    def forget_workspace(self, team_id: str) -> None:
        """The app was removed from the workspace: its link and what hangs on it go."""
        with self._connect() as db:
            db.execute("DELETE FROM workspace_links WHERE team_id = ?", (team_id,))
            db.execute("DELETE FROM joined_channels WHERE team_id = ?", (team_id,))
            db.execute("DELETE FROM missed_alerts WHERE team_id = ?", (team_id,))
