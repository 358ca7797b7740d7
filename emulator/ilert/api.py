"""ilert's REST API under /api: authenticate, parse, call the model, serialise. No rules here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, request

from emulator.ilert import serialize as ser
from emulator.ilert.models import Actor
from emulator.ilert.tickets import verify_ticket
from emulator.ilert.wire import json_body, query_int, query_ints, query_list

if TYPE_CHECKING:
    from emulator.ilert.app import FakeIlert


def _no_content() -> Response:
    return Response(status=204)


def create_api(sim: FakeIlert) -> Blueprint:
    """The /api blueprint bound to one fake ilert."""
    bp = Blueprint("ilert_api", __name__, url_prefix="/api")
    state = sim.state

    def actor() -> Actor:
        header = request.headers.get("Authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else None
        return state.authenticate(key, request.headers.get("X-On-Behalf-Of"))

    def alert_out(a: Actor, alert: Any) -> dict[str, Any]:
        return ser.alert_json(a.account, alert, sim.public_url)

    _users(bp, state, actor)
    _teams_and_policies(bp, state, actor)
    _sources(bp, state, actor)
    _alerts(bp, state, actor, alert_out)
    _actions(bp, state, actor)
    _connectors(bp, sim, actor)
    return bp


def _users(bp: Blueprint, state: Any, actor: Any) -> None:
    @bp.get("/users")
    def list_users() -> Any:
        return jsonify([ser.user_json(u) for u in state.list_users(actor())])

    @bp.post("/users")
    def create_user() -> Any:
        return jsonify(ser.user_json(state.create_user(actor(), json_body()))), 201

    @bp.get("/users/current")
    def current_user() -> Any:
        return jsonify(ser.user_json(state.current_user(actor())))

    @bp.post("/users/search-email")
    def search_email() -> Any:
        return jsonify(ser.user_json(state.search_email(actor(), json_body().get("email"))))

    @bp.get("/users/<ref>")
    def get_user(ref: str) -> Any:
        return jsonify(ser.user_json(state.get_user(actor(), ref)))


def _teams_and_policies(bp: Blueprint, state: Any, actor: Any) -> None:
    @bp.get("/teams")
    def list_teams() -> Any:
        a = actor()
        return jsonify([ser.team_json(a.account, t) for t in state.list_teams(a)])

    @bp.post("/teams")
    def create_team() -> Any:
        a = actor()
        return jsonify(ser.team_json(a.account, state.create_team(a, json_body()))), 201

    @bp.get("/teams/<int:team_id>")
    def get_team(team_id: int) -> Any:
        a = actor()
        return jsonify(ser.team_json(a.account, state.get_team(a, team_id)))

    @bp.post("/teams/<int:team_id>/members")
    def add_member(team_id: int) -> Any:
        a = actor()
        team = state.add_team_member(a, team_id, json_body())
        return jsonify(ser.team_json(a.account, team)), 201

    @bp.get("/escalation-policies")
    def list_policies() -> Any:
        a = actor()
        return jsonify([ser.policy_json(a.account, p) for p in state.list_policies(a)])

    @bp.post("/escalation-policies")
    def create_policy() -> Any:
        a = actor()
        return jsonify(ser.policy_json(a.account, state.create_policy(a, json_body()))), 201

    @bp.get("/escalation-policies/<int:policy_id>")
    def get_policy(policy_id: int) -> Any:
        a = actor()
        return jsonify(ser.policy_json(a.account, state.get_policy(a, policy_id)))


def _sources(bp: Blueprint, state: Any, actor: Any) -> None:
    def out(a: Actor, source: Any) -> dict[str, Any]:
        return ser.source_json(state, a.account, source)

    @bp.get("/alert-sources")
    def list_sources() -> Any:
        a = actor()
        return jsonify([out(a, s) for s in state.list_sources(a)])

    @bp.post("/alert-sources")
    def create_source() -> Any:
        a = actor()
        return jsonify(out(a, state.create_source(a, json_body()))), 201

    @bp.get("/alert-sources/<ref>")
    def get_source(ref: str) -> Any:
        a = actor()
        return jsonify(out(a, state.get_source(a, ref)))

    @bp.put("/alert-sources/<int:source_id>")
    def update_source(source_id: int) -> Any:
        a = actor()
        return jsonify(out(a, state.update_source(a, source_id, json_body())))

    @bp.delete("/alert-sources/<int:source_id>")
    def delete_source(source_id: int) -> Any:
        state.delete_source(actor(), source_id)
        return _no_content()


def _alerts(bp: Blueprint, state: Any, actor: Any, out: Any) -> None:
    @bp.get("/alerts")
    def list_alerts() -> Any:
        a = actor()
        alerts = state.list_alerts(
            a,
            states=query_list("states"),
            sources=query_ints("sources"),
            start=query_int("start-index", 0),
            limit=query_int("max-results", 50),
        )
        return jsonify([out(a, x) for x in alerts])

    @bp.get("/alerts/count")
    def count_alerts() -> Any:
        count = state.count_alerts(
            actor(), states=query_list("states"), sources=query_ints("sources")
        )
        return jsonify({"count": count})

    @bp.post("/alerts")
    def create_alert() -> Any:
        a = actor()
        return jsonify(out(a, state.create_alert(a, json_body()))), 201

    @bp.get("/alerts/<int:alert_id>")
    def get_alert(alert_id: int) -> Any:
        a = actor()
        return jsonify(out(a, state.get_alert(a, alert_id)))

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
        a = actor()
        user = request.args.get("user-id") or request.args.get("user")
        return jsonify(out(a, state.assign_alert(a, alert_id, user)))

    @bp.get("/alerts/<int:alert_id>/log-entries")
    def log_entries(alert_id: int) -> Any:
        a = actor()
        return jsonify([ser.log_entry_json(a.account, e) for e in state.log_entries(a, alert_id)])


def _actions(bp: Blueprint, state: Any, actor: Any) -> None:
    @bp.get("/alert-actions")
    def list_actions() -> Any:
        a = actor()
        source = request.args.get("source")
        sources = query_ints("source") if source else []
        actions = state.list_actions(
            a,
            source=sources[0] if sources else None,
            connector=request.args.get("connector") or None,
        )
        return jsonify([ser.action_json(a.account, x) for x in actions])

    @bp.post("/alert-actions")
    def create_action() -> Any:
        a = actor()
        return jsonify(ser.action_json(a.account, state.create_action(a, json_body()))), 201

    @bp.get("/alert-actions/<action_id>")
    def get_action(action_id: str) -> Any:
        a = actor()
        return jsonify(ser.action_json(a.account, state.get_action(a, action_id)))

    @bp.put("/alert-actions/<action_id>")
    def update_action(action_id: str) -> Any:
        a = actor()
        return jsonify(ser.action_json(a.account, state.update_action(a, action_id, json_body())))

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


def _connectors(bp: Blueprint, sim: FakeIlert, actor: Any) -> None:
    state = sim.state

    @bp.get("/connectors")
    def list_connectors() -> Any:
        return jsonify([ser.connector_json(c) for c in state.list_connectors(actor())])

    @bp.post("/connectors")
    def create_connector() -> Any:
        return jsonify(ser.connector_json(state.create_connector(actor(), json_body()))), 201

    @bp.get("/connectors/<connector_id>")
    def get_connector(connector_id: str) -> Any:
        return jsonify(ser.connector_json(state.get_connector(actor(), connector_id)))

    @bp.delete("/connectors/<connector_id>")
    def delete_connector(connector_id: str) -> Any:
        state.delete_connector(actor(), connector_id)
        return _no_content()

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
