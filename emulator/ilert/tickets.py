"""Install tickets and the HMAC signatures shared with the connector (docs/contract.md §1, §4, §5).

Tickets expire by the wall clock, not the domain clock: the connector verifies them too and cannot
see fake ilert's virtual time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from emulator.ilert.errors import BadRequest, Unauthorized

TICKET_LIFETIME = 600  # seconds


@dataclass(frozen=True)
class Ticket:
    account_id: int
    user_id: int
    return_url: str
    exp: int
    nonce: str


def hmac_hex(secret: str, message: str | bytes) -> str:
    data = message.encode("utf-8", "surrogatepass") if isinstance(message, str) else message
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def signature_matches(secret: str, message: str, signature: str) -> bool:
    """Whether `signature` is `message`'s HMAC, in constant time. False, not TypeError, for a
    signature that is not ASCII (which `hmac.compare_digest` refuses to compare)."""
    return signature.isascii() and hmac.compare_digest(hmac_hex(secret, message), signature)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_ticket(
    secret: str,
    *,
    account_id: int,
    user_id: int,
    return_url: str,
    now: float | None = None,
    lifetime: int = TICKET_LIFETIME,
) -> str:
    """`<payload>.<signature>`, payload the unpadded URL-safe base64 of the ticket's JSON."""
    issued = time.time() if now is None else now
    body = {
        "accountId": account_id,
        "userId": user_id,
        "returnUrl": return_url,
        "exp": int(issued) + lifetime,
        "nonce": secrets.token_urlsafe(16),
    }
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{hmac_hex(secret, payload)}"


def verify_ticket(secret: str, ticket: Any, *, now: float | None = None) -> Ticket:
    """The ticket's content if the signature matches and it has not expired (not yet redeemed:
    the model checks single use)."""
    # URL-safe base64 and hex: a ticket holds nothing but ASCII.
    if not isinstance(ticket, str) or not ticket.isascii() or ticket.count(".") != 1:
        raise BadRequest("Field 'ticket' is required and must be '<payload>.<signature>'")
    payload, signature = ticket.split(".")
    if not signature_matches(secret, payload, signature):
        raise Unauthorized("The install ticket's signature is invalid")
    try:
        body = json.loads(_unb64(payload))
        parsed = Ticket(
            int(body["accountId"]),
            int(body["userId"]),
            str(body["returnUrl"]),
            int(body["exp"]),
            str(body["nonce"]),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BadRequest("The install ticket's payload is malformed") from None
    if (time.time() if now is None else now) > parsed.exp:
        raise Unauthorized(
            "The install ticket has expired; start again from ilert's Connectors page"
        )
    return parsed


def sign_headers(secret: str, message: str | bytes, *, now: float | None = None) -> dict[str, str]:
    """X-Ilert-Timestamp and X-Ilert-Signature (`v1=HMAC("v1:{ts}:{message}")`)."""
    timestamp = str(int(time.time() if now is None else now))
    text = message.decode() if isinstance(message, bytes) else message
    return {
        "X-Ilert-Timestamp": timestamp,
        "X-Ilert-Signature": "v1=" + hmac_hex(secret, f"v1:{timestamp}:{text}"),
    }
