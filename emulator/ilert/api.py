"""ilert's REST API under /api: authenticate, parse, call the model, serialise. No rules here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.routing import BaseConverter

from emulator.ilert import serialize as ser
from emulator.ilert.errors import BadRequest, NotFound
from emulator.ilert.fields import check_enum, is_id, parse_time
from emulator.ilert.models import ALERT_INCLUDES, Actor, IlertState
from emulator.ilert.plain_fields import keep_plain, take_plain
from emulator.ilert.slack_channels import ChannelReport, report_channel
from emulator.ilert.tickets import verify_ticket
from emulator.ilert.wire import json_body, query_int, query_ints, query_list

if TYPE_CHECKING:
    from emulator.ilert.app import FakeIlert

ActorFn = Callable[[], Actor]
T = TypeVar("T")


def _no_content() -> Response:
    return Response(status=204)


def _with_plain(state: Any, kind: str, change: Callable[[dict[str, Any]], T]) -> T:
    """`change` applied to the request body, then the body's plain fields (`plain_fields`) kept
    on what it made or changed; they are checked first, so a refused one changes nothing."""
    body = json_body()
    plain = take_plain(kind, body)
    changed = change(body)
    keep_plain(state, changed, plain)
    return changed


def _created(body: dict[str, Any], collection: str) -> tuple[Response, int, dict[str, str]]:
    """201 with the new object's URI in `Location`, where ilert's document promises it."""
    return jsonify(body), 201, {"Location": f"{request.host_url}api/{collection}/{body['id']}"}


def _numeric(ref: str, what: str) -> int:
    """A path id for PUT and DELETE, where ilert takes only numbers."""
    if not is_id(ref):
        raise NotFound(f"{what} {ref} not found")
    return int(ref)


class UserRefConverter(BaseConverter):
    """A user id or username, never `current` or `search-email`: those are paths of their own,
    so `DELETE /api/users/current` is a 405 naming their methods, not a search for a user."""

    regex = r"(?!(?:current|search-email)$)[^/]+"


def register_converters(app: Flask) -> None:
    app.url_map.converters["user_ref"] = UserRefConverter


def request_actor(state: IlertState) -> Actor:
    """Who the current request is: its bearer key, `X-On-Behalf-Of` and `team-context`."""
    header = request.headers.get("Authorization", "")
    key = header[7:].strip() if header.lower().startswith("bearer ") else None
    return state.authenticate(
        key, request.headers.get("X-On-Behalf-Of"), request.headers.get("team-context")
    )


def create_api(sim: FakeIlert) -> Blueprint:
    """The /api blueprint bound to one fake ilert."""
    bp = Blueprint("ilert_api", __name__, url_prefix="/api")
    state = sim.state

    def actor() -> Actor:
        return request_actor(state)

    _users(bp, state, actor)
    _teams(bp, state, actor)
    _policies(bp, state, actor)
    _sources(bp, state, actor)
    _alerts(bp, sim, actor)
    _actions(bp, state, actor)
    _connectors(bp, sim, actor)
    return bp


def _users(bp: Blueprint, state: Any, actor: ActorFn) -> None:
    @bp.get("/users")
    def list_users() -> Any:
        users = state.list_users(
            actor(), start=query_int("start-index", 0), limit=query_int("max-results", 50)
        )
        return jsonify([ser.user_json(u) for u in users])

    @bp.post("/users")
    def create_user() -> Any:
        a = actor()  # a missing key is a 401 before any 400 about the body
        user = _with_plain(state, "user", lambda body: state.create_user(a, body))
        return _created(ser.user_json(user), "users")

    @bp.get("/users/current")
    def current_user() -> Any:
        return jsonify(ser.user_json(state.current_user(actor())))

    @bp.put("/users/current")
    def update_current_user() -> Any:
        a = actor()
        user = _with_plain(state, "user", lambda body: state.update_current_user(a, body))
        return jsonify(ser.user_json(user))

    @bp.post("/users/search-email")
    def search_email() -> Any:
        return jsonify(ser.user_json(state.search_email(actor(), json_body().get("email"))))

    @bp.get("/users/<user_ref:ref>")
    def get_user(ref: str) -> Any:
        return jsonify(ser.user_json(state.get_user(actor(), ref)))

    @bp.put("/users/<user_ref:ref>")
    def update_user(ref: str) -> Any:
        a = actor()
        user = _with_plain(state, "user", lambda body: state.update_user(a, ref, body))
        return jsonify(ser.user_json(user))

    @bp.delete("/users/<user_ref:ref>")
    def delete_user(ref: str) -> Any:
        state.delete_user(actor(), ref)
        return _no_content()


def _teams(bp: Blueprint, state: Any, actor: ActorFn) -> None:
    @bp.get("/teams")
    def list_teams() -> Any:
        a = actor()
        return jsonify([ser.team_json(a.account, t) for t in state.list_teams(a)])

    @bp.post("/teams")
    def create_team() -> Any:
        a = actor()
        # 201: ilert's document says 200, its Go client takes only 201 (docs/fake-ilert.md)
        return jsonify(ser.team_json(a.account, state.create_team(a, json_body()))), 201

    @bp.get("/teams/<int:team_id>")
    def get_team(team_id: int) -> Any:
        a = actor()
        return jsonify(ser.team_json(a.account, state.get_team(a, team_id)))

    @bp.put("/teams/<int:team_id>")
    def update_team(team_id: int) -> Any:
        a = actor()
        return jsonify(ser.team_json(a.account, state.update_team(a, team_id, json_body())))

    @bp.delete("/teams/<int:team_id>")
    def delete_team(team_id: int) -> Any:
        state.delete_team(actor(), team_id)
        return _no_content()

    @bp.post("/teams/<int:team_id>/members")
    def add_member(team_id: int) -> Any:
        a = actor()
        team, user = state.add_team_member(a, team_id, json_body())
        return jsonify(ser.team_member_json(a.account, user.id, team.members[user.id]))

    @bp.delete("/teams/<int:team_id>/members/<int:user_id>")
    def remove_member(team_id: int, user_id: int) -> Any:
        state.remove_team_member(actor(), team_id, user_id)
        return _no_content()


def _policies(bp: Blueprint, state: Any, actor: ActorFn) -> None:
    @bp.get("/escalation-policies")
    def list_policies() -> Any:
        a = actor()
        policies = state.list_policies(
            a, start=query_int("start-index", 0), limit=query_int("max-results", 50)
        )
        return jsonify([ser.policy_json(a.account, p) for p in policies])

    @bp.post("/escalation-policies")
    def create_policy() -> Any:
        a = actor()
        policy = _with_plain(state, "escalationPolicy", lambda body: state.create_policy(a, body))
        return _created(ser.policy_json(a.account, policy), "escalation-policies")

    @bp.get("/escalation-policies/<int:policy_id>")
    def get_policy(policy_id: int) -> Any:
        a = actor()
        return jsonify(ser.policy_json(a.account, state.get_policy(a, policy_id)))

    @bp.put("/escalation-policies/<int:policy_id>")
    def update_policy(policy_id: int) -> Any:
        a = actor()
        policy = _with_plain(
            state, "escalationPolicy", lambda body: state.update_policy(a, policy_id, body)
        )
        return jsonify(ser.policy_json(a.account, policy))

    @bp.delete("/escalation-policies/<int:policy_id>")
    def delete_policy(policy_id: int) -> Any:
        state.delete_policy(actor(), policy_id)
        return _no_content()


def _sources(bp: Blueprint, state: Any, actor: ActorFn) -> None:
    def out(a: Actor, source: Any) -> dict[str, Any]:
        return ser.source_json(state, a.account, source)

    @bp.get("/alert-sources")
    def list_sources() -> Any:
        a = actor()
        sources = state.list_sources(
            a, start=query_int("start-index", 0), limit=query_int("max-results", 50)
        )
        return jsonify([out(a, s) for s in sources])

    @bp.post("/alert-sources")
    def create_source() -> Any:
        a = actor()
        source = _with_plain(state, "alertSource", lambda body: state.create_source(a, body))
        return _created(out(a, source), "alert-sources")

    @bp.get("/alert-sources/<ref>")
    def get_source(ref: str) -> Any:
        """By id or by integration key."""
        a = actor()
        return jsonify(out(a, state.get_source(a, ref)))

    @bp.put("/alert-sources/<ref>")
    def update_source(ref: str) -> Any:
        a = actor()
        source_id = _numeric(ref, "Alert source")
        source = _with_plain(
            state, "alertSource", lambda body: state.update_source(a, source_id, body)
        )
        return jsonify(out(a, source))

    @bp.delete("/alert-sources/<ref>")
    def delete_source(ref: str) -> Any:
        state.delete_source(actor(), _numeric(ref, "Alert source"))
        return _no_content()


def _alert_filters() -> dict[str, Any]:
    since, until = request.args.get("from"), request.args.get("until")
    responders = [r for r in query_list("responders") if r]
    return {
        "states": [
            check_enum(s, ("PENDING", "ACCEPTED", "RESOLVED"), "states")
            for s in query_list("states")
        ],
        "sources": query_ints("sources"),
        "policies": query_ints("policies"),
        "responders": responders,
        "since": None if since is None else parse_time(since, "from"),
        "until": None if until is None else parse_time(until, "until"),
    }


def _includes() -> list[str]:
    return [check_enum(i, ALERT_INCLUDES, "include") for i in query_list("include")]


def _alerts(bp: Blueprint, sim: FakeIlert, actor: ActorFn) -> None:
    state = sim.state

    def out(a: Actor, alert: Any, include: list[str] | None = None) -> dict[str, Any]:
        with state.lock:  # the alert as of one moment, never half-way through a change
            if include:
                return ser.alert_json(a.account, alert, sim.public_url, include)
            return ser.cached_alert_json(state, a.account, alert, sim.public_url)

    @bp.get("/alerts")
    def list_alerts() -> Any:
        a = actor()
        include = _includes()
        filters = _alert_filters()
        start, limit = query_int("start-index", 0), query_int("max-results", 50)
        with state.lock:
            alerts = state.list_alerts(a, **filters, start=start, limit=limit)
            body = [out(a, x, include) for x in alerts]
        return jsonify(body)

    @bp.get("/alerts/count")
    def count_alerts() -> Any:
        return jsonify({"count": state.count_alerts(actor(), **_alert_filters())})

    @bp.post("/alerts")
    def create_alert() -> Any:
        a = actor()
        return jsonify(out(a, state.create_alert(a, json_body()))), 201

    @bp.get("/alerts/<int:alert_id>")
    def get_alert(alert_id: int) -> Any:
        a = actor()
        include = _includes()
        return jsonify(out(a, state.get_alert(a, alert_id), include))

    @bp.put("/alerts/<int:alert_id>/accept")
    def accept_alert(alert_id: int) -> Any:
        a = actor()
        return jsonify(out(a, state.accept_alert(a, alert_id)))

    @bp.put("/alerts/<int:alert_id>/resolve")
    def resolve_alert(alert_id: int) -> Any:
        a = actor()
        return jsonify(out(a, state.resolve_alert(a, alert_id)))

    @bp.put("/alerts/<int:alert_id>/assign")
    def assign_alert(alert_id: int) -> Any:
        """ilert's query names are `user`/`policy`/`schedule`; its Go client sends `…-id`."""
        a = actor()
        args = request.args
        alert = state.assign_alert(
            a,
            alert_id,
            user=args.get("user-id") or args.get("user"),
            policy=args.get("policy-id") or args.get("policy"),
            schedule=args.get("schedule-id") or args.get("schedule"),
        )
        return jsonify(out(a, alert))

    @bp.post("/alerts/<int:alert_id>/responders")
    def add_responder(alert_id: int) -> Any:
        """ilert's document declares no body here; without one the caller joins the alert,
        `{user: {id}}` names someone else."""
        a = actor()
        body = json_body(required=False)
        if not body and a.user_id is not None:
            body = {"user": {"id": a.user_id}}
        responder = state.add_responder(a, alert_id, body)
        return jsonify(ser.responder_json(a.account, responder)), 201

    @bp.delete("/alerts/<int:alert_id>/responders/<int:user_id>")
    def remove_responder(alert_id: int, user_id: int) -> Any:
        state.remove_responder(actor(), alert_id, user_id)
        return _no_content()

    @bp.get("/alerts/<int:alert_id>/suggested-responders")
    def suggested_responders(alert_id: int) -> Any:
        return jsonify(state.suggested_responders(actor(), alert_id))

    @bp.get("/alerts/<int:alert_id>/log-entries")
    def log_entries(alert_id: int) -> Any:
        a = actor()
        entries = state.log_entries(
            a, alert_id, start=query_int("start-index", 0), limit=query_int("max-results", 50)
        )
        return jsonify([ser.log_entry_json(a.account, e) for e in entries])


