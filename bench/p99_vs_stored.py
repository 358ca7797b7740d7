"""p99 of `chat.postMessage` with 1,000 and with 100,000 messages stored; the collector's pauses.

    python -m bench.p99_vs_stored [--small 1000] [--large 100000] [--posts 5000] [--rounds 3]

Each fake Slack runs in a process of its own, because the garbage collector walks a whole process:
two stores in one would share their pauses. Each is filled through the model with what the
connector leaves there, alert by alert: a message whose attachment holds the alert's blocks, with
its metadata, updated ten times (each update replaces blocks and metadata, as `chat.update` does)
and ten thread replies with metadata: 11 messages an alert. Then this process calls as the
connector does, through HTTP (JSON, a bot token), from `--connections` keep-alive connections:
each posts an alert's message, then ten times updates it and replies in its thread; about
`--posts` posts a round, one round against each store in turn, `--rounds` times; every post is
timed. After each round the server deletes what the round left (through the model, not timed), so
each store keeps its size. Each server counts and times every garbage collection it runs
(`gc.callbacks`), and at the end one full collection forced by hand.

Target: p99 at `--large` stored <= 2 x p99 at `--small` stored, in the same run. Exit status 1 if
it is missed. Loopback only; about three minutes, a third of it filling the large store.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import http.client
import json
import multiprocessing
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench.common import Verdicts, machine, percentile
from connector import blocks
from emulator.serving import ServedApp, quiet_waitress
from emulator.slack.app import FakeSlack
from emulator.slack.models import Install, SlackState

TARGET = 2.0
UPDATES = 10
SCOPES = ["chat:write", "channels:read", "channels:history"]


def alert(n: int, status: str = "PENDING") -> dict[str, Any]:
    """An alert as ilert's API gives the connector what its messages show."""
    return {
        "id": n,
        "status": status,
        "summary": f"Checkout latency above 2 s on host web-{n % 40:02d}",
        "alertUrl": f"https://ilert.test/alerts/{n}",
        "assignedTo": {"id": 3, "firstName": "Ada", "lastName": "Lovelace"},
        "alertSource": {"id": 1, "name": "New Relic"},
    }


def alert_content(n: int, status: str = "PENDING") -> dict[str, Any]:
    """The connector's message for an alert, parsed from JSON as fake Slack receives it."""
    return json.loads(json.dumps(blocks.alert_message(alert(n, status), alert_action_id="77")))


# --- the server side: one process per store -------------------------------------------------------


@dataclass
class Pauses:
    """Every garbage collection the process ran while measured: how many, and how long."""

    counts: list[int] = field(default_factory=lambda: [0, 0, 0])
    full_ms: list[float] = field(default_factory=list)
    _started: float = 0.0

    def callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        generation = info["generation"]
        self.counts[generation] += 1
        if generation == 2:
            self.full_ms.append(1000 * (time.perf_counter() - self._started))


def fill(state: SlackState, install: Install, channel_id: str, stored: int) -> None:
    """`stored` messages as the connector leaves them (see the module doc), through the model."""
    n = 0
    while len(state.channels[channel_id].order) < stored:
        content = alert_content(n)
        message = state.chat_post_message(
            install,
            channel_id,
            text="",
            blocks=None,
            attachments=content["attachments"],
            metadata=content["metadata"],
        )
        for step in range(UPDATES):
            if len(state.channels[channel_id].order) >= stored:
                break
            content = alert_content(n, "ACCEPTED" if step >= UPDATES - 2 else "PENDING")
            state.chat_update(
                install,
                channel_id,
                message.ts,
                text=None,
                blocks=None,
                attachments=content["attachments"],
                metadata=content["metadata"],
            )
            note = {"event_type": "ilert_alert_update", "event_payload": {"deliveryId": f"d{n}"}}
            state.chat_post_message(
                install,
                channel_id,
                text=f":bust_in_silhouette: Assigned to *Ada Lovelace* by *Bob* ({step})",
                blocks=None,
                attachments=None,
                thread_ts=message.ts,
                metadata=json.loads(json.dumps(note)),
            )
        n += 1


def serve(stored: int, conn: Any) -> None:
    """A served fake Slack holding `stored` messages; answers commands on `conn`."""
    quiet_waitress()
    fake = FakeSlack()
    server = ServedApp(fake.app, name=f"stored-{stored}").start()
    state = fake.state
    team = state.create_workspace(name="Bench", domain="bench")
    app = state.create_app(name="bench")
    install = state.install(app.id, team.id, SCOPES)
    channel = state.create_channel(team.id, name="ops-alerts", is_private=False, members=[])
    state.invite(channel.id, install.bot_user_id)
    started = time.perf_counter()
    fill(state, install, channel.id, stored)
    filled_s = time.perf_counter() - started
    kept = len(channel.order)
    gc.collect()
    pauses = Pauses()
    gc.callbacks.append(pauses.callback)
    conn.send((server.url, install.token, channel.id, filled_s))
    try:
        while True:
            command = conn.recv()
            if command == "trim":
                for ts in channel.order[kept:]:
                    state.chat_delete(install, channel.id, ts)
                conn.send(len(channel.order))
            elif command == "stats":
                gc.callbacks.remove(pauses.callback)
                started = time.perf_counter()
                gc.collect()
                forced_ms = 1000 * (time.perf_counter() - started)
                tracked = len(gc.get_objects())
                conn.send((pauses.counts, pauses.full_ms, forced_ms, tracked))
            else:
                break
    finally:
        server.stop()


# --- the client side: this process ---------------------------------------------------------------


