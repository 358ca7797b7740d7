"""Resident size of the whole simulation after 10,000 alerts with 10 updates each.

    python -m bench.memory [--alerts 10000] [--flow 1000] [--full-flow] [--quick]

One process holds fake ilert, fake Slack and the connector (the in-process harness, as the pytest
plugin runs it) with one source linked to #ops-alerts. Each alert lives the same life: created,
assigned eight times among three people, accepted, resolved: ten updates, each a `chat.update`
of its message (Slack keeps the current content and the `edited` mark, not every version) and a
reply in its thread. So 10,000 alerts leave 10,000 messages and 100,000 replies in fake Slack,
10,000 alerts with their logs in fake ilert, and 110,000 handled deliveries in the connector's
SQLite file (on disk, not in the resident size).

1. The first `--flow` alerts (default 1,000; 11,000 webhooks, about 100 s) go the whole way:
   ilert's REST API, its webhooks, the connector, Slack's Web API. Readings every 100 alerts give
   the growth per 1,000 alerts (a least-squares slope, leaving out the first 100, which hold the
   one-off costs: thread arenas, caches, fake Slack's journal filling up to its cap).
2. The rest are written straight into the same models (fake ilert's state, fake Slack's state,
   the connector's store) with the same content, parsed by fake Slack's own JSON parser, and
   the log entries the webhooks leave: 110,000 webhooks through HTTP take about 16 minutes here.
   `--full-flow` sends every alert the whole way instead: 274.7 MB on the reference run
   (docs/performance.md).

Baseline: the same process with the simulation started and linked, before any alert. Target:
<= 300 MB after 10,000 alerts.
"""

from __future__ import annotations

import argparse
import gc
import json
import secrets
import sys
import time
from typing import Any

from bench.common import Linked, Verdicts, link, machine, rss_mb
from connector import blocks
from connector.store import AlertMessage, ConnectorStore
from emulator.ilert import serialize as ser
from emulator.serving import quiet_waitress
from emulator.slack.webapi import parse_json
from harness.driver import DriverError, IlertControl
from harness.simulation import Simulation, SimulationConfig

TARGET_MB = 300.0
UPDATES = 10
REASSIGNMENTS = UPDATES - 2  # then accept and resolve


def reading() -> float:
    gc.collect()
    return rss_mb()


def slope(points: list[tuple[int, float]]) -> float:
    """MB per 1,000 alerts, least squares."""
    if len(points) < 2:
        return float("nan")
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    den = sum((x - mean_x) ** 2 for x, _ in points)
    return 1000 * num / den if den else float("nan")


