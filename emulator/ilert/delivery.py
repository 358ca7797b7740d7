"""The webhook queue: signed POSTs of alert events to the connector, in order per alert, retried.

What an answer means is `outcomes`' (docs/contract.md §4): a permanent refusal is not retried;
anything else that is not a 2xx is retried, waiting at least what a Retry-After header asks.
Retries wait on the DOMAIN clock (1, 2, 4 … 60 s, ten tries), so under a virtual clock a retry
fires only when a test advances it; the worker is woken by `notify()` then. Signatures use the wall
clock, because the connector checks their freshness against its own.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from emulator.clock import Clock
from emulator.ilert.errors import BadRequest
from emulator.ilert.outcomes import Outcome, from_answer, from_failure
from emulator.ilert.tickets import sign_headers

MAX_ATTEMPTS = 10
MAX_BACKOFF = 60.0
SEND_TIMEOUT = 5.0
EVENTS_PATH = "/ilert/events"


@dataclass
class Delivery:
    """One (event, alert action) webhook and how its attempts went."""

    id: str
    seq: int
    account_id: int
    alert_id: int
    action_id: str
    channel: str
    event_type: str
    body: bytes
    next_attempt_at: float
    attempts: int = 0
    status: str = "pending"  # pending, inFlight, delivered, failed
    last_error: str | None = None

    def to_json(self, iso: Callable[[float | None], str | None]) -> dict[str, Any]:
        return {
            "id": self.id,
            "eventType": self.event_type,
            "accountId": self.account_id,
            "alertId": self.alert_id,
            "alertActionId": self.action_id,
            "channel": self.channel,
            "status": self.status,
            "attempts": self.attempts,
            "nextAttemptAt": iso(self.next_attempt_at) if self.status == "pending" else None,
            "lastError": self.last_error,
        }


def parse_export(data: Any) -> dict[str, Any]:
    """An exported queue checked and turned back into deliveries; a 400 names what is wrong."""

    def fail(what: str) -> BadRequest:
        return BadRequest(f"Import: deliveries{what}")

    if not isinstance(data, dict):
        raise fail(" must be an object")
    counts = {}
    for name in ("seq", "delivered", "failed"):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail(f".{name} must be a non-negative integer")
        counts[name] = value
    items = data.get("pending")
    if not isinstance(items, list):
        raise fail(".pending must be a list")
    pending = []
    for i, raw in enumerate(items):
        try:
            delivery = Delivery(
                id=_typed(raw["id"], str),
                seq=_typed(raw["seq"], int),
                account_id=_typed(raw["accountId"], int),
                alert_id=_typed(raw["alertId"], int),
                action_id=_typed(raw["alertActionId"], str),
                channel=_typed(raw["channel"], str),
                event_type=_typed(raw["eventType"], str),
                body=_typed(raw["body"], str).encode(),
                next_attempt_at=float(_typed(raw["nextAttemptAt"], int | float)),
                attempts=_typed(raw["attempts"], int),
                last_error=raw.get("lastError") if isinstance(raw.get("lastError"), str) else None,
            )
        except (KeyError, TypeError, ValueError):
            raise fail(f".pending[{i}] is not a delivery") from None
        pending.append(delivery)
    return {**counts, "pending": pending}


def _typed(value: Any, kind: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"expected {kind}")
    return value


# Called after each attempt, before waiters are told.
OutcomeListener = Callable[["Attempt"], None]


class DeliveryQueue:
    """A FIFO per alert and one worker thread that sends the due heads, oldest first."""

    def __init__(
        self,
        *,
        clock: Clock,
        secret: str,
        url: Callable[[], str],
        on_outcome: OutcomeListener | None = None,
        history: int = 100,
    ) -> None:
        self.clock = clock
        self.secret = secret
        self._url = url
        self._on_outcome = on_outcome
        self._cond = threading.Condition()
        self._queues: dict[tuple[int, int], deque[Delivery]] = {}
        self._recent: deque[Delivery] = deque(maxlen=history)
        self._seq = 0
        self._in_flight = 0
        self._counts = {"delivered": 0, "failed": 0}
        self._generation = 0  # bumped by reset, so an attempt in flight then is forgotten
        self._closed = False
        self._session = requests.Session()
        self._thread = threading.Thread(target=self._run, name="fakeilert-delivery", daemon=True)
        self._thread.start()

    # -- producer side -----------------------------------------------------------------------

    def enqueue(
        self,
        *,
        account_id: int,
        alert_id: int,
        action_id: str,
        channel: str,
        event_type: str,
        body: bytes,
    ) -> Delivery:
        with self._cond:
            self._seq += 1
            delivery = Delivery(
                id="dlv_" + secrets.token_hex(10),
                seq=self._seq,
                account_id=account_id,
                alert_id=alert_id,
                action_id=action_id,
                channel=channel,
                event_type=event_type,
                body=body,
                next_attempt_at=self.clock.now(),
            )
            self._queues.setdefault((account_id, alert_id), deque()).append(delivery)
            self._cond.notify_all()
            return delivery

    def notify(self) -> None:
        """The clock moved: look again at what is due."""
        with self._cond:
            self._cond.notify_all()

    def reset(self) -> None:
        with self._cond:
            self._generation += 1
            self._queues.clear()
            self._recent.clear()
            self._counts = {"delivered": 0, "failed": 0}
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(SEND_TIMEOUT + 1)
        self._session.close()

    # -- export and import -------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """What is still to be delivered (an attempt in flight counts as pending: the connector
        treats a delivery id it has handled as done, so sending it again is safe)."""
        with self._cond:
            queued = sorted((d for q in self._queues.values() for d in q), key=lambda d: d.seq)
            return {
                "seq": self._seq,
                "delivered": self._counts["delivered"],
                "failed": self._counts["failed"],
                "pending": [
                    {
                        "id": d.id,
                        "seq": d.seq,
                        "accountId": d.account_id,
                        "alertId": d.alert_id,
                        "alertActionId": d.action_id,
                        "channel": d.channel,
                        "eventType": d.event_type,
                        "body": d.body.decode(),
                        "nextAttemptAt": d.next_attempt_at,
                        "attempts": d.attempts,
                        "lastError": d.last_error,
                    }
                    for d in queued
                ],
            }

    def restore(self, data: dict[str, Any]) -> None:
        """Replace the queue with an export's (already validated by `parse_export`)."""
        with self._cond:
            self._generation += 1
            self._queues.clear()
            self._recent.clear()
            self._seq = data["seq"]
            self._counts = {"delivered": data["delivered"], "failed": data["failed"]}
            for d in data["pending"]:
                self._queues.setdefault((d.account_id, d.alert_id), deque()).append(d)
            self._cond.notify_all()

    # -- inspection --------------------------------------------------------------------------

    def stats(self, iso: Callable[[float | None], str | None]) -> dict[str, Any]:
        with self._cond:
            queued = [d for q in self._queues.values() for d in q]
            items = sorted([*self._recent, *queued], key=lambda d: d.seq)[-self._recent.maxlen :]
            return {
                "pending": sum(1 for d in queued if d.status == "pending"),
                "inFlight": self._in_flight,
                "failed": self._counts["failed"],
                "delivered": self._counts["delivered"],
                "items": [d.to_json(iso) for d in items],
            }

    def wait(self, timeout: float) -> tuple[bool, int]:
        """Block until nothing is in flight and nothing is due now; (idle, pending)."""
        with self._cond:
            idle = self._cond.wait_for(self._idle, timeout=max(0.0, timeout))
            pending = sum(1 for q in self._queues.values() for d in q if d.status == "pending")
            return bool(idle), pending

    def _idle(self) -> bool:
        return self._in_flight == 0 and self._next_due(self.clock.now()) is None

    # -- worker ------------------------------------------------------------------------------

    def _next_due(self, now: float) -> Delivery | None:
        heads = [q[0] for q in self._queues.values() if q]
        due = [d for d in heads if d.status == "pending" and d.next_attempt_at <= now]
        return min(due, key=lambda d: d.seq) if due else None

    def _wait_time(self, now: float) -> float | None:
        heads = [
            q[0].next_attempt_at for q in self._queues.values() if q and q[0].status == "pending"
        ]
        if not heads:
            return None
        # Capped so a system clock's retry is not missed; a virtual clock wakes us by notify().
        return min(max(min(heads) - now, 0.001), 1.0)

    def _take(self) -> tuple[Delivery, int] | None:
        with self._cond:
            while not self._closed:
                delivery = self._next_due(self.clock.now())
                if delivery is not None:
                    delivery.status = "inFlight"
                    self._in_flight += 1
                    return delivery, self._generation
                self._cond.wait(self._wait_time(self.clock.now()))
            return None

    def _run(self) -> None:
        while (taken := self._take()) is not None:
            delivery, generation = taken
            outcome = self._send(delivery)
            delivery.attempts += 1
            attempt = self._judge(delivery, outcome)
            if self._on_outcome is not None and generation == self._generation:
                # A failing log entry must never stop the queue.
                with contextlib.suppress(Exception):
                    self._on_outcome(attempt)
            with self._cond:
                self._in_flight -= 1
                if generation == self._generation:
                    self._settle(attempt)
                self._cond.notify_all()

    def _send(self, delivery: Delivery) -> Outcome:
        base = self._url().rstrip("/")
        if not base:
            return Outcome(delivered=False, reason="no connector URL is configured")
        headers = {
            "Content-Type": "application/json",
            "X-Ilert-Delivery": delivery.id,
            **sign_headers(self.secret, delivery.body),
        }
        try:
            response = self._session.post(
                base + EVENTS_PATH,
                data=delivery.body,
                headers=headers,
                timeout=SEND_TIMEOUT,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            return from_failure(error, SEND_TIMEOUT)
        answer_headers = {k.lower(): v for k, v in response.headers.items()}
        return from_answer(response.status_code, answer_headers, response.content)

    @staticmethod
    def _backoff(attempts: int) -> float:
        return min(MAX_BACKOFF, 2.0 ** (attempts - 1))

    def _judge(self, delivery: Delivery, outcome: Outcome) -> Attempt:
        """Whether the delivery is done, and if not how long it waits before the next try."""
        if not outcome.retried or delivery.attempts >= MAX_ATTEMPTS:
            return Attempt(delivery, outcome, wait=None, now=self.clock.now())
        wait = max(self._backoff(delivery.attempts), outcome.retry_after or 0.0)
        return Attempt(delivery, outcome, wait=wait, now=self.clock.now())

    def _settle(self, attempt: Attempt) -> None:
        delivery, outcome = attempt.delivery, attempt.outcome
        queue = self._queues.get((delivery.account_id, delivery.alert_id))
        if attempt.wait is None:
            delivery.status = "delivered" if outcome.delivered else "failed"
            delivery.last_error = None if outcome.delivered else outcome.reason
            self._counts[delivery.status] += 1
            self._recent.append(delivery)
            if queue and queue[0] is delivery:
                queue.popleft()
            if queue is not None and not queue:
                del self._queues[(delivery.account_id, delivery.alert_id)]
            return
        delivery.status = "pending"
        delivery.last_error = outcome.reason
        delivery.next_attempt_at = attempt.now + attempt.wait


@dataclass(frozen=True)
class Attempt:
    """One attempt of a delivery, judged: `wait` is None when the delivery is done (delivered,
    refused for good, or out of tries), else the seconds until the next try."""

    delivery: Delivery
    outcome: Outcome
    wait: float | None
    now: float

    @property
    def retry_at(self) -> float | None:
        return None if self.wait is None else self.now + self.wait

    def describe(self) -> str:
        """The alert log's entry for this attempt."""
        target = f"#{self.delivery.channel} ({self.delivery.event_type})"
        if self.outcome.delivered:
            return f"Slack connector notified {target}"
        failed = f"Slack connector could not notify {target}: {self.outcome.reason}"
        if self.outcome.permanent:
            return f"{failed}; not retried"
        if self.wait is None:
            return f"{failed}; gave up after {self.delivery.attempts} attempts"
        return (
            f"{failed}; attempt {self.delivery.attempts} of {MAX_ATTEMPTS}, retrying in "
            f"{self.wait:g} s"
        )
