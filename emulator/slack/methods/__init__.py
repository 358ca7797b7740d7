"""Slack's published metadata per Web API method (scopes, required arguments, rate-limit tier).

The JSON files beside this module are copies of docs.slack.dev's `methods/<name>.json`, shipped as
package data so the emulator never reads outside its package at runtime. Files with a `source` key
were written in the same format from the method's page on docs.slack.dev (its facts, arguments,
errors and example response), where the JSON copy was not at hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class MethodSpec:
    """What the emulator enforces from the metadata: bot scopes (any one suffices) and arguments."""

    name: str
    bot_scopes: tuple[str, ...]
    required_args: tuple[str, ...]
    tier: str
    needs_token: bool


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
        )
    return specs
