"""Slack's events at the connector's door: acknowledged at once, acted on after the answer, once
per event id however often Slack sends it. ilert's API is mocked with `responses`."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from flask.testing import FlaskClient
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

from connector.app import create_app
from connector.config import ConnectorConfig
from connector.store import ConnectorStore, WorkspaceLink

SECRET = "signing-secret"
ILERT = "http://ilert.test"
TEAM, BOT = "T1", "UBOT"
CHANNEL_URL = f"{ILERT}/api/connectors/7/slack-channels/C1"
CONNECTOR_URL = f"{ILERT}/api/connectors/7"


@pytest.fixture
def config(tmp_path: Path) -> ConnectorConfig:
    return ConnectorConfig(
        # Nothing listens there: reading a channel from Slack fails at once, and the connector
        # tells ilert what the event said.
        slack_url="http://127.0.0.1:9",
        ilert_url=ILERT,
        public_url="http://connector.test",
        client_id="c",
        client_secret="s",
        signing_secret=SECRET,
        ilert_secret="i",
        database_path=str(tmp_path / "c.sqlite3"),
    )


@pytest.fixture
def ilert() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.PUT, CHANNEL_URL, json=[])
        mock.add(responses.DELETE, CONNECTOR_URL, status=204)
        yield mock


@pytest.fixture
def client(config: ConnectorConfig, ilert: responses.RequestsMock) -> Iterator[FlaskClient]:
    installations = SQLite3InstallationStore(
        database=config.database_path, client_id=config.client_id
    )
    installations.save(
        Installation(
            app_id="A1",
            team_id=TEAM,
            bot_token="xoxb-1",
            bot_id="B1",
            bot_user_id=BOT,
            bot_scopes="channels:read",
            user_id="U1",
            installed_at=time.time(),
        )
    )
    ConnectorStore(config.database_path).save_link(
        WorkspaceLink(TEAM, 1, "acme", "Acme", "7", "il-key")
    )
    app = create_app(config)
    yield app.test_client()
    app.extensions["connector_store"].close()


def envelope(event: dict[str, Any], event_id: str = "Ev1") -> str:
    return json.dumps(
        {
            "token": "t",
            "team_id": TEAM,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
        }
    )


def post(client: FlaskClient, body: str, *, retry: int = 0, at: int | None = None) -> Any:
    timestamp = str(at or int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    headers = {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return client.post("/slack/events", data=body, headers=headers, content_type="application/json")


def calls_to(ilert: responses.RequestsMock, url: str, method: str) -> list[Any]:
    return [c for c in ilert.calls if c.request.url == url and c.request.method == method]


def settled(ilert: responses.RequestsMock, url: str, method: str, count: int) -> list[Any]:
    """The calls once `count` have been made (bounded); the work runs after the answer."""
    deadline = time.monotonic() + 5
    while len(calls_to(ilert, url, method)) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return calls_to(ilert, url, method)


RENAME = {"type": "channel_rename", "channel": {"id": "C1", "name": "ops-eu", "created": 1}}


def test_an_event_is_acted_on_once_however_often_slack_sends_it(
    client: FlaskClient, ilert: responses.RequestsMock
) -> None:
    body = envelope(RENAME)
    assert post(client, body).status_code == 200
    assert post(client, body, retry=1, at=int(time.time()) + 1).status_code == 200
    assert post(client, body, retry=2, at=int(time.time()) + 2).status_code == 200
    [call] = settled(ilert, CHANNEL_URL, "PUT", 1)
    time.sleep(0.2)  # room for a wrongly repeated call to show up (none may)
    assert len(calls_to(ilert, CHANNEL_URL, "PUT")) == 1
    assert json.loads(call.request.body) == {"name": "ops-eu"}
    assert call.request.headers["Authorization"] == "Bearer il-key"
    assert "X-On-Behalf-Of" not in call.request.headers


def test_a_retry_signed_in_the_same_second_is_taken_not_refused_as_a_replay(
    client: FlaskClient, ilert: responses.RequestsMock
) -> None:
    """Slack retries a failed event at once, and the retry may carry the first try's timestamp,
    so its signature too: the event id, not the signature, tells that it was seen."""
    body, now = envelope(RENAME), int(time.time())
    assert post(client, body, at=now).status_code == 200
    assert post(client, body, at=now, retry=1).status_code == 200
    settled(ilert, CHANNEL_URL, "PUT", 1)
    time.sleep(0.2)  # room for a wrongly repeated call to show up (none may)
    assert len(calls_to(ilert, CHANNEL_URL, "PUT")) == 1


def test_slacks_challenge_leaves_no_trace_in_the_store(
    client: FlaskClient, config: ConnectorConfig
) -> None:
    """Answering the challenge changes nothing, so an import into the data directory still
    holds exactly what the file held once the event URL is verified again."""
    body = json.dumps({"token": "t", "challenge": "c-1", "type": "url_verification"})
    answer = post(client, body)
    assert (answer.status_code, answer.get_json()) == (200, {"challenge": "c-1"})
    with sqlite3.connect(config.database_path) as db:
        assert db.execute("SELECT COUNT(*) FROM seen_requests").fetchone() == (0,)


@pytest.mark.parametrize(
    ("event", "report"),
    [
        ({"type": "group_rename", "channel": {"id": "C1", "name": "sre"}}, {"name": "sre"}),
        ({"type": "channel_archive", "channel": "C1", "user": "U1"}, {"archived": True}),
        ({"type": "group_archive", "channel": "C1"}, {"archived": True}),
        ({"type": "channel_unarchive", "channel": "C1", "user": "U1"}, {"archived": False}),
        ({"type": "group_unarchive", "channel": "C1"}, {"archived": False}),
        (
            {"type": "member_joined_channel", "user": BOT, "channel": "C1", "team": TEAM},
            {"botIsMember": True},
        ),
    ],
)
def test_each_channel_event_is_told_to_ilert(
    client: FlaskClient, ilert: responses.RequestsMock, event: dict[str, Any], report: Any
) -> None:
    assert post(client, envelope(event)).status_code == 200
    [call] = settled(ilert, CHANNEL_URL, "PUT", 1)
    assert json.loads(call.request.body) == report


def test_a_person_joining_a_channel_tells_ilert_nothing(
    client: FlaskClient, ilert: responses.RequestsMock
) -> None:
    event = {"type": "member_joined_channel", "user": "U2", "channel": "C1", "team": TEAM}
    assert post(client, envelope(event)).status_code == 200
    assert post(client, envelope(RENAME, "Ev2")).status_code == 200
    settled(ilert, CHANNEL_URL, "PUT", 1)
    assert [json.loads(c.request.body) for c in calls_to(ilert, CHANNEL_URL, "PUT")] == [
        {"name": "ops-eu"}
    ]


def test_a_revoked_user_token_leaves_the_app_installed(
    client: FlaskClient, ilert: responses.RequestsMock, config: ConnectorConfig
) -> None:
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}}
    assert post(client, envelope(event)).status_code == 200
    assert post(client, envelope(RENAME, "Ev2")).status_code == 200
    settled(ilert, CHANNEL_URL, "PUT", 1)  # handled after the revocation, in order of arrival
    assert calls_to(ilert, CONNECTOR_URL, "DELETE") == []
    assert ConnectorStore(config.database_path).link_for_team(TEAM) is not None


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT]}},
    ],
)
def test_a_removed_app_is_forgotten_and_unlinked_in_ilert(
    client: FlaskClient, ilert: responses.RequestsMock, config: ConnectorConfig, event: Any
) -> None:
    assert post(client, envelope(event)).status_code == 200
    [call] = settled(ilert, CONNECTOR_URL, "DELETE", 1)
    assert call.request.headers["Authorization"] == "Bearer il-key"
    store = ConnectorStore(config.database_path)
    deadline = time.monotonic() + 5
    while store.link_for_team(TEAM) is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store.link_for_team(TEAM) is None
    installations = SQLite3InstallationStore(
        database=config.database_path, client_id=config.client_id
    )
    assert installations.find_bot(enterprise_id=None, team_id=TEAM) is None