@dataclass
class Store:
    """One server process, its address and its bot's token."""

    stored: int
    process: Any
    conn: Any
    url: str = ""
    token: str = ""
    channel: str = ""
    filled_s: float = 0.0
    latencies: list[float] = field(default_factory=list)


def start(stored: int) -> Store:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=serve, args=(stored, theirs), daemon=True)
    process.start()
    return Store(stored, process, ours)


def ready(store: Store, timeout: float) -> None:
    if not store.conn.poll(timeout):
        raise RuntimeError(f"the store of {store.stored:,} messages was not ready in {timeout} s")
    store.url, store.token, store.channel, store.filled_s = store.conn.recv()


class Connector:
    """One keep-alive connection calling as the connector does: an alert's message, then ten
    times an update of it and a reply in its thread. Times every chat.postMessage."""

    def __init__(self, store: Store) -> None:
        parts = urlsplit(store.url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.channel = store.channel
        self.headers = {
            "Authorization": f"Bearer {store.token}",
            "Content-Type": "application/json",
        }
        self.posts: list[float] = []

    def call(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps({"channel": self.channel, **args}).encode()
        started = time.perf_counter()
        self.connection.request("POST", f"/api/{method}", body=body, headers=self.headers)
        answer = json.loads(self.connection.getresponse().read())
        if method == "chat.postMessage":
            self.posts.append(time.perf_counter() - started)
        if not answer.get("ok"):
            raise RuntimeError(f"{method} refused: {answer}")
        return answer

    def alerts(self, posts: int) -> None:
        n = 0
        while len(self.posts) < posts:
            ts = self.call("chat.postMessage", alert_content(n))["ts"]
            for step in range(UPDATES):
                self.call("chat.update", {"ts": ts, **alert_content(n, "ACCEPTED")})
                note = {"event_type": "ilert_alert_update", "event_payload": {"deliveryId": "d"}}
                self.call(
                    "chat.postMessage",
                    {"text": f"Assigned ({step})", "thread_ts": ts, "metadata": note},
                )
            n += 1
        self.connection.close()


def post_round(store: Store, posts: int, connections: int) -> list[float]:
    """About `posts` posts (and half as many updates) over `connections` connections; each
    post's time, in s."""
    callers = [Connector(store) for _ in range(connections)]
    workers = [
        threading.Thread(target=caller.alerts, args=(posts // connections,)) for caller in callers
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return [t for caller in callers for t in caller.posts]


def ask(store: Store, command: str, timeout: float = 120) -> Any:
    store.conn.send(command)
    if not store.conn.poll(timeout):
        raise RuntimeError(f"the store of {store.stored:,} messages did not answer {command!r}")
    return store.conn.recv()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000, help="messages in the small store")
    parser.add_argument("--large", type=int, default=100_000, help="messages in the large store")
    parser.add_argument("--posts", type=int, default=5000, help="posts a round and a store")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections")
    args = parser.parse_args(argv)
    print(f"p99 of chat.postMessage against what fake Slack stores; {machine()}")
    stores = [start(args.small), start(args.large)]
    try:
        for store in stores:
            ready(store, timeout=1800)
        return measure(args, stores)
    finally:
        for store in stores:
            _stop(store)


def _stop(store: Store) -> None:
    with contextlib.suppress(OSError):
        store.conn.send("stop")
    store.process.join(10)
    if store.process.is_alive():
        store.process.terminate()


def measure(args: argparse.Namespace, stores: list[Store]) -> int:
    print(
        f"stores filled through the model: {', '.join(_filled(s) for s in stores)}; "
        f"{args.rounds} interleaved rounds of {args.posts:,} posts (and half as many updates) "
        f"over {args.connections} keep-alive connections\n"
    )
    for store in stores:  # warm-up, not counted
        post_round(store, min(500, args.posts), args.connections)
        ask(store, "trim")
    for _ in range(args.rounds):
        for store in stores:
            store.latencies += post_round(store, args.posts, args.connections)
            ask(store, "trim")
    p99: dict[int, float] = {}
    for store in stores:
        counts, full_ms, forced_ms, tracked = ask(store, "stats")
        p99[store.stored] = percentile(store.latencies, 0.99)
        print(_line(store, counts, full_ms, forced_ms, tracked))
    print()
    verdicts = Verdicts()
    verdicts.ratio(f"p99 at {args.small:,} stored, ms", 1000 * p99[args.small])
    verdicts.ratio(f"p99 at {args.large:,} stored, ms", 1000 * p99[args.large])
    verdicts.check(
        f"ratio p99 {args.large:,} / {args.small:,} stored",
        p99[args.large] / p99[args.small],
        TARGET,
        "low",
    )
    return 0 if verdicts.ok else 1


def _filled(store: Store) -> str:
    return f"{store.stored:,} messages in {store.filled_s:.1f} s"


def _line(
    store: Store, counts: list[int], full_ms: list[float], forced_ms: float, tracked: int
) -> str:
    def ms(share: float) -> str:
        return f"{1000 * percentile(store.latencies, share):6.1f}"

    longest = f"{max(full_ms):6.1f}" if full_ms else "     -"
    return (
        f"{store.stored:>7,} stored: p50 {ms(0.5)}  p99 {ms(0.99)}  max {ms(1.0)} ms "
        f"(n={len(store.latencies):,}); collections by generation {counts}, longest full "
        f"{longest} ms; a full one forced at the end {forced_ms:.1f} ms over {tracked:,} "
        "tracked objects"
    )


if __name__ == "__main__":
    sys.exit(main())
