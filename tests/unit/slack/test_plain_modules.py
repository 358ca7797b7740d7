"""fake Slack's state lives in plain modules: none of them imports a web framework."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "emulator" / "slack"
PLAIN = [
    "entities",
    "models",
    "interactions",
    "modals",
    "snapshot",
    "faults",
    "ratelimits",
    "journal",
]


def top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", PLAIN)
def test_a_state_module_knows_no_web_framework(module: str) -> None:
    imports = top_level_imports(PACKAGE / f"{module}.py")

    assert imports.isdisjoint({"flask", "werkzeug", "waitress", "requests"})
