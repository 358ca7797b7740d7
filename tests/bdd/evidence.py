"""What the living documentation shows beyond the Cucumber JSON, gathered while the features run.

For every scenario: the values of its Outline example, each step's parameters, data table and doc
string; for a failed one, the failing step, its message, and the state at that moment: each
channel of the scenario's workspace as people saw it (messages, buttons, threads) and the
timeline of each of the account's alerts in ilert. The state is read from the emulators' control
planes over HTTP, so it is the same against services started elsewhere.

`ILERT_SLACK_SIM_SNAPSHOTS=last` also records the state after each scenario's last step, and
`=every` after every step, so that the page shows passing scenarios' channels too.

It is written beside the Cucumber JSON (`reports/cucumber.json` gives
`reports/cucumber.evidence.json`), and `python -m harness.living_docs` reads it from there. The
Cucumber JSON itself stays what pytest-bdd writes, for CI tools.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.parser import Feature, Scenario, Step
from pytest_bdd.scenario import get_step_function

from harness.driver import DriverError, Services
from harness.living_docs import evidence_path
from harness.seed import World

Json = dict[str, Any]
# When to record the state: at a failed step only (the default, which costs nothing when all
# passes), also after each scenario's last step, or after every step. Each record is a handful
# of HTTP reads; after every last step they make the run about a tenth slower.
SNAPSHOTS_ENV = "ILERT_SLACK_SIM_SNAPSHOTS"
SNAPSHOTS = ("failed", "last", "every")
_evidence = pytest.StashKey[Json]()


def _key(request: pytest.FixtureRequest, feature: Feature) -> str:
    """The scenario as the Cucumber JSON names it: its feature's path and its test's name."""
    return f"{feature.rel_filename}::{request.node.name}"


def _record(request: pytest.FixtureRequest, feature: Feature) -> Json | None:
    evidence = request.config.stash.get(_evidence, None)
    if evidence is None:
        return None
    return evidence["scenarios"].setdefault(_key(request, feature), {"steps": []})


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def run_facts() -> Json:
    commit = _git("rev-parse", "HEAD")
    return {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit or "unknown",
        "local_changes": bool(commit and _git("status", "--porcelain")),
        "python": platform.python_version(),
        "slack_sdk": _version("slack_sdk"),
        "slack_bolt": _version("slack_bolt"),
        "pytest_bdd": _version("pytest-bdd"),
        "mode": None,
    }


def pytest_configure(config: pytest.Config) -> None:
    report = getattr(config.option, "cucumber_json_path", None)
    if report and not hasattr(config, "workerinput"):
        when = os.environ.get(SNAPSHOTS_ENV, SNAPSHOTS[0])
        if when not in SNAPSHOTS:
            raise pytest.UsageError(f"{SNAPSHOTS_ENV} is one of {', '.join(SNAPSHOTS)}")
        config.stash[_evidence] = {"run": {**run_facts(), "snapshots": when}, "scenarios": {}}


def pytest_sessionfinish(session: pytest.Session) -> None:
    evidence = session.config.stash.get(_evidence, None)
    if evidence is None:
        return
    evidence["run"]["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    path = evidence_path(Path(session.config.option.cucumber_json_path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(evidence))


def pytest_bdd_before_scenario(
    request: pytest.FixtureRequest, feature: Feature, scenario: Scenario
) -> None:
    record = _record(request, feature)
    if record is None:
        return
    callspec = getattr(request.node, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example", {}) if callspec else {}
    record["examples"] = dict(example)
    evidence = request.config.stash[_evidence]
    if evidence["run"]["mode"] is None:
        services: Services = request.getfixturevalue("services")
        evidence["run"]["mode"] = "external" if services.external else "in-process"
        evidence["run"]["urls"] = {
            "ilert": services.ilert_url,
            "slack": services.slack_url,
            "connector": services.connector_url,
        }


def pytest_bdd_before_step(
    request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step
) -> None:
    record = _record(request, feature)
    if record is None:
        return
    context = get_step_function(request, step)
    params = context.parser.parse_arguments(step.name) if context else None
    record["steps"].append(
        {
            "line": step.line_number,
            "params": {name: str(value) for name, value in (params or {}).items()},
            "datatable": step.datatable.raw() if step.datatable else None,
            "docstring": step.docstring,
        }
    )


def pytest_bdd_after_step(
    request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step
) -> None:
    record = _record(request, feature)
    if record is None:
        return
    when = request.config.stash[_evidence]["run"]["snapshots"]
    last = step is scenario.steps[-1]
    if when == "every" or (when == "last" and last):
        record["steps"][-1]["snapshot"] = snapshot(request)


def pytest_bdd_step_error(
    request: pytest.FixtureRequest,
    feature: Feature,
    scenario: Scenario,
    step: Step,
    exception: Exception,
) -> None:
    record = _record(request, feature)
    if record is None:
        return
    record["failure"] = {
        "line": step.line_number,
        "message": failure_message(exception),
        "snapshot": snapshot(request),
    }


def pytest_bdd_step_func_lookup_error(
    request: pytest.FixtureRequest, feature: Feature, step: Step, exception: Exception
) -> None:
    record = _record(request, feature)
    if record is not None:
        record["failure"] = {"line": step.line_number, "message": str(exception), "snapshot": None}


def failure_message(exception: BaseException) -> str:
    text = str(exception).strip()
    if isinstance(exception, AssertionError):
        return text or "assertion failed"
    return f"{type(exception).__name__}: {text}" if text else type(exception).__name__


def _fixture(request: pytest.FixtureRequest, name: str) -> Any:
    """A fixture the scenario has already made, or None (a snapshot builds nothing new)."""
    try:
        return request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        return None


def snapshot(request: pytest.FixtureRequest) -> Json | None:
    """Slack's channels and ilert's alerts of the scenario's world, as they are now."""
    world: World | None = _fixture(request, "world")
    services: Services | None = _fixture(request, "services")
    if world is None or services is None:
        return None
    try:
        return {
            "taken": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "slack": slack_snapshot(services, world),
            "ilert": ilert_snapshot(services, world),
        }
    except (DriverError, OSError, ValueError) as error:
        return {"error": f"the state could not be read: {error}"}


def slack_snapshot(services: Services, world: World) -> Json:
    people = {p.slack_id: f"{p.name} ({p.role.title()})" for p in world.people.values()}
    channels = []
    for name, channel in world.channels.items():
        messages = services.slack.messages(channel["id"])
        if messages:
            channels.append(
                {"name": name, "private": channel.get("is_private", False), "messages": messages}
            )
    return {"workspace": world.team_name, "people": people, "channels": channels}


def ilert_snapshot(services: Services, world: World) -> Json:
    alerts = []
    for alert in services.ilert.alerts(world.owner_key):
        alerts.append({**alert, "log": services.ilert.alert_log(world.owner_key, alert["id"])})
    return {"account": world.team_name, "alerts": alerts}
