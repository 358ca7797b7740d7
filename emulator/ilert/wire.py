"""Request parsing shared by the JSON blueprints: bad input becomes a typed 400, never a 500."""

from __future__ import annotations

from typing import Any

from flask import request

from emulator.ilert.errors import BadRequest


def json_body(*, required: bool = True) -> dict[str, Any]:
    """The request's JSON object; a missing, malformed or non-object body is a 400."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise BadRequest("A JSON object body is required")
        return {}
    try:
        data = request.get_json(force=True, silent=True)
    except RecursionError:  # nesting deeper than the parser goes is bad input, not a crash
        raise BadRequest("The request body is nested too deeply") from None
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object")
    return data


def query_int(name: str, default: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"Query '{name}' must be an integer; got {value!r}") from None


def query_ints(name: str) -> list[int]:
    """Repeated (`?x=1&x=2`) or comma-separated (`?x=1,2`) integers; anything else is a 400."""
    values = []
    for part in query_list(name):
        try:
            values.append(int(part))
        except ValueError:
            raise BadRequest(f"Query '{name}' must hold ids; got {part!r}") from None
    return values


def query_list(name: str) -> list[str]:
    """Repeated or comma-separated values as given; an empty one stays for the caller to judge."""
    return [p.strip() for raw in request.args.getlist(name) for p in raw.split(",")]
