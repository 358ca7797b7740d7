"""A heartbeat alert source's heartbeat: its settings, its pings and when it is overdue. No Flask.

ilert's AlertSource schema gives a HEARTBEAT source a `heartbeat` {summary, intervalSec, and
the read-only status (NEVER_RECEIVED, ON_TIME, OVERDUE) and lastPingReceivedAt}; a ping is
`/heartbeats/{key}` with the source's integration key (GET, POST or HEAD). ilert's heartbeat
guide (docs.ilert.com/alerting/heartbeat-monitoring): "The heartbeat timer starts once the first
ping is received", so a heartbeat never pinged is never overdue; once pinged, no ping within
`intervalSec` opens an alert. A ping after that resolves the alert: the spec's log entry types
include HeartbeatOverdueLogEntry and HeartbeatResolvedLogEntry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.ilert.errors import BadRequest
from emulator.ilert.fields import integer, optional_str

HEARTBEAT_TYPE = "HEARTBEAT"  # the alert source's integrationType
NEVER_RECEIVED = "NEVER_RECEIVED"
ON_TIME = "ON_TIME"
OVERDUE = "OVERDUE"
STATUSES = (OVERDUE, ON_TIME, NEVER_RECEIVED)
MAX_INTERVAL_SEC = 10 * 365 * 86_400  # as far as the clock may be advanced in one step


@dataclass
class Heartbeat:
    interval_sec: int
    summary: str
    status: str = NEVER_RECEIVED
    last_ping_at: float | None = None
    overdue_alert_id: int | None = None  # the alert its being overdue opened, while open

    def overdue_at(self) -> float | None:
        """When the heartbeat goes overdue unless pinged before; None while it cannot."""
        if self.status != ON_TIME or self.last_ping_at is None:
            return None
        return self.last_ping_at + self.interval_sec

    def ping(self, now: float) -> bool:
        """A ping arrived; whether the heartbeat was overdue until now."""
        was_overdue = self.status == OVERDUE
        self.status, self.last_ping_at = ON_TIME, now
        return was_overdue

    def falls_overdue(self, due: float) -> bool:
        """At `due`, the heartbeat goes overdue if no ping came since the reminder was set."""
        if self.overdue_at() != due:
            return False
        self.status = OVERDUE
        return True


def heartbeat_from_fields(
    fields: dict[str, Any], kind: str, current: Heartbeat | None, name: str
) -> Heartbeat | None:
    """A HEARTBEAT source's `heartbeat` settings (what `fields` gives over `current`; its
    status and lastPingReceivedAt are read-only, kept); no other source has one."""
    raw = fields.get("heartbeat")
    if kind != HEARTBEAT_TYPE:
        if raw is not None:
            raise BadRequest(
                f"Field 'heartbeat' is only for alert sources of integrationType {HEARTBEAT_TYPE}"
            )
        return None
    if raw is None and current is not None:
        return current
    if not isinstance(raw, dict):
        raise BadRequest(
            f"Field 'heartbeat' {{intervalSec, summary}} is required for an alert source of "
            f"integrationType {HEARTBEAT_TYPE}"
        )
    interval = raw.get("intervalSec", current.interval_sec if current else None)
    if interval is None:
        raise BadRequest("Field 'heartbeat.intervalSec' (seconds) is required")
    named = {"heartbeat.intervalSec": interval}
    interval = integer(named, "heartbeat.intervalSec", 0, minimum=1, maximum=MAX_INTERVAL_SEC)
    summary = optional_str({"heartbeat.summary": raw.get("summary")}, "heartbeat.summary")
    summary = summary or (current.summary if current else f"{name}: heartbeat overdue")
    if current is None:
        return Heartbeat(interval, summary)
    return Heartbeat(
        interval, summary, current.status, current.last_ping_at, current.overdue_alert_id
    )
