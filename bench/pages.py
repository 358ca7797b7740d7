"""How fast the pages answer: fake Slack's with the seeded demo plus 10,000 alert messages in a
channel, fake ilert's with the seeded demo plus 10,000 alerts.

Run `python -m bench.pages` (options: `--messages N`, `--alerts N`, `--requests N`, `--only slack`
or `--only ilert`). For fake Slack it starts the harness in
this process, seeds the demo world, authorizes the workspace, links a source to #ops-alerts,
creates one real alert through ilert, then posts copies of that alert message to #ops-alerts with
`chat.postMessage` and the bot's token until the channel holds N of them (every tenth with a reply
in its thread, as Accept and Resolve leave). Then it signs in as the Admin and times each page
over keep-alive HTTP, one request at a time after a warm-up, and prints p50 / p95 / max per page.
For fake ilert it then opens N alerts on "Grafana" through `POST /api/alerts` (a source no
channel publishes, so the bench measures pages, not webhooks; every fourth is accepted and every
seventh resolved), logs in as the Admin and times every page the same way, plus the Alerts page
as the Responder (who sees less, so the counts take a pass over the alerts).
The target is p95 under 200 ms. This is a measurement, not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from connector.config import BOT_SCOPES
from harness.driver import authorize_workspace
from harness.seed import World, build_world
from harness.simulation import Simulation, SimulationConfig

TARGET_MS = 200.0
CHANNEL = "ops-alerts"
CLIENT_HEADER = {"X-Fake-Slack-Client": "1"}
ILERT_POLL = {"X-Fake-Ilert-Page": "1"}


@dataclass
class Timing:
    page: str
    samples: list[float]

    def percentile(self, share: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    def line(self) -> str:
        p95 = self.percentile(0.95)
        verdict = "ok" if p95 < TARGET_MS else "SLOW"
        return (
            f"{self.page:<46} p50 {statistics.median(self.samples):7.1f} ms   "
            f"p95 {p95:7.1f} ms   max {max(self.samples):7.1f} ms   {verdict}"
        )


def _seed(sim: Simulation, messages: int) -> tuple[World, str]:
    world = build_world(sim.ilert(), sim.slack(), seed=1)
    admin = world.person("ADMIN")
    landed = authorize_workspace(
        ilert_url=sim.ilert_url,
        slack_url=sim.slack_url,
        ilert_user_id=admin.ilert_id,
        slack_user_id=admin.slack_id,
    )
    assert "status=success" in landed.url, landed.url
    slack = sim.slack()
    channel_id = world.channel(CHANNEL)["id"]
    menu = slack.command(
        team_id=world.team_id, channel_id=channel_id, user_id=admin.slack_id, command="/ilert"
    )
    source = world.source("New Relic")
    slack.select(
        channel_id=channel_id,
        message_ts=menu["ephemeral"]["ts"],
        user_id=admin.slack_id,
        option=str(source["id"]),
    )
    sim.ilert().call(
        "POST",
        "/alerts",
        key=world.owner_key,
        json={"summary": "The first alert", "alertSource": {"id": source["id"]}},
    )
    sim.ilert().wait_for_deliveries()
    sample = next(m for m in slack.messages(channel_id) if m["attachments"])
    token = next(i["access_token"] for i in slack.state()["installs"] if not i["revoked"])
    _post_copies(sim.slack_url, token, channel_id, sample, messages - 1)
    return world, channel_id


def _post_copies(
    slack_url: str, token: str, channel_id: str, sample: dict[str, Any], count: int
) -> None:
    """Alert messages shaped like the connector's, posted as the bot through the Web API."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    url = f"{slack_url}/api/chat.postMessage"
    text = sample["text"]

    def post(number: int) -> None:
        title = f"[Pending] Bench alert {number}"
        attachments = [
            {**a, "blocks": _retitle(a.get("blocks") or [], text, title), "fallback": title}
            for a in sample["attachments"]
        ]
        body = {"channel": channel_id, "text": title, "attachments": attachments}
        answer = session.post(url, json=body, timeout=30).json()
        assert answer["ok"], answer
        if number % 10 == 0:
            reply = {"channel": channel_id, "thread_ts": answer["ts"], "text": ":eyes: Seen"}
            assert session.post(url, json=reply, timeout=30).json()["ok"]

    # Posted in order, from one thread: the channel's history stays in the order a demo has.
    for number in range(1, count + 1):
        post(number)


def _retitle(blocks: list[Any], old: str, new: str) -> list[Any]:
    escaped = old.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return [
        {**b, "text": {**b["text"], "text": b["text"]["text"].replace(escaped, new)}}
        if isinstance(b.get("text"), dict)
        else b
        for b in blocks
    ]


