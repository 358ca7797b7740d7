"""A pytest plugin (entry point `pytest11`, name `fake_slack`): fake Slack as a fixture for any
test suite that tests a Slack app.

`fake_slack` is a `SlackSim` (see `client.py`): `.url`, `.api_url` (a `slack_sdk` `base_url`),
`.client(token)` and `.async_client(token)` for Web API clients, and the control plane (seed
workspaces, people, channels, apps and installs; run commands, click, select, submit modals;
read messages and the journal; faults; rate limits).

One fake Slack serves the whole session (`fake_slack_server`, on a free loopback port, real
clocks), and `fake_slack` resets it before each test, so tests are isolated and still fast:
a reset empties the state and restores fault rules, rate-limit settings and the journal. Override
`fake_slack_server` in a conftest to start it differently, e.g. with a shorter `ack_timeout`;
`--fake-slack-lenient` starts it in lenient mode (Block Kit Slack refuses is let through, with
a warning in the journal).
The plugin imports nothing from this project but `emulator.slack` and `emulator.serving`, and
nothing at all until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from emulator.slack.app import FakeSlack
    from emulator.slack.client import SlackSim


@dataclass
class FakeSlackServer:
    """A fake Slack serving on loopback: the in-process object and its URL."""

    fake: FakeSlack
    url: str


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("fake_slack", "fake Slack").addoption(
        "--fake-slack-lenient",
        action="store_true",
        default=False,
        help="let Block Kit that Slack refuses through, with a warning in the journal",
    )


@pytest.fixture(scope="session")
def fake_slack_server(pytestconfig: pytest.Config) -> Iterator[FakeSlackServer]:
    from emulator.serving import ServedApp, quiet_waitress
    from emulator.slack.app import FakeSlack

    quiet_waitress()
    fake = FakeSlack(lenient=bool(pytestconfig.getoption("fake_slack_lenient")))
    served = ServedApp(fake.app, name="fake-slack").start()
    fake.public_url = served.url
    try:
        yield FakeSlackServer(fake, served.url)
    finally:
        served.stop()
        fake.close()


@pytest.fixture
def fake_slack(fake_slack_server: FakeSlackServer) -> SlackSim:
    """The session's fake Slack, emptied for this test."""
    from emulator.slack.client import SlackSim

    sim = SlackSim(fake_slack_server.url)
    sim.reset()
    return sim
