"""A pytest plugin (entry point `pytest11`): the simulation as fixtures for any test suite.

`sim_services` is the three services by URL: started in this process on free ports by default, or
the ones already running that `--ilert-url`, `--slack-url` and `--connector-url` (or the
environment variables ILERT_SLACK_SIM_ILERT_URL, …_SLACK_URL, …_CONNECTOR_URL) point at.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from harness.driver import Services

if TYPE_CHECKING:
    from harness.simulation import Simulation

_OPTIONS = ("ilert", "slack", "connector")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ilert-slack-sim", "ilert-slack-sim: run against running services")
    for name in _OPTIONS:
        group.addoption(
            f"--{name}-url",
            default=None,
            help=f"URL of a running {name} service (env ILERT_SLACK_SIM_"
            f"{name.upper()}_URL); with all three, nothing is started",
        )


def _external_urls(config: pytest.Config) -> dict[str, str]:
    urls = {}
    for name in _OPTIONS:
        value = config.getoption(f"{name}_url") or os.environ.get(
            f"ILERT_SLACK_SIM_{name.upper()}_URL"
        )
        if value:
            urls[name] = value.rstrip("/")
    if urls and len(urls) != len(_OPTIONS):
        raise pytest.UsageError("give all of --ilert-url, --slack-url and --connector-url, or none")
    return urls


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Against running services the suite cannot restart the connector: those tests step aside."""
    if not _external_urls(config):
        return
    restarting = [item for item in items if item.get_closest_marker("restart")]
    if restarting:
        config.hook.pytest_deselected(items=restarting)
        items[:] = [item for item in items if not item.get_closest_marker("restart")]
        config._ilert_slack_sim_deselected = len(restarting)  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    count = getattr(terminalreporter.config, "_ilert_slack_sim_deselected", 0)
    if count:
        terminalreporter.write_line(
            f"ilert-slack-sim: {count} scenario(s) marked 'restart' were deselected: they restart "
            "the connector, which only the in-process harness can do."
        )


@pytest.fixture(scope="session")
def _simulation(pytestconfig: pytest.Config) -> Iterator[Simulation | None]:
    if _external_urls(pytestconfig):
        yield None
        return
    # Imported here so that installing the plugin costs nothing until the fixture is used.
    from harness.simulation import Simulation, SimulationConfig

    # Slack's rate windows shrunk a hundredfold: the connector's pacing never stalls a scenario.
    with Simulation(SimulationConfig(clock="virtual", slack_time_scale=0.01)) as simulation:
        yield simulation


@pytest.fixture(scope="session")
def sim_services(pytestconfig: pytest.Config, _simulation: Simulation | None) -> Services:
    urls = _external_urls(pytestconfig)
    if urls:
        return Services(urls["ilert"], urls["slack"], urls["connector"], external=True)
    return Services(
        _simulation.ilert_url,
        _simulation.slack_url,  # type: ignore[attr-defined]
        _simulation.connector_url,
    )  # type: ignore[attr-defined]


@pytest.fixture
def restart_connector(_simulation: Simulation | None) -> Callable[[], None]:
    """Restart the in-process connector (tests using it carry the `restart` marker)."""
    if _simulation is None:
        raise pytest.UsageError("the connector can only be restarted in the in-process harness")
    return _simulation.restart_connector
