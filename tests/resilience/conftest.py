"""The resilience suite: faults, a killed connector, concurrent clicks and hostile input.

It runs only when asked for by path (`pytest tests/resilience`, or `tox -e resilience`): a plain
`pytest` leaves it out, because it takes minutes. Sizes come from the environment:
RESILIENCE_ALERTS (alerts per life-cycle run, default 300), RESILIENCE_FUZZ_CASES (generated
hostile requests, default 2,000; the documented long run uses 10,000 or more) and
RESILIENCE_SEED (default: a new one per run, printed, so that a failing run can be repeated).

At the end it prints the counts and writes them to `reports/resilience.json`.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPORT = HERE.parents[1] / "reports" / "resilience.json"


def _requested(config: pytest.Config) -> bool:
    """True when the command line names this folder or something in it."""
    for arg in config.args:
        path = Path(str(arg).split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name == "conftest.py" or _requested(config):
        return None
    return True


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# One seed for the whole run, chosen at import so that decorators (hypothesis's @seed) see it too.
SEED = setting("RESILIENCE_SEED", int(time.time()) % 100_000)


class Tally:
    """Counts from every test of the run, written to the report at the end."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.tests: dict[str, dict[str, Any]] = {}

    def record(self, test: str, **counts: Any) -> None:
        self.tests[test] = counts

    def totals(self) -> dict[str, int]:
        keys = (
            "alerts",
            "faults_injected",
            "retries",
            "messages_checked",
            "replies_checked",
            "fuzz_cases",
        )
        return {k: sum(int(t.get(k, 0)) for t in self.tests.values()) for k in keys}

    def write(self) -> dict[str, Any]:
        report = {"seed": self.seed, "totals": self.totals(), "tests": self.tests}
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps(report, indent=2) + "\n")
        return report


_TALLY: Tally | None = None


@pytest.fixture(scope="session")
def tally() -> Iterator[Tally]:
    global _TALLY
    _TALLY = Tally(SEED)
    yield _TALLY
    _TALLY.write()


@pytest.fixture
def rng(tally: Tally, request: pytest.FixtureRequest) -> random.Random:
    """A generator per test, seeded from the run's seed and the test's name."""
    return random.Random(f"{tally.seed}:{request.node.name}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing test says how to run it again with the same seed."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and HERE in Path(str(item.fspath)).parents:
        report.sections.append(
            (
                "repeat with the same seed",
                f"RESILIENCE_SEED={SEED} pytest '{item.nodeid}'",
            )
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _TALLY is None or not _TALLY.tests:
        return
    write = terminalreporter.write_line
    write(f"resilience counts (seed {_TALLY.seed}, also in {REPORT.relative_to(HERE.parents[1])}):")
    for test, counts in _TALLY.tests.items():
        write(f"  {test}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    write("  totals: " + ", ".join(f"{k} {v}" for k, v in _TALLY.totals().items()))
