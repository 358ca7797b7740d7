"""The on-call operations in fake ilert's OpenAPI document: schedules, shifts, overrides,
on-calls, support hours, maintenance windows, an alert's notifications and its alert actions
run by hand. Shapes are those of ilert's published spec (`Schedule`, `Shift`, `OnCall`,
`SupportHour`, `MaintenanceWindow`, `Notification`, `AlertActionTrigger`, `AlertActionResult`);
`openapi.py` merges them into the document."""

from __future__ import annotations

from typing import Any

from emulator.ilert import openapi as doc
from emulator.ilert.schedules import DAYS, SCHEDULE_TYPES, TIME_ZONES

Schema = dict[str, Any]
STR, INT, BOOL, TIME = doc.STR, doc.INT, doc.BOOL, doc.TIME
arr, obj, ref, enum = doc.arr, doc.obj, doc.ref, doc.enum

CLOCK_TIME: Schema = {**STR, "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"}
END_TIME: Schema = {**STR, "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?|24:00)$"}
DURATION: Schema = {
    **STR,
    "pattern": "^P(?!$)([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?$",
    "description": "an ISO-8601 duration such as P7D or PT12H",
}
ZONE = enum(TIME_ZONES)
USER_REL = obj({"id": INT, "firstName": STR, "lastName": STR}, ["id"])
TEAM_REL = obj({"id": INT, "name": STR}, ["id", "name"])


def schemas() -> dict[str, Schema]:
    time_of_week = obj({"dayOfWeek": enum(DAYS), "time": CLOCK_TIME}, ["dayOfWeek", "time"])
    restriction = obj({"from": time_of_week, "to": time_of_week}, ["from", "to"])
    shift_rel = obj({"user": USER_REL, "start": TIME, "end": TIME}, ["user", "start", "end"])
    return {
        "ScheduleRel": doc.closed({"id": INT, "name": STR, "type": enum(SCHEDULE_TYPES)}),
        "ShiftRel": shift_rel,
        "Shift": obj({"user": ref("User"), "start": TIME, "end": TIME}, ["start", "end"]),
        "ShiftPost": obj(
            {"user": doc.ID_REF, "start": TIME, "end": TIME}, ["user", "start", "end"]
        ),
        "ScheduleLayer": obj(
            {
                "name": STR,
                "startsOn": TIME,
                "endsOn": TIME,
                "users": arr(USER_REL),
                "rotation": STR,
                "restrictionType": enum(["TIMES_OF_WEEK"]),
                "restrictions": arr(restriction),
            },
            ["name", "startsOn", "users", "rotation", "restrictionType", "restrictions"],
        ),
        "ScheduleLayerPost": obj(
            {
                "name": STR,
                "startsOn": TIME,
                "endsOn": TIME,
                "users": {**arr(doc.ID_REF), "minItems": 1},
                "rotation": DURATION,
                "restrictionType": enum(["TIMES_OF_WEEK"]),
                "restrictions": arr(restriction),
            },
            ["startsOn", "users", "rotation"],
        ),
        "Schedule": obj(
            {
                "id": INT,
                "name": STR,
                "timezone": ZONE,
                "type": enum(SCHEDULE_TYPES),
                "scheduleLayers": arr(ref("ScheduleLayer")),
                "shifts": arr(shift_rel),
                "showGaps": BOOL,
                "defaultShiftDuration": STR,
                "currentShift": shift_rel,
                "nextShift": shift_rel,
                "teams": arr(TEAM_REL),
            },
            ["id", "name", "timezone", "type", "showGaps", "teams"],
        ),
        "SchedulePost": obj(
            {
                "name": doc.NOT_BLANK,
                "timezone": ZONE,
                "type": enum(SCHEDULE_TYPES),
                "scheduleLayers": arr(ref("ScheduleLayerPost")),
                "shifts": arr(ref("ShiftPost")),
                "showGaps": BOOL,
                "defaultShiftDuration": DURATION,
                "teams": arr(doc.ID_REF),
            },
            ["name", "timezone", "type"],
        ),
        "OnCall": obj(
            {
                "user": ref("User"),
                "escalationPolicy": ref("EscalationPolicy"),
                "schedule": ref("ScheduleRel"),
                "start": TIME,
                "end": TIME,
                "escalationLevel": INT,
            },
            ["user", "escalationPolicy", "start", "end", "escalationLevel"],
        ),
        "SupportHour": doc.closed(
            {
                "id": INT,
                "name": STR,
                "teams": arr(TEAM_REL),
                "timezone": ZONE,
                "supportDays": obj(
                    {d: obj({"start": STR, "end": STR}, ["start", "end"]) for d in DAYS}
                ),
            }
        ),
        "SupportHourPost": obj(
            {
                "name": doc.NOT_BLANK,
                "teams": arr(doc.ID_REF),
                "timezone": ZONE,
                "supportDays": obj(
                    {d: obj({"start": CLOCK_TIME, "end": END_TIME}, ["start", "end"]) for d in DAYS}
                ),
            },
            ["name", "timezone", "supportDays"],
        ),
        "MaintenanceWindow": obj(
            {
                "id": INT,
                "summary": STR,
                "description": STR,
                "timezone": ZONE,
                "start": TIME,
                "end": TIME,
                "alertSources": arr(ref("AlertSource")),
                "services": arr(doc.ANY_OBJECT),
                "createdBy": STR,
                "notifications": obj({"atCreation": BOOL, "atStart": BOOL, "atEnd": BOOL}),
            },
            ["id", "summary", "description", "timezone", "start", "end", "alertSources"],
        ),
        "MaintenanceWindowPost": obj(
            {
                "summary": doc.NOT_BLANK,
                "description": STR,
                "timezone": ZONE,
                "start": TIME,
                "end": TIME,
                "alertSources": {**arr(doc.ID_REF), "minItems": 1, "maxItems": 50},
                "services": {**arr(doc.ANY_OBJECT), "maxItems": 0},
                "notifications": obj({"atCreation": BOOL, "atStart": BOOL, "atEnd": BOOL}),
            },
            ["summary", "timezone", "start", "end", "alertSources"],
        ),
        "Notification": doc.closed(
            {
                "id": INT,
                "method": enum(["PUSH", "VOICE", "SMS", "EMAIL", "WHATSAPP"]),
                "target": STR,
                "subject": STR,
                "alertId": INT,
                "user": obj({"id": INT, "firstname": STR, "lastname": STR}, ["id"]),
                "notificationTime": TIME,
                "status": enum(["SCHEDULED", "SUCCESS", "ERROR"]),
            }
        ),
        "AlertActionResult": obj(
            {
                "id": STR,
                "alertActionId": STR,
                "connectorId": STR,
                "alertId": INT,
                "success": BOOL,
                "actor": ref("User"),
            },
            ["id", "alertActionId", "alertId", "success"],
        ),
        "AlertActionTrigger": obj(
            {
                "alertActionId": STR,
                "connectorId": STR,
                "type": STR,
                "name": STR,
                "iconUrl": STR,
                "history": arr(ref("AlertActionResult")),
            },
            ["alertActionId", "type", "name", "history"],
        ),
        "AlertActionRun": obj(
            {"alertActionId": {**STR, "pattern": "^[0-9]{1,18}$"}}, ["alertActionId"]
        ),
    }


