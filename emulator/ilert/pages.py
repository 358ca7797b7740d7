"""What fake ilert's pages show: read from the model under its lock, shaped as the API shapes it.

Each live page is a `Live`: the context its templates draw and a version, a fingerprint of what
its changing parts show. The page's script polls `…/updates?v=<version>`; while the version stays
the same the answer is an empty 204, so an open page costs one small read per poll and no server
thread waits on it. No Flask here.

Where the pages stop: lists are read a page at a time (`PAGE_SIZE`), the timeline shows an alert's
newest `TIMELINE_SIZE` log entries, and times are shown in the viewer's time zone (UTC when the
zone is unknown to this machine).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from emulator.ilert import serialize as ser
from emulator.ilert.models import (
    CONFIGURE,
    HANDLE_ALERTS,
    MANAGE_ACCOUNT,
    SLACK,
    Account,
    Actor,
    Alert,
    IlertState,
    LogEntry,
)

PAGE_SIZE = 25  # rows of a list of alerts
SOURCES_PAGE_SIZE = 50  # ilert's own cap for alert sources
TIMELINE_SIZE = 100
# The alert list's filters: what the Alerts page shows under each tab.
ALERT_FILTERS: dict[str, tuple[str, ...]] = {
    "open": ("PENDING", "ACCEPTED"),
    "pending": ("PENDING",),
    "accepted": ("ACCEPTED",),
    "resolved": ("RESOLVED",),
    "all": (),
}
SLACK_LOG_TYPES = ("AlertActionSuccessLogEntry", "AlertActionFailLogEntry")


@dataclass
class Live:
    """A page's changing parts: the context their templates draw, and its fingerprint."""

    version: str
    context: dict[str, Any]


@dataclass(frozen=True)
class Paging:
    """Page `number` (from 1) of `total` rows, `size` rows a page."""

    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        return min(self.total, self.start + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.start + self.size)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def paging(requested: int, size: int, total: int) -> Paging:
    """A page number clamped to the pages there are (page 1 of nothing is still page 1)."""
    pages = max(1, math.ceil(total / size))
    return Paging(min(max(1, requested), pages), size, total)


def fingerprint(*parts: Any) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def permissions(actor: Actor) -> dict[str, bool]:
    """What the page offers; the model refuses the same things on its own when asked."""
    return {
        "can_handle": actor.can(HANDLE_ALERTS),
        "can_configure": actor.can(CONFIGURE),
        "can_manage": actor.can(MANAGE_ACCOUNT),
    }


# --- time as people read it --------------------------------------------------------------------


