"""On-call schedules as ilert models them, and who is on call when. No Flask, no wire format.

A STATIC schedule is a list of shifts given one by one. A RECURRING schedule is a stack of layers:
each layer hands its users a shift of `rotation` length in turn from `starts_on` (until `ends_on`),
optionally only inside weekly windows (`restrictions`, in the schedule's time zone). Where layers
overlap, the later layer in the list wins (fake ilert's rule: ilert's API says nothing; its
calendar draws the layers as a stack, the lowest on top). Overrides win over every layer, and over
a static schedule's shifts. Times are Unix seconds on the domain clock.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from emulator.ilert.errors import BadRequest

SCHEDULE_TYPES = ("STATIC", "RECURRING")
DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
# ilert's published TimeZone enum (schema `TimeZone`): the zones a schedule or a user may name.
TIME_ZONES = ("Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Istanbul")
# Times a schedule may name: from 1970 to the year 9000, so that a rotation's arithmetic and the
# calendar both stay in range (fake ilert's bound; ilert publishes none).
EARLIEST = 0.0
LATEST = 221845392000.0  # 9000-01-01T00:00:00Z
MAX_LAYERS = 50
MAX_RESTRICTIONS = 168  # one for each hour of a week
MIN_ROTATION = 3600  # fake ilert's floor: ilert's schedule editor offers rotations in hours and up
MAX_ROTATION = 366 * 86400
DAY = 86400.0
WEEK = 7 * DAY

_DURATION = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")


@dataclass(frozen=True)
class Duration:
    """An ISO-8601 duration as given (`P7D`, `PT12H`), with its length in seconds."""

    text: str
    seconds: int

    @classmethod
    def parse(cls, text: str, name: str) -> Duration:
        match = _DURATION.fullmatch(text)
        if match is None or text in ("P", "PT") or text.endswith("T"):
            raise BadRequest(
                f"Field '{name}' must be an ISO-8601 duration such as P7D or PT12H; got {text!r}"
            )
        weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        total = (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds
        return cls(text, total)


@dataclass(frozen=True)
class TimeOfWeek:
    day: int  # 0 is Monday
    minute: int  # minutes into the day

    @property
    def offset(self) -> float:
        """Seconds from Monday 00:00."""
        return self.day * DAY + self.minute * 60.0


@dataclass(frozen=True)
class Restriction:
    """A weekly window in which a layer is on call; one that ends before it starts wraps."""

    start: TimeOfWeek
    end: TimeOfWeek


@dataclass(frozen=True)
class Shift:
    user_id: int
    start: float
    end: float

    def covers(self, at: float) -> bool:
        return self.start <= at < self.end


@dataclass
class Layer:
    name: str
    starts_on: float
    ends_on: float | None
    user_ids: list[int]
    rotation: Duration
    restrictions: list[Restriction] = field(default_factory=list)


@dataclass
class Schedule:
    id: int
    account_id: int
    name: str
    timezone: str
    kind: str  # STATIC or RECURRING
    layers: list[Layer] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)  # STATIC only
    overrides: list[Shift] = field(default_factory=list)
    show_gaps: bool = False
    default_shift_duration: Duration | None = None
    team_ids: list[int] = field(default_factory=list)

    def user_ids(self) -> set[int]:
        users = {s.user_id for s in (*self.shifts, *self.overrides)}
        return users | {u for layer in self.layers for u in layer.user_ids}


def check_time(value: float, name: str, what: str = "Field") -> float:
    if not EARLIEST <= value <= LATEST:
        raise BadRequest(f"{what} '{name}' must lie between 1970 and the year 9000")
    return value


def check_layer(layer: Layer, index: int) -> None:
    name = f"scheduleLayers[{index}]"
    if len(layer.restrictions) > MAX_RESTRICTIONS:
        raise BadRequest(f"Field '{name}.restrictions' takes at most {MAX_RESTRICTIONS}")
    if not layer.user_ids:
        raise BadRequest(f"Field '{name}.users' must name at least one user")
    if not MIN_ROTATION <= layer.rotation.seconds <= MAX_ROTATION:
        raise BadRequest(
            f"Field '{name}.rotation' must be between PT1H and P366D; got {layer.rotation.text!r}"
        )
    if layer.ends_on is not None and layer.ends_on <= layer.starts_on:
        raise BadRequest(f"Field '{name}.endsOn' must be after its startsOn")


def check_shifts(shifts: list[Shift], name: str, *, abort_on_gaps: bool) -> list[Shift]:
    """Shifts in time order; each must end after it starts, none may overlap another, and with
    `abort_on_gaps` (ilert's query of that name) none may leave a gap before the next."""
    ordered = sorted(shifts, key=lambda s: s.start)
    for index, shift in enumerate(ordered):
        if shift.end <= shift.start:
            raise BadRequest(f"Field '{name}[{index}].end' must be after its start")
        if index and shift.start < ordered[index - 1].end:
            raise BadRequest(f"Field '{name}': shifts must not overlap")
        if index and abort_on_gaps and shift.start > ordered[index - 1].end:
            raise BadRequest(f"Field '{name}': the shifts leave a gap (abort-on-gaps is set)")
    return ordered


# -- who is on call ---------------------------------------------------------------------------


def shifts_between(
    schedule: Schedule, since: float, until: float, *, overrides: bool = True
) -> list[Shift]:
    """The shifts of [since, until), merged where one person's turns meet, cut at the edges."""
    if until <= since:
        return []
    pieces: list[tuple[Shift, int]] = []  # (shift, precedence)
    if schedule.kind == "STATIC":
        pieces += [(s, 0) for s in schedule.shifts if s.end > since and s.start < until]
    else:
        tz = ZoneInfo(schedule.timezone)
        for rank, layer in enumerate(schedule.layers):
            pieces += [(s, rank) for s in _layer_shifts(layer, tz, since, until)]
    if overrides:
        top = len(schedule.layers) + 1
        pieces += [(s, top) for s in schedule.overrides if s.end > since and s.start < until]
    return _compose(pieces, since, until)


def shift_at(schedule: Schedule, at: float) -> Shift | None:
    """The shift covering `at`, with its true start and end as far as a rotation reaches."""
    span = reach(schedule)
    for shift in shifts_between(schedule, at - span, at + span):
        if shift.covers(at):
            return shift
    return None


def next_shift(schedule: Schedule, at: float) -> Shift | None:
    """The first shift starting after `at` within a rotation's reach (or a static list's end)."""
    current = shift_at(schedule, at)
    after = current.end if current else at
    horizon = after + 2 * reach(schedule)
    if schedule.kind == "STATIC":  # explicit shifts: the next may lie beyond any rotation
        horizon = max([horizon, *(s.end for s in (*schedule.shifts, *schedule.overrides))])
    upcoming = [s for s in shifts_between(schedule, after, horizon) if s.start >= after]
    return upcoming[0] if upcoming else None


def reach(schedule: Schedule) -> float:
    spans = [layer.rotation.seconds for layer in schedule.layers]
    if schedule.kind == "STATIC" or schedule.overrides:
        spans += [s.end - s.start for s in (*schedule.shifts, *schedule.overrides)]
    return float(max([DAY, *spans]))


def _layer_shifts(layer: Layer, tz: ZoneInfo, since: float, until: float) -> Iterator[Shift]:
    if not layer.user_ids:
        return
    rotation = float(layer.rotation.seconds)
    end = min(until, layer.ends_on) if layer.ends_on is not None else until
    first = max(0, math.floor((since - layer.starts_on) / rotation))
    windows = _windows(layer.restrictions, tz, since, end) if layer.restrictions else None
    lows = [low for low, _ in windows or ()]
    turn = first
    while True:
        start = layer.starts_on + turn * rotation
        if start >= end:
            return
        stop = start + rotation
        if layer.ends_on is not None:
            stop = min(stop, layer.ends_on)
        user = layer.user_ids[turn % len(layer.user_ids)]
        if windows is None:
            yield Shift(user, start, stop)
        else:
            assert windows is not None
            at = max(0, bisect_right(lows, start) - 1)
            while at < len(windows) and windows[at][0] < stop:
                low, high = windows[at]
                if high > start:
                    yield Shift(user, max(low, start), min(high, stop))
                at += 1
        turn += 1


def _windows(
    restrictions: list[Restriction], tz: ZoneInfo, since: float, until: float
) -> list[tuple[float, float]]:
    """The restrictions' weekly windows as absolute times around [since, until)."""
    local = datetime.fromtimestamp(since, tz).replace(tzinfo=None)
    monday = (local - timedelta(days=local.weekday() + 7)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    found = []
    while _local_time(monday, 0, tz) < until + WEEK:
        for r in restrictions:
            span = r.end.offset - r.start.offset
            if span <= 0:
                span += WEEK
            low = _local_time(monday, r.start.offset, tz)
            high = _local_time(monday, r.start.offset + span, tz)
            found.append((low, high))
        monday += timedelta(days=7)
    return _union(found)


def _union(windows: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping windows merged, in time order, so each instant is in one window at most."""
    merged: list[tuple[float, float]] = []
    for low, high in sorted(windows):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _local_time(monday: datetime, offset: float, tz: ZoneInfo) -> float:
    """Wall-clock time `offset` seconds after Monday 00:00 in `tz` (so 09:00 stays 09:00 across
    a change to or from summer time)."""
    wall = monday + timedelta(seconds=offset)
    return wall.replace(tzinfo=tz).timestamp()


def _compose(pieces: Iterable[tuple[Shift, int]], since: float, until: float) -> list[Shift]:
    """Sweep the pieces' edges; in each stretch the highest precedence (then the latest) wins."""
    items = list(pieces)
    edges = sorted({since, until, *(t for s, _ in items for t in (s.start, s.end))})
    edges = [t for t in edges if since <= t <= until]
    starting: dict[float, list[int]] = {}
    for index, (shift, _) in enumerate(items):
        starting.setdefault(max(shift.start, since), []).append(index)
    active: set[int] = set()
    result: list[Shift] = []
    for low, high in pairwise(edges):
        active.update(starting.get(low, ()))
        active = {i for i in active if items[i][0].end > low}
        if not active:
            continue
        winner = max(active, key=lambda i: (items[i][1], i))
        user = items[winner][0].user_id
        if result and result[-1].user_id == user and result[-1].end == low:
            result[-1] = Shift(user, result[-1].start, high)
        else:
            result.append(Shift(user, low, high))
    return result
