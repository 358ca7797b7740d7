"""ilert's JSON for schedules, shifts, support hours and maintenance windows, read into the typed
drafts the on-call model takes. Every bad value is a 400 naming its field; read-only fields sent
back (`id`, `currentShift`, `nextShift`, `createdBy`) are ignored, as a GET's answer PUT back
must be accepted."""

from __future__ import annotations

from typing import Any

from emulator.ilert import schedules as sched
from emulator.ilert.errors import BadRequest
from emulator.ilert.fields import boolean, check_enum, listing, optional_str, parse_time, ref_id
from emulator.ilert.fields import required_str as _required_str
from emulator.ilert.oncall import MaintenanceDraft, ScheduleDraft
from emulator.ilert.support_hours import DAYS, SupportDay, SupportHours

RESTRICTION_TYPES = ("TIMES_OF_WEEK",)


def required_str(fields: dict[str, Any], name: str) -> str:
    return _required_str(fields, name).strip()


def timestamp(fields: dict[str, Any], name: str, *, required: bool = True) -> float | None:
    value = fields.get(name)
    if value is None:
        if required:
            raise BadRequest(f"Field '{name}' (an ISO-8601 date-time) is required")
        return None
    if not isinstance(value, str):
        raise BadRequest(f"Field '{name}' must be an ISO-8601 date-time string")
    try:
        moment = parse_time(value, name)
    except BadRequest as error:
        raise BadRequest(error.message.replace("Query", "Field", 1)) from None
    return sched.check_time(moment, name)


def timezone(fields: dict[str, Any]) -> str:
    return check_enum(fields.get("timezone"), sched.TIME_ZONES, "timezone")


def team_ids(fields: dict[str, Any]) -> list[int]:
    return [ref_id(t, "teams[]") for t in listing(fields, "teams")]


def _objects(fields: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = listing(fields, name)
    if not all(isinstance(i, dict) for i in items):
        raise BadRequest(f"Field '{name}' must be a list of objects")
    return items


def _object(fields: dict[str, Any], name: str) -> dict[str, Any]:
    value = fields.get(name)
    if not isinstance(value, dict):
        raise BadRequest(f"Field '{name}' must be an object")
    return value


def clock_time(value: Any, name: str, *, end: bool = False) -> int:
    """`HH:MM` (or `HH:MM:SS`, seconds dropped) as minutes into the day; `24:00` only as an end."""
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) not in (2, 3) or not all(p.isascii() and p.isdigit() for p in parts):
        raise BadRequest(f"Field '{name}' must be a time of day such as 08:00; got {value!r}")
    hours, minutes = int(parts[0]), int(parts[1])
    if (hours, minutes) == (24, 0) and end:
        return 1440
    if hours > 23 or minutes > 59:
        raise BadRequest(f"Field '{name}' must be a time of day such as 08:00; got {value!r}")
    return hours * 60 + minutes


# -- schedules --------------------------------------------------------------------------------


def schedule_draft(fields: dict[str, Any]) -> ScheduleDraft:
    kind = check_enum(fields.get("type"), sched.SCHEDULE_TYPES, "type")
    duration = optional_str(fields, "defaultShiftDuration")
    return ScheduleDraft(
        name=required_str(fields, "name"),
        timezone=timezone(fields),
        kind=kind,
        layers=[_layer(raw, i) for i, raw in enumerate(_objects(fields, "scheduleLayers"))],
        shifts=[shift(raw, f"shifts[{i}]") for i, raw in enumerate(_objects(fields, "shifts"))],
        show_gaps=boolean(fields, "showGaps", False),
        default_shift_duration=(
            sched.Duration.parse(duration, "defaultShiftDuration") if duration else None
        ),
        team_ids=team_ids(fields),
    )


