"""ilert's events API: `POST /api/events` (and the legacy `/api/v1/events`), keyed by the body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify

from emulator.ilert.wire import json_body

if TYPE_CHECKING:
    from emulator.ilert.app import FakeIlert


def create_events(sim: FakeIlert) -> Blueprint:
    """No Authorization: the alert source's integration key in the body is the credential."""
    bp = Blueprint("ilert_events", __name__)

    @bp.post("/api/events")
    @bp.post("/api/v1/events")
    def submit_event() -> Any:
        code, alert = sim.state.submit_event(json_body())
        return jsonify(
            {
                "alertKey": alert.alert_key if alert else None,
                "alertUrl": f"{sim.public_url}/alerts/{alert.id}" if alert else None,
                "responseCode": code,
            }
        ), 202

    return bp
