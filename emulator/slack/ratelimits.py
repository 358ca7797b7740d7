"""Slack's rate limits: a token bucket per method and per (app, workspace), off by default.

Each method's tier comes from its metadata (`rate_limits`: `t1` to `t4`; `t5` marks Slack's special
limits). Tiers allow a minute's budget at once and refill evenly over the minute. Special limits:
`chat.postMessage` allows one message per second per channel with a short burst.

Windows run on a monotonic clock (`time.monotonic` unless one is injected), not on the domain
clock: the virtual domain clock of tests stands still, and a limiter on it would never refill.
`time_scale` shrinks every window (0.01 turns a minute into 0.6 s) so tests run limits fast;
`Retry-After` is then the scaled wait in real seconds, rounded up and at least 1, as Slack sends
it. Where the emulation stops: Slack's workspace-wide cap on `chat.postMessage` ("several hundred
a minute") and per-user limits are not modelled.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from emulator.slack.errors import RateLimited, SimError

# Slack's published floors: "Tier 2: 20+ per minute" and so on.
TIERS: dict[str, int] = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}


@dataclass(frozen=True)
class Limit:
    """`per_minute` calls a minute, `burst` of them at once; `per` names what one bucket covers."""

    tier: str
    per_minute: float
    burst: int
    per: str = "app+workspace"

    def to_json(self) -> dict[str, object]:
        return {
            "tier": self.tier,
            "per_minute": self.per_minute,
            "burst": self.burst,
            "per": self.per,
        }


# Special ("t5") limits, from Slack's rate-limit page and its Java SDK's table.
SPECIAL: dict[str, Limit] = {
    "chat.postMessage": Limit("t5", 60, 3, "app+workspace+channel"),
    "auth.test": Limit("t5", 600, 600),
    "chat.getPermalink": Limit("t5", 600, 600),
    "oauth.v2.access": Limit("t5", 100, 100, "app"),
}


def limit_for(method: str, tier: str) -> Limit:
    if method in SPECIAL:
        return SPECIAL[method]
    per_minute = TIERS.get(tier, TIERS["t4"])
    return Limit(tier if tier in TIERS else "t4", per_minute, per_minute)


class RateLimiter:
    """Token buckets keyed by (method, app, workspace[, channel]); thread-safe."""

    def __init__(
        self,
        tiers: dict[str, str],
        *,
        enabled: bool = False,
        time_scale: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tiers = dict(tiers)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._defaults = (enabled, time_scale)
        self.reset()

    def reset(self) -> None:
        """Back to the constructor's settings, with full buckets and no overrides."""
        self.configure(enabled=self._defaults[0], time_scale=self._defaults[1], overrides={})

    def configure(
        self,
        *,
        enabled: bool | None = None,
        time_scale: float | None = None,
        overrides: dict[str, dict[str, float]] | None = None,
    ) -> None:
        """Change the settings; every bucket starts full again."""
        if time_scale is not None and not (0 < time_scale <= 1000):
            raise SimError("invalid_field", "'time_scale' must be > 0 and <= 1000")
        with self._lock:
            if enabled is not None:
                self.enabled = enabled
            if time_scale is not None:
                self.time_scale = float(time_scale)
            if overrides is not None:
                self._limits = {m: limit_for(m, t) for m, t in self._tiers.items()}
                for method, fields in overrides.items():
                    self._limits[method] = _override(self._limits.get(method), method, fields)
            self._buckets: dict[tuple[str, ...], tuple[float, float]] = {}

    def limits(self) -> dict[str, Limit]:
        with self._lock:
            return dict(self._limits)

    def per_channel(self, method: str) -> bool:
        limit = self._limits.get(method)
        return limit is not None and limit.per.endswith("channel")

    def check(self, method: str, *key: str) -> None:
        """Take one call from the bucket, or raise `RateLimited` with the wait in seconds."""
        if not self.enabled:
            return
        limit = self._limits.get(method)
        if limit is None:
            return
        rate = limit.per_minute / 60.0 / self.time_scale  # tokens a second
        with self._lock:
            now = self._monotonic()
            tokens, last = self._buckets.get((method, *key), (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[(method, *key)] = (tokens - 1.0, now)
                return
            self._buckets[(method, *key)] = (tokens, now)
        raise RateLimited(math.ceil((1.0 - tokens) / rate))

    def to_json(self) -> dict[str, object]:
        with self._lock:
            return {
                "enabled": self.enabled,
                "time_scale": self.time_scale,
                "window_seconds": 60.0 * self.time_scale,
                "methods": {m: limit.to_json() for m, limit in sorted(self._limits.items())},
            }


def _override(base: Limit | None, method: str, fields: dict[str, float]) -> Limit:
    if not isinstance(fields, dict):
        raise SimError("invalid_field", f"override for {method!r} must be an object")
    base = base or limit_for(method, "t4")
    try:
        per_minute = float(fields.get("per_minute", base.per_minute))
        burst = int(fields.get("burst", base.burst))
    except (TypeError, ValueError):
        raise SimError("invalid_field", f"override for {method!r}: numbers expected") from None
    if per_minute <= 0 or burst < 1:
        raise SimError("invalid_field", f"override for {method!r}: per_minute > 0, burst >= 1")
    return Limit(base.tier, per_minute, burst, base.per)