def settle(ilert: IlertControl, seconds: float = 300.0) -> None:
    """Until every webhook is answered; fake ilert waits at most 60 s a request, so in steps."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            ilert.wait_for_deliveries(min(60.0, max(1.0, deadline - time.monotonic())))
            return
        except DriverError:
            if time.monotonic() >= deadline:
                raise


# --- 1. the whole way ---------------------------------------------------------------------------


def through_the_flow(linked: Linked, count: int, offset: int) -> None:
    """`count` alerts through HTTP, in rounds so the webhook queue stays busy."""
    ilert, key = linked.ilert, linked.world.owner_key
    people = [linked.world.person(r) for r in ("ADMIN", "USER", "RESPONDER")]
    admin_key = linked.world.person("ADMIN").api_key
    ids = [
        ilert.call(
            "POST",
            "/alerts",
            key=key,
            json={"summary": f"Memory {offset + n}", "alertSource": {"id": linked.source["id"]}},
        )["id"]
        for n in range(count)
    ]
    for round_ in range(REASSIGNMENTS):
        person = people[round_ % len(people)]
        for alert_id in ids:
            ilert.call(
                "PUT",
                f"/alerts/{alert_id}/assign",
                key=admin_key,
                params={"user-id": person.ilert_id},
            )
        settle(ilert)
    for verb in ("accept", "resolve"):
        for alert_id in ids:
            ilert.call("PUT", f"/alerts/{alert_id}/{verb}", key=admin_key)
        settle(ilert)


# --- 2. straight into the models ----------------------------------------------------------------


def as_parsed(content: dict[str, Any]) -> dict[str, Any]:
    """Content as fake Slack stores it: parsed from the request's JSON by its own parser, not the
    literals of the code that built it."""
    return parse_json(json.dumps(content))


class Filler:
    """Writes what the flow writes, without HTTP: same models, same content."""

    def __init__(self, sim: Simulation, linked: Linked) -> None:
        self.sim = sim
        self.state = sim.fake_ilert.state
        self.actor = self.state.authenticate(linked.world.owner_key, None)
        self.account = self.actor.account
        # A source of its own that no channel publishes: the model emits its events to nobody.
        self.source = {"id": linked.world.source("Checkout API")["id"]}
        self.people = [linked.world.person(r) for r in ("ADMIN", "USER", "RESPONDER")]
        slack = sim.fake_slack.state
        self.slack = slack
        self.install = next(i for i in slack.installs.values() if not i.revoked)
        self.channel_id = next(iter(linked.channels.values()))
        self.action_id = self._action_id(linked)
        self.store = ConnectorStore(sim.connector_config(sim.connector_url).database_path)
        self.channel_name = next(iter(linked.channels))
        self.actor_json = ser.user_json(self.actor.user) if self.actor.user else None

    def _action_id(self, linked: Linked) -> str:
        actions = linked.ilert.call("GET", "/alert-actions", key=linked.world.owner_key)
        return str(next(a["id"] for a in actions if a["connectorType"].lower() == "slack"))

    def alert_json(self, alert: Any) -> dict[str, Any]:
        return ser.cached_alert_json(self.state, self.account, alert, self.sim.ilert_url)

    def one(self, n: int) -> None:
        state, actor = self.state, self.actor
        alert = state.create_alert(actor, {"summary": f"Memory {n}", "alertSource": self.source})
        content = as_parsed(
            blocks.alert_message(self.alert_json(alert), alert_action_id=self.action_id)
        )
        message = self.slack.chat_post_message(
            self.install,
            self.channel_id,
            text=content.get("text", ""),
            blocks=None,
            attachments=content["attachments"],
            metadata=content["metadata"],
        )
        self.store.save_alert_message(
            AlertMessage(
                alert.id, self.action_id, self.install.team_id, self.channel_id, message.ts
            )
        )
        self._delivered(alert.id, "alert-created")
        for step in range(UPDATES):
            if step < REASSIGNMENTS:
                person = self.people[step % len(self.people)]
                alert = state.assign_alert(actor, alert.id, user=str(person.ilert_id))
                event = "alert-assigned"
            elif step == REASSIGNMENTS:
                alert, event = state.accept_alert(actor, alert.id), "alert-acknowledged"
            else:
                alert, event = state.resolve_alert(actor, alert.id), "alert-resolved"
            current = self.alert_json(alert)
            content = as_parsed(blocks.alert_message(current, alert_action_id=self.action_id))
            self.slack.chat_update(
                self.install,
                self.channel_id,
                message.ts,
                text=content.get("text", ""),
                blocks=None,
                attachments=content["attachments"],
                metadata=content["metadata"],
            )
            delivery = self._delivered(alert.id, event)
            self.slack.chat_post_message(
                self.install,
                self.channel_id,
                text=blocks.update_note(event, current, self.actor_json) or event,
                blocks=None,
                attachments=None,
                thread_ts=message.ts,
                metadata=as_parsed(
                    {"event_type": "ilert_alert_update", "event_payload": {"deliveryId": delivery}}
                ),
            )

    def _delivered(self, alert_id: int, event: str) -> str:
        """What a handled webhook leaves: the connector's record, ilert's log entry."""
        delivery = "dlv_" + secrets.token_hex(10)
        self.store.mark_handled(delivery)
        self.state.add_log(
            self.account.id,
            alert_id,
            "AlertActionSuccessLogEntry",
            f"Slack connector notified #{self.channel_name} ({event})",
        )
        return delivery


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--flow", type=int, default=1000, help="alerts through HTTP first")
    parser.add_argument(
        "--full-flow", action="store_true", help="every alert through HTTP (~16 minutes)"
    )
    parser.add_argument("--quick", action="store_true", help="2,000 alerts, 300 through HTTP")
    args = parser.parse_args(argv)
    alerts, flow = (2000, 300) if args.quick else (args.alerts, args.flow)
    if args.full_flow:
        flow = alerts
    quiet_waitress()
    print(f"memory of the whole simulation; {machine()}")
    config = SimulationConfig(clock="virtual", slack_time_scale=0.001, seed=1)
    with Simulation(config) as sim:
        linked = link(sim, seed=1, channels=1)
        before = counts(linked)
        baseline = reading()
        print(f"\nbaseline: started, seeded, linked, no alert: {baseline:.1f} MB")
        flow_points = [(0, baseline)]
        started = time.perf_counter()
        for done in range(0, flow, 100):
            through_the_flow(linked, min(100, flow - done), done)
            flow_points.append((min(done + 100, flow), reading()))
            if flow_points[-1][0] % 1000 == 0 or flow_points[-1][0] == flow:
                print(
                    f"  {flow_points[-1][0]:>6,} alerts through HTTP: {flow_points[-1][1]:7.1f} MB"
                )
        flow_seconds = time.perf_counter() - started
        after_flow = flow_points[-1][1]
        filler = Filler(sim, linked)
        fill_points = [(flow, after_flow)]
        started = time.perf_counter()
        for n in range(flow, alerts):
            filler.one(n)
            if (n + 1) % 1000 == 0 or n + 1 == alerts:
                fill_points.append((n + 1, reading()))
                print(
                    f"  {n + 1:>6,} alerts, the rest into the models: {fill_points[-1][1]:7.1f} MB"
                )
        fill_seconds = time.perf_counter() - started
        final = reading()
        check(linked, before, alerts)
    flow_slope = slope(flow_points[2:]) if len(flow_points) > 3 else slope(flow_points)
    print(
        f"\n{flow:,} alerts through HTTP ({flow * (UPDATES + 1):,} webhooks) in "
        f"{flow_seconds:.0f} s; {alerts - flow:,} into the models in {fill_seconds:.0f} s"
    )
    print()
    verdicts = Verdicts()
    verdicts.ratio("growth per 1,000 alerts through HTTP, MB", flow_slope)
    if alerts > flow:
        verdicts.ratio("growth per 1,000 alerts into the models, MB", slope(fill_points))
    verdicts.check(f"resident size after {alerts:,} alerts", final, TARGET_MB, "low", " MB")
    verdicts.ratio("  ratio to the baseline", final / baseline)
    return 0 if verdicts.ok else 1


def counts(linked: Linked) -> tuple[int, int, int]:
    """(top-level messages, all messages, members) in the linked channel."""
    channel_id = next(iter(linked.channels.values()))
    channel = next(c for c in linked.slack.state()["channels"] if c["id"] == channel_id)
    return channel["messages"], channel["all_messages"], len(channel["members"])


def check(linked: Linked, before: tuple[int, int, int], alerts: int) -> None:
    """The channel holds every alert's message, with its replies, and Slack's own
    `channel_join` message if the bot joined the channel to post the first alert."""
    top, everything, members = counts(linked)
    joined = members - before[2]
    assert top - before[0] == alerts + joined, (top, before, alerts)
    assert everything - before[1] == alerts * (UPDATES + 1) + joined, (everything, before)


if __name__ == "__main__":
    sys.exit(main())
