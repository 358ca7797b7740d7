"""What ilert signs for the connector: install tickets and event webhooks (docs/contract.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any


class InvalidSignature(Exception):
    """A ticket or webhook that ilert did not sign, or signed too long ago."""


@dataclass(frozen=True)
class InstallTicket:
    raw: str
    account_id: int
    user_id: int
    return_url: str
    expires_at: float


def _hmac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify_ticket(raw: str, *, secret: str, now: float) -> InstallTicket:
    payload, _, signature = raw.partition(".")
    if not payload or not hmac.compare_digest(_hmac(secret, payload), signature):
        raise InvalidSignature("the install ticket is not signed by ilert")
    try:
        data: dict[str, Any] = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        ticket = InstallTicket(
            raw,
            int(data["accountId"]),
            int(data["userId"]),
            str(data["returnUrl"]),
            float(data["exp"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidSignature("the install ticket cannot be read") from error
    if ticket.expires_at < now:
        raise InvalidSignature("the install ticket has expired; start again from ilert")
    return ticket


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
    try:
        age = abs(now - int(timestamp))
    except ValueError as error:
        raise InvalidSignature("X-Ilert-Timestamp is not a number") from error
    if age > max_age:
        raise InvalidSignature("the request is too old")
    expected = "v1=" + _hmac(secret, f"v1:{timestamp}:{signed}")
    if not hmac.compare_digest(expected, signature):
        raise InvalidSignature("the signature does not match")
