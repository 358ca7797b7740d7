"""Support hours as ilert models them: a time zone and, per weekday, the hours of support.
No Flask, no wire format.

What they decide here: an alert source that names support hours and whose priority rule is
`HIGH_DURING_SUPPORT_HOURS` or `LOW_DURING_SUPPORT_HOURS` (ilert's `AlertPriorityRule`) gets its
alerts' priority from them, and so whether they escalate (a LOW alert does not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
SUPPORT_PRIORITY_RULES = ("HIGH_DURING_SUPPORT_HOURS", "LOW_DURING_SUPPORT_HOURS")


@dataclass(frozen=True)
class SupportDay:
    start: int  # minutes into the day
    end: int  # minutes into the day; 24:00 is 1440, an end before the start runs past midnight

    def covers(self, minute: int) -> bool:
        if self.start <= self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end


@dataclass
class SupportHours:
    id: int
    account_id: int
    name: str
    timezone: str
    days: dict[str, SupportDay] = field(default_factory=dict)  # only the days with support
    team_ids: list[int] = field(default_factory=list)

    def covers(self, at: float) -> bool:
        """Whether `at` (Unix seconds) falls in the support hours, read in their time zone."""
        local = datetime.fromtimestamp(at, ZoneInfo(self.timezone))
        day = self.days.get(DAYS[local.weekday()])
        return day is not None and day.covers(local.hour * 60 + local.minute)


def priority_for(rule: str, hours: SupportHours | None, at: float) -> str | None:
    """The priority a support-hours rule gives an alert created at `at`; None for other rules.
    Without support hours the rule's inside-hours priority applies (nothing is out of hours)."""
    if rule not in SUPPORT_PRIORITY_RULES:
        return None
    inside = hours is None or hours.covers(at)
    high_inside = rule == "HIGH_DURING_SUPPORT_HOURS"
    return "HIGH" if inside == high_inside else "LOW"
