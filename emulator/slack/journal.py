"""A capped journal of Web API calls, newest last, with the faults and 429s that struck them.

Only the last `size` calls are kept, so memory and cost stay flat however long fake Slack runs.
Secrets (tokens, client secrets, codes) are redacted before an entry is stored.

An entry is kept as its JSON text, beside the method and team it is filtered by, and parsed when
read: a call's arguments (a message's blocks, its metadata) as parsed objects would live through a
thousand calls, long enough to reach the collector's oldest generation, and there bring on its
full collections every few thousand calls (bench/p99_vs_stored.py).
"""

from __future__ import annotations

import collections
import itertools
import json
import threading
from typing import Any

REDACTED = frozenset({"token", "client_secret", "code", "refresh_token", "code_verifier"})


class Journal:
    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._entries: collections.deque[_Stored] = collections.deque(maxlen=self.size)
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
    ) -> None:
        entry = {
            "method": method,
            "team_id": team_id or None,
            "app_id": app_id or None,
            "args": {k: ("<redacted>" if k in REDACTED else v) for k, v in args.items()},
            "status": status,
            "ok": bool(body.get("ok")),
            "error": body.get("error"),
            "fault": fault,
            "time": time,
        }
        if warnings:
            # Block Kit rules broken but let through: fake Slack runs in lenient mode.
            entry["warnings"] = list(warnings)
        # No lock on the hot path: taking a number and appending to a deque are atomic.
        entry["id"] = next(self._ids)
        self._entries.append((method, team_id or None, _encode(entry)))

    def entries(
        self, *, method: str = "", team_id: str = "", limit: int = 100
    ) -> list[dict[str, Any]]:
        """The newest `limit` entries matching the filters, oldest first."""
        if limit <= 0:
            return []
        with self._lock:
            snapshot = list(self._entries)
        found: list[dict[str, Any]] = []
        for entry_method, entry_team, text in reversed(snapshot):
            if method and entry_method != method:
                continue
            if team_id and entry_team != team_id:
                continue
            found.append(json.loads(text))
            if len(found) >= limit:
                break
        return found[::-1]


_Stored = tuple[str, str | None, str]  # method, team id, the entry as JSON text
_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode
