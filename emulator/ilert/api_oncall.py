"""ilert's REST API for the on-call side, under /api: schedules and their shifts and overrides,
on-calls, support hours, maintenance windows, an alert's notifications and its alert actions run
by hand. Authenticate, parse, call the model, serialise; no rules here."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, request

from emulator.ilert import parse_oncall as parse
from emulator.ilert import serialize_oncall as out
from emulator.ilert.api import request_actor
from emulator.ilert.errors import BadRequest
from emulator.ilert.fields import check_enum, is_id, parse_time, required_str
from emulator.ilert.models import Actor
from emulator.ilert.oncall import OnCallService
from emulator.ilert.wire import json_body, query_int, query_ints, query_list

if TYPE_CHECKING:
    from emulator.ilert.app import FakeIlert

ON_CALL_EXPANDS = ("policy", "escalationPolicy", "user")
ON_CALL_DEFAULT_LIMIT = 50


def create_oncall_api(sim: FakeIlert, service: OnCallService) -> Blueprint:
    bp = Blueprint("ilert_oncall_api", __name__, url_prefix="/api")
    state = sim.state

    def actor() -> Actor:
        return request_actor(state)

    _schedules(bp, sim, service, actor)
    _on_calls(bp, service, actor)
    _support_hours(bp, service, actor)
    _maintenance(bp, sim, service, actor)
    _alert_extras(bp, service, actor)
    return bp


def _query_bool(name: str, default: bool = False) -> bool:
    value = request.args.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise BadRequest(f"Query '{name}' must be true or false; got {value!r}")
    return value == "true"


def _schedule_includes() -> list[str]:
    return [check_enum(i, out.SCHEDULE_INCLUDES, "include") for i in query_list("include")]


def _schedules(bp: Blueprint, sim: FakeIlert, service: OnCallService, actor: Any) -> None:
    state = sim.state

    def render(a: Actor, schedule: Any, include: Any = out.SCHEDULE_INCLUDES) -> dict[str, Any]:
        with state.lock:
            return out.schedule_json(a.account, schedule, state.now(), include)

    @bp.get("/schedules")
    def list_schedules() -> Any:
        a = actor()
        include = _schedule_includes()
        found = service.list_schedules(
            a, start=query_int("start-index", 0), limit=query_int("max-results", 20)
        )
        return jsonify([render(a, s, include) for s in found])

    @bp.post("/schedules")
    def create_schedule() -> Any:
        a = actor()
        gaps = _query_bool("abort-on-gaps")
        schedule = service.create_schedule(a, parse.schedule_draft(json_body()), abort_on_gaps=gaps)
        return jsonify(render(a, schedule)), 201

    @bp.get("/schedules/<int:schedule_id>")
    def get_schedule(schedule_id: int) -> Any:
        a = actor()
        include = _schedule_includes()
        return jsonify(render(a, service.get_schedule(a, schedule_id), include))

    @bp.put("/schedules/<int:schedule_id>")
    def update_schedule(schedule_id: int) -> Any:
        a = actor()
        gaps = _query_bool("abort-on-gaps")
        draft = parse.schedule_draft(json_body())
        schedule = service.update_schedule(a, schedule_id, draft, abort_on_gaps=gaps)
        return jsonify(render(a, schedule))

    @bp.delete("/schedules/<int:schedule_id>")
    def delete_schedule(schedule_id: int) -> Any:
        service.delete_schedule(actor(), schedule_id)
        return Response(status=204)

    @bp.get("/schedules/<int:schedule_id>/shifts")
    def shifts(schedule_id: int) -> Any:
        a = actor()
        since = _time_query("from") or _start_of_last_month(state.now())
        until = _time_query("until") or since + 92 * 86400.0  # ilert: "from plus 3 months"
        found = service.shifts(
            a, schedule_id, since, until, overrides=not _query_bool("exclude-overrides")
        )
        return jsonify([out.shift_json(a.account, s) for s in found])

    @bp.get("/schedules/<int:schedule_id>/overrides")
    def overrides(schedule_id: int) -> Any:
        a = actor()
        return jsonify([out.shift_json(a.account, s) for s in service.overrides(a, schedule_id)])

    @bp.put("/schedules/<int:schedule_id>/overrides")
    def add_override(schedule_id: int) -> Any:
        a = actor()
        schedule = service.add_override(a, schedule_id, parse.shift(json_body(), "shift"))
        return jsonify(out.schedule_rel(schedule))

    @bp.get("/schedules/<int:schedule_id>/user-on-call")
    def user_on_call(schedule_id: int) -> Any:
        a = actor()
        shift = service.user_on_call(a, schedule_id)
        if shift is None:
            return Response(status=204)
        return jsonify(out.shift_json(a.account, shift))


def _time_query(name: str) -> float | None:
    value = request.args.get(name)
    if value is None:
        return None
    return parse.sched.check_time(parse_time(value, name), name, "Query")


def _start_of_last_month(now: float) -> float:
    today = datetime.fromtimestamp(now, UTC)
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return datetime(year, month, 1, tzinfo=UTC).timestamp()


def _policy_levels() -> list[tuple[int, int]]:
    """`policy-levels`: a JSON object `{"id": 12, "level": 1}` (a list of them is taken too),
    possibly wrapped in the quotes of ilert's own example."""
    levels = []
    for raw in request.args.getlist("policy-levels"):
        text = raw.strip()
        if len(text) > 1 and text[0] == text[-1] == '"':
            text = text[1:-1]
        try:
            value = json.loads(text)
        except ValueError:
            raise BadRequest(
                'Query \'policy-levels\' must be a JSON object such as {"id": 12, "level": 1}'
            ) from None
        for item in value if isinstance(value, list) else [value]:
            if not (
                isinstance(item, dict)
                and all(type(item.get(k)) is int and item[k] >= 0 for k in ("id", "level"))
            ):
                raise BadRequest(
                    "Query 'policy-levels' must hold objects {id, level} of whole numbers"
                )
            levels.append((item["id"], item["level"]))
    return levels


def _on_calls(bp: Blueprint, service: OnCallService, actor: Any) -> None:
    @bp.get("/on-calls")
    def on_calls() -> Any:
        a = actor()
        for expand in query_list("expand"):
            check_enum(expand, ON_CALL_EXPANDS, "expand")
        zone = request.args.get("timezone")
        if zone is not None:
            zone = check_enum(zone, (*parse.sched.TIME_ZONES, "UTC"), "timezone")
        now = service.state.now()
        since = _time_query("from")
        since = now if since is None else since
        until = _time_query("until")
        until = max(now, since) if until is None else until
        found = service.on_calls(
            a,
            policies=query_ints("policies"),
            levels=_policy_levels(),
            schedules=query_ints("schedules"),
            users=query_ints("users"),
            since=since,
            until=until,
            start=query_int("start-index", 0),
            limit=query_int("max-results", ON_CALL_DEFAULT_LIMIT),
        )
        shown = None if zone in (None, "UTC") else zone
        return jsonify([out.on_call_json(a.account, e, shown) for e in found])


def _support_hours(bp: Blueprint, service: OnCallService, actor: Any) -> None:
    @bp.get("/support-hours")
    def list_hours() -> Any:
        a = actor()
        found = service.list_support_hours(
            a, start=query_int("start-index", 0), limit=query_int("max-results", 50)
        )
        return jsonify([out.support_hours_json(a.account, h) for h in found])

    @bp.post("/support-hours")
    def create_hours() -> Any:
        a = actor()
        hours = service.create_support_hours(a, parse.support_hours(json_body()))
        return jsonify(out.support_hours_json(a.account, hours)), 201

    @bp.get("/support-hours/<int:hours_id>")
    def get_hours(hours_id: int) -> Any:
        a = actor()
        return jsonify(out.support_hours_json(a.account, service.get_support_hours(a, hours_id)))

    @bp.put("/support-hours/<int:hours_id>")
    def update_hours(hours_id: int) -> Any:
        a = actor()
        hours = service.update_support_hours(a, hours_id, parse.support_hours(json_body()))
        return jsonify(out.support_hours_json(a.account, hours))

    @bp.delete("/support-hours/<int:hours_id>")
    def delete_hours(hours_id: int) -> Any:
        service.delete_support_hours(actor(), hours_id)
        return Response(status=204)


def _maintenance(bp: Blueprint, sim: FakeIlert, service: OnCallService, actor: Any) -> None:
    state = sim.state

    def render(a: Actor, window: Any) -> dict[str, Any]:
        with state.lock:
            return out.maintenance_json(state, a.account, window)

    @bp.get("/maintenance-windows")
    def list_windows() -> Any:
        a = actor()
        found = service.list_windows(
            a, start=query_int("start-index", 0), limit=query_int("max-results", 50)
        )
        return jsonify([render(a, w) for w in found])

    @bp.post("/maintenance-windows")
    def create_window() -> Any:
        """200, not 201, with the window's address in `Location`, as ilert's spec says."""
        a = actor()
        window = service.create_window(a, parse.maintenance_draft(json_body()))
        location = f"{sim.public_url}/api/maintenance-windows/{window.id}"
        return jsonify(render(a, window)), 200, {"Location": location}

    @bp.get("/maintenance-windows/<int:window_id>")
    def get_window(window_id: int) -> Any:
        a = actor()
        return jsonify(render(a, service.get_window(a, window_id)))

    @bp.put("/maintenance-windows/<int:window_id>")
    def update_window(window_id: int) -> Any:
        a = actor()
        window = service.update_window(a, window_id, parse.maintenance_draft(json_body()))
        return jsonify(render(a, window))

    @bp.delete("/maintenance-windows/<int:window_id>")
    def delete_window(window_id: int) -> Any:
        service.delete_window(actor(), window_id)
        return Response(status=204)


def _alert_extras(bp: Blueprint, service: OnCallService, actor: Any) -> None:
    @bp.get("/alerts/<int:alert_id>/notifications")
    def notifications(alert_id: int) -> Any:
        a = actor()
        found = service.notifications(a, alert_id)
        return jsonify([out.notification_json(a.account, n) for n in found])

    @bp.get("/alerts/<int:alert_id>/actions")
    def alert_actions(alert_id: int) -> Any:
        """A list of AlertActionTrigger (see docs/fake-ilert.md: the spec names one object)."""
        a = actor()
        with service.state.lock:
            found = service.manual_actions(a, alert_id)
            return jsonify([out.action_trigger_json(a.account, x, runs) for x, runs in found])

    @bp.post("/alerts/<int:alert_id>/actions")
    def run_action(alert_id: int) -> Any:
        a = actor()
        body = json_body()
        action_id = required_str(body, "alertActionId").strip()
        if not is_id(action_id):
            raise BadRequest(f"Field 'alertActionId' must be an alert action id; got {action_id!r}")
        run = service.run_action(a, alert_id, action_id)
        return jsonify(out.action_result_json(a.account, run)), 201
