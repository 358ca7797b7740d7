"""Self-imposed pacing toward Slack's published rate limits, so that a 429 stays the exception.

Slack limits each Web API method per app and workspace by tier, and chat.postMessage also to about
one message per second per channel with short bursts. The connector waits for its own budget
before each call instead of leaning on 429 and Retry-After.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# Calls per minute for each tier, as Slack publishes them.
TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
METHOD_TIER = {
    "conversations.list": 2,
    "conversations.history": 3,
    "conversations.replies": 3,
    "conversations.join": 3,
    "conversations.info": 3,
    "chat.update": 3,
    "users.info": 4,
    "chat.postEphemeral": 4,
    "views.open": 4,
    # An alert's own channel (connector.alert_channels).
    "conversations.create": 2,
    "conversations.invite": 3,
    "users.lookupByEmail": 3,
}
PER_CHANNEL_PER_SECOND = 1.0
PER_CHANNEL_BURST = 3


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float

    def wait_for_token(self, now: float) -> float:
        """Seconds until a token is free; takes it (possibly from the future) right away."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.per_second


class Pacer:
    """Token buckets per (workspace, method) and per (workspace, channel) for posting.

    `time_scale` shrinks Slack's windows as fake Slack's time scale does (0.01: a minute is
    0.6 s), so load tests run Slack's limits quickly.
    """

    def __init__(
        self,
        *,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.time_scale = time_scale
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[tuple[str, ...], _Bucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: tuple[str, ...], per_minute: float, burst: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            per_second = per_minute / 60 / self.time_scale
            bucket = _Bucket(burst, per_second, burst, self._clock())
            self._buckets[key] = bucket
        return bucket

    def delay(self, team_id: str, method: str, channel_id: str | None = None) -> float:
        """Reserve a call now and say how long to wait before making it."""
        with self._lock:
            now = self._clock()
            waits = []
            tier = METHOD_TIER.get(method)
            if tier:
                per_minute = TIER_PER_MINUTE[tier]
                waits.append(
                    self._bucket((team_id, method), per_minute, per_minute).wait_for_token(now)
                )
            if method == "chat.postMessage" and channel_id:
                waits.append(
                    self._bucket(
                        (team_id, "post", channel_id),
                        PER_CHANNEL_PER_SECOND * 60,
                        PER_CHANNEL_BURST,
                    ).wait_for_token(now)
                )
            return max(waits, default=0.0)

    def pace(self, team_id: str, method: str, channel_id: str | None = None) -> None:
        wait = self.delay(team_id, method, channel_id)
        if wait > 0:
            self._sleep(wait)
