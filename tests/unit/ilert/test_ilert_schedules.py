"""Who is on call when: rotations, weekly restrictions in the schedule's time zone, layers,
overrides and static shifts, computed by `emulator.ilert.schedules` alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emulator.ilert.errors import BadRequest
from emulator.ilert.schedules import (
    Duration,
    Layer,
    Restriction,
    Schedule,
    Shift,
    TimeOfWeek,
    check_shifts,
    next_shift,
    shift_at,
    shifts_between,
)
from emulator.ilert.support_hours import SupportDay, SupportHours, priority_for

MONDAY = datetime(2024, 3, 4, tzinfo=UTC).timestamp()  # a Monday, 00:00 UTC
HOUR, DAY = 3600.0, 86400.0


def _recurring(*layers: Layer, zone: str = "Europe/Berlin") -> Schedule:
    return Schedule(1, 1, "Primary", zone, "RECURRING", layers=list(layers))


def _layer(users: list[int], rotation: str = "P1D", **extra: object) -> Layer:
    return Layer("L", MONDAY, None, users, Duration.parse(rotation, "rotation"), **extra)  # type: ignore[arg-type]


def test_a_rotation_hands_each_user_a_turn_in_order() -> None:
    schedule = _recurring(_layer([1, 2, 3]))
    found = shifts_between(schedule, MONDAY, MONDAY + 4 * DAY)
    assert [(s.user_id, s.start - MONDAY, s.end - MONDAY) for s in found] == [
        (1, 0, DAY),
        (2, DAY, 2 * DAY),
        (3, 2 * DAY, 3 * DAY),
        (1, 3 * DAY, 4 * DAY),
    ]
    assert shift_at(schedule, MONDAY + 1.5 * DAY) == Shift(2, MONDAY + DAY, MONDAY + 2 * DAY)
    assert next_shift(schedule, MONDAY + 1.5 * DAY) == Shift(3, MONDAY + 2 * DAY, MONDAY + 3 * DAY)


def test_nobody_is_on_call_before_a_layer_starts_or_after_it_ends() -> None:
    layer = _layer([1], "PT12H")
    layer.ends_on = MONDAY + DAY
    schedule = _recurring(layer)
    assert shift_at(schedule, MONDAY - 1) is None
    assert shift_at(schedule, MONDAY + DAY) is None
    # One person's turns meet, so they read as one shift.
    assert shifts_between(schedule, MONDAY - DAY, MONDAY + 2 * DAY) == [
        Shift(1, MONDAY, MONDAY + DAY)
    ]


def test_restrictions_are_weekly_windows_in_the_schedule_time_zone() -> None:
    office = Restriction(TimeOfWeek(0, 9 * 60), TimeOfWeek(0, 17 * 60))  # Monday 09:00-17:00
    schedule = _recurring(_layer([7], "P7D", restrictions=[office]))
    found = shifts_between(schedule, MONDAY, MONDAY + 7 * DAY)
    # Berlin is UTC+1 in March before summer time: 09:00 there is 08:00 UTC.
    assert found == [Shift(7, MONDAY + 8 * HOUR, MONDAY + 16 * HOUR)]


def test_a_restriction_keeps_its_wall_clock_across_summer_time() -> None:
    office = Restriction(TimeOfWeek(0, 9 * 60), TimeOfWeek(0, 10 * 60))
    schedule = _recurring(_layer([7], "P7D", restrictions=[office]))
    after_change = MONDAY + 28 * DAY  # 1 April 2024: Berlin is UTC+2
    found = shifts_between(schedule, after_change, after_change + DAY)
    assert found == [Shift(7, after_change + 7 * HOUR, after_change + 8 * HOUR)]


def test_the_later_layer_wins_and_an_override_wins_over_all() -> None:
    base = _layer([1], "P7D")
    nights = _layer([2], "P7D", restrictions=[Restriction(TimeOfWeek(0, 0), TimeOfWeek(0, 6 * 60))])
    schedule = _recurring(base, nights, zone="America/New_York")
    assert shift_at(schedule, MONDAY + 6 * HOUR).user_id == 2  # 01:00 in New York
    assert shift_at(schedule, MONDAY + 12 * HOUR).user_id == 1
    schedule.overrides.append(Shift(3, MONDAY + 11 * HOUR, MONDAY + 13 * HOUR))
    assert shift_at(schedule, MONDAY + 12 * HOUR) == Shift(
        3, MONDAY + 11 * HOUR, MONDAY + 13 * HOUR
    )
    without = shifts_between(schedule, MONDAY + 11 * HOUR, MONDAY + 13 * HOUR, overrides=False)
    assert [s.user_id for s in without] == [1]


def test_static_shifts_may_not_overlap_and_abort_on_gaps_refuses_a_gap() -> None:
    first, later = Shift(1, MONDAY, MONDAY + DAY), Shift(2, MONDAY + 2 * DAY, MONDAY + 3 * DAY)
    assert check_shifts([later, first], "shifts", abort_on_gaps=False) == [first, later]
    with pytest.raises(BadRequest, match="gap"):
        check_shifts([first, later], "shifts", abort_on_gaps=True)
    with pytest.raises(BadRequest, match="overlap"):
        check_shifts(
            [first, Shift(2, MONDAY + HOUR, MONDAY + 2 * HOUR)], "shifts", abort_on_gaps=False
        )
    schedule = Schedule(1, 1, "Static", "Europe/Berlin", "STATIC", shifts=[first, later])
    assert shift_at(schedule, MONDAY + 1.5 * DAY) is None
    assert next_shift(schedule, MONDAY + 1.5 * DAY) == later


@pytest.mark.parametrize(
    ("text", "seconds"), [("P7D", 604800), ("PT12H", 43200), ("P1W", 604800), ("P1DT1H", 90000)]
)
def test_durations_are_iso_8601(text: str, seconds: int) -> None:
    assert Duration.parse(text, "rotation").seconds == seconds


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "7D", "P1.5D", "p7d"])
def test_a_duration_that_is_not_iso_8601_is_refused(text: str) -> None:
    with pytest.raises(BadRequest, match="rotation"):
        Duration.parse(text, "rotation")


def test_support_hours_are_read_in_their_time_zone_and_decide_a_support_hours_priority() -> None:
    office = SupportHours(
        1, 1, "Office", "America/Los_Angeles", {"MONDAY": SupportDay(8 * 60, 18 * 60)}
    )
    nine_in_la = MONDAY + 17 * HOUR  # Monday 09:00 in Los Angeles (UTC-8 in early March)
    assert office.covers(nine_in_la) and not office.covers(MONDAY + 12 * HOUR)
    assert priority_for("HIGH_DURING_SUPPORT_HOURS", office, nine_in_la) == "HIGH"
    assert priority_for("HIGH_DURING_SUPPORT_HOURS", office, MONDAY + 12 * HOUR) == "LOW"
    assert priority_for("LOW_DURING_SUPPORT_HOURS", office, nine_in_la) == "LOW"
    assert priority_for("HIGH", office, nine_in_la) is None  # not a support-hours rule


def test_a_support_day_that_ends_before_it_starts_runs_past_midnight() -> None:
    night = SupportDay(22 * 60, 6 * 60)
    assert night.covers(23 * 60) and night.covers(5 * 60) and not night.covers(12 * 60)
