"""Fault rules: errors, statuses, 429s, latency, dropped connections; before or after the effect."""

from __future__ import annotations

import http.client
import time
import urllib.error

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, FixedValueRetryIntervalCalculator

from emulator.serving import ServedApp
from emulator.slack import FakeSlack
from tests.unit.slack.conftest import World


def texts(world: World) -> list[str]:
    return [m["text"] for m in world.sim.messages(world.general["id"])]


@pytest.fixture
def poster(world: World) -> WebClient:
    world.invite_bot(world.general["id"])
    # No retry handlers: each test sees exactly what the emulator answered.
    return WebClient(
        token=world.install["access_token"], base_url=f"{world.url}/api/", retry_handlers=[]
    )


def test_an_error_before_the_effect_stores_nothing(world: World, poster: WebClient) -> None:
    rule = world.sim.post(
        "/faults", {"method": "chat.postMessage", "count": 1, "error": "fatal_error"}
    )

    with pytest.raises(SlackApiError) as caught:
        poster.chat_postMessage(channel=world.general["id"], text="lost")
    poster.chat_postMessage(channel=world.general["id"], text="kept")

    assert rule["id"] == "F1" and rule["when"] == "before"
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == "fatal_error"
    assert texts(world) == ["kept"]


def test_a_server_error_after_the_effect_keeps_the_message(world: World, poster: WebClient) -> None:
    world.sim.post(
        "/faults", {"method": "chat.postMessage", "count": 1, "status": 500, "when": "after"}
    )

    with pytest.raises(SlackApiError) as caught:
        poster.chat_postMessage(channel=world.general["id"], text="stored anyway")

    assert caught.value.response.status_code == 500
    assert caught.value.response["error"] == "internal_error"
    assert texts(world) == ["stored anyway"]


def test_retry_after_answers_a_429(world: World, poster: WebClient) -> None:
    world.sim.post("/faults", {"method": "*", "count": 1, "retry_after": 7})

    with pytest.raises(SlackApiError) as caught:
        poster.auth_test()

    response = caught.value.response
    assert response.status_code == 429 and response["error"] == "ratelimited"
    assert response.headers["Retry-After"] == "7"
    assert poster.auth_test()["ok"]


def test_a_dropped_connection_answers_nothing(world: World, poster: WebClient) -> None:
    world.sim.post("/faults", {"method": "chat.postMessage", "count": 1, "drop_connection": True})

    with pytest.raises((urllib.error.URLError, http.client.RemoteDisconnected)):
        poster.chat_postMessage(channel=world.general["id"], text="never sent")

    assert texts(world) == []
    assert poster.chat_postMessage(channel=world.general["id"], text="next")["ok"]


def test_a_connection_lost_after_the_effect_makes_a_retrying_client_post_twice(
    world: World,
) -> None:
    world.invite_bot(world.general["id"])
    world.sim.post(
        "/faults",
        {"method": "chat.postMessage", "count": 1, "drop_connection": True, "when": "after"},
    )

    # slack_sdk retries a lost connection once by default, and Slack has no idempotency key.
    client = WebClient(
        token=world.install["access_token"],
        base_url=f"{world.url}/api/",
        retry_handlers=[
            ConnectionErrorRetryHandler(interval_calculator=FixedValueRetryIntervalCalculator(0))
        ],
    )
    client.chat_postMessage(channel=world.general["id"], text="twice")

    assert texts(world) == ["twice", "twice"]


def test_a_plain_http_client_sees_the_socket_close(world: World) -> None:
    world.sim.post("/faults", {"method": "api.test", "drop_connection": True})

    with pytest.raises(requests.ConnectionError):
        requests.post(f"{world.url}/api/api.test", timeout=5)


def test_latency_delays_the_answer(world: World, poster: WebClient) -> None:
    world.sim.post("/faults", {"method": "auth.test", "latency_ms": 150, "count": 1})

    started = time.monotonic()
    assert poster.auth_test()["ok"]

    assert time.monotonic() - started >= 0.15


def test_rules_can_be_listed_and_removed(world: World, poster: WebClient) -> None:
    first = world.sim.post("/faults", {"method": "auth.test", "error": "one"})
    world.sim.post("/faults", {"method": "auth.test", "error": "two"})
    with pytest.raises(SlackApiError):
        poster.auth_test()

    listed = world.sim.get("/faults")["faults"]
    assert [(f["id"], f["struck"]) for f in listed] == [("F1", 1), ("F2", 0)]

    requests.delete(f"{world.url}/_sim/faults/{first['id']}", timeout=5).raise_for_status()
    with pytest.raises(SlackApiError) as caught:
        poster.auth_test()
    assert caught.value.response["error"] == "two"
    requests.delete(f"{world.url}/_sim/faults", timeout=5).raise_for_status()
    assert poster.auth_test()["ok"]
    gone = requests.delete(f"{world.url}/_sim/faults/F9", timeout=5)
    assert gone.status_code == 404 and gone.json()["error"] == "fault_not_found"


def test_a_rule_can_be_limited_to_one_workspace(world: World, poster: WebClient) -> None:
    world.sim.post("/faults", {"method": "auth.test", "error": "down", "team_id": "TOTHER"})

    assert poster.auth_test()["ok"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"method": "auth.test"}, "give an effect"),
        ({"error": "x", "when": "later"}, "'when'"),
        ({"error": "x", "probability": 2}, "'probability'"),
        ({"error": "x", "colour": "red"}, "unknown fields: colour"),
        ({"status": "500"}, "'status' must be a number"),
    ],
)
def test_bad_rules_are_refused(world: World, rule: dict, message: str) -> None:
    answer = world.sim.post("/faults", rule, status=400)

    assert answer["error"] == "invalid_field" and message in answer["message"]


def strikes(seed: int) -> list[bool]:
    fake = FakeSlack(seed=seed)
    served = ServedApp(fake.app, name="fake-slack").start()
    try:
        requests.post(
            f"{served.url}/_sim/faults", json={"error": "flaky", "probability": 0.5}, timeout=5
        ).raise_for_status()
        return [
            not requests.post(f"{served.url}/api/api.test", timeout=5).json()["ok"]
            for _ in range(16)
        ]
    finally:
        served.stop()


def test_probabilities_follow_the_seed() -> None:
    first, again, other = strikes(3), strikes(3), strikes(4)

    assert first == again
    assert 0 < sum(first) < 16
    assert first != other


def test_the_journal_shows_faults_and_filters(world: World, poster: WebClient) -> None:
    world.sim.post("/faults", {"method": "auth.test", "count": 1, "status": 503})
    with pytest.raises(SlackApiError):
        poster.auth_test()
    poster.auth_test()
    poster.api_test()

    entries = world.sim.get("/journal", method="auth.test", team_id=world.team["id"])["entries"]
    newest = world.sim.get("/journal", limit="1")["entries"]

    assert [(e["status"], e["ok"]) for e in entries] == [(503, False), (200, True)]
    assert entries[0]["fault"] == {"id": "F1", "when": "before", "effects": ["status"]}
    assert entries[1]["fault"] is None and entries[1]["app_id"] == world.app["id"]
    assert [e["method"] for e in newest] == ["api.test"]
    assert entries[0]["id"] < entries[1]["id"] < newest[0]["id"]
