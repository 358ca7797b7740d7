"""What slack_sdk's retry handlers meet: tiered 429s, injected server errors, lost connections."""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    FixedValueRetryIntervalCalculator,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_async_handlers import AsyncServerErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from tests.fidelity.conftest import Acme

NO_WAIT = FixedValueRetryIntervalCalculator(0.0)


def statuses(acme: Acme, method: str) -> list[int]:
    return [entry["status"] for entry in acme.sim.journal(method=method)]


def test_a_tiered_429_then_success_with_the_rate_limit_handler(acme: Acme) -> None:
    limits = acme.sim.rate_limits(
        enabled=True, time_scale=0.01, overrides={"users.list": {"per_minute": 1, "burst": 1}}
    )
    assert limits["methods"]["users.list"] == {
        "tier": "t2",
        "per_minute": 1,
        "burst": 1,
        "per": "app+workspace",
    }
    plain = acme.client(retry_handlers=[])
    plain.users_list()
    with pytest.raises(SlackApiError) as caught:
        plain.users_list()
    refused = caught.value.response
    assert refused.status_code == 429 and refused.data == {"ok": False, "error": "ratelimited"}
    assert refused.headers["Retry-After"] == "1"

    # The handler sleeps int(Retry-After) plus up to a second, then the window is open again.
    patient = acme.client(retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])

    assert patient.users_list()["ok"]
    assert statuses(acme, "users.list") == [200, 429, 429, 200]


def test_an_injected_500_then_success_with_the_server_error_handler(acme: Acme) -> None:
    acme.sim.fault(method="conversations.list", count=1, status=500, error="internal_error")
    client = acme.client(retry_handlers=[ServerErrorRetryHandler(interval_calculator=NO_WAIT)])

    assert [c["name"] for c in client.conversations_list()["channels"]] == ["general"]
    assert statuses(acme, "conversations.list") == [500, 200]
    journal = acme.sim.journal(method="conversations.list")
    assert journal[0]["fault"] == {"id": "F1", "when": "before", "effects": ["status", "error"]}


def test_a_server_error_after_the_effect_makes_a_retry_post_twice(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    acme.sim.fault(method="chat.postMessage", count=1, status=503, when="after")
    client = acme.client(retry_handlers=[ServerErrorRetryHandler(interval_calculator=NO_WAIT)])

    client.chat_postMessage(channel=acme.general["id"], text="deploy done")

    # Slack has no idempotency key: an app that retries blindly posts twice.
    texts = [m["text"] for m in acme.sim.messages(acme.general["id"])]
    assert texts == ["deploy done", "deploy done"]


def test_a_dropped_connection_then_success_with_the_default_handler(acme: Acme) -> None:
    acme.sim.fault(method="auth.test", count=1, drop_connection=True)
    client = acme.client(retry_handlers=[ConnectionErrorRetryHandler(interval_calculator=NO_WAIT)])

    assert client.auth_test()["ok"]
    assert statuses(acme, "auth.test") == [0, 200]


def test_the_async_client_retries_a_500_too(acme: Acme) -> None:
    acme.sim.fault(method="team.info", count=1, status=500)

    async def team() -> str:
        client = acme.sim.async_client(
            acme.token, retry_handlers=[AsyncServerErrorRetryHandler(interval_calculator=NO_WAIT)]
        )
        return (await client.team_info())["team"]["domain"]

    assert asyncio.run(team()) == "acme"
