"""Benchmark of fake Slack's Web API: `chat.postMessage` (1 and 20 blocks), `conversations.list`.

    python -m bench.slack_webapi [--seconds 1.5] [--rounds 5] [--processes 2] [--threads 2]

Each method runs through keep-alive HTTP from several client threads (`http.client`, in separate
processes, so the clients do not share the server's interpreter lock) against fake Slack and, in
the same run, against a bare Flask endpoint on the same server stack (ServedApp, waitress) that
serialises, with fake Slack's own JSON provider, a constant body of the same shape and size (fake
Slack's own answer, captured first). Fake Slack serves `/api/<method>` through a WSGI route of its
own (`webapi.WebApiRoute`), not through Flask's view machinery, which the bare endpoint still
pays; so the 20-block post is also measured against a bare plain-WSGI endpoint, the least any
Python server on waitress can do, shown without a target. Targets: >= 0.8 for chat.postMessage (a
one-block and a 20-block message), >= 0.7 for conversations.list (100 a page).
Then chat.postMessage and conversations.history (100 a page) against a channel holding 100 and
one holding 100,000 messages: the cost per request must stay flat (large/small <= 1.5).
Loopback only; every loop is bounded in time; the run takes about a minute. Exit status 1 if a
target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, jsonify

from emulator.serving import ServedApp, quiet_waitress
from emulator.slack.app import FakeSlack
from emulator.slack.jsontext import SlackJSONProvider

TARGETS = {"chat.postMessage": 0.8, "conversations.list": 0.7}
FLAT_LIMIT = 1.5
SCOPES = ["chat:write", "channels:read", "groups:read", "channels:history", "groups:history"]
CHANNELS = 150  # more than a page, so conversations.list answers a cursor too


@dataclass(frozen=True)
class Load:
    url: str
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    seconds: float


def _client(load: Load, threads: int, out: Any) -> None:
    """One client process: `threads` keep-alive connections, each as fast as it gets answers."""
    parts = urlsplit(load.url)
    counts, failures = [0] * threads, [0] * threads
    stop_at = time.perf_counter() + load.seconds

    def run(slot: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.perf_counter() < stop_at:
            connection.request(load.method, load.path, body=load.body, headers=load.headers)
            response = connection.getresponse()
            answer = response.read()
            if response.status != 200 or not answer.startswith(b'{"') or b'"ok":false' in answer:
                failures[slot] += 1
            counts[slot] += 1
        connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put((sum(counts), sum(failures)))


def measure(load: Load, processes: int, threads: int) -> tuple[float, float]:
    """(requests per second, mean latency in ms); refuses any failed answer."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    clients = [
        context.Process(target=_client, args=(load, threads, queue)) for _ in range(processes)
    ]
    for client in clients:
        client.start()
    results = [queue.get(timeout=load.seconds + 60) for _ in clients]
    for client in clients:
        client.join(10)
    done, failed = sum(r[0] for r in results), sum(r[1] for r in results)
    if failed:
        raise RuntimeError(f"{failed} of {done} requests to {load.path} failed")
    rps = done / load.seconds
    return rps, 1000.0 * processes * threads / rps if rps else float("inf")


@dataclass
class Workspace:
    """A served fake Slack with one installed bot, member of `channel`."""

    fake: FakeSlack
    url: str
    token: str
    channel: str


def workspace(servers: list[ServedApp], name: str, stored: int) -> tuple[Workspace, float]:
    """Fake Slack with `CHANNELS` channels and `stored` messages in the first: (it, fill s)."""
    fake = FakeSlack()
    server = ServedApp(fake.app, name=name).start()
    servers.append(server)
    fake.public_url = server.url
    state = fake.state
    team = state.create_workspace(name="Bench", domain=name)
    app = state.create_app(name="bench")
    install = state.install(app.id, team.id, SCOPES)
    channels = [
        state.create_channel(team.id, name=f"ch-{n:03d}", is_private=False, members=[])
        for n in range(CHANNELS)
    ]
    state.invite(channels[0].id, install.bot_user_id)
    started = time.perf_counter()
    for n in range(stored):
        # Through the model, not HTTP: the HTTP path is what is measured.
        state.chat_post_message(
            install, channels[0].id, text=f"filler {n}", blocks=None, attachments=None
        )
    return Workspace(fake, server.url, install.token, channels[0].id), time.perf_counter() - started


