"""What the resilience tests share: a linked world, alerts living their lives, fault rules, and
the check of the exactly-once guarantee (DESIGN.md, "Exactly once") against ilert's own record.

Everything here speaks HTTP through the harness's driver, so the same checks hold for the
in-process connector and for one running as its own process.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from harness.driver import (
    DriverError,
    IlertControl,
    SlackControl,
    button_labels,
    visible_text,
)
from harness.seed import Person, World, build_world
from harness.simulation import Simulation

Json = dict[str, Any]

SOURCE = "New Relic"
CHANNELS = ("ops-alerts", "incidents")
ALERT_METADATA = "ilert_alert"
REPLY_METADATA = "ilert_alert_update"
# What each published update says in the thread (the guide's notes, FAQ-2); events without a
# note (alert-created) only change the message.
NOTE_WORDS = {
    "alert-assigned": "Assigned to",
    "alert-auto-escalated": "Escalated",
    "alert-acknowledged": "Accepted",
    "alert-resolved": "Resolved",
}
STATUS_LABEL = {"PENDING": "Pending", "ACCEPTED": "Accepted", "RESOLVED": "Resolved"}
BUTTONS = {"PENDING": ["Accept", "Resolve"], "ACCEPTED": ["Resolve"], "RESOLVED": []}
SUCCESS_LOG = "AlertActionSuccessLogEntry"
FAIL_LOG = "AlertActionFailLogEntry"
ATTEMPT = re.compile(r"attempt (\d+) of \d+")


# --- the world --------------------------------------------------------------------------------


@dataclass
class Stage:
    """A linked world: one source published to `channels`, with the people who act on alerts."""

    sim: Simulation
    world: World
    ilert: IlertControl
    slack: SlackControl
    source: Json
    channels: dict[str, str]  # name -> channel id
    alerts: list[int] = field(default_factory=list)
    # Held while the connector is down: ilert's clock then stands still, as its real backoff
    # (minutes) outlasts a restart (a second), instead of spending ilert's ten tries at once.
    clock_gate: threading.Lock = field(default_factory=threading.Lock)

    def advance_clock(self, seconds: float) -> None:
        with self.clock_gate:
            self.ilert.advance_clock(seconds)

    @property
    def admin(self) -> Person:
        return self.world.person("ADMIN")


def link_world(sim: Simulation, *, seed: int, channels: tuple[str, ...] = CHANNELS) -> Stage:
    """Seed, authorize the workspace and link the source to each channel with `/ilert`, as the
    Admin does; nothing is faulty yet."""
    from harness.driver import authorize_workspace

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
    source = world.source(SOURCE)
    linked = {}
    for name in channels:
        channel_id = world.channel(name)["id"]
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
    return Stage(sim, world, ilert, slack, source, linked)


# --- faults -----------------------------------------------------------------------------------

# Eight rules on every Web API method, each striking 2.75% of the calls it sees: together about
# one call in five. Half strike before the effect (nothing happens), half after it (the effect
# happened, the answer is lost or wrong).
FAULT_KINDS: tuple[Json, ...] = (
    {"status": 500, "error": "internal_error", "when": "before"},
    {"status": 429, "retry_after": 1, "when": "before"},
    {"drop_connection": True, "when": "before"},
    {"latency_ms": 40, "when": "before"},
    {"status": 500, "error": "internal_error", "when": "after"},
    {"status": 429, "retry_after": 1, "when": "after"},
    {"drop_connection": True, "when": "after"},
    {"latency_ms": 40, "when": "after"},
)


def rule_probability(share: float, rules: int = len(FAULT_KINDS)) -> float:
    """Each rule's probability so that `rules` independent rules strike `share` of the calls."""
    return 1 - (1 - share) ** (1 / rules)


def inject_faults(slack: SlackControl, share: float = 0.20) -> None:
    probability = round(rule_probability(share), 5)
    for kind in FAULT_KINDS:
        slack.add_fault(method="*", probability=probability, **kind)


