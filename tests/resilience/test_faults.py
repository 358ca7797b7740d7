"""Fake Slack fails one Web API call in five while alerts live their lives: the connector still
posts each alert once per channel, shows it as ilert has it, and tells each update once, in order.
"""

from __future__ import annotations

import random

from harness.driver import JournalTail
from harness.simulation import Simulation, SimulationConfig
from tests.resilience.conftest import Tally, setting
from tests.resilience.support import (
    check_guarantee,
    faults_struck,
    inject_faults,
    link_world,
    live,
)


def test_a_fifth_of_slack_calls_failing_loses_and_repeats_nothing(
    tally: Tally, rng: random.Random
) -> None:
    alerts = setting("RESILIENCE_ALERTS", 300)
    config = SimulationConfig(clock="virtual", slack_time_scale=0.001, seed=tally.seed)
    with Simulation(config) as sim:
        stage = link_world(sim, seed=tally.seed)
        inject_faults(stage.slack, share=0.20)
        with JournalTail(stage.slack) as journal:
            live(stage, alerts, rng=rng)
        struck = faults_struck(stage.slack)
        stage.slack.clear_faults()
        checked = check_guarantee(stage)
    assert journal.missed == 0, f"the journal tail missed {journal.missed} calls"
    assert journal.faulted == sum(struck.values()), (journal.faulted, struck)
    tally.record(
        "faults",
        alerts=len(stage.alerts),
        slack_calls=journal.calls,
        faults_injected=journal.faulted,
        faults_by_kind=dict(struck),
        retries=checked.retries,
        most_attempts=checked.most_attempts,
        failed_attempts=dict(sorted(checked.failed_attempts.items())),
        deliveries=checked.deliveries,
        messages_checked=checked.messages,
        replies_checked=checked.replies,
    )