def bare_app(
    post_body: dict[str, Any], list_body: dict[str, Any], post_20_body: dict[str, Any]
) -> Flask:
    """Constant answers, serialised as fake Slack serialises: with its own JSON provider
    (`emulator/slack/jsontext.py`, orjson, keys in the order they come)."""
    app = Flask("bare")
    app.json = SlackJSONProvider(app)

    @app.post("/bare/chat.postMessage")
    def post() -> Any:
        return jsonify(post_body)

    @app.post("/bare/chat.postMessage.20")
    def post_20() -> Any:
        return jsonify(post_20_body)

    @app.get("/bare/conversations.list")
    def listing() -> Any:
        return jsonify(list_body)

    return app


def bare_wsgi_app(body: dict[str, Any]) -> Any:
    """A constant answer with no framework at all: the body encoded as fake Slack encodes it."""
    encode = SlackJSONProvider(Flask("bare-wsgi")).encode

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"].read(length)
        data = encode(body)
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        return [data]

    return app


def message_body(channel: str, blocks: int = 1) -> bytes:
    """A message of one section, or of `blocks` blocks as alert menus have them."""
    made = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Checkout* p99 above 2s"}}]
    made += [_menu_block(n) for n in range(1, blocks)]
    return json.dumps({"channel": channel, "text": "Checkout latency", "blocks": made}).encode()


def _menu_block(n: int) -> dict[str, Any]:
    """Sections with a button, contexts, dividers and actions in turn: every check has work."""
    button = {"type": "button", "text": {"type": "plain_text", "text": "Remove"}, "value": str(n)}
    if n % 4 == 1:
        text = {"type": "mrkdwn", "text": f"*<https://ilert.test/sources/{n}|[{n}] Source {n}>*"}
        return {"type": "section", "text": text, "accessory": {**button, "action_id": "remove"}}
    if n % 4 == 2:
        return {"type": "context", "elements": [{"type": "mrkdwn", "text": "Type: Prometheus"}]}
    if n % 4 == 3:
        return {"type": "divider"}
    buttons = [{**button, "action_id": "accept"}, {**button, "action_id": "resolve"}]
    return {"type": "actions", "block_id": f"alert_{n}", "elements": buttons}


def sample(ws: Workspace, method: str, path: str, body: bytes | None) -> dict[str, Any]:
    """Fake Slack's own answer, to make the bare endpoint's constant body."""
    client = ws.fake.app.test_client()
    headers = {"Authorization": f"Bearer {ws.token}", "Content-Type": "application/json"}
    answer = client.open(path, method=method, data=body, headers=headers).get_json()
    assert answer["ok"], answer
    return answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; best counts")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=2, help="keep-alive clients per process")
    parser.add_argument("--small", type=int, default=100, help="stored messages, small case")
    parser.add_argument("--large", type=int, default=100_000, help="stored messages, large case")
    args = parser.parse_args(argv)
    quiet_waitress()
    servers: list[ServedApp] = []
    try:
        return run(args, servers)
    finally:
        for server in reversed(servers):
            server.stop()