def faults_struck(slack: SlackControl) -> Counter[str]:
    """How often each kind of fault struck, from fake Slack's rules."""
    answer = slack.http.get(f"{slack.url}/_sim/faults", timeout=10).json()
    struck: Counter[str] = Counter()
    for rule in answer["faults"]:
        effect = "latency" if rule["latency_ms"] else "drop" if rule["drop_connection"] else ""
        effect = effect or str(rule["status"])
        struck[f"{effect} {rule['when']}"] += rule["struck"]
    return struck


# --- alerts living their lives -----------------------------------------------------------------


def create_alerts(
    stage: Stage, count: int, *, rng: random.Random, prefix: str = "Alert"
) -> list[int]:
    """Half through ilert's REST API, half through the events API with the source's key."""
    created = []
    for n in range(count):
        summary = f"{prefix} {n}: {rng.choice(SYMPTOMS)}"
        if n % 2:
            response = stage.ilert.send_event(
                {
                    "integrationKey": stage.source["integrationKey"],
                    "eventType": "ALERT",
                    "summary": summary,
                    "alertKey": f"{prefix}-{n}",
                }
            )
            assert response.status_code == 202, response.text
            alert_id = int(response.json()["alertUrl"].rstrip("/").rsplit("/", 1)[-1])
        else:
            alert = stage.ilert.call(
                "POST",
                "/alerts",
                key=stage.world.owner_key,
                json={"summary": summary, "alertSource": {"id": stage.source["id"]}},
            )
            alert_id = alert["id"]
        created.append(alert_id)
    stage.alerts.extend(created)
    return created


SYMPTOMS = (
    "Checkout latency above 2s",
    "Replica lag over 30s",
    "Disk 95% full on db-2",
    "5xx rate above 1%",
    "Queue depth growing",
    "Certificate expires in 3 days",
)


def assign(stage: Stage, alert_id: int, person: Person) -> None:
    stage.ilert.call(
        "PUT",
        f"/alerts/{alert_id}/assign",
        key=stage.admin.api_key,
        params={"user-id": person.ilert_id},
    )


def act_by_api(stage: Stage, alert_id: int, verb: str) -> None:
    """Accept or resolve through ilert's API, as the Admin."""
    response = stage.ilert.api("PUT", f"/alerts/{alert_id}/{verb}", key=stage.admin.api_key)
    # Accepting a resolved alert is refused (400); anything else must succeed.
    assert response.status_code in (200, 400), response.text


def message_refs(stage: Stage, channel_id: str) -> dict[int, str]:
    """alert id -> ts of its message in the channel."""
    refs = {}
    for message in stage.slack.messages(channel_id):
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == ALERT_METADATA:
            refs[int(metadata["event_payload"]["alertId"])] = message["ts"]
    return refs


def alert_status(stage: Stage, alert_id: int) -> str:
    return stage.ilert.call("GET", f"/alerts/{alert_id}", key=stage.world.owner_key)["status"]


def click_until(
    stage: Stage,
    *,
    alert_id: int,
    channel_id: str,
    ts: str,
    person: Person,
    label: str,
    wanted: str,
    tries: int = 10,
) -> int:
    """Click `label` until ilert shows `wanted` (a fault may spoil a click, or the connector may
    be down, or killed after its ack, as for a person who then clicks again); the number of
    clicks it took. After each click the person looks for the outcome a while (the connector
    acknowledges at once and acts after)."""

    def took() -> bool:
        return alert_status(stage, alert_id) in (wanted, "RESOLVED")

    for attempt in range(1, tries + 1):
        answer = stage.slack.click(
            channel_id=channel_id, message_ts=ts, user_id=person.slack_id, label=label, wait=False
        )
        assert answer.get("status", 200) < 500, answer
        try:
            wait_for(took, timeout=1.0 + attempt, message=f"{label} on alert {alert_id}")
        except DriverError:
            continue
        return attempt
    raise AssertionError(f"{label} on alert {alert_id} did not take after {tries} clicks")


