"""Fan-out: one alert source linked to 20 channels, 500 alerts, 10,000 messages.

    python -m bench.fanout [--alerts 500] [--channels 20] [--quick]

Two runs on the in-process harness, each on a fresh simulation with the source linked to the
channels through `/ilert` and the alerts created through fake ilert's REST API as fast as one
client sends them; the clock starts at the first alert and stops when every message is in fake
Slack (ilert's webhook queue idle, nothing waiting for a retry):

1. rate limits off: fake Slack enforces none, and the connector's own pacing is given a time
   scale so small (1e-6) that it never waits. Messages per second.
2. rate limits on: fake Slack enforces Slack's published limits (`chat.postMessage`: one message
   a second per channel, a burst of 3; tiers for the rest) with its windows shrunk by a time
   scale; the connector paces itself with the same scale (`slack_time_scale`). The scale is
   chosen from run 1 so that the limits, not the machine, bound the run: the floor those limits
   allow is about 60% of what run 1 reached.

The baseline of run 2 is that floor, computed from the published limits: each channel must carry
N = alerts messages; the first `burst` go at once and the rest one per window, so no client can
finish before (N - burst) x scale seconds. The figure is floor time / measured time (target
>= 0.9): the connector paces itself per channel and per method instead of leaning on 429s. The
429s fake Slack sent (from its journal) are printed too: with good pacing there are none.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

from bench.common import Linked, Verdicts, link, machine
from emulator.serving import quiet_waitress
from harness.driver import JournalTail
from harness.simulation import Simulation, SimulationConfig

TARGET_SHARE = 0.9
POST_BURST = 3  # chat.postMessage: Slack's burst per channel (emulator/slack/ratelimits.py)
FLOOR_SHARE_OF_FREE_RUN = 0.6


def run(
    *, alerts: int, channels: int, time_scale: float, limits: bool
) -> tuple[float, int, int, int]:
    """(seconds from the first alert to the last message, messages, 429s seen, retries)."""
    config = SimulationConfig(clock="virtual", slack_time_scale=time_scale, seed=1)
    with Simulation(config) as sim:
        linked = link(sim, seed=1, channels=channels)
        slack = linked.slack
        if limits:
            slack._post("/_sim/rate-limits", {"enabled": True, "time_scale": time_scale})
        with JournalTail(slack) as journal:
            started = time.perf_counter()
            for n in range(alerts):
                linked.ilert.call(
                    "POST",
                    "/alerts",
                    key=linked.world.owner_key,
                    json={"summary": f"Fan-out {n}", "alertSource": {"id": linked.source["id"]}},
                )
            retries = settle(linked)
            elapsed = time.perf_counter() - started
        messages = count_messages(linked)
        assert journal.missed == 0, f"the journal tail missed {journal.missed} calls"
    return elapsed, messages, journal.statuses[429], retries


def settle(linked: Linked) -> int:
    """Wait until every webhook is handled; a 429 answered with 503 is retried by ilert after
    its backoff, which the virtual clock has to pass. The rounds it took."""
    for rounds in range(100):
        answer = linked.ilert.http.post(
            f"{linked.ilert.url}/_sim/deliveries/wait", json={"timeout": 60}, timeout=70
        ).json()
        if answer["idle"] and not answer["pending"]:
            return rounds
        linked.ilert.advance_clock(60)
    raise RuntimeError("ilert's deliveries did not settle")


def count_messages(linked: Linked) -> int:
    counts = {c["id"]: c["messages"] for c in linked.slack.state()["channels"]}
    return sum(counts[channel_id] for channel_id in linked.channels.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=500)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="100 alerts")
    parser.add_argument(
        "--time-scale", type=float, default=0.0, help="for run 2 (default: chosen from run 1)"
    )
    args = parser.parse_args(argv)
    alerts = 100 if args.quick else args.alerts
    total = alerts * args.channels
    quiet_waitress()
    print(f"fan-out: 1 source x {args.channels} channels x {alerts} alerts; {machine()}")

    free, messages, _, _ = run(alerts=alerts, channels=args.channels, time_scale=1e-6, limits=False)
    assert messages == total, (messages, total)
    free_rate = total / free
    print(f"\nrate limits off: {total} messages in {free:.1f} s = {free_rate:.0f} messages/s")

    # The floor run 2 allows: channels in parallel, each (alerts - burst) windows long.
    scale = args.time_scale or args.channels / (FLOOR_SHARE_OF_FREE_RUN * free_rate)
    floor = (alerts - POST_BURST) * scale
    floor_rate = total / floor
    print(
        f"rate limits on, time scale {scale:.4f} (Slack's minute is {60 * scale:.2f} s): "
        f"floor {floor:.1f} s = {floor_rate:.0f} messages/s"
    )
    limited_run, messages, limited, retries = run(
        alerts=alerts, channels=args.channels, time_scale=scale, limits=True
    )
    assert messages == total, (messages, total)
    print(
        f"rate limits on: {total} messages in {limited_run:.1f} s = "
        f"{total / limited_run:.0f} messages/s; 429s from fake Slack: {limited}; "
        f"rounds of ilert retries: {retries}"
    )
    print()
    verdicts = Verdicts()
    verdicts.ratio("throughput with limits off, messages/s", free_rate)
    verdicts.check(
        "limits on: share of the floor the limits allow", floor / limited_run, TARGET_SHARE, "high"
    )
    print(f"{'  (floor: channels in parallel, (N - burst) x window)':<58}")
    return 0 if verdicts.ok and not math.isnan(free_rate) else 1


if __name__ == "__main__":
    sys.exit(main())
