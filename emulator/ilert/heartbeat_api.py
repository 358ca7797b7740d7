"""ilert's heartbeat pings: `/api/heartbeats/{key}` with a HEARTBEAT source's integration key.

ilert's spec declares HEAD, GET and POST, without credentials (the key in the path is one),
each answered 202 with no particular body; Flask answers HEAD wherever it answers GET.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response

if TYPE_CHECKING:
    from emulator.ilert.app import FakeIlert


def create_heartbeats(sim: FakeIlert) -> Blueprint:
    bp = Blueprint("ilert_heartbeats", __name__)

    @bp.route("/api/heartbeats/<key>", methods=["GET", "POST"])
    def ping(key: str) -> Response:
        sim.state.ping_heartbeat(key)
        return Response(status=202)

    return bp
