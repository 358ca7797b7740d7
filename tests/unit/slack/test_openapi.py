"""The served OpenAPI document stays true to the routes Flask really has."""

from __future__ import annotations

import re

import requests

from emulator.slack import FakeSlack
from emulator.slack.methods import method_specs
from emulator.slack.webapi import HANDLERS

_IGNORED = {"HEAD", "OPTIONS"}


def registered_control_routes() -> set[tuple[str, str]]:
    app = FakeSlack().app
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/_sim/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        routes |= {(verb, path) for verb in (rule.methods or set()) - _IGNORED}
    return routes


def documented_control_routes(document: dict) -> set[tuple[str, str]]:
    return {
        (verb.upper(), path)
        for path, operations in document["paths"].items()
        if path.startswith("/_sim/")
        for verb in operations
    }


def test_every_control_route_is_documented_and_nothing_else(url: str) -> None:
    document = requests.get(f"{url}/_sim/openapi.json", timeout=5).json()

    assert documented_control_routes(document) == registered_control_routes()
    assert document["openapi"].startswith("3.")


def test_the_web_api_summary_names_every_emulated_method(url: str) -> None:
    document = requests.get(f"{url}/_sim/openapi.json", timeout=5).json()
    web_api = {path.removeprefix("/api/") for path in document["paths"] if path.startswith("/api/")}

    assert web_api == set(method_specs()) == set(HANDLERS)
    post = document["paths"]["/api/chat.postMessage"]["post"]
    assert post["x-slack-rate-limit"]["per"] == "app+workspace+channel"
    assert post["x-slack-bot-scopes"] == ["chat:write"]
