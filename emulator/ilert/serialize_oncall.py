"""ilert's JSON for the on-call side, shaped as the published spec's schemas: Schedule,
ScheduleRel, Shift, ShiftRel, OnCall, SupportHour, MaintenanceWindow, Notification,
AlertActionTrigger and AlertActionResult. A property with no value is left out (the spec
declares none of them nullable)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from emulator.ilert import schedules as sched
from emulator.ilert import serialize as ser
from emulator.ilert.maintenance import MaintenanceWindow
from emulator.ilert.models import Account, AlertAction, IlertState
from emulator.ilert.oncall import OnCallEntry
from emulator.ilert.oncall_book import ActionRun, Notification
from emulator.ilert.schedules import Schedule, Shift
from emulator.ilert.support_hours import DAYS, SupportHours

SCHEDULE_INCLUDES = ("scheduleLayers", "shifts", "currentShift", "nextShift", "past")


def iso_in(timestamp: float, zone: str | None = None) -> str:
    """ISO-8601 with milliseconds: UTC (`Z`) by default, else with the zone's offset."""
    if zone is None:
        return str(ser.iso(timestamp))
    moment = datetime.fromtimestamp(timestamp, ZoneInfo(zone))
    return moment.isoformat(timespec="milliseconds")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _teams(account: Account, team_ids: Iterable[int]) -> list[dict[str, Any]]:
    return [{"id": t, "name": account.teams[t].name} for t in team_ids if t in account.teams]


def _user_rel(account: Account, user_id: int) -> dict[str, Any]:
    user = account.users.get(user_id)
    if user is None:
        return {"id": user_id}
    return {"id": user.id, "firstName": user.first_name, "lastName": user.last_name}


def _user(account: Account, user_id: int) -> dict[str, Any] | None:
    user = account.users.get(user_id)
    return ser.user_json(user) if user else None


# -- schedules --------------------------------------------------------------------------------


def schedule_rel(schedule: Schedule) -> dict[str, Any]:
    return {"id": schedule.id, "name": schedule.name, "type": schedule.kind}


def shift_rel(account: Account, shift: Shift) -> dict[str, Any]:
    return {
        "user": _user_rel(account, shift.user_id),
        "start": iso_in(shift.start),
        "end": iso_in(shift.end),
    }


def shift_json(account: Account, shift: Shift, zone: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"start": iso_in(shift.start, zone), "end": iso_in(shift.end, zone)}
    user = _user(account, shift.user_id)
    if user is not None:
        body = {"user": user, **body}
    return body


def _layer_json(account: Account, layer: sched.Layer) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": layer.name,
        "startsOn": iso_in(layer.starts_on),
        "users": [_user_rel(account, u) for u in layer.user_ids],
        "rotation": layer.rotation.text,
        "restrictionType": "TIMES_OF_WEEK",
        "restrictions": [
            {
                "from": {"dayOfWeek": DAYS[r.start.day], "time": _hhmm(r.start.minute)},
                "to": {"dayOfWeek": DAYS[r.end.day], "time": _hhmm(r.end.minute)},
            }
            for r in layer.restrictions
        ],
    }
    if layer.ends_on is not None:
        body["endsOn"] = iso_in(layer.ends_on)
    return body