def _actions(bp: Blueprint, state: Any, actor: ActorFn) -> None:
    @bp.get("/alert-actions")
    def list_actions() -> Any:
        a = actor()
        sources = query_ints("source")
        if len(sources) > 1:
            raise BadRequest("Query 'source' takes one alert source id")
        actions = state.list_actions(
            a,
            source=sources[0] if sources else None,
            connector=request.args.get("connector") or None,
        )
        return jsonify([ser.action_json(a.account, x) for x in actions])

    @bp.post("/alert-actions")
    def create_action() -> Any:
        a = actor()
        action = _with_plain(state, "alertAction", lambda body: state.create_action(a, body))
        return jsonify(ser.action_json(a.account, action)), 201  # as for teams

    @bp.get("/alert-actions/<action_id>")
    def get_action(action_id: str) -> Any:
        a = actor()
        return jsonify(ser.action_json(a.account, state.get_action(a, action_id)))

    @bp.put("/alert-actions/<action_id>")
    def update_action(action_id: str) -> Any:
        a = actor()
        action = _with_plain(
            state, "alertAction", lambda body: state.update_action(a, action_id, body)
        )
        return jsonify(ser.action_json(a.account, action))

    @bp.delete("/alert-actions/<action_id>")
    def delete_action(action_id: str) -> Any:
        state.delete_action(actor(), action_id)
        return _no_content()

    @bp.put("/alert-actions/<action_id>/add-source")
    def add_source(action_id: str) -> Any:
        a = actor()
        action = state.change_action_source(a, action_id, json_body(), add=True)
        return jsonify(ser.action_json(a.account, action))

    @bp.put("/alert-actions/<action_id>/remove-source")
    def remove_source(action_id: str) -> Any:
        a = actor()
        action = state.change_action_source(a, action_id, json_body(), add=False)
        return jsonify(ser.action_json(a.account, action))


