"""Install tickets and ilert's webhook signatures, checked the way docs/contract.md defines them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from connector.signing import InvalidSignature, verify_ticket, verify_webhook

SECRET = "shared-secret"
NOW = 1_800_000_000.0


def make_ticket(secret: str = SECRET, **overrides: object) -> str:
    payload = {
        "accountId": 7,
        "userId": 3,
        "returnUrl": "http://ilert/connectors/slack",
        "exp": NOW + 600,
        "nonce": "n1",
        **overrides,
    }
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    signature = hmac.new(secret.encode(), encoded.encode(), hashlib.sha256).hexdigest()
    return f"{encoded}.{signature}"


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), f"v1:{timestamp}:{body}".encode(), hashlib.sha256)
    return "v1=" + digest.hexdigest()


def test_a_ticket_signed_by_ilert_names_the_account_and_user() -> None:
    ticket = verify_ticket(make_ticket(), secret=SECRET, now=NOW)
    assert (ticket.account_id, ticket.user_id) == (7, 3)
    assert ticket.return_url == "http://ilert/connectors/slack"


@pytest.mark.parametrize(
    "raw",
    [
        make_ticket(secret="another-secret"),
        make_ticket()[:-2] + "00",
        "not-a-ticket",
        make_ticket().replace(".", "x.", 1),
    ],
)
def test_a_ticket_not_signed_by_ilert_is_refused(raw: str) -> None:
    with pytest.raises(InvalidSignature):
        verify_ticket(raw, secret=SECRET, now=NOW)


def test_an_expired_ticket_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="expired"):
        verify_ticket(make_ticket(exp=NOW - 1), secret=SECRET, now=NOW)


def test_a_fresh_webhook_signature_is_accepted() -> None:
    body = '{"eventType": "alert-created"}'
    verify_webhook(
        secret=SECRET,
        timestamp=str(int(NOW)),
        signature=sign(body, int(NOW)),
        signed=body,
        now=NOW,
        max_age=300,
    )


@pytest.mark.parametrize(
    ("timestamp", "signature", "message"),
    [
        (None, None, "missing"),
        ("soon", "v1=00", "not a number"),
        (str(int(NOW) - 301), sign("{}", int(NOW) - 301), "too old"),
        (str(int(NOW)), sign("{}", int(NOW), secret="wrong"), "does not match"),
    ],
)
def test_webhooks_that_are_unsigned_stale_or_forged_are_refused(
    timestamp: str | None, signature: str | None, message: str
) -> None:
    with pytest.raises(InvalidSignature, match=message):
        verify_webhook(
            secret=SECRET,
            timestamp=timestamp,
            signature=signature,
            signed="{}",
            now=NOW,
            max_age=300,
        )
