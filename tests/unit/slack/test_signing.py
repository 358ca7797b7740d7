"""Fake Slack signs what it sends an app as Slack does: slack_sdk's verifier accepts it."""

from __future__ import annotations

import hashlib
import hmac

from slack_sdk.signature import SignatureVerifier

from emulator.slack.signing import slack_signature


def test_the_signature_is_slacks_v0_hmac_over_timestamp_and_body() -> None:
    body = "payload=%7B%22type%22%3A%22block_actions%22%7D"
    expected = hmac.new(b"s3cret", f"v0:1700000000:{body}".encode(), hashlib.sha256).hexdigest()
    assert slack_signature("s3cret", "1700000000", body) == f"v0={expected}"


def test_slack_sdks_verifier_accepts_it() -> None:
    class At:
        def now(self) -> float:
            return 1_700_000_010.0

    body = "command=%2Filert&text=caf%C3%A9"
    signature = slack_signature("s3cret", "1700000000", body)
    assert SignatureVerifier("s3cret", clock=At()).is_valid(body, "1700000000", signature)
    assert slack_signature("s3cret", "1700000000", body.encode()) == signature