def _page(maximum: int, default: int) -> list[Schema]:
    return [
        doc._query("start-index", {**INT, "minimum": 0, "maximum": 2**31 - 1, "default": 0}),
        doc._query("max-results", {**INT, "minimum": 1, "maximum": maximum, "default": default}),
    ]


def paths() -> dict[str, Schema]:
    op, json, many = doc._op, doc._json, doc.arr
    p = doc._path
    schedule_p = [p("schedule_id", INT, "schedule id")]
    hours_p = [p("hours_id", INT, "support hour id")]
    window_p = [p("window_id", INT, "maintenance window id")]
    alert_p = [p("alert_id", INT, "alert id")]
    include = [
        doc._query(
            "include", arr(enum(["scheduleLayers", "shifts", "currentShift", "nextShift", "past"]))
        )
    ]
    gaps = [doc._query("abort-on-gaps", BOOL, "STATIC: refuse shifts that leave a gap")]
    tag = "Schedules"
    return {
        "/api/schedules": {
            "get": op(
                "List on-call schedules",
                {"200": json(many(ref("Schedule")))},
                params=[*include, *_page(20, 20)],
                tag=tag,
            ),
            "post": op(
                "Create an on-call schedule",
                {"201": json(ref("Schedule"))},
                params=gaps,
                body=ref("SchedulePost"),
                tag=tag,
            ),
        },
        "/api/schedules/{schedule_id}": {
            "get": op(
                "Get an on-call schedule",
                {"200": json(ref("Schedule"))},
                params=[*schedule_p, *include],
                tag=tag,
            ),
            "put": op(
                "Replace an on-call schedule (its overrides stay)",
                {"200": json(ref("Schedule"))},
                params=[*schedule_p, *gaps],
                body=ref("SchedulePost"),
                tag=tag,
            ),
            "delete": op(
                "Delete an on-call schedule (409 while a policy uses it)",
                doc.NO_CONTENT,
                params=schedule_p,
                tag=tag,
            ),
        },
        "/api/schedules/{schedule_id}/shifts": {
            "get": op(
                "The schedule's shifts from `from` to `until`",
                {"200": json(many(ref("Shift")))},
                params=[
                    *schedule_p,
                    doc._query("from", TIME),
                    doc._query("until", TIME),
                    doc._query("exclude-overrides", BOOL),
                ],
                tag=tag,
            ),
        },
        "/api/schedules/{schedule_id}/overrides": {
            "get": op(
                "The schedule's overrides",
                {"200": json(many(ref("Shift")))},
                params=schedule_p,
                tag=tag,
            ),
            "put": op(
                "Add an override (it must not lie in the past)",
                {"200": json(ref("ScheduleRel"))},
                params=schedule_p,
                body=ref("ShiftPost"),
                tag=tag,
            ),
        },
        "/api/schedules/{schedule_id}/user-on-call": {
            "get": op(
                "Who is on call now",
                {"200": json(ref("Shift")), "204": {"description": "nobody is on call"}},
                params=schedule_p,
                tag=tag,
            ),
        },
        "/api/on-calls": {
            "get": op(
                "Who is on call, per escalation policy level",
                {"200": json(many(ref("OnCall")))},
                params=[
                    doc._query("policies", arr(INT)),
                    doc._query("policy-levels", STR, 'a JSON object {"id": 12, "level": 1}'),
                    doc._query("schedules", arr(INT)),
                    doc._query("users", arr(INT)),
                    doc._query("expand", arr(enum(["policy", "escalationPolicy", "user"]))),
                    doc._query("from", TIME),
                    doc._query("until", TIME),
                    doc._query("timezone", enum([*TIME_ZONES, "UTC"])),
                    *_page(250, 50),
                ],
                tag="On-Calls",
            ),
        },
        "/api/support-hours": {
            "get": op(
                "List support hours",
                {"200": json(many(ref("SupportHour")))},
                params=_page(50, 50),
                tag="Support Hours",
            ),
            "post": op(
                "Create support hours",
                {"201": json(ref("SupportHour"))},
                body=ref("SupportHourPost"),
                tag="Support Hours",
            ),
        },
        "/api/support-hours/{hours_id}": {
            "get": op(
                "Get support hours",
                {"200": json(ref("SupportHour"))},
                params=hours_p,
                tag="Support Hours",
            ),
            "put": op(
                "Replace support hours",
                {"200": json(ref("SupportHour"))},
                params=hours_p,
                body=ref("SupportHourPost"),
                tag="Support Hours",
            ),
            "delete": op(
                "Delete support hours", doc.NO_CONTENT, params=hours_p, tag="Support Hours"
            ),
        },
        "/api/maintenance-windows": {
            "get": op(
                "List maintenance windows",
                {"200": json(many(ref("MaintenanceWindow")))},
                params=_page(100, 50),
                tag="Maintenance Windows",
            ),
            "post": op(
                "Create a maintenance window (200 with Location, as ilert's spec says)",
                {
                    "200": {
                        **json(ref("MaintenanceWindow")),
                        "headers": {"Location": {"required": True, "schema": STR}},
                    }
                },
                body=ref("MaintenanceWindowPost"),
                tag="Maintenance Windows",
            ),
        },
        "/api/maintenance-windows/{window_id}": {
            "get": op(
                "Get a maintenance window",
                {"200": json(ref("MaintenanceWindow"))},
                params=window_p,
                tag="Maintenance Windows",
            ),
            "put": op(
                "Replace a maintenance window",
                {"200": json(ref("MaintenanceWindow"))},
                params=window_p,
                body=ref("MaintenanceWindowPost"),
                tag="Maintenance Windows",
            ),
            "delete": op(
                "Delete a maintenance window",
                doc.NO_CONTENT,
                params=window_p,
                tag="Maintenance Windows",
            ),
        },
        "/api/alerts/{alert_id}/notifications": {
            "get": op(
                "Who was notified of the alert",
                {"200": json(many(ref("Notification")))},
                params=alert_p,
                tag="Alerts",
            ),
        },
        "/api/alerts/{alert_id}/actions": {
            "get": op(
                "The alert's MANUAL alert actions, each with its runs",
                {"200": json(many(ref("AlertActionTrigger")))},
                params=alert_p,
                tag="Alert Actions",
            ),
            "post": op(
                "Run a MANUAL alert action on the alert",
                {"201": json(ref("AlertActionResult"))},
                params=alert_p,
                body=ref("AlertActionRun"),
                tag="Alert Actions",
            ),
        },
    }
