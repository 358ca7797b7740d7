"""Slack's published metadata per Web API method (scopes, required arguments, rate-limit tier).

The JSON files beside this module are copies of docs.slack.dev's `methods/<name>.json`, shipped as
package data so the emulator never reads outside its package at runtime. Files with a `source` key
were written in the same format from the method's page on docs.slack.dev (its facts, arguments,
errors and example response), where the JSON copy was not at hand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class MethodSpec:
    """What the emulator enforces from the metadata: bot scopes (any one suffices) and arguments."""

    name: str
    bot_scopes: tuple[str, ...]
    required_args: tuple[str, ...]
    tier: str
    needs_token: bool
    # A required argument's own error code where the page documents one for an empty value
    # (conversations.create: "invalid_name_required: Value passed for `name` was empty."); the
    # others answer invalid_arguments.
    empty_errors: dict[str, str] = field(default_factory=dict)


# How a page's error descriptions say that an argument was left empty.
_EMPTY_ARGUMENT = re.compile(
    r"Value passed for `(\w+)` was empty"
    r"|No value was passed for `(\w+)`"
    r"|Value for `(\w+)` was missing"
)

# Methods whose metadata lists `token` as optional or absent because they authenticate otherwise.
_TOKENLESS = {"api.test", "oauth.v2.access"}


@cache
def method_specs() -> dict[str, MethodSpec]:
    specs: dict[str, MethodSpec] = {}
    for entry in resources.files(__name__).iterdir():
        if not entry.name.endswith(".json"):
            continue
        name = entry.name.removesuffix(".json")
        raw = json.loads(entry.read_text(encoding="utf-8"))
        required = tuple(a for a in raw.get("args", {}).get("required", []) or [] if a != "token")
        specs[name] = MethodSpec(
            name=name,
            bot_scopes=tuple(raw.get("scope", {}).get("bot", []) or []),
            required_args=required,
            tier=str(raw.get("rate_limits", "")),
            needs_token=name not in _TOKENLESS,
            empty_errors=_empty_errors(required, raw.get("errors") or {}),
        )
    return specs


def _empty_errors(required: tuple[str, ...], errors: dict[str, Any]) -> dict[str, str]:
    """The first documented code for each required argument left empty. conversations.create
    also lists `no_channel` for an empty `name` after `invalid_name_required`: the code of the
    retired channels.create, which conversations.create does not answer."""
    found: dict[str, str] = {}
    for code, about in errors.items():
        desc = about.get("desc", "") if isinstance(about, dict) else str(about)
        match = _EMPTY_ARGUMENT.match(desc)
        argument = next((group for group in match.groups() if group), "") if match else ""
        if argument in required:
            found.setdefault(argument, code)
    return found
