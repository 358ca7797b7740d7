"""What the end-to-end benchmarks share: a linked world, percentiles, verdict lines, resident size.

A benchmark here drives the whole simulation the way a test does (HTTP through the harness's
driver), in this process, and measures a baseline in the same run, so a ratio holds even when
something else loads the machine.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
from dataclasses import dataclass
from typing import Any

from harness.driver import IlertControl, SlackControl, authorize_workspace
from harness.seed import World, build_world
from harness.simulation import Simulation

Json = dict[str, Any]
SOURCE = "New Relic"


@dataclass
class Linked:
    """A seeded world whose source `SOURCE` publishes to `channels` (name -> id)."""

    sim: Simulation
    world: World
    ilert: IlertControl
    slack: SlackControl
    source: Json
    channels: dict[str, str]


def link(sim: Simulation, *, seed: int = 1, channels: int = 1) -> Linked:
    """Seed, authorize, and link the source to the first `channels` public channels with
    `/ilert` as the Admin does, creating more public channels when the world has too few."""
    ilert, slack = sim.ilert(), sim.slack()
    world = build_world(ilert, slack, seed=seed)
    admin = world.person("ADMIN")
    landed = authorize_workspace(
        ilert_url=sim.ilert_url,
        slack_url=sim.slack_url,
        ilert_user_id=admin.ilert_id,
        slack_user_id=admin.slack_id,
    )
    assert landed.query.get("status") == "success", landed.text[:300]
    public = [n for n, c in world.channels.items() if not c.get("is_private")]
    members = [p.slack_id for p in world.people.values()]
    for n in range(len(public), channels):
        name = f"fanout-{n:02d}"
        world.channels[name] = slack.create_channel(world.team_id, name, members=members)
        public.append(name)
    source = world.source(SOURCE)
    linked = {}
    for name in public[:channels]:
        channel_id = world.channels[name]["id"]
        menu = slack.command(
            team_id=world.team_id, channel_id=channel_id, user_id=admin.slack_id, command="/ilert"
        )
        answer = slack.select(
            channel_id=channel_id,
            message_ts=menu["ephemeral"]["ts"],
            user_id=admin.slack_id,
            option=f"[{source['id']}] {SOURCE}",
        )
        assert answer["ok"], answer
        linked[name] = channel_id
    return Linked(sim, world, ilert, slack, source, linked)


def create_alert(linked: Linked, summary: str) -> Json:
    return linked.ilert.call(
        "POST",
        "/alerts",
        key=linked.world.owner_key,
        json={"summary": summary, "alertSource": {"id": linked.source["id"]}},
    )


def wait_idle(ilert: IlertControl, timeout: float = 60.0) -> None:
    """Until ilert has no webhook in flight or due (blocks in fake ilert; no polling here)."""
    ilert.wait_for_deliveries(timeout)


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest sample with `share` of them at or below it."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def summary_ms(samples: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max of samples given in seconds, in milliseconds."""
    return {
        "p50": 1000 * statistics.median(samples),
        "p95": 1000 * percentile(samples, 0.95),
        "p99": 1000 * percentile(samples, 0.99),
        "max": 1000 * max(samples),
    }


def latency_line(name: str, samples: list[float]) -> str:
    s = summary_ms(samples)
    return (
        f"{name:<58} p50 {s['p50']:6.1f}  p95 {s['p95']:6.1f}  p99 {s['p99']:6.1f}  "
        f"max {s['max']:6.1f} ms  (n={len(samples)})"
    )


class Verdicts:
    """Target lines, and whether every target was met (the exit status)."""

    def __init__(self) -> None:
        self.ok = True

    def check(self, name: str, value: float, target: float, better: str, unit: str = "") -> None:
        good = value >= target if better == "high" else value <= target
        self.ok = self.ok and good
        sign = ">=" if better == "high" else "<="
        print(
            f"{name:<58} {value:8.2f}{unit}  (target {sign} {target:g}{unit}) "
            f"{'ok' if good else 'MISSED'}"
        )

    def ratio(self, name: str, value: float) -> None:
        print(f"{name:<58} {value:8.2f}")


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size of a process, in MB (from /proc)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/*/status")


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} CPU(s), {model}, Python {platform.python_version()}, "
        f"load average {load:.2f}"
    )
