"""Fifty people click Accept or Resolve on the same alert at the same moment: ilert ends in one
coherent state, every channel shows it, the thread tells each change once, nobody sees a 5xx."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

from harness.driver import SlackControl
from harness.simulation import Simulation, SimulationConfig
from tests.resilience.conftest import Tally
from tests.resilience.support import (
    StatusLog,
    add_people,
    check_guarantee,
    create_alerts,
    link_world,
    message_refs,
    settle,
)

CLICKERS = 50


def test_fifty_simultaneous_clicks_end_in_one_coherent_state(
    tally: Tally, rng: random.Random
) -> None:
    config = SimulationConfig(clock="virtual", slack_time_scale=0.001, seed=tally.seed)
    with Simulation(config) as sim:
        log = StatusLog().watch_emulators(sim)
        stage = link_world(sim, seed=tally.seed)
        channel_id = next(iter(stage.channels.values()))
        people = add_people(stage, CLICKERS, channel_id=channel_id)
        [alert_id] = create_alerts(stage, 1, rng=rng, prefix="Contended")
        settle(stage)
        ts = message_refs(stage, channel_id)[alert_id]
        labels = [rng.choice(("Accept", "Resolve")) for _ in people]
        start = threading.Barrier(CLICKERS)

        def click(person_label: tuple[int, str]) -> dict:
            n, label = person_label
            slack = SlackControl(stage.slack.url)  # a session of one's own, as in a browser
            start.wait(30)
            return slack.http.post(
                f"{slack.url}/_sim/actions/click",
                json={
                    "channel_id": channel_id,
                    "message_ts": ts,
                    "user_id": people[n].slack_id,
                    "action_id": "alert_accept" if label == "Accept" else "alert_resolve",
                },
                timeout=60,
            ).json()

        with ThreadPoolExecutor(CLICKERS) as pool:
            reports = list(pool.map(click, enumerate(labels)))
        settle(stage)
        for report in reports:
            if "status" in report:  # the connector answered fake Slack
                log.note("connector", report["status"], "a click")
        checked = check_guarantee(stage)
        alert = stage.ilert.call("GET", f"/alerts/{alert_id}", key=stage.world.owner_key)
    delivered = sum(1 for r in reports if r.get("ok"))
    refused = [r for r in reports if not r.get("ok")]
    assert not log.server_errors, log.server_errors
    assert alert["status"] == ("RESOLVED" if "Resolve" in labels else "ACCEPTED")
    clickers = {p.ilert_id for p in people}
    assert alert.get("resolvedBy") is None or alert["resolvedBy"]["id"] in clickers
    tally.record(
        "concurrency",
        clicks=CLICKERS,
        answered_by_connector=delivered,
        not_delivered=len(refused),
        final_status=alert["status"],
        messages_checked=checked.messages,
        replies_checked=checked.replies,
        statuses=dict(log.statuses),
    )
    assert not refused, refused[:5]
