"""The figures docs/fake-ilert.md gives (ilert's operations served, by tag) are computed from
the vendored document and fake ilert's routes, so they stay true."""

from __future__ import annotations

import re
from pathlib import Path

from emulator.clock import VirtualClock
from emulator.ilert.app import FakeIlert
from emulator.ilert.openapi import figures_markdown, served_by_tag, served_real_operations
from emulator.ilert.spec import real_operations

DOCS = Path(__file__).resolve().parents[3] / "docs" / "fake-ilert.md"


def _unnamed(path: str) -> str:
    return re.sub(r"{[^}]+}", "{}", re.sub(r"<[^<>]+>", "{}", path))


def _routed() -> set[tuple[str, str]]:
    """ilert's operations that a route of fake ilert answers."""
    sim = FakeIlert(clock=VirtualClock())
    try:
        routes = {
            (method.lower(), _unnamed(rule.rule))
            for rule in sim.app.url_map.iter_rules()
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
        }
    finally:
        sim.close()
    return {(m, path) for m, path in real_operations() if (m, _unnamed("/api" + path)) in routes}


def test_the_served_operations_are_the_routed_ones() -> None:
    assert _routed() == served_real_operations()


def test_the_docs_give_the_served_operations_by_tag() -> None:
    table = figures_markdown(served_by_tag(_routed()))
    assert table in DOCS.read_text("utf-8"), f"docs/fake-ilert.md should show:\n\n{table}"
