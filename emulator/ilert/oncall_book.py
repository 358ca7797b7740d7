"""What one account holds on the on-call side, kept on the account (`Account.oncall`): its
schedules, support hours, maintenance windows, the notifications its alerts sent and the runs of
its alert actions by hand. Plain data; `emulator.ilert.oncall` changes it. No Flask."""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator.ilert.maintenance import MaintenanceWindow
from emulator.ilert.schedules import Schedule
from emulator.ilert.support_hours import SupportHours


# Slots: an alert sends one for each responder it reaches; without them every one kept a
# `__dict__` (0.7 MB per 1,000 alerts in bench/memory.py).
@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    alert_id: int
    user_id: int
    method: str
    target: str
    subject: str
    time: float
    status: str = "SUCCESS"


@dataclass(frozen=True)
class ActionRun:
    """One run of an alert action by hand (ilert's AlertActionResult)."""

    id: str
    action_id: str
    connector_id: str | None
    alert_id: int
    success: bool
    actor_id: int | None
    time: float


@dataclass
class OnCallBook:
    schedules: dict[int, Schedule] = field(default_factory=dict)
    support_hours: dict[int, SupportHours] = field(default_factory=dict)
    maintenance: dict[int, MaintenanceWindow] = field(default_factory=dict)
    notifications: dict[int, list[Notification]] = field(default_factory=dict)  # by alert id
    runs: dict[int, list[ActionRun]] = field(default_factory=dict)  # by alert id
    notified: dict[int, frozenset[int]] = field(default_factory=dict)  # alert id -> user ids
