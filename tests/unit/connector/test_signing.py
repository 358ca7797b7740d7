"""Install tickets and ilert's webhook signatures, checked the way docs/contract.md defines them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from connector.signing import (
    InvalidSignature,
    SlackSignature,
    slack_headers_readable,
    verify_ticket,
    verify_webhook,
)

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


@pytest.mark.parametrize(
    "raw",
    [make_ticket()[:-1] + "\xe9", "a.\xe9", "\xe9." + make_ticket().split(".")[1], "a.\ud800"],
    ids=["last-char", "short", "payload", "surrogate"],
)
def test_a_ticket_that_is_not_ascii_is_refused_not_raised(raw: str) -> None:
    with pytest.raises(InvalidSignature, match="not signed"):
        verify_ticket(raw, secret=SECRET, now=NOW)


def test_a_signed_ticket_whose_account_does_not_fit_sqlite_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="cannot be read"):
        verify_ticket(make_ticket(accountId=2**63), secret=SECRET, now=NOW)


@pytest.mark.parametrize(
    ("timestamp", "signature", "message"),
    [
        (str(int(NOW)), "v1=\xe9", "does not match"),
        (str(int(NOW)), "v1=\ud800", "does not match"),
        ("1800000000\xe9", sign("{}", int(NOW)), "not a number"),
        ("١٨٠٠٠٠٠٠٠٠", sign("{}", int(NOW)), "not a number"),
        ("+1800000000", sign("{}", int(NOW)), "not a number"),
        ("9" * 5000, sign("{}", int(NOW)), "not a number"),
    ],
    ids=["latin-1", "surrogate", "timestamp", "arabic-digits", "plus-sign", "huge"],
)
def test_webhook_headers_that_are_not_ascii_or_no_number_are_refused_not_raised(
    timestamp: str, signature: str, message: str
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


SLACK_SECRET = "slack-signing-secret"


def slack_signed(body: bytes, timestamp: int = int(NOW)) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(SLACK_SECRET.encode(), base, hashlib.sha256).hexdigest()


def slack_signature() -> SlackSignature:
    return SlackSignature(SLACK_SECRET, max_age=300, clock=lambda: NOW)


def test_a_request_signed_by_slack_is_valid() -> None:
    body = "command=/ilert&text=caf\u00e9".encode()
    assert slack_signature().is_valid(body, str(int(NOW)), slack_signed(body))


@pytest.mark.parametrize(
    ("body", "timestamp", "signature"),
    [
        (b"a=1", str(int(NOW)), "v0=\xe9"),
        (b"a=1", str(int(NOW)), "v0=\ud800"),
        (b"a=1", "1800000000\xe9", slack_signed(b"a=1")),
        (b"a=1", "١٨٠٠٠٠٠٠٠٠", slack_signed(b"a=1")),
        (b"a=1", "9" * 5000, slack_signed(b"a=1")),
        (b"a=1", "", slack_signed(b"a=1")),
        (b"a=1", None, None),
        (b"\xff\xfe", str(int(NOW)), slack_signed(b"\xff\xfe")),
        (b"a=1", str(int(NOW) - 301), slack_signed(b"a=1", int(NOW) - 301)),
        (b"a=2", str(int(NOW)), slack_signed(b"a=1")),
    ],
    ids=[
        "latin-1",
        "surrogate",
        "timestamp",
        "arabic-digits",
        "huge",
        "empty",
        "missing",
        "not-utf-8",
        "stale",
        "forged",
    ],
)
def test_slack_signatures_that_cannot_be_valid_are_refused_not_raised(
    body: bytes, timestamp: str | None, signature: str | None
) -> None:
    assert not slack_signature().is_valid(body, timestamp, signature)


@pytest.mark.parametrize(
    ("timestamp", "signature", "readable"),
    [
        (None, None, True),
        ("1800000000", "v0=ab", True),
        ("1800000000", "v0=\xe9", False),
        ("", "v0=ab", False),
        ("١٨", "v0=ab", False),
    ],
)
def test_slack_headers_are_readable_only_as_ascii_digits_and_ascii(
    timestamp: str | None, signature: str | None, readable: bool
) -> None:
    # What Bolt's own check would raise on is refused before Bolt sees it.
    assert slack_headers_readable(timestamp, signature) is readable
