"""The on-call side of an account in the export (`GET /_sim/export`) and back: schedules with
their overrides, support hours, maintenance windows, the notifications and the runs by hand that
alerts recorded. `snapshot.py` calls these with its typed reader, so a bad file names where."""

from __future__ import annotations

from typing import Any

from emulator.ilert.errors import BadRequest
from emulator.ilert.maintenance import MaintenanceWindow
from emulator.ilert.oncall_book import ActionRun, Notification, OnCallBook
from emulator.ilert.schedules import (
    SCHEDULE_TYPES,
    Duration,
    Layer,
    Restriction,
    Schedule,
    Shift,
    TimeOfWeek,
)
from emulator.ilert.support_hours import DAYS, SupportDay, SupportHours


def _shift_out(shift: Shift) -> dict[str, Any]:
    return {"userId": shift.user_id, "start": shift.start, "end": shift.end}


def _schedule_out(s: Schedule) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "timezone": s.timezone,
        "type": s.kind,
        "layers": [
            {
                "name": layer.name,
                "startsOn": layer.starts_on,
                "endsOn": layer.ends_on,
                "userIds": list(layer.user_ids),
                "rotation": layer.rotation.text,
                "restrictions": [
                    [r.start.day, r.start.minute, r.end.day, r.end.minute]
                    for r in layer.restrictions
                ],
            }
            for layer in s.layers
        ],
        "shifts": [_shift_out(x) for x in s.shifts],
        "overrides": [_shift_out(x) for x in s.overrides],
        "showGaps": s.show_gaps,
        "defaultShiftDuration": s.default_shift_duration.text if s.default_shift_duration else None,
        "teamIds": list(s.team_ids),
    }


def export_book(book: OnCallBook) -> dict[str, Any]:
    return {
        "schedules": [_schedule_out(s) for s in book.schedules.values()],
        "supportHours": [
            {
                "id": h.id,
                "name": h.name,
                "timezone": h.timezone,
                "days": {day: [d.start, d.end] for day, d in h.days.items()},
                "teamIds": list(h.team_ids),
            }
            for h in book.support_hours.values()
        ],
        "maintenanceWindows": [
            {
                "id": w.id,
                "summary": w.summary,
                "description": w.description,
                "timezone": w.timezone,
                "start": w.start,
                "end": w.end,
                "sourceIds": list(w.source_ids),
                "createdBy": w.created_by,
                "notify": [w.notify_at_creation, w.notify_at_start, w.notify_at_end],
            }
            for w in book.maintenance.values()
        ],
        "notifications": [
            {
                "id": n.id,
                "alertId": n.alert_id,
                "userId": n.user_id,
                "method": n.method,
                "target": n.target,
                "subject": n.subject,
                "time": n.time,
                "status": n.status,
            }
            for notes in book.notifications.values()
            for n in notes
        ],
        "notified": {str(alert): sorted(users) for alert, users in book.notified.items()},
        "runs": [
            {
                "id": r.id,
                "actionId": r.action_id,
                "connectorId": r.connector_id,
                "alertId": r.alert_id,
                "success": r.success,
                "actorId": r.actor_id,
                "time": r.time,
            }
            for runs in book.runs.values()
            for r in runs
        ],
    }


def import_book(r: Any, account_id: int) -> OnCallBook:
    """`r` is snapshot's reader over the account's `oncall` object (absent from older exports)."""
    book = OnCallBook()
    if r is None:
        return book
    for s in r.items("schedules"):
        schedule = _schedule_in(s)
        schedule.account_id = account_id
        book.schedules[schedule.id] = schedule
    for h in r.items("supportHours"):
        days = h.obj("days")
        hours = SupportHours(
            id=h.int("id"),
            account_id=account_id,
            name=h.str("name"),
            timezone=h.str("timezone"),
            days={
                day: SupportDay(*_ints(v, 2, f"{h.path}.days.{day}"))
                for day, v in days.items()
                if day in DAYS
            },
            team_ids=h.ints("teamIds"),
        )
        book.support_hours[hours.id] = hours
    for w in r.items("maintenanceWindows"):
        notify = w.data.get("notify") or [None, None, None]
        window = MaintenanceWindow(
            id=w.int("id"),
            account_id=account_id,
            summary=w.str("summary"),
            description=w.str("description"),
            timezone=w.str("timezone"),
            start=w.num("start"),
            end=w.num("end"),
            source_ids=w.ints("sourceIds"),
            created_by=w.int("createdBy", optional=True),
            notify_at_creation=notify[0],
            notify_at_start=notify[1],
            notify_at_end=notify[2],
        )
        book.maintenance[window.id] = window
    for n in r.items("notifications"):
        note = Notification(
            id=n.int("id"),
            alert_id=n.int("alertId"),
            user_id=n.int("userId"),
            method=n.str("method"),
            target=n.str("target"),
            subject=n.str("subject"),
            time=n.num("time"),
            status=n.str("status"),
        )
        book.notifications.setdefault(note.alert_id, []).append(note)
    for alert, users in r.obj("notified").items():
        book.notified[int(alert)] = frozenset(int(u) for u in users)
    for x in r.items("runs"):
        run = ActionRun(
            id=x.str("id"),
            action_id=x.str("actionId"),
            connector_id=x.str("connectorId", optional=True),
            alert_id=x.int("alertId"),
            success=x.bool("success"),
            actor_id=x.int("actorId", optional=True),
            time=x.num("time"),
        )
        book.runs.setdefault(run.alert_id, []).append(run)
    return book


def _ints(value: Any, count: int, where: str) -> list[int]:
    if not (isinstance(value, list) and len(value) == count and all(type(v) is int for v in value)):
        raise BadRequest(f"Import: {where} must be a list of {count} integers")
    return value


def _shift_in(x: Any) -> Shift:
    return Shift(x.int("userId"), x.num("start"), x.num("end"))


def _schedule_in(s: Any) -> Schedule:
    layers = []
    for layer in s.items("layers"):
        restrictions = []
        for i, raw in enumerate(layer.data.get("restrictions") or []):
            a, b, c, d = _ints(raw, 4, f"{layer.path}.restrictions[{i}]")
            restrictions.append(Restriction(TimeOfWeek(a, b), TimeOfWeek(c, d)))
        layers.append(
            Layer(
                name=layer.str("name"),
                starts_on=layer.num("startsOn"),
                ends_on=layer.num("endsOn", optional=True),
                user_ids=layer.ints("userIds"),
                rotation=Duration.parse(layer.str("rotation"), f"{layer.path}.rotation"),
                restrictions=restrictions,
            )
        )
    duration = s.str("defaultShiftDuration", optional=True)
    return Schedule(
        id=s.int("id"),
        account_id=0,
        name=s.str("name"),
        timezone=s.str("timezone"),
        kind=s.enum("type", SCHEDULE_TYPES),
        layers=layers,
        shifts=[_shift_in(x) for x in s.items("shifts")],
        overrides=[_shift_in(x) for x in s.items("overrides")],
        show_gaps=s.bool("showGaps"),
        default_shift_duration=Duration.parse(duration, "defaultShiftDuration")
        if duration
        else None,
        team_ids=s.ints("teamIds"),
    )
