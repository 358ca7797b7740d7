"""What the connector's answer to a webhook means (docs/contract.md §4), as plain data.

A 2xx acknowledges. A 4xx other than 408 and 429 is a permanent refusal, never retried. 408, 429,
5xx, any other status, a timeout and a broken connection are retried; a `Retry-After` header, when
given, is the least wait. Every non-2xx body should be `{"ok": false, "error": "<code>",
"message": "<sentence>"}`; one that is not still gives a reason a person can read.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any

RETRIED_4XX = (408, 429)
MAX_RETRY_AFTER = 3600.0  # a connector's Retry-After is honoured up to an hour
REASON_CHARS = 300
_CODE = re.compile(r"[a-z][a-z0-9_.:-]{0,63}")


@dataclass(frozen=True)
class Outcome:
    """One attempt: delivered, or why not, and whether trying again can help."""

    delivered: bool
    permanent: bool = False
    error: str | None = None  # Slack's error code, or the connector's own
    reason: str = ""  # for a person: "channel_not_found — The channel was not found"
    retry_after: float | None = None

    @property
    def retried(self) -> bool:
        return not self.delivered and not self.permanent


def from_answer(
    status: int, headers: dict[str, str], body: bytes, *, now: float | None = None
) -> Outcome:
    """The outcome of an HTTP answer (`headers` with lower-case names)."""
    if 200 <= status < 300:
        return Outcome(delivered=True, reason=f"HTTP {status}")
    permanent = 400 <= status < 500 and status not in RETRIED_4XX
    error, reason = _explain(status, headers.get("content-type", ""), body)
    wait = None if permanent else retry_after(headers.get("retry-after"), now=now)
    return Outcome(
        delivered=False, permanent=permanent, error=error, reason=reason, retry_after=wait
    )


def from_failure(error: Exception, timeout: float) -> Outcome:
    """No answer: a timeout or a broken connection, both retried."""
    name = type(error).__name__
    if "Timeout" in name:
        return Outcome(delivered=False, reason=f"no answer within {timeout:g} s")
    return Outcome(delivered=False, reason=_clip(f"the connection failed ({name}: {error})"))


def retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), at most an hour."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        seconds = float(value)
    else:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = moment.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _explain(status: int, content_type: str, body: bytes) -> tuple[str | None, str]:
    """(code, reason) from the contract's JSON, else from the status and what the body says."""
    data = _json_object(body)
    code = data.get("error") if data else None
    if isinstance(code, str) and _CODE.fullmatch(code):
        message = data.get("message") if data else None
        if isinstance(message, str) and message.strip():
            return code, _clip(f"{code} — {_one_line(message)}")
        return code, code
    reason = f"HTTP {status}{_phrase(status)}"
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return None, f"{reason}, no body"
    if "html" in content_type.lower() or text.lstrip().startswith("<"):
        return None, f"{reason}, an HTML page"
    return None, _clip(f"{reason}: {_one_line(text)}")


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _phrase(status: int) -> str:
    try:
        return f" {HTTPStatus(status).phrase}"
    except ValueError:
        return ""


def _one_line(text: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _clip(text: str) -> str:
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"
