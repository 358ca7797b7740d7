"""Benchmark of fake ilert's hot paths: `POST /api/events` and `GET /api/alerts?max-results=100`.

    python -m bench.ilert_api [--seconds 3] [--processes 2] [--threads 2] [--large 100000]

Each endpoint runs through keep-alive HTTP from several client threads (in separate processes,
so the clients do not share the server's interpreter lock), against fake ilert and, in the same
run, against a bare Flask endpoint on the same server stack (ServedApp, waitress) that serialises
a constant body of the same shape and size. It prints requests per second and the ratios (target
>= 0.6), then the cost per request with 100 and with 100,000 stored alerts (target: flat).
Loopback only; every loop is bounded in time; the run takes about a minute.
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

from emulator.ilert.app import FakeIlert
from emulator.serving import ServedApp, quiet_waitress

TARGET_RATIO = 0.6
FLAT_LIMIT = 1.5  # large/small cost per request above this is not flat


@dataclass(frozen=True)
class Load:
    """One measured endpoint: where, how, and for how long."""

    url: str
    method: str
    path: str
    body: str | None  # `{n}` in the body becomes a number unique to each request
    headers: dict[str, str]
    seconds: float


def _client(load: Load, worker: int, threads: int, out: Any) -> None:
    """One client process: `threads` keep-alive connections, each as fast as it gets answers."""
    parts = urlsplit(load.url)
    counts = [0] * threads
    errors = [0] * threads
    stop_at = time.perf_counter() + load.seconds

    def run(slot: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        n = 0
        while time.perf_counter() < stop_at:
            n += 1
            body = None
            if load.body is not None:
                body = load.body.replace("{n}", f"{worker}-{slot}-{n}").encode()
            connection.request(load.method, load.path, body=body, headers=load.headers)
            response = connection.getresponse()
            response.read()
            if response.status >= 400:
                errors[slot] += 1
            counts[slot] += 1
        connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    out.put((sum(counts), sum(errors)))


def measure(load: Load, processes: int, threads: int) -> tuple[float, float]:
    """(requests per second, mean latency in ms) over all clients; refuses any error answer."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    clients = [
        context.Process(target=_client, args=(load, p, threads, queue)) for p in range(processes)
    ]
    for c in clients:
        c.start()
    results = [queue.get(timeout=load.seconds + 60) for _ in clients]
    for c in clients:
        c.join(10)
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    if errors:
        raise RuntimeError(f"{errors} of {done} requests to {load.path} failed")
    # Each client counts only within its own `seconds`, so process start-up is not measured.
    rps = done / load.seconds
    latency_ms = 1000.0 * processes * threads / rps if rps else float("inf")
    return rps, latency_ms


def _bare_app(events_body: dict[str, Any], alerts_body: list[dict[str, Any]]) -> Flask:
    app = Flask("bare")
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.post("/bare/events")
    def events() -> Any:
        return jsonify(events_body), 202

    @app.get("/bare/alerts")
    def alerts() -> Any:
        return jsonify(alerts_body)

    return app


def _fill(sim: FakeIlert, key: str, count: int) -> None:
    """Store alerts straight through the model (the HTTP path is what is measured)."""
    for n in range(count):
        sim.state.submit_event(
            {"apiKey": key, "eventType": "ALERT", "summary": f"Filler {n}", "alertKey": f"f{n}"}
        )