def schedule_json(
    account: Account, schedule: Schedule, now: float, include: Iterable[str] = SCHEDULE_INCLUDES
) -> dict[str, Any]:
    """ilert's Schedule; `include` adds what ilert adds only when asked (layers for RECURRING
    schedules, shifts for STATIC ones, past shifts, the current and the next shift)."""
    wanted = set(include)
    body: dict[str, Any] = {
        "id": schedule.id,
        "name": schedule.name,
        "timezone": schedule.timezone,
        "type": schedule.kind,
        "showGaps": schedule.show_gaps,
        "teams": _teams(account, schedule.team_ids),
    }
    if schedule.default_shift_duration is not None:
        body["defaultShiftDuration"] = schedule.default_shift_duration.text
    if "scheduleLayers" in wanted and schedule.kind == "RECURRING":
        body["scheduleLayers"] = [_layer_json(account, layer) for layer in schedule.layers]
    if "shifts" in wanted and schedule.kind == "STATIC":
        shown = [s for s in schedule.shifts if "past" in wanted or s.end > now]
        body["shifts"] = [shift_rel(account, s) for s in shown]
    if "currentShift" in wanted and (current := sched.shift_at(schedule, now)) is not None:
        body["currentShift"] = shift_rel(account, current)
    if "nextShift" in wanted and (upcoming := sched.next_shift(schedule, now)) is not None:
        body["nextShift"] = shift_rel(account, upcoming)
    return body


# -- on-calls ---------------------------------------------------------------------------------


def on_call_json(account: Account, entry: OnCallEntry, zone: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "user": ser.user_json(entry.user),
        "escalationPolicy": ser.policy_json(account, entry.policy),
        "start": iso_in(entry.start, zone),
        "end": iso_in(entry.end, zone),
        "escalationLevel": entry.level,
    }
    if entry.schedule is not None:
        body["schedule"] = schedule_rel(entry.schedule)
    return body


# -- support hours and maintenance windows ----------------------------------------------------


def support_hours_json(account: Account, hours: SupportHours) -> dict[str, Any]:
    return {
        "id": hours.id,
        "name": hours.name,
        "teams": _teams(account, hours.team_ids),
        "timezone": hours.timezone,
        "supportDays": {
            day: {"start": _hhmm(d.start), "end": _hhmm(d.end)}
            for day in DAYS
            if (d := hours.days.get(day)) is not None
        },
    }


def maintenance_json(
    state: IlertState, account: Account, window: MaintenanceWindow
) -> dict[str, Any]:
    """ilert's MaintenanceWindow, plus its `id` (the spec's schema lists none, yet every path
    names a window by it)."""
    sources = [account.sources[s] for s in window.source_ids if s in account.sources]
    creator = account.users.get(window.created_by or 0)
    body: dict[str, Any] = {
        "id": window.id,
        "summary": window.summary,
        "description": window.description,
        "timezone": window.timezone,
        "start": iso_in(window.start),
        "end": iso_in(window.end),
        "alertSources": [ser.source_json(state, account, s) for s in sources],
        "services": [],
        "notifications": {
            name: value
            for name, value in (
                ("atCreation", window.notify_at_creation),
                ("atStart", window.notify_at_start),
                ("atEnd", window.notify_at_end),
            )
            if value is not None
        },
    }
    if creator is not None:
        body["createdBy"] = creator.name
    return body


# -- notifications and alert actions run by hand ----------------------------------------------


def notification_json(account: Account, note: Notification) -> dict[str, Any]:
    user = account.users.get(note.user_id)
    who: dict[str, Any] = {"id": note.user_id}
    if user is not None:  # ilert's Notification spells these two in lower case
        who |= {"firstname": user.first_name, "lastname": user.last_name}
    return {
        "id": note.id,
        "method": note.method,
        "target": note.target,
        "subject": note.subject,
        "alertId": note.alert_id,
        "user": who,
        "notificationTime": iso_in(note.time),
        "status": note.status,
    }


def action_result_json(account: Account, run: ActionRun) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": run.id,
        "alertActionId": run.action_id,
        "alertId": run.alert_id,
        "success": run.success,
    }
    if run.connector_id is not None:
        body["connectorId"] = run.connector_id
    actor = _user(account, run.actor_id or 0)
    if actor is not None:
        body["actor"] = actor
    return body


def action_trigger_json(
    account: Account, action: AlertAction, runs: list[ActionRun]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "alertActionId": action.id,
        "type": action.connector_type,
        "name": action.name,
        "history": [action_result_json(account, r) for r in runs],
    }
    if action.connector_id is not None:
        body["connectorId"] = action.connector_id
    return body
