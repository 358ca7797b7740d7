"""The Events API: signed `event_callback` envelopes POSTed to an app's event request URL.

What Slack promises, and so what this does (docs.slack.dev/apis/events-api):
- an app names an event request URL and the bot events it subscribes to; setting the URL runs
  the `url_verification` handshake, and the URL is kept only if the app echoes the challenge;
- an event reaches an app only if it subscribes to that type and its install holds the type's
  scope; events in a channel (messages, reactions, members joining or leaving, and everything
  about a private channel) only if its bot is a member, while a public channel's creation,
  archiving, unarchiving and renaming reach every app of the workspace, as each event's page
  says ("sent to all connections for a workspace", docs.slack.dev/reference/events/channel_rename);
- each envelope carries `token`, `team_id`, `api_app_id`, `event`, `type: event_callback`,
  `event_id`, `event_time`, `authorizations` and `event_context`, signed like every request
  Slack sends (`v0=` HMAC-SHA256 over `v0:{timestamp}:{body}`, with the wall clock);
- the app has three seconds to answer 2xx. Otherwise Slack retries three times: at once, after a
  minute and after five minutes, with `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`
  (`http_timeout`, `connection_failed`, `http_error`, `too_many_redirects`, `unknown_error`); an
  answer carrying `X-Slack-No-Retry: 1` is not retried.

Retries wait on the DOMAIN clock, as fake ilert's webhooks do, so under a virtual clock a retry
fires when a test advances it. Events of one app in one channel are delivered in order: a later
one waits until the earlier one is delivered or given up.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import requests

from emulator.clock import Clock
from emulator.slack.signing import slack_signature

ACK_TIMEOUT = 3.0
RETRY_DELAYS = (0.0, 60.0, 300.0)  # seconds after a failed attempt: at once, 1 min, 5 min

# The bot events fake Slack emits, each with the bot scopes of which one suffices to receive
# it (Slack's event reference lists them per event type). Channel-scoped membership events
# need the scope of the channel's kind; `_scopes_for` picks it.
EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    "message.channels": ("channels:history",),
    "message.groups": ("groups:history",),
    "message.im": ("im:history",),
    "message.mpim": ("mpim:history",),
    "app_mention": ("app_mentions:read",),
    "member_joined_channel": ("channels:read", "groups:read"),
    "member_left_channel": ("channels:read", "groups:read"),
    "reaction_added": ("reactions:read",),
    "reaction_removed": ("reactions:read",),
    "channel_created": ("channels:read",),
    "channel_archive": ("channels:read",),
    "channel_unarchive": ("channels:read",),
    "channel_rename": ("channels:read",),
    "channel_left": ("channels:read",),
    "group_archive": ("groups:read",),
    "group_unarchive": ("groups:read",),
    "group_rename": ("groups:read",),
    "group_left": ("groups:read",),
    "app_uninstalled": (),
    "tokens_revoked": (),
}


def scopes_for(subscription: str, *, private: bool | None = None) -> tuple[str, ...]:
    """The scopes that let an install receive `subscription` (one of them suffices)."""
    if subscription in ("member_joined_channel", "member_left_channel") and private is not None:
        return ("groups:read",) if private else ("channels:read",)
    return EVENT_SCOPES[subscription]


def unknown_subscriptions(names: list[str]) -> list[str]:
    return [name for name in names if name not in EVENT_SCOPES]


def _headers(signing_secret: str, timestamp: str, body: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack_signature(signing_secret, timestamp, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }


def verify_url(
    url: str, *, signing_secret: str, verification_token: str, timestamp: str
) -> str | None:
    """Run Slack's `url_verification` handshake; None if the app echoed the challenge, else why.

    Slack accepts the challenge as the plain-text body, as `application/x-www-form-urlencoded`
    `challenge=…`, or as JSON `{"challenge": …}`; Bolt answers with the JSON form.
    """
    challenge = secrets.token_urlsafe(24)
    body = json.dumps(
        {"token": verification_token, "challenge": challenge, "type": "url_verification"}
    )
    try:
        response = requests.post(
            url,
            data=body.encode(),
            headers=_headers(signing_secret, timestamp, body),
            timeout=ACK_TIMEOUT,
        )
    except requests.Timeout:
        return "the URL did not answer within 3 seconds"
    except requests.RequestException as error:
        return f"the URL could not be reached ({type(error).__name__})"
    if not 200 <= response.status_code < 300:
        return f"the URL answered HTTP {response.status_code}"
    if _echoed(response, challenge):
        return None
    return "the URL did not answer with the challenge"


def _echoed(response: requests.Response, challenge: str) -> bool:
    text = response.text.strip()
    if text == challenge or text == f"challenge={challenge}":
        return True
    with contextlib.suppress(ValueError):
        answer = response.json()
        return isinstance(answer, dict) and answer.get("challenge") == challenge
    return False


@dataclass
class EventDelivery:
    """One envelope for one app, and how its attempts went."""

    id: str  # the envelope's event_id
    seq: int
    app_id: str
    team_id: str
    channel_id: str  # the ordering key; "" for workspace-wide events
    event_type: str
    url: str
    signing_secret: str
    body: str
    next_attempt_at: float
    attempts: int = 0
    status: str = "pending"  # pending, inFlight, delivered, failed
    last_error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.id,
            "app_id": self.app_id,
            "team_id": self.team_id,
            "channel": self.channel_id or None,
            "type": self.event_type,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error or None,
        }


@dataclass
class Attempt:
    """What one POST of an envelope came to."""

    ok: bool
    reason: str = ""  # Slack's retry reason when not ok
    no_retry: bool = False


class EventQueue:
    """A FIFO per (app, channel) and one worker thread, started by the first event."""

    def __init__(
        self, *, clock: Clock, wall: Clock, ack_timeout: float = ACK_TIMEOUT, history: int = 200
    ) -> None:
        self.clock = clock
        self.wall = wall
        self.ack_timeout = ack_timeout
        self._cond = threading.Condition()
        self._queues: dict[tuple[str, str], deque[EventDelivery]] = {}
        self._recent: deque[EventDelivery] = deque(maxlen=history)
        self._seq = 0
        self._in_flight = 0
        self._counts = {"delivered": 0, "failed": 0}
        self._generation = 0  # bumped by reset, so an attempt in flight then is forgotten
        self._closed = False
        self._thread: threading.Thread | None = None
        self._session = requests.Session()

    # -- producer side -----------------------------------------------------------------------

    def enqueue(
        self,
        *,
        event_id: str,
        app_id: str,
        team_id: str,
        channel_id: str,
        event_type: str,
        url: str,
        signing_secret: str,
        body: str,
    ) -> None:
        with self._cond:
            self._seq += 1
            delivery = EventDelivery(
                event_id,
                self._seq,
                app_id,
                team_id,
                channel_id,
                event_type,
                url,
                signing_secret,
                body,
                next_attempt_at=self.clock.now(),
            )
            self._queues.setdefault((app_id, channel_id), deque()).append(delivery)
            self._start()
            self._cond.notify_all()

    def _start(self) -> None:
        if self._thread is None and not self._closed:
            self._thread = threading.Thread(target=self._run, name="fakeslack-events", daemon=True)
            self._thread.start()

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
            thread = self._thread
        if thread is not None:
            thread.join(self.ack_timeout + 1)
        self._session.close()

    # -- inspection --------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        with self._cond:
            queued = [d for q in self._queues.values() for d in q]
            items = sorted([*self._recent, *queued], key=lambda d: d.seq)[-self._recent.maxlen :]
            return {
                "pending": sum(1 for d in queued if d.status == "pending"),
                "in_flight": self._in_flight,
                "delivered": self._counts["delivered"],
                "failed": self._counts["failed"],
                "items": [d.to_json() for d in items],
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

    def _next_due(self, now: float) -> EventDelivery | None:
        heads = [q[0] for q in self._queues.values() if q]
        due = [d for d in heads if d.status == "pending" and d.next_attempt_at <= now]
        return min(due, key=lambda d: d.seq) if due else None

    def _wait_time(self, now: float) -> float | None:
        heads = [q[0].next_attempt_at for q in self._queues.values() if q]
        if not heads:
            return None
        # Capped so a system clock's retry is not missed; a virtual clock wakes us by notify().
        return min(max(min(heads) - now, 0.001), 1.0)

    def _take(self) -> tuple[EventDelivery, int] | None:
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
            attempt = self._send(delivery)
            with self._cond:
                self._in_flight -= 1
                if generation == self._generation:
                    self._settle(delivery, attempt)
                self._cond.notify_all()

    def _send(self, delivery: EventDelivery) -> Attempt:
        timestamp = str(int(self.wall.now()))
        headers = _headers(delivery.signing_secret, timestamp, delivery.body)
        if delivery.attempts:
            headers["X-Slack-Retry-Num"] = str(delivery.attempts)
            headers["X-Slack-Retry-Reason"] = delivery.last_error
        try:
            response = self._session.post(
                delivery.url,
                data=delivery.body.encode(),
                headers=headers,
                timeout=self.ack_timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            return Attempt(False, "http_timeout")
        except requests.ConnectionError:
            return Attempt(False, "connection_failed")
        except requests.RequestException:
            return Attempt(False, "unknown_error")
        if 200 <= response.status_code < 300:
            return Attempt(True)
        reason = "too_many_redirects" if 300 <= response.status_code < 400 else "http_error"
        return Attempt(False, reason, response.headers.get("X-Slack-No-Retry") == "1")

    def _settle(self, delivery: EventDelivery, attempt: Attempt) -> None:
        delivery.attempts += 1
        retries_left = delivery.attempts <= len(RETRY_DELAYS)
        if attempt.ok or attempt.no_retry or not retries_left:
            delivery.status = "delivered" if attempt.ok else "failed"
            delivery.last_error = attempt.reason
            self._counts[delivery.status] += 1
            self._recent.append(delivery)
            key = (delivery.app_id, delivery.channel_id)
            queue = self._queues.get(key)
            if queue and queue[0] is delivery:
                queue.popleft()
            if queue is not None and not queue:
                del self._queues[key]
            return
        delivery.status = "pending"
        delivery.last_error = attempt.reason
        delivery.next_attempt_at = self.clock.now() + RETRY_DELAYS[delivery.attempts - 1]
