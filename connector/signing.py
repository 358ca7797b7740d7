"""Every signature the connector checks: Slack's on its requests, ilert's on install tickets and
event webhooks (docs/contract.md).

Signatures and timestamps are text from outside, and the standard library trips over some of it:
`hmac.compare_digest` raises TypeError for a non-ASCII str, `int()` raises for a timestamp of
5,000 digits and reads "+1_0" and non-ASCII digits as numbers. So each check first asks whether
the text can be a signature at all; text that cannot is a refusal here, never an exception.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import Clock, SignatureVerifier

from connector.ids import ilert_id


class InvalidSignature(Exception):
    """A ticket or webhook that ilert did not sign, or signed too long ago."""


def is_timestamp(text: str | None) -> bool:
    """Unix seconds as both sides write them: plain ASCII digits, of a sane length."""
    return text is not None and 0 < len(text) <= 15 and text.isascii() and text.isdigit()


def _matches(expected: str, given: str) -> bool:
    """A constant-time comparison that is False, not TypeError, for a non-ASCII `given`."""
    return given.isascii() and hmac.compare_digest(expected, given)


# --- Slack's request signatures ---------------------------------------------------------------


class _CallableClock(Clock):
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock()


def slack_headers_readable(timestamp: str | None, signature: str | None) -> bool:
    """Whether the signature headers, where sent, are text a signature check can read.

    Bolt's own check (slack_sdk's `SignatureVerifier`) raises on anything else: ValueError for
    a timestamp that is no number, TypeError for a non-ASCII signature. A request whose headers
    are not readable is unsigned, and is refused before Bolt sees it.
    """
    return (timestamp is None or is_timestamp(timestamp)) and (
        signature is None or signature.isascii()
    )


class SlackSignature:
    """Slack's `v0` request signature, checked by slack_sdk's `SignatureVerifier`.

    The verifier keeps Slack's five-minute window; `max_age` may only shorten it.
    """

    def __init__(
        self, signing_secret: str, *, max_age: int, clock: Callable[[], float] = time.time
    ) -> None:
        self._verifier = SignatureVerifier(signing_secret, clock=_CallableClock(clock))
        self.max_age = max_age
        self.clock = clock

    def is_valid(self, body: bytes, timestamp: str | None, signature: str | None) -> bool:
        if not (timestamp and signature and slack_headers_readable(timestamp, signature)):
            return False
        if abs(self.clock() - int(timestamp)) > self.max_age:
            return False
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return False  # Slack signs UTF-8; the verifier would raise decoding it
        return self._verifier.is_valid(text, timestamp, signature)


# --- ilert's install tickets and webhooks ------------------------------------------------------


@dataclass(frozen=True)
class InstallTicket:
    raw: str
    account_id: int
    user_id: int
    return_url: str
    expires_at: float


def _hmac(secret: str, message: str) -> str:
    return hmac.new(
        secret.encode(), message.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()


def verify_ticket(raw: str, *, secret: str, now: float) -> InstallTicket:
    payload, _, signature = raw.partition(".")
    # A ticket is URL-safe base64 and hex: anything else is not one of ilert's.
    if not (payload and raw.isascii() and _matches(_hmac(secret, payload), signature)):
        raise InvalidSignature("the install ticket is not signed by ilert")
    try:
        data: dict[str, Any] = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        ticket = InstallTicket(
            raw,
            _required_id(data["accountId"]),
            _required_id(data["userId"]),
            str(data["returnUrl"]),
            float(data["exp"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidSignature("the install ticket cannot be read") from error
    if ticket.expires_at < now:
        raise InvalidSignature("the install ticket has expired; start again from ilert")
    return ticket


def _required_id(value: object) -> int:
    number = ilert_id(value)
    if number is None:
        raise ValueError(f"not an ilert id: {value!r}")
    return number


def verify_webhook(
    *,
    secret: str,
    timestamp: str | None,
    signature: str | None,
    signed: str,
    now: float,
    max_age: int,
) -> None:
    """`signed` is the body for an event, the path and query for a GET."""
    if not timestamp or not signature:
        raise InvalidSignature("missing X-Ilert-Timestamp or X-Ilert-Signature")
    if not is_timestamp(timestamp):
        raise InvalidSignature("X-Ilert-Timestamp is not a number")
    if abs(now - int(timestamp)) > max_age:
        raise InvalidSignature("the request is too old")
    if not _matches("v1=" + _hmac(secret, f"v1:{timestamp}:{signed}"), signature):
        raise InvalidSignature("the signature does not match")
