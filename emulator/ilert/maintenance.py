"""Maintenance windows as ilert models them. No Flask, no wire format.

While a window is on (`start` ≤ now < `end`), its alert sources open no alerts: an event that
would create one is answered but creates nothing, and an alert created through the API is
refused. Open alerts are left as they are. The source's status reads IN_MAINTENANCE meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MaintenanceWindow:
    id: int
    account_id: int
    summary: str
    description: str
    timezone: str
    start: float
    end: float
    source_ids: list[int] = field(default_factory=list)
    created_by: int | None = None
    notify_at_creation: bool | None = None
    notify_at_start: bool | None = None
    notify_at_end: bool | None = None

    def on(self, at: float) -> bool:
        return self.start <= at < self.end


def in_maintenance(windows: dict[int, MaintenanceWindow], source_id: int, at: float) -> bool:
    return any(w.on(at) and source_id in w.source_ids for w in windows.values())
