"""Rate limits: tiered token buckets per app and workspace, per channel for chat.postMessage."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from emulator.slack.errors import RateLimited
from emulator.slack.ratelimits import RateLimiter
from tests.unit.slack.conftest import ALL_SCOPES, World


class Ticker:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_its_rate() -> None:
    ticker = Ticker()
    limiter = RateLimiter({"users.list": "t2"}, enabled=True, monotonic=ticker)
    for _ in range(20):
        limiter.check("users.list", "A1", "T1")

    with pytest.raises(RateLimited) as caught:
        limiter.check("users.list", "A1", "T1")
    limiter.check("users.list", "A2", "T1")  # another app has its own bucket

    assert caught.value.retry_after == 3  # 20 a minute: one every 3 s
    ticker.now += 3
    limiter.check("users.list", "A1", "T1")


def test_retry_after_is_scaled_rounded_up_and_at_least_one() -> None:
    ticker = Ticker()
    limiter = RateLimiter({"apps.uninstall": "t1"}, enabled=True, monotonic=ticker)
    limiter.check("apps.uninstall", "A", "T")
    with pytest.raises(RateLimited) as slow:
        limiter.check("apps.uninstall", "A", "T")

    limiter.configure(time_scale=0.001)
    limiter.check("apps.uninstall", "A", "T")
    with pytest.raises(RateLimited) as fast:
        limiter.check("apps.uninstall", "A", "T")

    assert slow.value.retry_after == 60
    assert fast.value.retry_after == 1
    assert fast.value.body() == {"ok": False, "error": "ratelimited"}


def test_off_by_default_and_methods_keep_their_tiers() -> None:
    limiter = RateLimiter({"users.list": "t2", "chat.postMessage": "t5", "api.test": "t4"})
    settings = limiter.to_json()

    assert settings["enabled"] is False and settings["time_scale"] == 1.0
    assert settings["methods"]["users.list"] == {
        "tier": "t2",
        "per_minute": 20,
        "burst": 20,
        "per": "app+workspace",
    }
    assert settings["methods"]["chat.postMessage"] == {
        "tier": "t5",
        "per_minute": 60,
        "burst": 3,
        "per": "app+workspace+channel",
    }
    for _ in range(200):
        limiter.check("api.test", "A", "T")


def switch_on(world: World, **extra: object) -> dict:
    return world.sim.post("/rate-limits", {"enabled": True, "time_scale": 0.01, **extra})


def test_the_control_plane_switches_limits_and_shows_them(world: World) -> None:
    shown = switch_on(world, overrides={"users.list": {"per_minute": 2, "burst": 1}})

    assert shown["enabled"] is True and shown["time_scale"] == 0.01
    assert shown["window_seconds"] == pytest.approx(0.6)
    assert shown["methods"]["users.list"]["per_minute"] == 2
    assert shown["methods"]["conversations.list"]["tier"] == "t2"
    world.sim.post("/reset")
    assert world.sim.get("/rate-limits")["enabled"] is False
    bad = world.sim.post("/rate-limits", {"time_scale": 0}, status=400)
    assert bad["error"] == "invalid_field"


def until_ok(call, *, bound: float = 5.0):
    deadline = time.monotonic() + bound
    while True:
        try:
            return call()
        except SlackApiError as error:
            if error.response.status_code != 429 or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def test_a_429_carries_retry_after_and_the_window_reopens(world: World) -> None:
    switch_on(world, overrides={"users.list": {"per_minute": 6, "burst": 2}})
    client = world.client()
    client.users_list()
    client.users_list()

    with pytest.raises(SlackApiError) as caught:
        client.users_list()

    response = caught.value.response
    assert response.status_code == 429
    assert response.data == {"ok": False, "error": "ratelimited"}
    assert response.headers["Retry-After"] == "1"
    assert until_ok(client.users_list)["ok"]  # 6 a minute at 0.01: one every 0.1 s
    journal = world.sim.get("/journal", method="users.list")["entries"]
    assert [e["status"] for e in journal][:3] == [200, 200, 429]


def test_posting_is_limited_per_channel(world: World) -> None:
    # Slack's own window: one a second, so the fourth quick post in a row is always refused.
    switch_on(world, time_scale=1)
    client = world.install_with([*ALL_SCOPES, "chat:write.public"])
    general, other = world.general["id"], world.sim.channel(world.team["id"], "ops")["id"]
    for n in range(3):
        client.chat_postMessage(channel=general, text=str(n))

    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="#general", text="by name, same channel")

    assert caught.value.response.status_code == 429
    assert client.chat_postMessage(channel=other, text="another channel")["ok"]


def test_limits_are_per_app_and_workspace(world: World) -> None:
    switch_on(world, overrides={"team.info": {"per_minute": 1, "burst": 1}})
    other_app = world.sim.app(name="other")
    other = WebClient(
        token=world.sim.install(other_app["id"], world.team["id"], ALL_SCOPES)["access_token"],
        base_url=f"{world.url}/api/",
    )
    world.client().team_info()

    assert other.team_info()["ok"]
    with pytest.raises(SlackApiError):
        world.client().team_info()