def settle(stage: Stage, rounds: int = 60) -> None:
    """Until ilert has delivered everything, moving the virtual clock past each backoff."""
    for _ in range(rounds):
        answer = stage.ilert.http.post(
            f"{stage.ilert.url}/_sim/deliveries/wait", json={"timeout": 10}, timeout=15
        ).json()
        if answer.get("idle") and not answer.get("pending"):
            return
        stage.advance_clock(60)
    raise DriverError(f"ilert's deliveries still pending after {rounds} rounds: {answer}")


def live(stage: Stage, count: int, *, rng: random.Random, prefix: str = "Alert") -> list[int]:
    """`count` alerts live their lives: created, some assigned, the rest escalated by the clock,
    most accepted (in Slack or through ilert), most resolved; the final states vary."""
    alerts = create_alerts(stage, count, rng=rng, prefix=prefix)
    settle(stage)
    people = [stage.world.person(r) for r in ("ADMIN", "USER", "RESPONDER")]
    for alert_id in alerts:
        if rng.random() < 0.35:
            assign(stage, alert_id, rng.choice(people))
    settle(stage)
    # The first rule's 15 minutes pass: every alert still on the policy escalates.
    stage.advance_clock(15 * 60)
    settle(stage)
    finish(stage, alerts, rng=rng)
    settle(stage)
    return alerts


def finish(stage: Stage, alerts: list[int], *, rng: random.Random) -> None:
    """Accept about 80% and resolve about 70%, half of each by a click in Slack."""
    people = [stage.world.person(r) for r in ("ADMIN", "USER", "RESPONDER")]
    channel_name = next(iter(stage.channels))
    channel_id = stage.channels[channel_name]
    refs = message_refs(stage, channel_id)
    for alert_id in alerts:
        for verb, label, share, wanted in (
            ("accept", "Accept", 0.8, "ACCEPTED"),
            ("resolve", "Resolve", 0.7, "RESOLVED"),
        ):
            if rng.random() >= share:
                continue
            if rng.random() < 0.5 and alert_id in refs:
                click_until(
                    stage,
                    alert_id=alert_id,
                    channel_id=channel_id,
                    ts=refs[alert_id],
                    person=rng.choice(people),
                    label=label,
                    wanted=wanted,
                )
            else:
                act_by_api(stage, alert_id, verb)


# --- the guarantee ---------------------------------------------------------------------------


@dataclass
class Checked:
    """What one check looked at."""

    messages: int = 0
    replies: int = 0
    retries: int = 0
    deliveries: int = 0
    # How many deliveries failed their first, second, ... attempt: the tail shows how far the
    # run stayed from ilert's last try.
    failed_attempts: Counter[int] = field(default_factory=Counter)

    @property
    def most_attempts(self) -> int:
        """The most tries any one delivery took."""
        return 1 + max(self.failed_attempts, default=0)


def log_entries(stage: Stage, alert_id: int) -> list[Json]:
    entries: list[Json] = []
    while True:
        page = stage.ilert.call(
            "GET",
            f"/alerts/{alert_id}/log-entries",
            key=stage.world.owner_key,
            params={"start-index": len(entries), "max-results": 100},
        )
        entries.extend(page)
        if len(page) < 100:
            return entries


def delivered_events(entries: list[Json], channel_name: str) -> list[str]:
    """The event types ilert delivered to one channel, in order: its success log entries."""
    marker = f"#{channel_name} ("
    found = []
    for entry in entries:
        if entry["logEntryType"] == SUCCESS_LOG and marker in entry["text"]:
            found.append(entry["text"].split(marker, 1)[1].split(")", 1)[0])
    return found


