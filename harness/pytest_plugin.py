"""A pytest plugin (entry point `pytest11`): the simulation as fixtures for any test suite.

`sim_services` is the three services by URL: started in this process on free ports by default, or
the ones already running that `--ilert-url`, `--slack-url` and `--connector-url` (or the
environment variables ILERT_SLACK_SIM_ILERT_URL, …_SLACK_URL, …_CONNECTOR_URL) point at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from harness.driver import Services

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


@pytest.fixture(scope="session")
def sim_services(pytestconfig: pytest.Config) -> Iterator[Services]:
    urls = _external_urls(pytestconfig)
    if urls:
        yield Services(urls["ilert"], urls["slack"], urls["connector"], external=True)
        return
    # Imported here so that installing the plugin costs nothing until the fixture is used.
    from harness.simulation import Simulation, SimulationConfig

    with Simulation(SimulationConfig(clock="virtual")) as simulation:
        yield Services(simulation.ilert_url, simulation.slack_url, simulation.connector_url)
