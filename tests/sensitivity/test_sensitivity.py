"""Each rule's scenarios fail when the connector breaks that rule: the spec can tell."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.sensitivity.breakages import BREAKAGES

ROOT = Path(__file__).resolve().parents[2]


def run_broken(breakage: str) -> subprocess.CompletedProcess[str]:
    rule = BREAKAGES[breakage][0]
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests/bdd",
        "-m",
        rule,
        "-q",
        "--no-header",
        "-p",
        "no:cacheprovider",
        "-p",
        "tests.sensitivity.breakages",
        "--break-connector",
        breakage,
    ]
    return subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every broken run at once: each is a separate process with its own harness."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(sorted(BREAKAGES), pool.map(run_broken, sorted(BREAKAGES)), strict=True))


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_breaking_the_connector_turns_the_rules_scenarios_red(
    breakage: str, runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    rule, what, _ = BREAKAGES[breakage]
    run = runs[breakage]
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, (
        f"with {what}, the {rule} scenarios still pass: {summary}"
    )
    assert " failed" in summary, summary
