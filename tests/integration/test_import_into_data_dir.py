"""`up --import FILE`: the file wins over what a data directory holds, and a bad file is one line
naming what is wrong, with nothing of it applied."""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from harness import cli
from harness.driver import Services
from harness.seed import build_world
from harness.simulation import Simulation, SimulationConfig
from tests.integration.test_restore import link_and_alert, services_of

SECRET = "import-secret"


def config(data_dir: Path) -> SimulationConfig:
    return SimulationConfig(clock="virtual", connector_secret=SECRET, data_dir=str(data_dir))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A data directory still holding the stores of the run it exported, and that export."""
    data_dir = tmp_path_factory.mktemp("data")
    with Simulation(config(data_dir)) as first:
        services = services_of(first)
        world = build_world(services.ilert, services.slack, seed=91)
        link_and_alert(services, world)
        saved = json.loads(json.dumps(first.export_state()))
    return data_dir, saved


def test_importing_into_the_data_dir_of_the_exported_run_restores_it(
    exported: tuple[Path, dict],
) -> None:
    data_dir, saved = exported
    restored = Simulation(config(data_dir)).start(restore=saved)
    try:
        assert restored.export_state()["connector"]["sql"] == saved["connector"]["sql"]
        assert services_of(restored).slack.state()["installs"]
    finally:
        restored.stop()


def test_the_import_replaces_stores_that_differ_from_the_file(
    exported: tuple[Path, dict], tmp_path: Path
) -> None:
    """Another run's stores in the data dir: the connector afterwards holds the file's only."""
    _, saved = exported
    other_dir = tmp_path / "other"
    with Simulation(replace(config(other_dir), seed=5)) as other:
        other_services = services_of(other)
        other_world = build_world(other_services.ilert, other_services.slack, seed=92)
        link_and_alert(other_services, other_world)
    restored = Simulation(config(other_dir)).start(restore=saved)
    try:
        sql = restored.export_state()["connector"]["sql"]
        assert other_world.team_id not in sql
        assert sql == saved["connector"]["sql"]
    finally:
        restored.stop()


def bad_files(saved: dict) -> dict[str, tuple[object, str]]:
    """Files with the right top-level keys and bad insides, and what their refusal names."""
    return {
        "ilert part": ({**saved, "ilert": {**saved["ilert"], "accounts": "x"}}, "fake ilert"),
        "slack part": ({**saved, "slack": {**saved["slack"], "users": "x"}}, "fake Slack"),
        "connector": ({**saved, "connector": "x"}, "connector must be an object"),
        "app": ({**saved, "app": "x"}, "app must be an object"),
        "app id": ({**saved, "app": {**saved["app"], "app_id": "A0NOSUCH"}}, "A0NOSUCH"),
        "app secret": (
            {**saved, "app": {**saved["app"], "signing_secret": "forged"}},
            "app.signing_secret",
        ),
        "sql": ({**saved, "connector": {"sql": "CREATE TABLE t (;"}}, "connector.sql"),
        "attach": (
            {**saved, "connector": {"sql": "ATTACH DATABASE 'elsewhere.db' AS e;"}},
            "connector.sql",
        ),
        "secret": ({**saved, "connectorSecret": 7}, "connectorSecret must be a string"),
        "format": ([saved], "not a file written by --export-on-exit"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "ilert part",
        "slack part",
        "connector",
        "app",
        "app id",
        "app secret",
        "sql",
        "attach",
        "secret",
        "format",
    ],
)
def test_a_bad_import_is_one_line_and_leaves_the_data_dir_as_it_was(
    case: str,
    exported: tuple[Path, dict],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir, saved = exported
    file, named = bad_files(saved)[case]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(file))
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    serving_before = servers()

    free_ports = ["--ilert-port", "0", "--slack-port", "0", "--connector-port", "0"]
    status = cli.main(["up", *free_ports, "--data-dir", str(data_dir), "--import", str(path)])

    error = capsys.readouterr().err
    assert status == 2
    assert error.count("\n") == 1 and error.startswith("ilert-slack-sim: cannot import "), error
    assert named in error
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == before
    assert servers() <= serving_before, "servers left running"


def test_an_unreadable_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "truncated.json"
    path.write_text('{"format": "ilert-slack-sim/1", "ilert": {')
    assert cli.main(["up", "--import", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"cannot read {path}" in error


def test_services_of_a_restored_run_answer(exported: tuple[Path, dict]) -> None:
    """Importing twice into the same directory works as well as once."""
    data_dir, saved = exported
    for _ in range(2):
        with_restore = Simulation(config(data_dir)).start(restore=saved)
        try:
            services: Services = services_of(with_restore)
            assert services.slack.state()["workspaces"]
        finally:
            with_restore.stop()


def servers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("serve-")}


def test_a_data_dir_a_running_connector_holds_is_refused_and_kept(
    exported: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, saved = exported
    busy = tmp_path / "busy"
    busy.mkdir()
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(saved))
    free_ports = ["--ilert-port", "0", "--slack-port", "0", "--connector-port", "0"]
    # Open in write-ahead mode, as a running connector keeps its database.
    with closing(sqlite3.connect(busy / "connector.sqlite3")) as running:
        running.execute("PRAGMA journal_mode=WAL")
        running.execute("CREATE TABLE kept (x)")
        running.commit()

        status = cli.main(["up", *free_ports, "--data-dir", str(busy), "--import", str(path)])

        tables = running.execute("SELECT name FROM sqlite_master").fetchall()
    error = capsys.readouterr().err
    assert status == 2 and error.count("\n") == 1
    assert "open in a running connector" in error
    assert tables == [("kept",)]
