"""End-to-end latency through all three services, against the same hops with nothing to do.

    python -m bench.e2e_latency [--alerts 1000] [--quick]

For each of `--alerts` alerts, one after another, on the in-process harness (fake ilert, fake
Slack and the connector on loopback, one source linked to #ops-alerts):

- create → visible: `POST /api/alerts` to fake ilert, then `POST /_sim/deliveries/wait`, which
  returns once the connector has answered the webhook, i.e. after it posted the message (an upper
  bound: the time also holds the connector's answer and fake ilert's bookkeeping);
- Accept clicked → ACCEPTED → message updated: `POST /_sim/actions/click` on the message's Accept
  button; it returns once the connector has accepted the alert in ilert on the person's behalf
  and updated the clicked message (the app answers Slack only when done);
- … → settled: the same click, then waiting until ilert's `alert-acknowledged` webhook has been
  handled too (message updated again, thread told).

Baseline, measured in the same run, interleaved sample by sample: the same HTTP hops through the
same server stack (Flask on waitress in `ServedApp`, the same client libraries: `requests`
sessions toward ilert, `urllib` without keep-alive toward Slack as `slack_sdk` does, a new
connection from Slack to the app as fake Slack's actor opens) between three bare apps whose
handlers do no work and answer bodies of the same size. The ratio p99 / bare p99 is the cost of
the emulators' and the connector's own work. Target: p99 <= 50 ms for create → visible and for
click → updated. The connector paces with Slack's windows shrunk 1,000-fold and fake Slack's
limits are off: this measures the pipeline, not Slack's rates (see bench.fanout for those).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.request
from typing import Any

import requests
from flask import Flask, jsonify, request

from bench.common import Linked, Verdicts, create_alert, latency_line, link, machine, summary_ms
from emulator.serving import ServedApp, quiet_waitress
from harness.driver import visible_text
from harness.simulation import Simulation, SimulationConfig

TARGET_P99_MS = 50.0


# --- the bare hops ------------------------------------------------------------------------------


class BareWorld:
    """Three bare apps wired like fake ilert, the connector and fake Slack, doing nothing."""

    def __init__(self, alert: dict[str, Any], message: dict[str, Any], user: dict[str, Any]):
        self.alert_body = json.dumps(alert)
        self.message_body = json.dumps(message)
        self.user_body = json.dumps(user)
        self.queue: list[list[str]] = []  # the Slack methods each pending webhook calls
        self.in_flight = 0
        self.cond = threading.Condition()
        self.servers = [
            ServedApp(self._ilert(), name="bare-ilert").start(),
            ServedApp(self._connector(), name="bare-connector").start(),
            ServedApp(self._slack(), name="bare-slack").start(),
        ]
        self.ilert_url, self.connector_url, self.slack_url = (s.url for s in self.servers)
        self.sessions = threading.local()
        self._stop = False
        self.worker = threading.Thread(target=self._deliver, daemon=True)
        self.worker.start()

    def close(self) -> None:
        with self.cond:
            self._stop = True
            self.cond.notify_all()
        self.worker.join(5)
        for server in self.servers:
            server.stop()

    def _session(self) -> requests.Session:
        if not hasattr(self.sessions, "http"):
            self.sessions.http = requests.Session()
        return self.sessions.http

    def _enqueue(self, slack_calls: list[str]) -> None:
        with self.cond:
            self.queue.append(slack_calls)
            self.cond.notify_all()

    def _deliver(self) -> None:
        """Fake ilert's webhook worker: one delivery at a time, keep-alive."""
        http = requests.Session()
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.queue or self._stop)
                if self._stop:
                    return
                calls = self.queue.pop(0)
                self.in_flight += 1
            http.post(
                f"{self.connector_url}/ilert/events",
                data=json.dumps({"calls": calls, "alert": self.alert_body}),
                headers={"Content-Type": "application/json"},
                timeout=10,
            )
            with self.cond:
                self.in_flight -= 1
                self.cond.notify_all()

    def _ilert(self) -> Flask:
        app = Flask("bare-ilert")
        body = self.alert_body

        @app.post("/api/alerts")
        def create() -> Any:
            self._enqueue(["chat.postMessage"])
            return app.response_class(body, status=201, mimetype="application/json")

        @app.get("/api/alerts/<int:alert_id>")
        def get(alert_id: int) -> Any:
            return app.response_class(body, mimetype="application/json")

        @app.put("/api/alerts/<int:alert_id>/accept")
        def accept(alert_id: int) -> Any:
            self._enqueue(["chat.update", "chat.postMessage"])
            return app.response_class(body, mimetype="application/json")

        @app.post("/api/users/search-email")
        def search() -> Any:
            return app.response_class(self.user_body, mimetype="application/json")

        @app.post("/_sim/deliveries/wait")
        def wait() -> Any:
            with self.cond:
                self.cond.wait_for(lambda: not self.queue and not self.in_flight, timeout=10)
            return jsonify({"idle": True, "pending": 0})

        return app

    def _slack_call(self, method: str) -> None:
        """As slack_sdk calls Slack: urllib, a new connection each time."""
        call = urllib.request.Request(
            f"{self.slack_url}/api/{method}", data=self.message_body.encode(), method="POST"
        )
        with urllib.request.urlopen(call, timeout=10) as answer:
            answer.read()

    def _connector(self) -> Flask:
        app = Flask("bare-connector")

        @app.post("/ilert/events")
        def event() -> Any:
            calls = request.get_json()["calls"]
            self._session().get(f"{self.ilert_url}/api/alerts/1", timeout=10)
            for method in calls:
                self._slack_call(method)
            return jsonify({"ok": True})

        @app.post("/slack/events")
        def click() -> Any:
            http = self._session()
            self._slack_call("users.info")
            http.post(f"{self.ilert_url}/api/users/search-email", json={}, timeout=10)
            http.put(f"{self.ilert_url}/api/alerts/1/accept", timeout=10)
            http.get(f"{self.ilert_url}/api/alerts/1", timeout=10)
            self._slack_call("chat.update")
            return ""

        return app

    def _slack(self) -> Flask:
        app = Flask("bare-slack")
        body = self.message_body

        @app.post("/api/<method>")
        def web_api(method: str) -> Any:
            return app.response_class(body, mimetype="application/json")

        @app.post("/_sim/actions/click")
        def click() -> Any:
            answer = requests.post(f"{self.connector_url}/slack/events", data="x", timeout=10)
            return jsonify({"ok": answer.ok, "status": answer.status_code})

        return app


