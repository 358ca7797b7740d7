"""`ilert-slack-sim`'s options: what it tells a newcomer, and what it refuses, in one line."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator

import pytest

from harness import cli

FREE = {"--ilert-port": "0", "--slack-port": "0", "--connector-port": "0"}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = cli.main(argv)
    except SystemExit as leaving:
        status = int(leaving.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def up_with(**ports: str) -> list[str]:
    chosen = {**FREE, **{f"--{k.replace('_', '-')}": v for k, v in ports.items()}}
    return ["up", *(part for pair in chosen.items() for part in pair)]


def last_line(err: str) -> str:
    return err.strip().splitlines()[-1]


def test_version_names_the_program_and_its_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["--version"], capsys)
    assert status == 0
    assert re.fullmatch(r"ilert-slack-sim \d+\.\d+\.\d+\S*\n", out), out


def test_up_help_shows_the_default_ports(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["up", "--help"], capsys)
    assert status == 0
    text = " ".join(out.split())
    for port in ("8101", "8102", "8103"):
        assert f"default {port}" in text


@pytest.mark.parametrize("seed", ["-1", "4294967296", "1.5", "one"])
def test_a_seed_that_means_nothing_is_refused(
    seed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(["up", "--seed", seed], capsys)
    assert status == 2
    assert last_line(err).startswith("ilert-slack-sim up: error: argument --seed:"), err
    assert "not a seed" in err or "not a whole number" in err


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_a_port_that_cannot_be_is_refused(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(up_with(slack_port=port), capsys)
    assert status == 2 and "argument --slack-port" in last_line(err), err


def test_two_services_on_one_port_are_refused_naming_both(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = run(up_with(ilert_port="8311", connector_port="8311"), capsys)
    assert status == 2
    assert err.count("\n") == 1, err
    assert "--ilert-port and --connector-port are both 8311" in err


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.mark.parametrize(
    ("option", "service"),
    [("ilert_port", "fake ilert"), ("slack_port", "fake Slack"), ("connector_port", "connector")],
)
def test_a_taken_port_is_named_with_its_service_and_option(
    option: str, service: str, taken_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    serving_before = servers()
    status, _, err = run(up_with(**{option: str(taken_port)}), capsys)
    assert status == 1
    assert err.count("\n") == 1, err
    assert f"{service} cannot listen on 127.0.0.1:{taken_port}" in err
    assert f"--{option.replace('_', '-')}" in err
    assert servers() <= serving_before, "servers left running"


def servers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("serve-")}
