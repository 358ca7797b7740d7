"""Fault rules for fake ilert's API: latency, errors in ilert's own form, or both.

The rule shape follows fake Slack's (`emulator/slack/faults.py`): a rule names what it strikes
(`path`, a glob over the request path such as `/api/alerts/*/accept`, and `method`, an HTTP
method; `*` for any), strikes with a probability (drawn from a generator seeded with fake ilert's
seed, so a seeded run slows or fails the same calls every time) and/or a number of times, and
either delays the call (`latency_ms`) and lets it go on, or answers in its place with `status`
and ilert's error body (`{"status", "code", "message"}`, `error` as the message; 500 when only
`error` is given), optionally after a delay. Rules apply to ilert's API and its events API
(`/api/...`), never to the control plane or the pages. When several rules match, the first one
added that strikes wins.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import dataclass, field
from typing import Any

from emulator.ilert.errors import BadRequest, IlertError, NotFound

MAX_LATENCY_MS = 60_000
_FIELDS = {"path", "method", "probability", "count", "latency_ms", "status", "error"}
# ilert's error codes by status, as its API writes them (emulator/ilert/errors.py).
_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


class InjectedError(IlertError):
    """The answer a fault rule gives in place of the API's."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = _CODES.get(status, "INTERNAL_ERROR" if status >= 500 else "BAD_REQUEST")


@dataclass
class FaultRule:
    id: str
    path: str = "*"
    method: str = "*"
    probability: float = 1.0
    count: int | None = None
    latency_ms: int = 0
    status: int = 0
    error: str = ""
    struck: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        if self.count is not None and self.count <= 0:
            return False
        if self.method != "*" and self.method != method:
            return False
        return fnmatch.fnmatchcase(path, self.path)

    def failure(self) -> InjectedError | None:
        """The error this rule answers with, or None for a latency-only rule."""
        if not self.status:
            return None
        return InjectedError(self.status, self.error or f"Injected fault {self.id}")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "method": self.method,
            "probability": self.probability,
            "count": self.count,
            "latency_ms": self.latency_ms or None,
            "status": self.status or None,
            "error": self.error or None,
            "struck": self.struck,
        }


def parse_rule(rule_id: str, body: dict[str, Any]) -> FaultRule:
    """A rule from the control plane's JSON; a 400 names the first bad field."""
    unknown = set(body) - _FIELDS
    if unknown:
        raise BadRequest(f"Unknown fields: {', '.join(sorted(unknown))}")
    rule = FaultRule(
        rule_id,
        path=_text(body, "path"),
        method=_text(body, "method").upper(),
        probability=_number(body, "probability", 1.0, low=0.0, high=1.0),
        count=_integer(body, "count", 0, low=1, high=10**9) if "count" in body else None,
        latency_ms=_integer(body, "latency_ms", 0, low=1, high=MAX_LATENCY_MS),
        status=_integer(body, "status", 0, low=400, high=599),
        error=_text(body, "error", ""),
    )
    if "error" in body and not rule.status:
        rule.status = 500  # an error named without its status is ilert failing
    if not (rule.latency_ms or rule.status):
        raise BadRequest("Give an effect: latency_ms, status or error (or latency and an error)")
    return rule


def _text(body: dict[str, Any], key: str, default: str = "*") -> str:
    if key not in body:
        return default
    value = body[key]
    if not isinstance(value, str) or len(value) > 255:
        raise BadRequest(f"Field '{key}' must be a string of at most 255 characters")
    return value or default


def _number(body: dict[str, Any], key: str, default: float, *, low: float, high: float) -> float:
    if key not in body:
        return default
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise BadRequest(f"Field '{key}' must be a number between {low:g} and {high:g}")
    return value


def _integer(body: dict[str, Any], key: str, default: int, *, low: int, high: int) -> int:
    value = _number(body, key, default, low=low, high=high)
    if not isinstance(value, int):
        raise BadRequest(f"Field '{key}' must be a whole number between {low} and {high}")
    return value


class FaultBook:
    """The active rules, in the order they were added."""

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._rules: list[FaultRule] = []
            self._random = random.Random(self._seed)
            self._next = 1

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
                raise NotFound(f"No fault rule {rule_id}")
            self._rules = kept

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def close(self) -> None:
        """Cut every delay short: a stopping fake ilert keeps no request waiting."""
        self._closed.set()

    def strike(self, method: str, path: str) -> FaultRule | None:
        """The rule that strikes this request now, if any; its count goes down by one."""
        if not self._rules:
            return None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                rule.struck += 1
                return rule
        return None

    def apply(self, method: str, path: str) -> None:
        """Delay the request and/or raise the error of the rule that strikes it."""
        rule = self.strike(method, path)
        if rule is None:
            return
        if rule.latency_ms:
            self._closed.wait(rule.latency_ms / 1000)
        failure = rule.failure()
        if failure is not None:
            raise failure