def _time(
    page: str, call: Callable[[], requests.Response], count: int, ok: tuple[int, ...]
) -> Timing:
    for _ in range(max(5, count // 10)):
        call()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code in ok, (page, response.status_code, response.text[:300])
    return Timing(page, samples)


def measure(
    messages: int, count: int, *, alerts: int = 10_000, only: str = ""
) -> dict[str, list[Timing]]:
    """Timings by service: `slack`, then `ilert`; `only` measures one of them."""
    with Simulation(SimulationConfig(clock="virtual", seed=1)) as sim:
        started = time.perf_counter()
        world, channel_id = _seed(sim, messages if only != "ilert" else 1)
        seeded = time.perf_counter() - started
        print(f"seeded the demo and the alert messages in #{CHANNEL} in {seeded:.1f} s")
        results: dict[str, list[Timing]] = {}
        if only != "ilert":
            results["slack"] = _slack_pages(sim, world, channel_id, messages, count)
        if only != "slack":
            results["ilert"] = _ilert_pages(sim, world, alerts, count)
        return results


def _slack_pages(
    sim: Simulation, world: World, channel_id: str, messages: int, count: int
) -> list[Timing]:
    base, team = sim.slack_url, world.team_id
    admin = world.person("ADMIN")
    person = requests.Session()
    person.post(f"{base}/login", data={"user_id": admin.slack_id, "next": "/client"})
    page_url = f"{base}/client/{team}/{channel_id}"
    page = person.get(page_url)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, "the channel page has no form"
    shown = re.findall(r'<li class="message[^"]*" data-ts="([^"]+)"', page.text)
    assert len(shown) >= 100, len(shown)
    updates = person.get(f"{page_url}/updates", headers=CLIENT_HEADER).json()
    credentials = sim.app_credentials
    assert credentials is not None
    consent = f"{base}/oauth/v2/authorize?" + urlencode(
        {
            "client_id": credentials.client_id,
            "scope": ",".join(BOT_SCOPES),
            "redirect_uri": f"{sim.connector_url}/slack/oauth_redirect",
            "state": "bench",
        }
    )
    stranger = requests.Session()
    html = {"Accept": "text/html"}
    general = world.channel("general")["id"]
    private = world.channel("sre-private")["id"]
    pages: list[tuple[str, Callable[[], requests.Response], tuple[int, ...]]] = [
        (
            "GET /  (signed out: who to sign in as)",
            lambda: stranger.get(base, headers=html),
            (200,),
        ),
        ("GET /login", lambda: stranger.get(f"{base}/login"), (200,)),
        ("GET /oauth/v2/authorize  (consent)", lambda: person.get(consent), (200,)),
        (
            f"GET #{CHANNEL}  ({messages} messages, latest 100)",
            lambda: person.get(page_url),
            (200,),
        ),
        (
            f"GET #{CHANNEL}?before=  (an older page)",
            lambda: person.get(page_url, params={"before": shown[0]}),
            (200,),
        ),
        ("GET #general", lambda: person.get(f"{base}/client/{team}/{general}"), (200,)),
        ("GET #sre-private", lambda: person.get(f"{base}/client/{team}/{private}"), (200,)),
        (
            f"GET #{CHANNEL}/updates  (nothing new: 204)",
            lambda: person.get(
                f"{page_url}/updates", params=updates["versions"], headers=CLIENT_HEADER
            ),
            (204,),
        ),
        (
            f"GET #{CHANNEL}/updates  (everything new)",
            lambda: person.get(f"{page_url}/updates", headers=CLIENT_HEADER),
            (200,),
        ),
        (
            "GET /client/static/client.js",
            lambda: person.get(f"{base}/client/static/client.js"),
            (200,),
        ),
    ]
    timings = [_time(name, call, count, ok) for name, call, ok in pages]
    command = _time(
        f"POST /ilert in #{CHANNEL}  (via the connector)",
        lambda: person.post(
            f"{page_url}/command",
            data={"csrf": csrf.group(1), "text": "/ilert"},
            headers=CLIENT_HEADER,
        ),
        max(20, count // 5),
        (200,),
    )
    return [*timings, command]


# --- fake ilert's pages ------------------------------------------------------------------------

ILERT_SOURCE = "Grafana"


def _seed_alerts(sim: Simulation, world: World, alerts: int) -> dict[str, Any]:
    """`alerts` alerts on a source no channel publishes, some accepted, some resolved."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {world.owner_key}"
    api = f"{sim.ilert_url}/api"
    source = world.source(ILERT_SOURCE)
    last: dict[str, Any] = {}
    for number in range(1, alerts + 1):
        body = {"summary": f"Bench alert {number}", "alertSource": {"id": source["id"]}}
        answer = session.post(f"{api}/alerts", json=body, timeout=30)
        assert answer.status_code == 201, answer.text
        last = answer.json()
        if number % 7 == 0:
            session.put(f"{api}/alerts/{last['id']}/resolve", timeout=30).raise_for_status()
        elif number % 4 == 0:
            session.put(f"{api}/alerts/{last['id']}/accept", timeout=30).raise_for_status()
    return last


def _ilert_pages(sim: Simulation, world: World, alerts: int, count: int) -> list[Timing]:
    started = time.perf_counter()
    newest = _seed_alerts(sim, world, alerts)
    print(f"opened {alerts} alerts on {ILERT_SOURCE} in {time.perf_counter() - started:.1f} s")
    base = sim.ilert_url
    admin, responder = requests.Session(), requests.Session()
    admin.post(f"{base}/login", data={"user_id": world.person("ADMIN").ilert_id})
    responder.post(f"{base}/login", data={"user_id": world.person("RESPONDER").ilert_id})
    stranger = requests.Session()
    busy = world.source(ILERT_SOURCE)["id"]
    linked = world.source("New Relic")["id"]
    alert = f"{base}/alerts/{newest['id']}"
    last_page = max(1, -(-alerts // 25))

    def version(url: str, **params: Any) -> str:
        found = re.search(r'data-version="([0-9a-f]+)"', admin.get(url, params=params).text)
        assert found, url
        return found.group(1)

    def poll(url: str, current: str, **params: Any) -> requests.Response:
        return admin.get(f"{url}/updates", params={**params, "v": current}, headers=ILERT_POLL)

    alerts_version = version(f"{base}/alerts")
    source_version = version(f"{base}/alert-sources/{busy}")
    alert_version = version(alert)
    pages: list[tuple[str, Callable[[], requests.Response], tuple[int, ...]]] = [
        ("GET /login  (who to log in as)", lambda: stranger.get(f"{base}/login"), (200,)),
        (
            f"GET /alerts  (open ones of {alerts}, newest 25)",
            lambda: admin.get(f"{base}/alerts"),
            (200,),
        ),
        (
            f"GET /alerts?show=all&page={last_page}  (the oldest)",
            lambda: admin.get(f"{base}/alerts", params={"show": "all", "page": last_page}),
            (200,),
        ),
        (
            "GET /alerts  as the Responder",
            lambda: responder.get(f"{base}/alerts"),
            (200,),
        ),
        (
            "GET /alerts/updates  (nothing new: 204)",
            lambda: poll(f"{base}/alerts", alerts_version),
            (204,),
        ),
        (
            "GET /alerts/updates  (everything new)",
            lambda: poll(f"{base}/alerts", "old"),
            (200,),
        ),
        ("GET /alert-sources", lambda: admin.get(f"{base}/alert-sources"), (200,)),
        (
            f"GET /alert-sources/{ILERT_SOURCE}  ({alerts} alerts)",
            lambda: admin.get(f"{base}/alert-sources/{busy}", params={"tab": "alerts"}),
            (200,),
        ),
        (
            f"GET /alert-sources/{ILERT_SOURCE}?page={last_page}",
            lambda: admin.get(
                f"{base}/alert-sources/{busy}", params={"tab": "alerts", "page": last_page}
            ),
            (200,),
        ),
        (
            "GET /alert-sources/New Relic  (+ the channels)",
            lambda: admin.get(f"{base}/alert-sources/{linked}", params={"tab": "alert-actions"}),
            (200,),
        ),
        (
            f"GET /alert-sources/{ILERT_SOURCE}/updates  (204)",
            lambda: poll(f"{base}/alert-sources/{busy}", source_version),
            (204,),
        ),
        ("GET /alerts/<id>  (an alert page)", lambda: admin.get(alert), (200,)),
        ("GET /alerts/<id>/updates  (204)", lambda: poll(alert, alert_version), (204,)),
        ("GET /alerts/<id>/updates  (everything new)", lambda: poll(alert, "old"), (200,)),
        ("GET /connectors", lambda: admin.get(f"{base}/connectors"), (200,)),
        ("GET /connectors/slack", lambda: admin.get(f"{base}/connectors/slack"), (200,)),
        ("GET /assets/ilert.js", lambda: admin.get(f"{base}/assets/ilert.js"), (200,)),
    ]
    timings = [_time(name, call, count, ok) for name, call, ok in pages]
    create = _time(
        f"POST /alert-sources/{ILERT_SOURCE}/alerts  (Create Alert)",
        lambda: admin.post(
            f"{base}/alert-sources/{busy}/alerts",
            data={"summary": "From the page", "priority": "LOW"},
            allow_redirects=False,
        ),
        max(20, count // 5),
        (302,),
    )
    return [*timings, create]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", choices=("slack", "ilert"), default="")
    args = parser.parse_args(argv)
    results = measure(args.messages, args.requests, alerts=args.alerts, only=args.only)
    print(f"\n{args.requests} requests per page, one at a time, over keep-alive HTTP")
    print(f"target: p95 < {TARGET_MS:.0f} ms")
    for service, timings in results.items():
        print(f"\nfake {service}")
        for timing in timings:
            print(timing.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
