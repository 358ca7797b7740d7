"""ilert takes 2.5 seconds to answer every call while people run /ilert, link a source from the
menu and accept alerts, all at the same moment: Slack gets every answer within its three seconds
(nobody sees `operation_timeout`), each person then sees the outcome, and each click takes effect
once in ilert."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from harness.driver import SlackControl, visible_text
from harness.seed import Person
from harness.simulation import Simulation, SimulationConfig
from tests.resilience.conftest import Tally
from tests.resilience.support import (
    Json,
    add_people,
    check_guarantee,
    create_alerts,
    link_world,
    log_entries,
    message_refs,
    settle,
)

ILERT_LATENCY_MS = 2500
SLACK_PATIENCE = 3.0
ALERTS = 4
SECOND_SOURCE = "Grafana"


@dataclass(frozen=True)
class Act:
    """One thing a person does in a channel, and how long Slack waited for the app's answer."""

    person: Person
    channel_id: str
    send: Callable[[SlackControl], Json]
    message_ts: str | None = None  # the message clicked, if any


@dataclass(frozen=True)
class Done:
    answer: Json
    acked_in: float


def perform(url: str, acts: list[Act]) -> list[Done]:
    """Every act at the same moment, each in a session of its own; each person then waits until
    what they see has changed."""
    start = threading.Barrier(len(acts))

    def run(act: Act) -> Done:
        slack = SlackControl(url)
        before = slack.seen_by(act.channel_id, act.person.slack_id)
        start.wait(30)
        began = time.monotonic()
        answer = act.send(slack)
        acked_in = time.monotonic() - began
        if answer.get("ok"):
            slack.wait_for_change(
                act.channel_id,
                act.person.slack_id,
                before,
                message_ts=act.message_ts,
                timeout=60,
            )
        return Done(answer, acked_in)

    with ThreadPoolExecutor(len(acts)) as pool:
        return list(pool.map(run, acts))


def answered_in_time(done: list[Done]) -> None:
    """Slack had each answer within its patience: nobody was shown `operation_timeout`."""
    late = [d for d in done if not d.answer.get("ok") or d.acked_in >= SLACK_PATIENCE]
    assert not late, late


def test_with_ilert_at_two_and_a_half_seconds_a_call_nobody_sees_a_timeout(
    tally: Tally, rng: random.Random
) -> None:
    config = SimulationConfig(clock="virtual", slack_time_scale=0.001, seed=tally.seed)
    with Simulation(config) as sim:
        stage = link_world(sim, seed=tally.seed)
        ops = stage.channels["ops-alerts"]
        responders = add_people(stage, ALERTS, channel_id=ops)
        stage.alerts = create_alerts(stage, ALERTS, rng=rng, prefix="Slow")
        settle(stage)
        refs = message_refs(stage, ops)
        admin, user = stage.world.person("ADMIN"), stage.world.person("USER")
        team = stage.world.team_id
        stage.ilert.add_fault(path="*", latency_ms=ILERT_LATENCY_MS)

        def menu(person: Person) -> Act:
            return Act(
                person,
                ops,
                lambda slack: slack.command(
                    team_id=team,
                    channel_id=ops,
                    user_id=person.slack_id,
                    command="/ilert",
                    wait=False,
                ),
            )

        def accept(person: Person, alert_id: int) -> Act:
            return Act(
                person,
                ops,
                lambda slack: slack.click(
                    channel_id=ops,
                    message_ts=refs[alert_id],
                    user_id=person.slack_id,
                    label="Accept",
                    wait=False,
                ),
                refs[alert_id],
            )

        first = perform(
            stage.slack.url,
            [menu(admin), menu(user)]
            + [accept(p, a) for p, a in zip(responders, stage.alerts, strict=True)],
        )
        answered_in_time(first)
        grafana = stage.world.source(SECOND_SOURCE)

        def link(person: Person) -> Act:
            *_, shown = [  # the menu this person just opened: their newest
                m
                for m in stage.slack.messages(ops, user_id=person.slack_id)
                if m.get("ephemeral_to") == person.slack_id and "Manage the" in visible_text(m)
            ]
            return Act(
                person,
                ops,
                lambda slack: slack.select(
                    channel_id=ops,
                    message_ts=shown["ts"],
                    user_id=person.slack_id,
                    option=f"[{grafana['id']}] {SECOND_SOURCE}",
                    wait=False,
                ),
                shown["ts"],
            )

        second = perform(stage.slack.url, [link(admin), link(user)])
        stage.ilert.clear_faults()
        settle(stage)
        done = first + second
        checked = check_guarantee(stage)
        accepted = {
            alert_id: [
                e["actor"]["id"]
                for e in log_entries(stage, alert_id)
                if "accepted by" in e["text"].lower()
            ]
            for alert_id in stage.alerts
        }
        actions = stage.ilert.call(
            "GET", "/alert-actions", key=stage.world.owner_key, params={"source": grafana["id"]}
        )

    answered_in_time(done)
    slowest = max(d.acked_in for d in done)
    for person, alert_id in zip(responders, stage.alerts, strict=True):
        assert accepted[alert_id] == [person.ilert_id], (alert_id, accepted[alert_id])
    in_ops = [a for a in actions if a["params"].get("channelId") == ops]
    assert len(in_ops) == 1, in_ops
    tally.record(
        "slow_ilert",
        ilert_latency_ms=ILERT_LATENCY_MS,
        interactions=len(done),
        slowest_ack_s=round(slowest, 3),
        alerts=len(stage.alerts),
        messages_checked=checked.messages,
        replies_checked=checked.replies,
    )
