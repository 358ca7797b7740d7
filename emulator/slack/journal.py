"""A capped journal of Web API calls, newest last, with the faults and 429s that struck them.

Only the last `size` calls are kept, so memory and cost stay flat however long fake Slack runs.
Secrets (tokens, client secrets, codes) are redacted in what an entry shows.

An argument that came parsed from a JSON body (a message's blocks, attachments, metadata) is kept
as that body's text and parsed again when the entry is read: as parsed objects it would live
through a thousand calls, long enough to reach the collector's oldest generation and make its
full collections come sooner (bench/p99_vs_stored.py); and the body's text is already at hand,
where encoding the arguments again cost nearly as much as checking their Block Kit.
"""

from __future__ import annotations

import collections
import itertools
import json
import threading
from typing import Any

REDACTED = frozenset({"token", "client_secret", "code", "refresh_token", "code_verifier"})
_NESTED = (dict, list)


class _Entry:
    """One call as recorded; its shown form is built when it is read, not on the hot path."""

    __slots__ = (
        "app_id",
        "error",
        "fault",
        "flat",
        "id",
        "method",
        "ok",
        "order",
        "packed",
        "status",
        "team_id",
        "time",
        "warnings",
    )

    def __init__(
        self,
        method: str,
        team_id: str | None,
        app_id: str | None,
        status: int,
        body: dict[str, Any],
        time: float,
        fault: dict[str, Any] | None,
        warnings: list[str] | None,
        flat: dict[str, Any],  # the arguments that are plain values, redacted
        order: tuple[str, ...],  # every argument's name, in the order they came
        packed: str | bytes,  # JSON text holding the nested arguments ("" when there are none)
        id: int,
    ) -> None:
        self.method, self.team_id, self.app_id, self.status = method, team_id, app_id, status
        self.ok, self.error = bool(body.get("ok")), body.get("error")
        self.time, self.fault, self.warnings, self.id = time, fault, warnings, id
        self.flat, self.order, self.packed = flat, order, packed

    def read(self) -> dict[str, Any]:
        nested = json.loads(self.packed) if self.packed else {}
        flat = self.flat
        shown = {
            "method": self.method,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "args": {name: flat[name] if name in flat else nested.get(name) for name in self.order},
            "status": self.status,
            "ok": self.ok,
            "error": self.error,
            "fault": self.fault,
            "time": self.time,
            "id": self.id,
        }
        if self.warnings:
            # Block Kit rules broken but let through: fake Slack runs in lenient mode.
            shown["warnings"] = list(self.warnings)
        return shown


class Journal:
    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._entries: collections.deque[_Entry] = collections.deque(maxlen=self.size)
            self._ids = itertools.count(1)

    def record(
        self,
        *,
        method: str,
        args: dict[str, Any],
        team_id: str,
        app_id: str,
        status: int,
        body: dict[str, Any],
        time: float,
        fault: dict[str, Any] | None = None,
        warnings: list[str] | None = None,
        json_body: bytes = b"",
    ) -> None:
        """`json_body`: the request's JSON text, whose values `args` holds parsed (if any)."""
        flat: dict[str, Any] = {}
        nested: list[str] = []
        for name, value in args.items():
            if name in REDACTED:
                flat[name] = "<redacted>"
            elif isinstance(value, _NESTED):
                nested.append(name)
            else:
                flat[name] = value
        packed: str | bytes = ""
        if nested:
            # A nested value comes from the JSON body (a query or a form holds only strings);
            # one given otherwise is encoded here.
            packed = json_body or _encode({name: args[name] for name in nested})
        # No lock on the hot path: taking a number and appending to a deque are atomic.
        number = next(self._ids)
        entry = _Entry(
            method, team_id or None, app_id or None, status, body, time, fault,
            warnings or None, flat, tuple(args), packed, number,
        )  # fmt: skip
        self._entries.append(entry)

    def entries(
        self, *, method: str = "", team_id: str = "", limit: int = 100
    ) -> list[dict[str, Any]]:
        """The newest `limit` entries matching the filters, oldest first."""
        if limit <= 0:
            return []
        with self._lock:
            snapshot = list(self._entries)
        found: list[dict[str, Any]] = []
        for entry in reversed(snapshot):
            if method and entry.method != method:
                continue
            if team_id and entry.team_id != team_id:
                continue
            found.append(entry.read())
            if len(found) >= limit:
                break
        return found[::-1]


_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode
