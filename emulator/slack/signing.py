"""Slack's request signature, as fake Slack signs what it sends an app: `v0=` HMAC-SHA256 over
`v0:{timestamp}:{body}` with the app's signing secret, computed by slack_sdk's own
`SignatureVerifier` so that signer and verifier cannot drift apart."""

from __future__ import annotations

from slack_sdk.signature import SignatureVerifier


def slack_signature(signing_secret: str, timestamp: str, body: str | bytes) -> str:
    """The `X-Slack-Signature` of `body` sent at `timestamp` (unix seconds, as text)."""
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=timestamp, body=body)
    if signature is None:  # only for a missing timestamp, which the callers never pass
        raise ValueError("a Slack signature needs a timestamp")
    return signature
