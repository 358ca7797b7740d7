"""What falls due on the domain clock besides escalations: an alert action's delayed event, an
alert's auto-resolution, a heartbeat going overdue. No wire format, no Flask.

The heap holds only reminders; the objects themselves say what is due (an alert's
`delayed_events` and `auto_resolve_at`, a heartbeat's last ping), so an export needs no copy of
the heap and a reminder whose object changed since is skipped when it comes up.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

ACTION_EVENT = "action-event"  # an alert action's event sent after its delay
AUTO_RESOLVE = "auto-resolve"  # an alert resolved by its source's autoResolutionTimeout
HEARTBEAT = "heartbeat"  # a heartbeat source whose ping is due


@dataclass(frozen=True)
class DelayedEvent:
    """An event for one alert action, sent at `due` if the alert is still as it must be."""

    due: float
    action_id: str
    event_type: str


@dataclass(frozen=True)
class Timer:
    due: float
    kind: str
    account_id: int
    target_id: int  # the alert (ACTION_EVENT, AUTO_RESOLVE) or the alert source (HEARTBEAT)


class Timers:
    """A heap of timers, earliest first; ties keep the order they were set in."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Timer]] = []
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, timer: Timer) -> None:
        heapq.heappush(self._heap, (timer.due, next(self._order), timer))

    def next_due(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> Timer | None:
        if not self._heap or self._heap[0][0] > now:
            return None
        return heapq.heappop(self._heap)[2]

    def clear(self) -> None:
        self._heap.clear()