def person_name(user: Json | None) -> str:
    if not user:
        return "nobody"
    return f"{user.get('firstName', '')} {user.get('lastName', '')}".strip()


def check_guarantee(stage: Stage, alerts: list[int] | None = None) -> Checked:
    """Every linked channel has exactly one message per alert, showing the alert as ilert has it,
    and a thread with one note per delivered update, in ilert's order, none twice."""
    alerts = stage.alerts if alerts is None else alerts
    queue = stage.ilert.http.get(f"{stage.ilert.url}/_sim/deliveries", timeout=10).json()
    gave_up = [item for item in queue["items"] if item["status"] == "failed"]
    assert queue["failed"] == 0, f"ilert gave up on {queue['failed']} deliveries: {gave_up}"
    assert queue["pending"] == 0 and queue["inFlight"] == 0, queue
    checked = Checked()
    problems: list[str] = []
    by_channel = {
        name: _alert_messages(stage, channel_id) for name, channel_id in stage.channels.items()
    }
    for alert_id in alerts:
        alert = stage.ilert.call("GET", f"/alerts/{alert_id}", key=stage.world.owner_key)
        entries = log_entries(stage, alert_id)
        failures = [e["text"] for e in entries if e["logEntryType"] == FAIL_LOG]
        checked.retries += len(failures)
        checked.failed_attempts.update(_attempt_numbers(failures))
        for name, messages in by_channel.items():
            mine = messages.get(alert_id, [])
            if len(mine) != 1:
                problems.append(f"alert {alert_id} has {len(mine)} messages in #{name}")
                continue
            checked.messages += 1
            events = delivered_events(entries, name)
            checked.deliveries += len(events)
            problems += _check_message(alert, mine[0], events, name)
            checked.replies += len(mine[0]["replies"])
    extra = {a for messages in by_channel.values() for a in messages} - set(stage.alerts)
    if extra:
        problems.append(f"messages for alerts nobody created: {sorted(extra)[:10]}")
    assert not problems, f"{len(problems)} problems, first ones:\n" + "\n".join(problems[:20])
    return checked


def _attempt_numbers(failures: list[str]) -> list[int]:
    """The attempt numbers of ilert's "attempt N of M" failure entries."""
    return [int(m.group(1)) for text in failures if (m := ATTEMPT.search(text))]


def _alert_messages(stage: Stage, channel_id: str) -> dict[int, list[Json]]:
    found: dict[int, list[Json]] = {}
    for message in stage.slack.messages(channel_id):
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == ALERT_METADATA and not message.get("ephemeral_to"):
            found.setdefault(int(metadata["event_payload"]["alertId"]), []).append(message)
    return found


def _check_message(alert: Json, message: Json, events: list[str], channel: str) -> list[str]:
    where = f"alert {alert['id']} in #{channel}"
    problems = []
    text = visible_text(message)
    title = f"[{STATUS_LABEL[alert['status']]}] {alert['summary']}"
    if f"|{title}>" not in text:
        problems.append(f"{where} reads {text.splitlines()[0]!r}, ilert says {title!r}")
    assignee = person_name(alert.get("assignedTo"))
    if f"Assigned to *{assignee}*" not in text:
        problems.append(f"{where} is not shown assigned to {assignee}: {text!r}")
    if button_labels(message) != BUTTONS[alert["status"]]:
        problems.append(f"{where} has buttons {button_labels(message)} for {alert['status']}")
    if not events or events[0] != "alert-created":
        problems.append(f"{where}: ilert delivered {events}, not alert-created first")
    expected = [NOTE_WORDS[e] for e in events if e in NOTE_WORDS]
    replies = message["replies"]
    deliveries = [
        ((r.get("metadata") or {}).get("event_payload") or {}).get("deliveryId") for r in replies
    ]
    if len(set(deliveries)) != len(deliveries):
        problems.append(f"{where}: a delivery is told twice in the thread: {deliveries}")
    said = [visible_text(r) for r in replies]
    if len(said) != len(expected) or not all(
        words in note for words, note in zip(expected, said, strict=False)
    ):
        problems.append(f"{where}: thread {said} but ilert delivered {events}")
    return problems


