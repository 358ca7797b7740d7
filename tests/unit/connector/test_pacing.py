"""The connector's own pacing toward Slack's published limits, on a hand-moved clock."""

from __future__ import annotations

import pytest

from connector.pacing import PER_CHANNEL_BURST, Pacer


class HandClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_posting_to_one_channel_keeps_to_about_one_message_a_second_after_a_burst() -> None:
    clock = HandClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    for _ in range(PER_CHANNEL_BURST + 5):
        pacer.pace("T1", "chat.postMessage", "C1")
    assert clock.slept == pytest.approx([1.0] * 5)


def test_channels_and_workspaces_have_budgets_of_their_own() -> None:
    clock = HandClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    for channel in ("C1", "C2", "C3", "C4"):
        for team in ("T1", "T2"):
            for _ in range(PER_CHANNEL_BURST):
                pacer.pace(team, "chat.postMessage", channel)
    assert clock.slept == []


def test_tier_methods_wait_once_a_minutes_budget_is_spent() -> None:
    clock = HandClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    for _ in range(50):
        pacer.pace("T1", "chat.update")
    assert clock.slept == []
    pacer.pace("T1", "chat.update")
    assert clock.slept == pytest.approx([60 / 50])


def test_the_time_scale_shrinks_the_windows() -> None:
    clock = HandClock()
    pacer = Pacer(time_scale=0.01, clock=clock, sleep=clock.sleep)
    for _ in range(PER_CHANNEL_BURST + 1):
        pacer.pace("T1", "chat.postMessage", "C1")
    assert clock.slept == pytest.approx([0.01])
