"""The connector runs as its own process and is killed hard (SIGKILL) again and again while alerts
live their lives, then started again on the same port and SQLite file: nothing is lost, nothing is
told twice. Fake Slack fails a fifth of the calls meanwhile, as in test_faults.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

from harness.driver import JournalTail
from harness.simulation import Simulation, SimulationConfig
from tests.resilience.conftest import Tally, setting
from tests.resilience.support import (
    ConnectorProcess,
    check_guarantee,
    faults_struck,
    free_port,
    inject_faults,
    link_world,
    live,
)


class Killer:
    """Kills the connector at random moments, `kills` times, restarting it after each."""

    def __init__(
        self, connector: ConnectorProcess, gate: threading.Lock, rng: random.Random, kills: int
    ) -> None:
        self.connector = connector
        self.gate = gate
        self.rng = rng
        self.kills = kills
        self.done = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="killer", daemon=True)

    def __enter__(self) -> Killer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(60)

    def _run(self) -> None:
        try:
            while self.done < self.kills and not self._stop.wait(self.rng.uniform(0.5, 2.5)):
                with self.gate:
                    self.connector.kill()
                    self.done += 1
                    self.connector.start()
        except BaseException as error:  # reported by the test
            self.error = error


def test_a_connector_killed_mid_stream_loses_and_repeats_nothing(
    tally: Tally, rng: random.Random, tmp_path: Path
) -> None:
    alerts = setting("RESILIENCE_RESTART_ALERTS", setting("RESILIENCE_ALERTS", 300) // 2)
    port = free_port()
    config = SimulationConfig(
        clock="virtual",
        slack_time_scale=0.001,
        seed=tally.seed,
        external_connector_url=f"http://127.0.0.1:{port}",
        subscribe_events=False,  # its connector starts below
    )
    with Simulation(config) as sim:
        connector = ConnectorProcess(
            sim.connector_config(f"http://127.0.0.1:{port}"), port, str(tmp_path / "connector.log")
        )
        connector.start()
        try:
            sim.subscribe_to_events()
            stage = link_world(sim, seed=tally.seed)
            inject_faults(stage.slack, share=0.20)
            with (
                JournalTail(stage.slack) as journal,
                Killer(connector, stage.clock_gate, rng, kills=8) as killer,
            ):
                live(stage, alerts, rng=rng)
            assert killer.error is None, killer.error
            struck = faults_struck(stage.slack)
            stage.slack.clear_faults()
            checked = check_guarantee(stage)
        except BaseException:
            print(connector.log_tail())
            raise
        finally:
            connector.stop()
    tally.record(
        "restart",
        alerts=len(stage.alerts),
        kills=killer.done,
        faults_injected=journal.faulted,
        faults_by_kind=dict(struck),
        retries=checked.retries,
        most_attempts=checked.most_attempts,
        failed_attempts=dict(sorted(checked.failed_attempts.items())),
        deliveries=checked.deliveries,
        messages_checked=checked.messages,
        replies_checked=checked.replies,
    )
