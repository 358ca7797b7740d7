"""Request parsing shared by the JSON blueprints: bad input becomes a typed 400, never a 500.

It is also the one place that bounds what a request may carry. ilert publishes no limits (its
OpenAPI document declares no maxLength, its docs name no body size), so fake ilert takes these:
a body of at most 1 MiB on ilert's API, the events API and fake ilert's pages (413), and strings
no longer than `FIELD_LIMITS` says (400 naming the field). Names are bounded at 255 characters
as ilert's own Terraform provider validates them (`validation.StringLenBetween(1, 255)` on every
resource's `name`, iLert/terraform-provider-ilert, ilert/resource_*.go).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request

from emulator.ilert.errors import BadRequest, PayloadTooLarge

MAX_BODY_BYTES = 1024 * 1024
NAME_CHARS = 255  # any string field not named below
FIELD_LIMITS: dict[str, int] = {
    "summary": 1024,
    "details": 65_536,
    "content": 65_536,  # an event's comment
    "customDetails": 65_536,  # every string inside it
    "href": 2048,
    "src": 2048,
    "url": 2048,
    "next": 2048,  # log in's return path
    "returnUrl": 2048,
    "ticket": 4096,
}


def check_body_size() -> None:
    """A 413 for a body over `MAX_BODY_BYTES`, whether or not the route reads it."""
    # A body sent without a length is read up to one byte past the limit (Werkzeug stops there
    # without an error), so `json_body` can tell a body over the limit from one at it.
    request.max_content_length = MAX_BODY_BYTES + 1
    size = request.content_length
    if size is not None and size > MAX_BODY_BYTES:
        raise body_too_large(size)


def body_too_large(size: int | None = None) -> PayloadTooLarge:
    got = f"is {size:,} bytes" if size is not None else "is too large"
    return PayloadTooLarge(
        f"The request body {got}; fake ilert takes at most {MAX_BODY_BYTES:,} bytes (1 MiB)"
    )


def check_lengths(fields: Mapping[str, Any]) -> None:
    """A 400 naming the first string (value or key, at any depth) longer than its limit, or
    holding what is not Unicode text."""
    for name, value in fields.items():
        _check(value, name, FIELD_LIMITS.get(name, NAME_CHARS))


def _check(value: Any, path: str, limit: int) -> None:
    if isinstance(value, str):
        if len(value) > limit:
            raise BadRequest(
                f"Field '{path}' must be at most {limit:,} characters; got {len(value):,}"
            )
        _check_text(value, path)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and len(key) > NAME_CHARS:
                raise BadRequest(f"Field '{path}' has a key longer than {NAME_CHARS} characters")
            if isinstance(key, str):
                _check_text(key, path)
            _check(item, f"{path}.{key}", FIELD_LIMITS.get(key, limit))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", limit)


def _check_text(text: str, path: str) -> None:
    """JSON can spell a lone UTF-16 surrogate (`"\\ud800"`), which is no character: stored,
    it could never be written out again as UTF-8 (every page showing it failed). Refused."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest(
                f"Field '{path}' holds a lone UTF-16 surrogate, which is not a character"
            ) from None


def json_body(*, required: bool = True, bounded: bool = True) -> dict[str, Any]:
    """The request's JSON object; a missing, malformed or non-object body is a 400, and so is
    a string over its limit (`bounded=False` only for the control plane's state import)."""
    raw = request.get_data(cache=True)
    bound = request.max_content_length  # set by `check_body_size`; none on the control plane
    if bound is not None and len(raw) >= bound:
        raise body_too_large()
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
    if bounded:
        check_lengths(data)
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
