"""Small validators for request fields: the model checks what the wire layers hand it, and every
bad value becomes a typed 400 with a message naming the field, never a 500."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from emulator.ilert.errors import BadRequest

# Header forms, declared as these patterns in the OpenAPI document too: `team-context` is 0 (all
# teams), -1 (my teams) or a team id; `X-On-Behalf-Of` is a user id. Ids fit in 18 digits.
TEAM_CONTEXT_PATTERN = r"^(0|-1|[1-9][0-9]{0,17})$"
USER_ID_PATTERN = r"^[0-9]{1,18}$"


def matches(pattern: str, value: str) -> bool:
    """Whether all of `value` matches (`fullmatch`: a trailing newline is not let through)."""
    return re.fullmatch(pattern, value) is not None


def check_enum(value: Any, allowed: Iterable[str], name: str) -> str:
    """The value if it is one of `allowed`, else a 400 naming the field and the choices."""
    choices = tuple(allowed)
    if not isinstance(value, str) or value not in choices:
        raise BadRequest(f"Field '{name}' must be one of {', '.join(choices)}; got {value!r}")
    return value


def required_str(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"Field '{name}' is required and must be a non-empty string")
    return value


def optional_str(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"Field '{name}' must be a string")
    return value


def boolean(fields: dict[str, Any], name: str, default: bool) -> bool:
    value = fields.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BadRequest(f"Field '{name}' must be true or false")
    return value


def integer(
    fields: dict[str, Any], name: str, default: int, *, minimum: int, maximum: int | None = None
) -> int:
    value = fields.get(name, default)
    if value is None:
        return default
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        bounds = (
            f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        )
        raise BadRequest(f"Field '{name}' must be an integer {bounds}")
    return value


def listing(fields: dict[str, Any], name: str) -> list[Any]:
    value = fields.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(f"Field '{name}' must be a list")
    return value


def is_id(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also takes '¹', which `int` refuses."""
    return text.isascii() and text.isdigit()


def ref_id(ref: Any, what: str) -> int:
    """An id given as {id: n}, n or "n"."""
    value = ref.get("id") if isinstance(ref, dict) else ref
    if isinstance(value, bool):
        value = None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and is_id(value.strip()):
        value = int(value)
    if not isinstance(value, int) or value < 0:
        raise BadRequest(f"Field '{what}' must be an id or an object {{id}}")
    return value


def objects(fields: dict[str, Any], name: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    """A list of small objects of strings (images, links), kept with only the known keys."""
    result = []
    for item in listing(fields, name):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str | None) for k in keys):
            raise BadRequest(
                f"Field '{name}' must be a list of objects with string fields {', '.join(keys)}"
            )
        result.append({k: item[k] for k in keys if item.get(k) is not None})
    return result


def mapping(fields: dict[str, Any], name: str) -> dict[str, Any]:
    value = fields.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"Field '{name}' must be an object")
    return dict(value)


def parse_time(value: str, name: str) -> float:
    """An ISO-8601 date-time (UTC when no offset is given) as Unix seconds."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(
            f"Query '{name}' must be an ISO-8601 date-time such as 2021-05-25T21:24:56.771Z; "
            f"got {value!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.timestamp()
    except (OverflowError, ValueError, OSError):
        raise BadRequest(f"Query '{name}' is out of range: {value!r}") from None