def _layer(raw: dict[str, Any], index: int) -> sched.Layer:
    name = f"scheduleLayers[{index}]"
    if raw.get("restrictionType") is not None:
        check_enum(raw["restrictionType"], RESTRICTION_TYPES, f"{name}.restrictionType")
    rotation = raw.get("rotation")
    if not isinstance(rotation, str):
        raise BadRequest(f"Field '{name}.rotation' (an ISO-8601 duration such as P7D) is required")
    users = raw.get("users")
    if not isinstance(users, list):
        raise BadRequest(f"Field '{name}.users' must be a list of {{id}}")
    restrictions = raw.get("restrictions") or []
    if not isinstance(restrictions, list) or not all(isinstance(r, dict) for r in restrictions):
        raise BadRequest(f"Field '{name}.restrictions' must be a list of {{from, to}}")
    starts_on = timestamp(raw, "startsOn")
    assert starts_on is not None
    return sched.Layer(
        name=optional_str(raw, "name") or f"Layer {index + 1}",
        starts_on=starts_on,
        ends_on=timestamp(raw, "endsOn", required=False),
        user_ids=[ref_id(u, f"{name}.users[]") for u in users],
        rotation=sched.Duration.parse(rotation, f"{name}.rotation"),
        restrictions=[
            sched.Restriction(
                _time_of_week(r.get("from"), f"{name}.restrictions[{i}].from"),
                _time_of_week(r.get("to"), f"{name}.restrictions[{i}].to"),
            )
            for i, r in enumerate(restrictions)
        ],
    )


def _time_of_week(raw: Any, name: str) -> sched.TimeOfWeek:
    if not isinstance(raw, dict):
        raise BadRequest(f"Field '{name}' must be an object {{dayOfWeek, time}}")
    day = check_enum(raw.get("dayOfWeek"), sched.DAYS, f"{name}.dayOfWeek")
    return sched.TimeOfWeek(sched.DAYS.index(day), clock_time(raw.get("time"), f"{name}.time"))


def shift(raw: dict[str, Any], name: str = "shift") -> sched.Shift:
    if raw.get("user") is None:
        raise BadRequest(f"Field '{name}.user' {{id}} is required")
    start, end = timestamp(raw, "start"), timestamp(raw, "end")
    assert start is not None and end is not None
    return sched.Shift(ref_id(raw["user"], f"{name}.user"), start, end)


# -- support hours ----------------------------------------------------------------------------


def support_hours(fields: dict[str, Any]) -> SupportHours:
    days = _object(fields, "supportDays")
    parsed: dict[str, SupportDay] = {}
    for day, value in days.items():
        check_enum(day, DAYS, "supportDays")
        if value is None:
            continue
        if not isinstance(value, dict):
            raise BadRequest(f"Field 'supportDays.{day}' must be an object {{start, end}}")
        start = clock_time(value.get("start"), f"supportDays.{day}.start")
        end = clock_time(value.get("end"), f"supportDays.{day}.end", end=True)
        if start == end:
            raise BadRequest(f"Field 'supportDays.{day}': start and end must differ")
        parsed[day] = SupportDay(start, end)
    return SupportHours(
        id=0,
        account_id=0,
        name=required_str(fields, "name"),
        timezone=timezone(fields),
        days=parsed,
        team_ids=team_ids(fields),
    )


# -- maintenance windows ----------------------------------------------------------------------


def maintenance_draft(fields: dict[str, Any]) -> MaintenanceDraft:
    if listing(fields, "services"):
        raise BadRequest("Field 'services': services are not emulated; give alertSources only")
    notifications = fields.get("notifications") or {}
    if not isinstance(notifications, dict):
        raise BadRequest("Field 'notifications' must be an object {atCreation, atStart, atEnd}")
    flags = {
        name: _optional_bool(notifications, name) for name in ("atCreation", "atStart", "atEnd")
    }
    start, end = timestamp(fields, "start"), timestamp(fields, "end")
    assert start is not None and end is not None
    return MaintenanceDraft(
        summary=required_str(fields, "summary"),
        description=optional_str(fields, "description") or "",
        timezone=timezone(fields),
        start=start,
        end=end,
        source_ids=[ref_id(s, "alertSources[]") for s in listing(fields, "alertSources")],
        notify_at_creation=flags["atCreation"],
        notify_at_start=flags["atStart"],
        notify_at_end=flags["atEnd"],
    )


def _optional_bool(fields: dict[str, Any], name: str) -> bool | None:
    value = fields.get(name)
    if value is not None and not isinstance(value, bool):
        raise BadRequest(f"Field 'notifications.{name}' must be true or false")
    return value
