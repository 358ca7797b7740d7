"""The control plane under /_sim/: reset, state, accounts and users, the clock, the delivery queue.

Never part of the emulated API; tests and the harness use it to arrange and observe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify

from emulator.clock import VirtualClock
from emulator.ilert import serialize as ser
from emulator.ilert.errors import BadRequest, Conflict
from emulator.ilert.tickets import issue_ticket
from emulator.ilert.wire import json_body

if TYPE_CHECKING:
    from emulator.ilert.app import FakeIlert

MAX_WAIT = 60.0


def _number(body: dict[str, Any], name: str, default: float | None = None) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise BadRequest(f"Field '{name}' must be a non-negative number")
    return float(value)


def create_control(sim: FakeIlert) -> Blueprint:
    bp = Blueprint("ilert_control", __name__, url_prefix="/_sim")
    state = sim.state

    @bp.post("/reset")
    def reset() -> Any:
        sim.reset()
        return jsonify({"ok": True})

    @bp.get("/state")
    def dump() -> Any:
        return jsonify(ser.state_dump(state, sim.public_url))

    @bp.post("/accounts")
    def create_account() -> Any:
        body = json_body()
        owner = body.get("owner")
        if owner is not None and not isinstance(owner, dict):
            raise BadRequest("Field 'owner' must be an object {firstName, lastName, email}")
        account, user, key = state.create_account(body.get("name"), owner=owner)
        return jsonify(
            {"id": account.id, "name": account.name, "apiKey": key, "owner": ser.user_json(user)}
        ), 201

    @bp.post("/accounts/<int:account_id>/users")
    def create_user(account_id: int) -> Any:
        user, key = state.add_user_with_key(account_id, json_body())
        return jsonify({"user": ser.user_json(user), "apiKey": key}), 201

    @bp.post("/tickets")
    def create_ticket() -> Any:
        """A signed install ticket without the web page (no role check: the registration
        endpoint re-checks it, which is what a test of that check needs)."""
        body = json_body()
        account = state.account(int(_number(body, "accountId")))
        user_id = int(_number(body, "userId"))
        if user_id not in account.users:
            raise BadRequest(f"User {user_id} is not in account {account.id}")
        return_url = body.get("returnUrl") or f"{sim.public_url}/connectors/slack"
        ticket = issue_ticket(
            sim.connector_secret, account_id=account.id, user_id=user_id, return_url=str(return_url)
        )
        return jsonify(
            {"ticket": ticket, "installUrl": f"{sim.connector_url}/slack/install?ticket={ticket}"}
        ), 201

    @bp.get("/clock")
    def clock() -> Any:
        now = sim.clock.now()
        kind = "virtual" if isinstance(sim.clock, VirtualClock) else "system"
        return jsonify({"now": ser.iso(now), "epoch": now, "kind": kind})

    @bp.post("/clock/advance")
    def advance() -> Any:
        if not isinstance(sim.clock, VirtualClock):
            raise Conflict(
                "The clock is the system clock; start fake ilert with a virtual clock to advance it"
            )
        now = sim.clock.advance(_number(json_body(), "seconds"))
        return jsonify({"now": ser.iso(now), "epoch": now, "kind": "virtual"})

    @bp.get("/deliveries")
    def deliveries() -> Any:
        return jsonify(sim.delivery.stats(ser.iso))

    @bp.post("/deliveries/wait")
    def wait() -> Any:
        timeout = min(_number(json_body(required=False), "timeout", 10.0), MAX_WAIT)
        idle, pending = sim.delivery.wait(timeout)
        return jsonify({"idle": idle, "pending": pending})

    return bp
