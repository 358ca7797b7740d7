"""Fault rules for the Web API: errors, HTTP statuses, 429s, latency and dropped connections.

A rule names a method (or `*`), strikes with a probability (drawn from a generator seeded with
fake Slack's seed, so a seeded run fails the same calls every time) and/or a number of times, and
strikes `before` the effect (the call never happens) or `after` it (the message is stored, but
the answer is replaced or lost). When several rules match, the first one added that strikes wins;
a latency-only rule delays the call and lets it go on.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from emulator.slack.errors import NotFound, SimError

WHEN = ("before", "after")
_FIELDS = {
    "method",
    "team_id",
    "probability",
    "count",
    "error",
    "status",
    "retry_after",
    "latency_ms",
    "drop_connection",
    "when",
}


@dataclass
class FaultRule:
    id: str
    method: str = "*"
    team_id: str = ""
    probability: float = 1.0
    count: int | None = None
    error: str = ""
    status: int = 0
    retry_after: int = 0
    latency_ms: int = 0
    drop_connection: bool = False
    when: str = "before"
    struck: int = field(default=0)

    @property
    def delays_only(self) -> bool:
        return not (self.error or self.status or self.retry_after or self.drop_connection)

    def matches(self, method: str, team_id: str) -> bool:
        if self.count is not None and self.count <= 0:
            return False
        if self.method not in ("*", method):
            return False
        return not self.team_id or self.team_id == team_id

    def http_status(self) -> int:
        if self.status:
            return self.status
        return 429 if self.retry_after else 200

    def error_code(self) -> str:
        if self.error:
            return self.error
        if self.retry_after or self.status == 429:
            return "ratelimited"
        return "internal_error" if self.status >= 500 else "request_failed"

    def effects(self) -> list[str]:
        named = [
            ("drop_connection", self.drop_connection),
            ("latency", self.latency_ms),
            ("retry_after", self.retry_after),
            ("status", self.status),
            ("error", self.error),
        ]
        return [name for name, on in named if on]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "team_id": self.team_id or None,
            "probability": self.probability,
            "count": self.count,
            "error": self.error or None,
            "status": self.status or None,
            "retry_after": self.retry_after or None,
            "latency_ms": self.latency_ms or None,
            "drop_connection": self.drop_connection,
            "when": self.when,
            "struck": self.struck,
        }


def parse_rule(rule_id: str, body: dict[str, Any]) -> FaultRule:
    """A rule from the control plane's JSON; `SimError` names the first bad field."""
    unknown = set(body) - _FIELDS
    if unknown:
        raise SimError("invalid_field", f"unknown fields: {', '.join(sorted(unknown))}")
    rule = FaultRule(
        rule_id,
        method=_text(body, "method", "*"),
        team_id=_text(body, "team_id", ""),
        probability=_number(body, "probability", 1.0, low=0.0, high=1.0),
        count=None if body.get("count") is None else int(_number(body, "count", 0, low=1)),
        error=_text(body, "error", ""),
        status=int(_number(body, "status", 0, low=200, high=599)),
        retry_after=int(_number(body, "retry_after", 0, low=1)),
        latency_ms=int(_number(body, "latency_ms", 0, low=0, high=60_000)),
        drop_connection=bool(body.get("drop_connection", False)),
        when=_text(body, "when", "before"),
    )
    if rule.when not in WHEN:
        raise SimError("invalid_field", "'when' is 'before' or 'after'")
    if not (rule.effects()):
        raise SimError(
            "invalid_field",
            "give an effect: error, status, retry_after, latency_ms or drop_connection",
        )
    return rule


def _text(body: dict[str, Any], key: str, default: str) -> str:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise SimError("invalid_field", f"{key!r} must be a string")
    return value


def _number(
    body: dict[str, Any], key: str, default: float, *, low: float, high: float | None = None
) -> float:
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SimError("invalid_field", f"{key!r} must be a number")
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" + (f" and <= {high}" if high is not None else "")
        raise SimError("invalid_field", f"{key!r} must be {bounds}")
    return value


class FaultBook:
    """The active rules, in the order they were added."""

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._rules: list[FaultRule] = []
            self._random = random.Random(self._seed)
            self._next = 1

    @property
    def empty(self) -> bool:
        return not self._rules

    def add(self, body: dict[str, Any]) -> FaultRule:
        with self._lock:
            rule = parse_rule(f"F{self._next}", body)
            self._next += 1
            self._rules.append(rule)
            return rule

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def remove(self, rule_id: str) -> None:
        with self._lock:
            kept = [r for r in self._rules if r.id != rule_id]
            if len(kept) == len(self._rules):
                raise NotFound("fault", rule_id)
            self._rules = kept

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def strike(self, method: str, when: str, team_id: str = "") -> FaultRule | None:
        """The rule that strikes this call now, if any; its count goes down by one."""
        if not self._rules:
            return None
        with self._lock:
            for rule in self._rules:
                if rule.when != when or not rule.matches(method, team_id):
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                rule.struck += 1
                return rule
        return None
