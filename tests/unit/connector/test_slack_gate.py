"""What the connector checks before Bolt sees a request from Slack, and the store behind it."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from connector.config import ConnectorConfig
from connector.slack_app import INVALID_REQUEST, SlackRequestGate
from connector.store import ConnectorStore

SECRET = "signing-secret"
NOW = 1_700_000_000


@pytest.fixture
def gate(tmp_path: Path) -> SlackRequestGate:
    config = ConnectorConfig(
        slack_url="http://slack",
        ilert_url="http://ilert",
        public_url="http://connector",
        client_id="c",
        client_secret="s",
        signing_secret=SECRET,
        ilert_secret="i",
        database_path=str(tmp_path / "c.sqlite3"),
    )
    return SlackRequestGate(config, ConnectorStore(config.database_path), clock=lambda: NOW)


def signed(body: str, *, at: int = NOW, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), f"v0:{at}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(at),
        "X-Slack-Signature": f"v0={digest}",
    }


COMMAND = urlencode({"command": "/ilert", "team_id": "T1", "user_id": "U1", "text": ""})


def test_a_signed_readable_request_goes_on_to_bolt(gate: SlackRequestGate) -> None:
    assert gate.refusal(COMMAND.encode(), signed(COMMAND)) is None


def test_the_same_request_twice_is_a_replay(gate: SlackRequestGate) -> None:
    headers = signed(COMMAND)
    assert gate.refusal(COMMAND.encode(), headers) is None
    refused = gate.refusal(COMMAND.encode(), headers)
    assert refused is not None and (refused.status, refused.body) == (401, INVALID_REQUEST)


def test_a_body_bolt_cannot_read_is_refused_before_it_tries(gate: SlackRequestGate) -> None:
    body = urlencode({"payload": "not json"})
    unsigned = gate.refusal(body.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert unsigned is not None and unsigned.status == 401
    with_signature = gate.refusal(body.encode(), signed(body))
    assert with_signature is not None and with_signature.status == 400


def test_a_payload_that_is_not_an_object_is_unreadable(gate: SlackRequestGate) -> None:
    body = urlencode({"payload": json.dumps([1, 2])})
    refused = gate.refusal(body.encode(), signed(body))
    assert refused is not None and refused.status == 400


def test_a_timestamp_that_is_no_number_is_refused(gate: SlackRequestGate) -> None:
    headers = {**signed(COMMAND), "X-Slack-Request-Timestamp": "soon"}
    refused = gate.refusal(COMMAND.encode(), headers)
    assert refused is not None and refused.status == 401


def test_an_unsigned_readable_request_is_left_to_bolts_check(gate: SlackRequestGate) -> None:
    # Bolt's signature check stays the one that lets a request through (and the one the
    # sensitivity suite breaks on purpose).
    stale = signed(COMMAND, at=NOW - 3600)
    assert gate.refusal(COMMAND.encode(), stale) is None
    assert gate.refusal(COMMAND.encode(), stale) is None  # not remembered: not signed in time


def test_the_replay_memory_forgets_after_the_window(tmp_path: Path) -> None:
    store = ConnectorStore(str(tmp_path / "c.sqlite3"))
    assert store.first_use("v0=a", now=100.0, keep_for=600)
    assert not store.first_use("v0=a", now=650.0, keep_for=600)
    assert store.first_use("v0=a", now=701.0, keep_for=600)


def test_marking_a_delivery_handled_ends_its_effect_in_the_same_step(tmp_path: Path) -> None:
    store = ConnectorStore(str(tmp_path / "c.sqlite3"))
    assert not store.begin_effect("reply:d1")
    assert store.begin_effect("reply:d1")  # still open: an earlier attempt never ended
    store.mark_handled("d1", ending="reply:d1")
    assert store.was_handled("d1")
    assert not store.begin_effect("reply:d1")


def test_one_alert_always_gets_the_same_lock(tmp_path: Path) -> None:
    store = ConnectorStore(str(tmp_path / "c.sqlite3"))
    assert store.alert_lock(1234) is store.alert_lock(1234)
