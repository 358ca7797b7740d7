"""The layout holds: models know no web framework, and the spec never sees the connector."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("model", sorted(ROOT.glob("emulator/*/models.py")), ids=str)
def test_emulator_models_import_no_web_framework(model: Path) -> None:
    assert top_level(imported_modules(model)).isdisjoint({"flask", "werkzeug", "waitress"})


SPEC_SIDE = [
    *ROOT.glob("emulator/**/*.py"),
    *ROOT.glob("tests/bdd/**/*.py"),
    *ROOT.glob("harness/driver.py"),
    *ROOT.glob("harness/seed.py"),
]


@pytest.mark.parametrize("module", sorted(SPEC_SIDE), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_emulators_and_the_spec_never_import_the_connector(module: Path) -> None:
    modules = imported_modules(module)
    assert "connector" not in top_level(modules)
    # The harness's composition root starts the connector; the spec reaches it only by URL.
    assert "harness.simulation" not in modules


def test_the_layout_was_found() -> None:
    assert len(list(ROOT.glob("emulator/*/models.py"))) == 2
    assert (ROOT / "features").is_dir() and list((ROOT / "features").glob("*.feature"))