def wait_for(condition: Any, *, timeout: float, message: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise DriverError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(0.05)


# --- the connector as its own process ----------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ConnectorProcess:
    """`python -m connector` on a fixed port with the simulation's settings; killed with SIGKILL
    and started again on the same port and SQLite file, as a crash and a supervisor would."""

    def __init__(self, config: Any, port: int, log_path: str) -> None:
        self.config = config
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process: Any = None
        self.starts = 0

    def command(self) -> list[str]:
        import sys

        c = self.config
        return [
            sys.executable,
            "-m",
            "connector",
            "--port",
            str(self.port),
            "--slack-url",
            c.slack_url,
            "--ilert-url",
            c.ilert_url,
            "--public-url",
            c.public_url,
            "--client-id",
            c.client_id,
            "--client-secret",
            c.client_secret,
            "--signing-secret",
            c.signing_secret,
            "--ilert-secret",
            c.ilert_secret,
            "--database",
            c.database_path,
            "--slack-time-scale",
            str(c.slack_time_scale),
        ]

    def start(self, timeout: float = 30.0) -> None:
        import subprocess

        import requests

        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.starts += 1

        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the connector exited: see {self.log_path}")
            try:
                return requests.get(self.url, timeout=1).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(ready, timeout=timeout, message=f"the connector on {self.url}")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a crash."""
        import signal

        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except Exception:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        with open(self.log_path) as log:
            return "".join(log.readlines()[-lines:])


# --- watching every answer ---------------------------------------------------------------------


class StatusLog:
    """Records the status of every answer an in-process emulator gives (WSGI middleware), so a
    test can say "no 5xx anywhere", including to the connector's own calls."""

    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self._lock = threading.Lock()

    def watch(self, flask_app: Any, name: str) -> None:
        inner = flask_app.wsgi_app

        def recorded(environ: Json, start_response: Any) -> Any:
            def start(status: str, headers: Any, *rest: Any) -> Any:
                code = int(status.split(" ", 1)[0])
                with self._lock:
                    self.statuses[code] += 1
                    if code >= 500:
                        where = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
                        self.server_errors.append(f"{name}: {status} for {where}")
                return start_response(status, headers, *rest)

            return inner(environ, start)

        flask_app.wsgi_app = recorded

    def watch_emulators(self, sim: Simulation) -> StatusLog:
        self.watch(sim.fake_slack.app, "fake Slack")
        self.watch(sim.fake_ilert.app, "fake ilert")
        return self

    def note(self, name: str, status: int, what: str) -> None:
        """An answer seen from outside (the connector's, to a test that called it)."""
        with self._lock:
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append(f"{name}: {status} for {what}")


def add_people(
    stage: Stage, count: int, *, channel_id: str, role: str = "RESPONDER"
) -> list[Person]:
    """`count` more people, in ilert (with `role`) and in Slack with the same e-mail, in the
    channel."""
    people = []
    for n in range(count):
        email = f"oncall.{n}@{stage.world.team_domain}.example"
        created = stage.ilert.create_user(
            stage.world.account_id,
            firstName="Oncall",
            lastName=f"Person{n}",
            email=email,
            role=role,
        )
        slack_user = stage.slack.create_user(
            stage.world.team_id, name=f"oncall.{n}", email=email, real_name=f"Oncall Person{n}"
        )
        stage.slack.invite(channel_id, slack_user["id"])
        people.append(
            Person(
                role=role,
                name=f"Oncall Person{n}",
                email=email,
                ilert_id=created["user"]["id"],
                api_key=created["apiKey"],
                slack_id=slack_user["id"],
            )
        )
    return people