def _world(sim: FakeIlert) -> tuple[str, str]:
    """An account with a two-rule policy and a source: (owner API key, source key)."""
    client = sim.app.test_client()
    account = client.post("/_sim/accounts", json={"name": "Bench"}).get_json()
    key = account["apiKey"]
    auth = {"Authorization": f"Bearer {key}"}
    second = client.post(
        f"/_sim/accounts/{account['id']}/users", json={"email": "second@bench.example"}
    ).get_json()["user"]
    policy = client.post(
        "/api/escalation-policies",
        headers=auth,
        json={
            "name": "Bench",
            "escalationRules": [
                {"escalationTimeout": 15, "users": [{"id": account["owner"]["id"]}]},
                {"escalationTimeout": 15, "users": [{"id": second["id"]}]},
            ],
        },
    ).get_json()
    source = client.post(
        "/api/alert-sources",
        headers=auth,
        json={"name": "Bench source", "escalationPolicy": {"id": policy["id"]}},
    ).get_json()
    return key, source["integrationKey"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; best counts")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=2, help="keep-alive clients per process")
    parser.add_argument("--small", type=int, default=100, help="stored alerts, small case")
    parser.add_argument("--large", type=int, default=100_000, help="stored alerts, large case")
    args = parser.parse_args(argv)
    quiet_waitress()

    sims: list[FakeIlert] = []
    servers: list[ServedApp] = []

    def serve(app: Any, name: str) -> str:
        server = ServedApp(app, name=name).start()
        servers.append(server)
        return server.url

    def make(name: str, stored: int) -> tuple[FakeIlert, str, str, str, float]:
        """A served fake ilert holding `stored` alerts: (sim, url, owner key, source key, s)."""
        sim = FakeIlert()
        sims.append(sim)
        url = serve(sim.app, name)
        sim.public_url = url
        owner, source = _world(sim)
        started = time.perf_counter()
        _fill(sim, source, stored)
        return sim, url, owner, source, time.perf_counter() - started

    try:
        # Events go to one fake ilert, lists to another, so each list reads a fixed store.
        _, small_url, _, source_key, _ = make("fake-ilert", args.small)
        lister, list_url, list_key, _, _ = make("fake-ilert-list", args.small)
        large, large_url, large_owner, large_source, fill_seconds = make(
            "fake-ilert-large", args.large
        )
        auth = {"Authorization": f"Bearer {list_key}", "Accept": "application/json"}
        large_auth = {**auth, "Authorization": f"Bearer {large_owner}"}
        json_headers = {"Content-Type": "application/json"}
        event = json.dumps(
            {
                "apiKey": source_key,
                "eventType": "ALERT",
                "summary": "Checkout latency above 2s",
                "details": "p99 2.4s on checkout-api",
                "alertKey": "bench-{n}",
            }
        )
        large_event = event.replace(source_key, large_source)
        # The bare endpoints answer what fake ilert answers, in shape and size.
        client = lister.app.test_client()
        sample_event = {
            "alertKey": "bench-0-0-1",
            "alertUrl": f"{small_url}/alerts/1234567",
            "responseCode": "NEW_INCIDENT_CREATED",
        }
        sample_alerts = client.get("/api/alerts?max-results=100", headers=auth).get_json()
        assert len(sample_alerts) == 100, len(sample_alerts)
        bare_url = serve(_bare_app(sample_event, sample_alerts), "bare")

        list_path = "/api/alerts?max-results=100"
        loads = {
            "bare POST /bare/events": (bare_url, "POST", "/bare/events", event, json_headers),
            f"ilert POST /api/events ({args.small} stored)": (
                small_url,
                "POST",
                "/api/events",
                event,
                json_headers,
            ),
            f"ilert POST /api/events ({args.large} stored)": (
                large_url,
                "POST",
                "/api/events",
                large_event,
                json_headers,
            ),
            "bare GET /bare/alerts": (bare_url, "GET", "/bare/alerts", None, auth),
            f"ilert GET alerts ({args.small} stored)": (list_url, "GET", list_path, None, auth),
            f"ilert GET alerts ({args.large} stored)": (
                large_url,
                "GET",
                list_path,
                None,
                large_auth,
            ),
        }
        print(
            f"fake ilert benchmark: {args.processes} client processes x {args.threads} "
            f"keep-alive threads, {args.seconds:g} s per figure, best of {args.rounds} "
            "interleaved rounds"
        )
        rows: dict[str, tuple[float, float]] = {}
        for load in loads.values():  # warm-up
            measure(Load(*load, seconds=0.5), args.processes, args.threads)
        for _ in range(args.rounds):
            for name, load in loads.items():
                got = measure(Load(*load, seconds=args.seconds), args.processes, args.threads)
                if name not in rows or got[0] > rows[name][0]:
                    rows[name] = got

        print(f"\n{'measurement':<42} {'req/s':>9} {'ms/req':>8}")
        for name, (rps, ms) in rows.items():
            print(f"{name:<42} {rps:>9.0f} {ms:>8.2f}")
        ok = True

        def ratio(name: str, value: float, target: float, better: str) -> None:
            nonlocal ok
            good = value >= target if better == "high" else value <= target
            ok = ok and good
            sign = ">=" if better == "high" else "<="
            print(
                f"{name:<58} {value:5.2f}  (target {sign} {target:g}) {'ok' if good else 'MISSED'}"
            )

        print()
        events_small = rows[f"ilert POST /api/events ({args.small} stored)"][0]
        alerts_small = rows[f"ilert GET alerts ({args.small} stored)"][0]
        ratio(
            "ratio POST /api/events / bare endpoint",
            events_small / rows["bare POST /bare/events"][0],
            TARGET_RATIO,
            "high",
        )
        ratio(
            "ratio GET /api/alerts?max-results=100 / bare endpoint",
            alerts_small / rows["bare GET /bare/alerts"][0],
            TARGET_RATIO,
            "high",
        )
        ratio(
            f"cost GET alerts, {args.large} / {args.small} stored",
            alerts_small / rows[f"ilert GET alerts ({args.large} stored)"][0],
            FLAT_LIMIT,
            "low",
        )
        ratio(
            f"cost POST events, {args.large} / {args.small} stored",
            events_small / rows[f"ilert POST /api/events ({args.large} stored)"][0],
            FLAT_LIMIT,
            "low",
        )
        stats = large.delivery.stats(lambda t: None)
        print(
            f"\nfilled {args.large} alerts in {fill_seconds:.1f} s through the model; "
            f"stored now: {_stored(large)}; "
            f"webhook queue: {stats['pending']} pending, {len(stats['items'])} kept in history"
        )
        return 0 if ok else 1
    finally:
        for server in reversed(servers):
            server.stop()
        for sim in sims:
            sim.close()


def _stored(sim: FakeIlert) -> int:
    with sim.state.lock:
        return sum(len(a.alerts) for a in sim.state.accounts.values())


if __name__ == "__main__":
    sys.exit(main())