def _connectors(bp: Blueprint, sim: FakeIlert, actor: ActorFn) -> None:
    state = sim.state

    @bp.get("/connectors")
    def list_connectors() -> Any:
        return jsonify([ser.connector_json(c) for c in state.list_connectors(actor())])

    @bp.post("/connectors")
    def create_connector() -> Any:
        connector = state.create_connector(actor(), json_body())
        return jsonify(ser.connector_json(connector)), 201  # as for teams

    @bp.get("/connectors/<connector_id>")
    def get_connector(connector_id: str) -> Any:
        return jsonify(ser.connector_json(state.get_connector(actor(), connector_id)))

    @bp.put("/connectors/<connector_id>")
    def update_connector(connector_id: str) -> Any:
        connector = state.update_connector(actor(), connector_id, json_body())
        return jsonify(ser.connector_json(connector))

    @bp.delete("/connectors/<connector_id>")
    def delete_connector(connector_id: str) -> Any:
        state.delete_connector(actor(), connector_id)
        return _no_content()

    @bp.put("/connectors/<connector_id>/slack-channels/<channel_id>")
    def slack_channel(connector_id: str, channel_id: str) -> Any:
        """The Slack app reports a channel as Slack has it now (docs/contract.md §6)."""
        a = actor()
        report = ChannelReport.parse(json_body())
        actions = report_channel(state, a, connector_id, channel_id, report)
        return jsonify([ser.action_json(a.account, action) for action in actions])

    @bp.post("/connectors/slack/installations")
    def register_installation() -> Any:
        """The connector redeems an install ticket (docs/contract.md §2); no Authorization."""
        body = json_body()
        ticket = verify_ticket(sim.connector_secret, body.get("ticket"))
        connector, key = state.register_slack(
            account_id=ticket.account_id,
            user_id=ticket.user_id,
            nonce=ticket.nonce,
            workspace=body.get("workspace"),
            scopes=body.get("scopes", []),
            missing_scopes=body.get("missingScopes", []),
        )
        return jsonify({"connector": ser.connector_json(connector), "integrationKey": key})
