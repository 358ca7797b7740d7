"""What the harness costs a test run: start to ready, reset, and the overhead of each BDD scenario.

    python -m bench.harness_cost [--rounds 5] [--quick]

1. Start to ready, two ways, each against a baseline measured in the same run:
   - in-process, as the pytest plugin does it: `Simulation(SimulationConfig(clock="virtual"))`
     `.start()` until all three services answer `GET /`; baseline: three bare Flask apps started
     on the same server stack (`ServedApp`, waitress) until they answer;
   - as a developer does it, `ilert-slack-sim up` in a new process (ports 0, with and without the
     seeded demo) until it has printed its addresses and all three answer; baseline: a new Python
     process that imports Flask and waitress and serves one bare app until it answers.
   Target <= 1.5 s.
2. Reset: `POST /_sim/reset` to fake ilert and fake Slack (both, one after the other), after a
   scenario's worth of state and after 10,000 alerts and messages; baseline: the same two POSTs
   to a bare endpoint. Target <= 10 ms, between scenarios; the reset after 10,000 alerts is
   shown without one (it is Python freeing 10,000 alerts' and messages' objects). The connector
   has no reset: its SQLite state outlives an emulator reset, so scenarios isolate by namespace
   (a new account and workspace each) instead.
3. The BDD suite's per-scenario overhead: `pytest tests/bdd` in a new process with a Cucumber
   JSON and JUnit report; per scenario, the Background steps (building the world, authorizing,
   linking: what each scenario does before what it tests) and pytest's and pytest-bdd's own time
   (a test's wall time minus its steps), against the scenario's whole time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import requests
from flask import Flask, jsonify

from bench.common import Verdicts, link, machine, percentile
from emulator.serving import ServedApp, quiet_waitress
from harness.simulation import Simulation, SimulationConfig

ROOT = Path(__file__).resolve().parents[1]
START_TARGET_S = 1.5
RESET_TARGET_MS = 10.0
_URL = re.compile(r"^\s+(fake ilert|fake Slack|connector)\s+(http://\S+)")


def bare_app() -> Flask:
    app = Flask("bare")

    @app.get("/")
    def index() -> Any:
        return jsonify({"ok": True})

    @app.post("/_sim/reset")
    def reset() -> Any:
        return jsonify({"ok": True})

    return app


def answer_all(urls: list[str], http: requests.Session, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    for url in urls:
        while True:
            try:
                if http.get(url + "/", timeout=2).status_code < 500:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout}s")
            time.sleep(0.002)


# --- 1. start ----------------------------------------------------------------------------------


def start_in_process(http: requests.Session) -> float:
    started = time.perf_counter()
    sim = Simulation(SimulationConfig(clock="virtual")).start()
    answer_all([sim.ilert_url, sim.slack_url, sim.connector_url], http)
    took = time.perf_counter() - started
    sim.stop()
    return took


def start_bare_in_process(http: requests.Session) -> float:
    started = time.perf_counter()
    servers = [ServedApp(bare_app(), name=f"bare-{n}").start() for n in range(3)]
    answer_all([s.url for s in servers], http)
    took = time.perf_counter() - started
    for server in servers:
        server.stop()
    return took


def start_process(command: list[str], http: requests.Session, urls_expected: int) -> float:
    """Seconds from spawning `command` until it printed `urls_expected` addresses and each one
    answers."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    urls: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            match = _URL.match(line) or re.match(r"^bare (http://\S+)", line)
            if match:
                urls.append(match.groups()[-1])
            if len(urls) == urls_expected:
                break
        answer_all(urls, http)
        return time.perf_counter() - started
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


CLI = [sys.executable, "-m", "harness.cli", "up", "--clock", "virtual"]
FREE_PORTS = ["--ilert-port", "0", "--slack-port", "0", "--connector-port", "0"]
BARE_PROCESS = [
    sys.executable,
    "-c",
    "import threading; from bench.harness_cost import bare_app; "
    "from emulator.serving import ServedApp, quiet_waitress; quiet_waitress(); "
    "s = ServedApp(bare_app()).start(); print('bare', s.url, flush=True); "
    "threading.Event().wait()",
]


# --- 2. reset ----------------------------------------------------------------------------------


def reset_samples(urls: list[str], http: requests.Session, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for url in urls:
            answer = http.post(f"{url}/_sim/reset", json={}, timeout=30)
            assert answer.status_code == 200, answer.text
        samples.append(time.perf_counter() - started)
    return samples


def fill(sim: Simulation, alerts: int) -> None:
    """A linked world with `alerts` alerts and as many messages, straight through the models
    (what is measured is the reset, not the filling), on a source no channel publishes."""
    linked = link(sim, seed=1, channels=1)
    state = sim.fake_ilert.state
    actor = state.authenticate(linked.world.owner_key, None)
    unlinked = {"id": linked.world.source("Grafana")["id"]}
    slack_state = sim.fake_slack.state
    token = next(i.token for i in slack_state.installs.values())
    install = slack_state.authenticate(token)
    channel = next(iter(linked.channels.values()))
    for n in range(alerts):
        state.create_alert(actor, {"summary": f"Filler {n}", "alertSource": unlinked})
        slack_state.chat_post_message(
            install, channel, text=f"Filler {n}", blocks=None, attachments=None, thread_ts=""
        )


def measure_reset(rounds: int, alerts: int, http: requests.Session) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for label, count in (("a scenario's worth", 5), (f"{alerts:,} alerts", alerts)):
        samples = []
        for _ in range(rounds):
            with Simulation(SimulationConfig(clock="virtual", slack_time_scale=0.001)) as sim:
                fill(sim, count)
                samples += reset_samples([sim.ilert_url, sim.slack_url], http, 1)
        out[f"reset after {label}"] = samples
    servers = [ServedApp(bare_app(), name=f"bare-{n}").start() for n in range(2)]
    try:
        out["bare: the same two POSTs"] = reset_samples([s.url for s in servers], http, rounds * 10)
    finally:
        for server in servers:
            server.stop()
    return out


# --- 3. the BDD suite --------------------------------------------------------------------------


def bdd_overhead() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        cucumber, junit = Path(tmp) / "c.json", Path(tmp) / "j.xml"
        started = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/bdd",
                "-q",
                "-p",
                "no:randomly",
                f"--cucumberjson={cucumber}",
                f"--junitxml={junit}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(f"the BDD suite failed:\n{result.stdout[-2000:]}")
        scenarios = _scenarios(json.loads(cucumber.read_text()))
        tests = {
            case.get("name", ""): float(case.get("time", 0))
            for case in ElementTree.parse(junit).getroot().iter("testcase")
        }
    background = [s["background"] for s in scenarios]
    steps = [s["background"] + s["own"] for s in scenarios]
    framework = [
        max(0.0, t - s) for t, s in zip(sorted(tests.values()), sorted(steps), strict=False)
    ]
    return {
        "wall": wall,
        "scenarios": len(scenarios),
        "tests": sum(tests.values()),
        "background": background,
        "steps": steps,
        "framework": (sum(tests.values()) - sum(steps)) / max(1, len(tests)),
        "framework_samples": framework,
    }


def _scenarios(report: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Per scenario: seconds in Background steps (lines above the scenario's) and in its own."""
    found = []
    for feature in report:
        for element in feature["elements"]:
            background = own = 0.0
            for step in element["steps"]:
                took = step["result"].get("duration", 0) / 1e9
                if step["line"] < element["line"]:
                    background += took
                else:
                    own += took
            found.append({"background": background, "own": own})
    return found


# --- the run -----------------------------------------------------------------------------------


def ms_line(name: str, samples: list[float]) -> str:
    median = 1000 * statistics.median(samples)
    return (
        f"{name:<52} median {median:8.1f}  p95 {1000 * percentile(samples, 0.95):8.1f}  "
        f"max {1000 * max(samples):8.1f} ms  (n={len(samples)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--alerts", type=int, default=10_000, help="for the large reset")
    parser.add_argument("--quick", action="store_true", help="3 rounds, no BDD suite")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else args.rounds
    quiet_waitress()
    http = requests.Session()
    print(f"harness cost; {machine()}\n")
    verdicts = Verdicts()

    starts: dict[str, list[float]] = {k: [] for k in ("sim", "bare", "up", "demo", "python")}
    start_in_process(http)  # the imports and first-use costs, once, outside the figures
    for _ in range(rounds):
        starts["sim"].append(start_in_process(http))
        starts["bare"].append(start_bare_in_process(http))
        starts["up"].append(start_process([*CLI, "--no-demo", *FREE_PORTS], http, 3))
        starts["demo"].append(start_process([*CLI, *FREE_PORTS], http, 3))
        starts["python"].append(start_process(BARE_PROCESS, http, 1))
    print(ms_line("start, in process (Simulation.start)", starts["sim"]))
    print(ms_line("  bare: three bare apps on ServedApp", starts["bare"]))
    print(ms_line("start, `ilert-slack-sim up --no-demo`, new process", starts["up"]))
    print(ms_line("start, `ilert-slack-sim up` with the demo, new process", starts["demo"]))
    print(ms_line("  bare: a new Python serving one bare Flask app", starts["python"]))
    print()
    resets = measure_reset(rounds, args.alerts, http)
    for name, samples in resets.items():
        print(ms_line(name, samples))
    print()

    def median(key: str) -> float:
        return statistics.median(starts[key])

    verdicts.check("start in process, median", median("sim"), START_TARGET_S, "low", " s")
    verdicts.ratio("  ratio to three bare apps", median("sim") / median("bare"))
    verdicts.check("start `up` with the demo, median", median("demo"), START_TARGET_S, "low", " s")
    verdicts.ratio("  ratio to a bare Python process", median("demo") / median("python"))
    bare_reset = 1000 * statistics.median(resets["bare: the same two POSTs"])
    scenario, large = (1000 * statistics.median(v) for k, v in resets.items() if k.startswith("r"))
    verdicts.check(
        "reset after a scenario's worth, median", scenario, RESET_TARGET_MS, "low", " ms"
    )
    verdicts.ratio("  ratio to the same two POSTs, bare", scenario / bare_reset)
    # Not a scenario's reset: freeing 10,000 alerts' objects costs what it costs (see the doc).
    verdicts.ratio(f"reset after {args.alerts:,} alerts, median, ms (no target)", large)
    verdicts.ratio("  ratio to the same two POSTs, bare", large / bare_reset)

    if not args.quick:
        bdd = bdd_overhead()
        n = bdd["scenarios"]
        mean_background = statistics.mean(bdd["background"])
        mean_scenario = bdd["tests"] / n
        print()
        print(
            f"BDD suite: {n} scenarios in {bdd['wall']:.1f} s wall "
            f"({bdd['tests']:.1f} s in tests, the rest is start-up and collection)"
        )
        print(ms_line("  per scenario, Background steps", bdd["background"]))
        print(ms_line("  per scenario, all steps", bdd["steps"]))
        framework = 1000 * bdd["framework"]
        print(f"{'  per scenario, pytest and pytest-bdd (mean)':<52} {framework:8.1f} ms")
        verdicts.ratio(
            "overhead share of a scenario (Background + framework)",
            (mean_background + bdd["framework"]) / mean_scenario,
        )
    return 0 if verdicts.ok else 1


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    sys.exit(main())
