"""An alert source's rules for what its events become: whether an event opens a new alert
(`alertCreation`, `alertGroupingWindow`), when an alert resolves itself
(`autoResolutionTimeout`) and which priority it gets (`alertPriorityRule`). No Flask.

The values are ilert's (its OpenAPI AlertSource and AlertPriorityRule schemas). What each
`alertCreation` means for events that come through the events API or a heartbeat:

- `ONE_ALERT_PER_EMAIL` (the default): every event opens an alert, unless its `alertKey` names
  an open one (which every mode honours);
- `ONE_ALERT_PER_EMAIL_SUBJECT`: an event without an `alertKey` is keyed by its summary (an
  e-mail's subject): one with the summary of an open alert of the source is appended to it;
- `ONE_PENDING_ALERT_ALLOWED`: while the source has a PENDING alert, events are appended to it;
- `ONE_OPEN_ALERT_ALLOWED`: while the source has an open (PENDING or ACCEPTED) alert, events
  are appended to it;
- `ONE_ALERT_GROUPED_PER_WINDOW`: events are appended to the open alert opened less than
  `alertGroupingWindow` ago, and open a new one after it;
- `OPEN_RESOLVE_ON_EXTRACTION`: ilert's e-mail key extraction, which needs e-mails; fake ilert
  receives none, so its events behave as ONE_ALERT_PER_EMAIL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emulator.ilert.errors import BadRequest
from emulator.ilert.fields import check_enum, optional_str

ONE_ALERT_PER_EMAIL = "ONE_ALERT_PER_EMAIL"
ONE_ALERT_PER_EMAIL_SUBJECT = "ONE_ALERT_PER_EMAIL_SUBJECT"
ONE_PENDING_ALERT_ALLOWED = "ONE_PENDING_ALERT_ALLOWED"
ONE_OPEN_ALERT_ALLOWED = "ONE_OPEN_ALERT_ALLOWED"
OPEN_RESOLVE_ON_EXTRACTION = "OPEN_RESOLVE_ON_EXTRACTION"
ONE_ALERT_GROUPED_PER_WINDOW = "ONE_ALERT_GROUPED_PER_WINDOW"
ALERT_CREATIONS = (
    ONE_ALERT_PER_EMAIL,
    ONE_ALERT_PER_EMAIL_SUBJECT,
    ONE_PENDING_ALERT_ALLOWED,
    ONE_OPEN_ALERT_ALLOWED,
    OPEN_RESOLVE_ON_EXTRACTION,
    ONE_ALERT_GROUPED_PER_WINDOW,
)
PRIORITY_RULES = ("HIGH", "LOW", "HIGH_DURING_SUPPORT_HOURS", "LOW_DURING_SUPPORT_HOURS")

# ISO-8601 durations as ilert writes them (PT5M, PT4H, P1D, P1DT12H); years and months have no
# fixed length, so they are refused.
_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)
_UNIT_SECONDS = {"weeks": 604_800, "days": 86_400, "hours": 3_600, "minutes": 60, "seconds": 1}
MAX_DURATION = 10 * 365 * 86_400.0  # as far as the clock may be advanced in one step


@dataclass(frozen=True)
class Duration:
    """A duration as it was given (returned unchanged) and its length in seconds."""

    text: str
    seconds: float


def parse_duration(text: str, name: str) -> Duration:
    match = _DURATION.fullmatch(text)
    parts = match.groupdict() if match else {}
    seconds = sum(float(v) * _UNIT_SECONDS[k] for k, v in parts.items() if v)
    if not match or text in ("P", "PT") or text.endswith("T") or not 0 < seconds <= MAX_DURATION:
        raise BadRequest(
            f"Field '{name}' must be a positive ISO-8601 duration of weeks, days, hours, minutes "
            f"or seconds (such as PT5M, PT4H or P1D), at most ten years; got {text!r}"
        )
    return Duration(text, seconds)


@dataclass(frozen=True)
class SourceRules:
    alert_creation: str = ONE_ALERT_PER_EMAIL
    grouping_window: Duration | None = None
    auto_resolution: Duration | None = None
    priority_rule: str = "HIGH"

    def __post_init__(self) -> None:
        if self.alert_creation == ONE_ALERT_GROUPED_PER_WINDOW and self.grouping_window is None:
            raise BadRequest(
                "Field 'alertGroupingWindow' (an ISO-8601 duration such as PT5M) is required when "
                "alertCreation is ONE_ALERT_GROUPED_PER_WINDOW"
            )

    def priority(self, *, in_support_hours: bool) -> str:
        """The priority of a new alert whose event names none."""
        if self.priority_rule in ("HIGH", "LOW"):
            return self.priority_rule
        during = "HIGH" if self.priority_rule == "HIGH_DURING_SUPPORT_HOURS" else "LOW"
        other = "LOW" if during == "HIGH" else "HIGH"
        return during if in_support_hours else other

    def dedup_key(self, alert_key: str | None, summary: str) -> str | None:
        """The key that finds the open alert an event belongs to: its own `alertKey`, or under
        ONE_ALERT_PER_EMAIL_SUBJECT its summary (an e-mail's subject), which the new alert then
        keeps as its key."""
        if alert_key or self.alert_creation != ONE_ALERT_PER_EMAIL_SUBJECT:
            return alert_key
        return summary

    def joinable_states(self) -> tuple[str, ...]:
        """The states of the source's newest alert that a new event may be appended to."""
        if self.alert_creation == ONE_PENDING_ALERT_ALLOWED:
            return ("PENDING",)
        if self.alert_creation in (ONE_OPEN_ALERT_ALLOWED, ONE_ALERT_GROUPED_PER_WINDOW):
            return ("PENDING", "ACCEPTED")
        return ()

    def joins(self, age: float) -> bool:
        """Whether an event is appended to the source's newest joinable alert, `age` seconds
        old, instead of opening one."""
        if self.alert_creation == ONE_ALERT_GROUPED_PER_WINDOW:
            assert self.grouping_window is not None
            return age < self.grouping_window.seconds
        return bool(self.joinable_states())

    def auto_resolution_text(self) -> str:
        return self.auto_resolution.text if self.auto_resolution else "its timeout"


def rules_from_fields(fields: dict[str, Any], current: SourceRules) -> SourceRules:
    """The source's alert creation, grouping window, auto-resolution and priority rule: what
    `fields` gives, the rest as it was (null clears a duration)."""
    creation = current.alert_creation
    if fields.get("alertCreation") is not None:
        creation = check_enum(fields["alertCreation"], ALERT_CREATIONS, "alertCreation")
    priority_rule = current.priority_rule
    if fields.get("alertPriorityRule") is not None:
        priority_rule = check_enum(fields["alertPriorityRule"], PRIORITY_RULES, "alertPriorityRule")
    return SourceRules(
        alert_creation=creation,
        grouping_window=_duration(fields, "alertGroupingWindow", current.grouping_window),
        auto_resolution=_duration(fields, "autoResolutionTimeout", current.auto_resolution),
        priority_rule=priority_rule,
    )


def _duration(fields: dict[str, Any], name: str, current: Duration | None) -> Duration | None:
    if name not in fields:
        return current
    text = optional_str(fields, name)
    return None if text is None else parse_duration(text, name)
