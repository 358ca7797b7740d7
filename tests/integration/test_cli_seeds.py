"""What a seed fixes: on loopback the people, ids and every key; beyond loopback not the secrets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from harness.driver import authorize_workspace
from harness.seed import build_world
from harness.simulation import Simulation, SimulationConfig

FREE_PORTS = ("--ilert-port", "0", "--slack-port", "0", "--connector-port", "0")
STARTUP_SECONDS = 60


def banner_of_up(*options: str) -> str:
    """`ilert-slack-sim up` started, its banner read up to its last line, then stopped."""
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "up", *FREE_PORTS, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "link an alert source" in line:  # the banner's last line
                break
        process.send_signal(signal.SIGTERM)
        # Read what it still says while it stops: a child writing to a pipe nobody reads
        # blocks once the pipe is full, and would never exit.
        rest, _ = process.communicate(timeout=STARTUP_SECONDS)
        assert process.returncode == 0, "".join(lines) + rest
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    return "".join(lines)


def people_and_keys(banner: str) -> list[str]:
    return [line for line in banner.splitlines() if "ilert API key" in line]


@pytest.fixture(scope="module")
def loopback_banner() -> str:
    return banner_of_up("--seed", "7")


def test_on_loopback_one_seed_gives_the_same_people_and_keys_on_every_run(
    loopback_banner: str,
) -> None:
    again = banner_of_up("--seed", "7")
    assert people_and_keys(loopback_banner) == people_and_keys(again) != []
    assert "secrets     from seed 7" in loopback_banner


def test_beyond_loopback_the_keys_are_random_unless_asked_and_the_banner_says_so(
    loopback_banner: str,
) -> None:
    beyond = banner_of_up("--seed", "7", "--host", "0.0.0.0")
    assert "random" in beyond and "--stable-secrets" in beyond
    names = [line.split("ilert API key")[0] for line in people_and_keys(beyond)]
    assert names == [line.split("ilert API key")[0] for line in people_and_keys(loopback_banner)]
    assert people_and_keys(beyond) != people_and_keys(loopback_banner)
    stable = banner_of_up("--seed", "7", "--host", "0.0.0.0", "--stable-secrets")
    assert people_and_keys(stable) == people_and_keys(loopback_banner)


def keys_of_a_seeded_run(seed: int, *, stable: bool) -> dict[str, object]:
    with Simulation(SimulationConfig(seed=seed, stable_secrets=stable)) as simulation:
        world = build_world(simulation.ilert(), simulation.slack(), seed=seed)
        admin = world.person("ADMIN")
        authorize_workspace(
            ilert_url=simulation.ilert_url,
            slack_url=simulation.slack_url,
            ilert_user_id=admin.ilert_id,
            slack_user_id=admin.slack_id,
        )
        return {
            "app": simulation.app_credentials,
            "user keys": [p.api_key for p in world.people.values()],
            "integration keys": [s["integrationKey"] for s in world.sources],
            "bot tokens": [i["token"] for i in simulation.slack().export_state()["installs"]],
        }


@pytest.mark.parametrize("stable", [True, False])
def test_stable_secrets_fix_every_key_a_test_may_write_down(stable: bool) -> None:
    first, second = keys_of_a_seeded_run(3, stable=stable), keys_of_a_seeded_run(3, stable=stable)
    assert first["bot tokens"], first
    for kind in first:
        assert (first[kind] == second[kind]) is stable, kind