def run(args: argparse.Namespace, servers: list[ServedApp]) -> int:
    small, _ = workspace(servers, "small", args.small)
    large, fill_seconds = workspace(servers, "large", args.large)
    post_path, list_path = "/api/chat.postMessage", "/api/conversations.list?limit=100"
    history_path = f"/api/conversations.history?channel={small.channel}&limit=100"
    post_sample = sample(small, "POST", post_path, message_body(small.channel))
    post_20 = message_body(small.channel, blocks=20)
    post_20_sample = sample(small, "POST", post_path, post_20)
    list_sample = sample(small, "GET", list_path, None)
    assert len(list_sample["channels"]) == 100 and list_sample["response_metadata"]["next_cursor"]
    bare = ServedApp(bare_app(post_sample, list_sample, post_20_sample), name="bare").start()
    servers.append(bare)
    bare_wsgi = ServedApp(bare_wsgi_app(post_20_sample), name="bare-wsgi").start()
    servers.append(bare_wsgi)

    def load(ws_url: str, token: str, method: str, path: str, body: bytes | None) -> tuple:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        return ws_url, method, path, body, headers

    post_small = message_body(small.channel)
    post_large = message_body(large.channel)
    loads = {
        "bare POST (chat.postMessage's answer)": load(
            bare.url, "", "POST", "/bare/chat.postMessage", post_small
        ),
        f"chat.postMessage ({args.small} stored)": load(
            small.url, small.token, "POST", post_path, post_small
        ),
        "bare POST (a 20-block message's answer)": load(
            bare.url, "", "POST", "/bare/chat.postMessage.20", post_20
        ),
        "bare WSGI POST (a 20-block message's answer)": load(
            bare_wsgi.url, "", "POST", "/bare", post_20
        ),
        "chat.postMessage (20 blocks)": load(small.url, small.token, "POST", post_path, post_20),
        "bare GET (conversations.list's answer)": load(
            bare.url, "", "GET", "/bare/conversations.list", None
        ),
        "conversations.list (100 a page)": load(small.url, small.token, "GET", list_path, None),
        f"chat.postMessage ({args.large} stored)": load(
            large.url, large.token, "POST", post_path, post_large
        ),
        f"conversations.history ({args.small} stored)": load(
            small.url, small.token, "GET", history_path, None
        ),
        f"conversations.history ({args.large} stored)": load(
            large.url,
            large.token,
            "GET",
            history_path.replace(small.channel, large.channel),
            None,
        ),
    }
    print(
        f"fake Slack Web API benchmark: {args.processes} client processes x {args.threads} "
        f"keep-alive threads, {args.seconds:g} s per figure, best of {args.rounds} interleaved "
        f"rounds; answers of {len(json.dumps(post_sample))} and "
        f"{len(json.dumps(list_sample))} bytes"
    )
    rows: dict[str, tuple[float, float]] = {}
    for spec in loads.values():  # warm-up
        measure(Load(*spec, seconds=0.5), args.processes, args.threads)
    for _ in range(args.rounds):
        for name, spec in loads.items():
            got = measure(Load(*spec, seconds=args.seconds), args.processes, args.threads)
            if name not in rows or got[0] > rows[name][0]:
                rows[name] = got
    return report(args, rows, fill_seconds, small, large)


def report(
    args: argparse.Namespace,
    rows: dict[str, tuple[float, float]],
    fill_seconds: float,
    small: Workspace,
    large: Workspace,
) -> int:
    print(f"\n{'measurement':<44} {'req/s':>8} {'ms/req':>8}")
    for name, (rps, ms) in rows.items():
        print(f"{name:<44} {rps:>8.0f} {ms:>8.2f}")
    ok = True

    def check(name: str, value: float, target: float, higher: bool) -> None:
        nonlocal ok
        good = value >= target if higher else value <= target
        ok = ok and good
        sign = ">=" if higher else "<="
        print(f"{name:<56} {value:5.2f}  (target {sign} {target:g}) {'ok' if good else 'MISSED'}")

    def rps(name: str) -> float:
        return rows[name][0]

    print()
    check(
        "ratio chat.postMessage / bare endpoint",
        rps(f"chat.postMessage ({args.small} stored)")
        / rps("bare POST (chat.postMessage's answer)"),
        TARGETS["chat.postMessage"],
        True,
    )
    check(
        "ratio chat.postMessage, 20 blocks / bare endpoint",
        rps("chat.postMessage (20 blocks)") / rps("bare POST (a 20-block message's answer)"),
        TARGETS["chat.postMessage"],
        True,
    )
    twenty = rps("chat.postMessage (20 blocks)")
    plain = twenty / rps("bare WSGI POST (a 20-block message's answer)")
    print(f"{'ratio chat.postMessage, 20 blocks / bare WSGI endpoint':<56} {plain:5.2f}  (shown)")
    check(
        "ratio conversations.list / bare endpoint",
        rps("conversations.list (100 a page)") / rps("bare GET (conversations.list's answer)"),
        TARGETS["conversations.list"],
        True,
    )
    for method in ("chat.postMessage", "conversations.history"):
        check(
            f"cost {method}, {args.large} / {args.small} stored",
            rps(f"{method} ({args.small} stored)") / rps(f"{method} ({args.large} stored)"),
            FLAT_LIMIT,
            False,
        )
    print(
        f"\nfilled {args.large} messages in {fill_seconds:.1f} s through the model; the large "
        f"channel now holds {stored(large)}, the small one {stored(small)}; journal capped at "
        f"{large.fake.journal.size} entries"
    )
    return 0 if ok else 1


def stored(ws: Workspace) -> int:
    return len(ws.fake.state.channels[ws.channel].messages)


if __name__ == "__main__":
    sys.exit(main())
