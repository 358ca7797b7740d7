"""The control plane under /_sim/: reset, state, export and import, accounts, users and keys,
install tickets, the clock, the delivery queue, fault rules and the OpenAPI document.

Never part of the emulated API; tests and the harness use it to arrange and observe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify

from emulator.clock import VirtualClock
from emulator.ilert import serialize as ser
from emulator.ilert.errors import BadRequest, Conflict
from emulator.ilert.openapi import openapi_document
from emulator.ilert.redirects import same_origin_url
from emulator.ilert.tickets import issue_ticket
from emulator.ilert.wire import json_body

if TYPE_CHECKING:
    from emulator.ilert.app import FakeIlert

MAX_WAIT = 60.0
MAX_ID = 10**15


MAX_ADVANCE = 10 * 365 * 86400.0  # ten years in one step
LAST_MOMENT = 253_402_300_799.0  # 9999-12-31T23:59:59Z: ilert's ISO times end there


def _number(
    body: dict[str, Any], name: str, default: float | None = None, maximum: float = 1e15
) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= maximum:
        raise BadRequest(f"Field '{name}' must be a number between 0 and {maximum:g}")
    return float(value)


def _id(body: dict[str, Any], name: str) -> int:
    """An id field: a whole number from 0 (the document declares the same bounds)."""
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise BadRequest(f"Field '{name}' must be an integer between 0 and {MAX_ID}")
    return value


def _return_url(given: Any, public_url: str) -> str:
    """Where the connector sends the browser back: a page of fake ilert, never another site."""
    if given is None or given == "":
        return f"{public_url}/connectors/slack"
    url = same_origin_url(given, public_url) if isinstance(given, str) else None
    if url is None:
        raise BadRequest(
            f"Field 'returnUrl' must be a path of fake ilert or a URL under {public_url or '/'}"
        )
    return url


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

    @bp.get("/export")
    def export() -> Any:
        return jsonify(sim.export_state())

    @bp.post("/import")
    def import_() -> Any:
        sim.import_state(json_body(bounded=False))
        with state.lock:
            accounts = len(state.accounts)
        return jsonify({"ok": True, "accounts": accounts})

    @bp.get("/openapi.json")
    def openapi() -> Any:
        return jsonify(openapi_document())

    @bp.get("/accounts")
    def list_accounts() -> Any:
        with state.lock:
            items = [
                {"id": a.id, "name": a.name, "ownerId": a.owner_id, "users": len(a.users)}
                for a in state.accounts.values()
            ]
        return jsonify(items)

    @bp.post("/accounts")
    def create_account() -> Any:
        body = json_body()
        owner = body.get("owner", {})
        if not isinstance(owner, dict):
            raise BadRequest("Field 'owner' must be an object {firstName, lastName, email}")
        for name in ("firstName", "lastName", "email"):
            if name in owner and not isinstance(owner[name], str):
                raise BadRequest(f"Field 'owner.{name}' must be a string")
        account, user, key = state.create_account(body.get("name"), owner=owner)
        return jsonify(
            {"id": account.id, "name": account.name, "apiKey": key, "owner": ser.user_json(user)}
        ), 201

    @bp.post("/accounts/<int:account_id>/users")
    def create_user(account_id: int) -> Any:
        user, key = state.add_user_with_key(account_id, json_body())
        return jsonify({"user": ser.user_json(user), "apiKey": key}), 201

    @bp.post("/accounts/<int:account_id>/api-keys")
    def create_key(account_id: int) -> Any:
        user_id = _id(json_body(), "userId")
        return jsonify({"apiKey": state.issue_key(account_id, user_id)}), 201

    @bp.post("/tickets")
    def create_ticket() -> Any:
        """A signed install ticket without the web page (no role check: the registration
        endpoint re-checks it, which is what a test of that check needs)."""
        body = json_body()
        account = state.account(_id(body, "accountId"))
        user_id = _id(body, "userId")
        if user_id not in account.users:
            raise BadRequest(f"User {user_id} is not in account {account.id}")
        return_url = _return_url(body.get("returnUrl"), sim.public_url)
        ticket = issue_ticket(
            sim.connector_secret, account_id=account.id, user_id=user_id, return_url=return_url
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
        seconds = _number(json_body(), "seconds", maximum=MAX_ADVANCE)
        if sim.clock.now() + seconds > LAST_MOMENT:
            raise BadRequest("The clock cannot pass the end of the year 9999")
        now = sim.clock.advance(seconds)
        return jsonify({"now": ser.iso(now), "epoch": now, "kind": "virtual"})

    @bp.get("/faults")
    def faults() -> Any:
        return jsonify({"faults": [r.to_json() for r in sim.faults.rules()]})

    @bp.post("/faults")
    def add_fault() -> Any:
        return jsonify(sim.faults.add(json_body()).to_json()), 201

    @bp.delete("/faults")
    def clear_faults() -> Any:
        sim.faults.clear()
        return jsonify({"ok": True})

    @bp.delete("/faults/<rule_id>")
    def remove_fault(rule_id: str) -> Any:
        sim.faults.remove(rule_id)
        return jsonify({"ok": True})

    @bp.get("/deliveries")
    def deliveries() -> Any:
        return jsonify(sim.delivery.stats(ser.iso))

    @bp.post("/deliveries/wait")
    def wait() -> Any:
        timeout = _number(json_body(required=False), "timeout", 10.0, maximum=MAX_WAIT)
        idle, pending = sim.delivery.wait(timeout)
        return jsonify({"idle": idle, "pending": pending})

    return bp
