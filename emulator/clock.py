"""Clocks the emulators read their domain time from: the system's, or one the tests move by hand."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the time as Unix seconds."""

    def now(self) -> float: ...


class SystemClock:
    """The wall clock; the default outside tests."""

    def now(self) -> float:
        return time.time()


class VirtualClock:
    """A clock that stands still until `advance` moves it, then tells its listeners.

    Listeners fire after the move, in registration order, so an emulator can run what fell due
    (escalations, retries) at the new time.
    """

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()
        self._listeners: list[Callable[[float], None]] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._now += seconds
            now = self._now
        for listener in list(self._listeners):
            listener(now)
        return now

    def on_advance(self, listener: Callable[[float], None]) -> None:
        self._listeners.append(listener)


def make_clock(kind: str) -> Clock:
    """`real` or `virtual`, as the CLI names them."""
    if kind == "real":
        return SystemClock()
    if kind == "virtual":
        return VirtualClock()
    raise ValueError(f"unknown clock {kind!r}: use 'real' or 'virtual'")
