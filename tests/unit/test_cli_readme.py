"""The README's Run it and Test it blocks, which `.ci/readme_commands.py` runs in CI, stay ones
that work on a fresh machine, and the options it names are the CLI's."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from harness import cli

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> ModuleType:
    path = ROOT / ".ci" / "readme_commands.py"
    spec = importlib.util.spec_from_file_location("readme_commands", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_run_it_clones_makes_a_venv_installs_into_it_and_starts_up() -> None:
    run = readme_commands().blocks()["run"]
    assert run.startswith('git clone "$REPO" ')
    assert "python3 -m venv .venv" in run
    # A bare `pip install` is refused by a Debian Python (externally-managed-environment).
    assert not re.search(r"(^|[;&|]\s*)pip3? install", run, re.MULTILINE)
    assert run.endswith(".venv/bin/ilert-slack-sim up")


def test_test_it_runs_tox_from_its_own_venv() -> None:
    test = readme_commands().blocks()["test"]
    assert "python3 -m venv .venv" in test and test.endswith(".venv/bin/tox")
    assert not re.search(r"(^|[;&|]\s*)pip3? install", test, re.MULTILINE)


def test_ci_runs_both_blocks() -> None:
    steps = (ROOT / ".ci/run").read_text()
    assert "readme_commands.py run" in steps and "readme_commands.py test" in steps


def test_every_up_option_the_readme_names_exists(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text()
    paragraph = readme.split("`ilert-slack-sim up` options")[1].split("\n\n")[0]
    named = set(re.findall(r"`(--[a-z-]+)", paragraph))
    with pytest.raises(SystemExit):
        cli.main(["up", "--help"])
    known = set(re.findall(r"--[a-z-]+", capsys.readouterr().out))
    assert named and named <= known, named - known