# --- one sample of each ---------------------------------------------------------------------------


def timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def bare_samples(bare: BareWorld, http: requests.Session) -> tuple[float, float, float]:
    def create() -> None:
        http.post(f"{bare.ilert_url}/api/alerts", json={}, timeout=10)
        http.post(f"{bare.ilert_url}/_sim/deliveries/wait", json={}, timeout=15)

    def click() -> None:
        http.post(f"{bare.slack_url}/_sim/actions/click", json={}, timeout=10)

    def settle() -> None:
        http.post(f"{bare.ilert_url}/_sim/deliveries/wait", json={}, timeout=15)

    created = timed(create)
    clicked = timed(click)
    return created, clicked, clicked + timed(settle)


class Real:
    def __init__(self, linked: Linked) -> None:
        self.linked = linked
        self.channel_id = next(iter(linked.channels.values()))
        self.responder = linked.world.person("RESPONDER")
        self.token = next(
            i["access_token"]
            for i in linked.slack.state()["installs"]
            if i["team_id"] == linked.world.team_id
        )

    def newest_ts(self) -> str:
        answer = self.linked.slack.web_api(
            "conversations.history", self.token, channel=self.channel_id, limit=1
        )
        return answer["messages"][0]["ts"]

    def samples(self, n: int) -> tuple[float, float, float]:
        ilert, slack = self.linked.ilert, self.linked.slack

        def create() -> None:
            create_alert(self.linked, f"Latency probe {n}")
            ilert.wait_for_deliveries(15)

        created = timed(create)
        ts = self.newest_ts()

        def click() -> None:
            answer = slack.click(
                channel_id=self.channel_id,
                message_ts=ts,
                user_id=self.responder.slack_id,
                label="Accept",
            )
            assert answer["ok"], answer

        clicked = timed(click)
        settled = clicked + timed(lambda: ilert.wait_for_deliveries(15))
        return created, clicked, settled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="200 alerts")
    args = parser.parse_args(argv)
    alerts = 200 if args.quick else args.alerts
    quiet_waitress()
    print(f"end-to-end latency, {alerts} alerts one after another; {machine()}")
    config = SimulationConfig(clock="virtual", slack_time_scale=0.001, seed=1)
    with Simulation(config) as sim:
        linked = link(sim, seed=1, channels=1)
        real = Real(linked)
        probe = create_alert(linked, "Shape probe")
        linked.ilert.wait_for_deliveries(15)
        message = linked.slack.web_api(
            "conversations.history", real.token, channel=real.channel_id, limit=1
        )
        user = linked.ilert.call(
            "GET", f"/users/{real.responder.ilert_id}", key=linked.world.owner_key
        )
        bare = BareWorld(probe, message, user)
        http = requests.Session()
        try:
            for n in range(args.warm_up):
                real.samples(-n)
                bare_samples(bare, http)
            rows: dict[str, list[float]] = {k: [] for k in ("c", "k", "s", "bc", "bk", "bs")}
            started = time.perf_counter()
            for n in range(alerts):
                for key, value in zip(("c", "k", "s"), real.samples(n), strict=True):
                    rows[key].append(value)
                for key, value in zip(("bc", "bk", "bs"), bare_samples(bare, http), strict=True):
                    rows[f"{key}"].append(value)
            elapsed = time.perf_counter() - started
            check_final_state(linked, real, alerts + args.warm_up + 1)
        finally:
            bare.close()
    print(f"\n{alerts} alerts in {elapsed:.1f} s\n")
    print(latency_line("create -> message visible", rows["c"]))
    print(latency_line("  bare: the same hops, no work", rows["bc"]))
    print(latency_line("Accept clicked -> ACCEPTED -> message updated", rows["k"]))
    print(latency_line("  bare: the same hops, no work", rows["bk"]))
    print(latency_line("Accept clicked -> ... -> webhook handled, thread told", rows["s"]))
    print(latency_line("  bare: the same hops, no work", rows["bs"]))
    print()
    verdicts = Verdicts()
    for key, name in (("c", "create -> visible"), ("k", "click -> updated")):
        p99, bare_p99 = summary_ms(rows[key])["p99"], summary_ms(rows[f"b{key}"])["p99"]
        verdicts.check(f"p99 {name}", p99, TARGET_P99_MS, "low", " ms")
        verdicts.ratio(f"  ratio p99 / bare p99 ({bare_p99:.1f} ms)", p99 / bare_p99)
    p99, bare_p99 = summary_ms(rows["s"])["p99"], summary_ms(rows["bs"])["p99"]
    verdicts.ratio(f"p99 click -> settled / bare p99 ({bare_p99:.1f} ms)", p99 / bare_p99)
    return 0 if verdicts.ok else 1


def check_final_state(linked: Linked, real: Real, expected: int) -> None:
    """Every alert has its one message, and every message shows the alert accepted."""
    messages = [
        m
        for m in linked.slack.messages(real.channel_id)
        if (m.get("metadata") or {}).get("event_type") == "ilert_alert"
    ]
    assert len(messages) == expected, (len(messages), expected)
    titles = [visible_text(m).splitlines()[0] for m in messages]
    pending = [t for t in titles if "|[Accepted]" not in t]
    assert len(pending) == 1 and "Shape probe" in pending[0], pending[:3]


if __name__ == "__main__":
    sys.exit(main())
