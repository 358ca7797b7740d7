"""Suite-wide rules: a skipped test fails the run, because a test nobody runs proves nothing."""

from __future__ import annotations

import pytest

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped:
        terminalreporter.write_line(
            f"FAILED: {len(_skipped)} test(s) skipped; a skipped test fails the run:", red=True
        )
        for nodeid in _skipped:
            terminalreporter.write_line(f"  {nodeid}", red=True)


def pytest_configure(config: pytest.Config) -> None:
    """Reports go to `reports/`, which a fresh clone does not have yet."""
    from pathlib import Path

    for option in ("cucumber_json_path", "xmlpath"):
        target = config.getoption(option, default=None)
        if target:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