@lru_cache(maxsize=64)
def _zone(name: str) -> Any:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_time(moment: float | str | None, zone: str = "UTC") -> str:
    """`10 May 2024, 16:26:00 CEST`: a model time or an API time, in the viewer's zone."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        stamp = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    else:
        stamp = datetime.fromtimestamp(moment, UTC)
    shown = stamp.astimezone(_zone(zone))
    return shown.strftime("%-d %b %Y, %H:%M:%S ") + (shown.tzname() or "UTC")


def _unit(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def duration_words(seconds: float) -> str:
    """`1 minute and 8 seconds`, `3 hours and 5 minutes`, `2 days`: as ilert words a span.

    The pages' script words a span the same way (`ilert.js`, `words`); keep the two alike.
    """
    whole = max(0, int(seconds))
    if whole < 60:
        return _unit(whole, "second")
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return _unit(minutes, "minute") + (f" and {_unit(secs, 'second')}" if secs else "")
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _unit(hours, "hour") + (f" and {_unit(minutes, 'minute')}" if minutes else "")
    days, hours = divmod(hours, 24)
    return _unit(days, "day") + (f" and {_unit(hours, 'hour')}" if hours else "")


@dataclass(frozen=True)
class Clock:
    """The emulator's time as the page was drawn; `ticking` when it moves on its own (a virtual
    clock moves only when advanced, and the page is drawn again then)."""

    now: float
    ticking: bool


# --- the pages ---------------------------------------------------------------------------------


def alerts_view(
    state: IlertState, actor: Actor, public_url: str, *, show: str, page: int, clock: Clock
) -> Live:
    """The Alerts page: one tab per filter with its count, a page of the chosen one."""
    states = list(ALERT_FILTERS[show])
    with state.lock:
        counts = state.count_alerts_by_state(actor)
        total = sum(counts[s] for s in states) if states else sum(counts.values())
        shown = paging(page, PAGE_SIZE, total)
        found = state.list_alerts(actor, states=states, start=shown.start, limit=PAGE_SIZE)
        alerts = [ser.cached_alert_json(state, actor.account, a, public_url) for a in found]
        version = fingerprint(
            [(a.id, a.version) for a in found], counts, state.generation, _when(clock)
        )
    tabs = [
        (key, sum(counts[s] for s in wanted) if wanted else sum(counts.values()))
        for key, wanted in ALERT_FILTERS.items()
    ]
    context = {"alerts": alerts, "paging": shown, "show": show, "tabs": tabs, "clock": clock}
    return Live(version, context)


def sources_view(state: IlertState, actor: Actor, *, page: int) -> Live:
    with state.lock:
        listed = state.list_sources(actor)  # an account has tens of sources, not thousands
        shown = paging(page, SOURCES_PAGE_SIZE, len(listed))
        found = listed[shown.start : shown.start + SOURCES_PAGE_SIZE]
        sources = [ser.source_json(state, actor.account, s) for s in found]
        version = fingerprint(sources, state.generation)
    return Live(version, {"sources": sources, "paging": shown})


def source_view(
    state: IlertState,
    actor: Actor,
    source_id: int,
    public_url: str,
    *,
    page: int,
    clock: Clock,
) -> Live:
    """An alert source's header, its alert actions and a page of its alerts."""
    with state.lock:
        source = state.get_source(actor, source_id)
        account = actor.account
        total = state.count_alerts(actor, sources=[source.id])
        shown = paging(page, PAGE_SIZE, total)
        found = state.list_alerts(actor, sources=[source.id], start=shown.start, limit=PAGE_SIZE)
        alerts = [ser.cached_alert_json(state, account, a, public_url) for a in found]
        actions = [ser.action_json(account, a) for a in state.list_actions(actor, source=source.id)]
        body = ser.source_json(state, account, source)
        connector = account.slack_connector()
        slack = ser.connector_json(connector) if connector else None
        version = fingerprint(
            body,
            [(a["id"], a["updatedAt"], a["name"], a["deliveryStatus"]) for a in actions],
            [(a.id, a.version) for a in found],
            total,
            slack["id"] if slack else None,
            state.generation,
            _when(clock),
        )
    context = {
        "source": body,
        "actions": actions,
        "alerts": alerts,
        "paging": shown,
        "slack": slack,
        "clock": clock,
    }
    return Live(version, context)


def alert_view(
    state: IlertState, actor: Actor, alert_id: int, public_url: str, *, clock: Clock
) -> Live:
    """An alert: status, responders, the escalation to come, and its newest log entries."""
    with state.lock:
        alert = state.get_alert(actor, alert_id)
        account = actor.account
        body = ser.alert_json(account, alert, public_url, include=("nextEscalationUser",))
        count = len(alert.log)
        start = max(0, count - TIMELINE_SIZE)
        entries = state.log_entries(actor, alert_id, start=start, limit=TIMELINE_SIZE)
        timeline = [_log_item(account, e) for e in reversed(entries)]
        times = _alert_times(alert)
        version = fingerprint(alert.version, count, state.generation, _when(clock))
    context = {
        "alert": body,
        "times": times,
        "timeline": timeline,
        "older_entries": start,
        "clock": clock,
    }
    return Live(version, context)


def assignees(state: IlertState, actor: Actor, alert_id: int) -> list[dict[str, Any]]:
    """The people an alert can be assigned to (ilert's suggested responders of group USER)."""
    return [r for r in state.suggested_responders(actor, alert_id) if r["group"] == "USER"]


def connectors_view(state: IlertState, actor: Actor) -> Live:
    with state.lock:
        connectors = [ser.connector_json(c) for c in state.list_connectors(actor)]
        # The generation moves when a user changes, such as the viewer's role.
        version = fingerprint(connectors, state.generation)
    slack = next((c for c in connectors if c["type"] == SLACK), None)
    others = [c for c in connectors if c["type"] != SLACK]
    return Live(version, {"connector": slack, "others": others})


def _when(clock: Clock) -> float | None:
    """A frozen clock's time is part of what a page shows (its countdowns); a ticking one is
    counted down by the page's script instead."""
    return None if clock.ticking else clock.now


def _alert_times(alert: Alert) -> dict[str, float | None]:
    return {
        "reported": alert.report_time,
        "accepted": alert.accepted_at,
        "resolved": alert.resolved_on,
        "next_escalation": alert.next_escalation if alert.status == "PENDING" else None,
    }


def _log_item(account: Account, entry: LogEntry) -> dict[str, Any]:
    item = ser.log_entry_json(account, entry)
    item["slack"] = entry.log_type in SLACK_LOG_TYPES
    item["failed"] = entry.log_type == "AlertActionFailLogEntry"
    item["at"] = entry.timestamp
    return item
