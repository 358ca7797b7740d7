"""ilert's alert events turned into Slack: one message per alert and channel, updated in place,
each update also told once in the message's thread (FAQ-2).

Slack's chat.postMessage has no idempotency key, so exactly-once is the connector's job (REL-1):
a delivery id already handled is acknowledged without effect; before an effect whose earlier
attempt never ended (a lost answer, a restart), the connector looks for its own message in the
channel, found by the message metadata it tags everything with, instead of posting again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    FixedValueRetryIntervalCalculator,
    RetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

from connector import blocks
from connector.ids import ilert_id
from connector.ilert_client import IlertApiError, IlertClient
from connector.pacing import Pacer
from connector.store import AlertMessage, ConnectorStore

log = logging.getLogger(__name__)
Json = dict[str, Any]

# Slack errors worth a retry from ilert; anything else will fail the same way next time.
_TRANSIENT = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
}
_REAUTHORIZE = "re-authorize the Slack workspace on ilert's Connectors page"
# Slack's reasons, for the person reading the alert's log in ilert (Slack's error codes:
# https://docs.slack.dev/reference/methods/chat.postMessage#errors).
_SLACK_REASONS = {
    "channel_not_found": "Slack cannot find the channel: it was deleted, or it is private and "
    "the ilert app was never invited to it.",
    "not_in_channel": "The ilert app is not a member of the channel; invite it to the channel.",
    "is_archived": "The channel is archived; unarchive it or publish to another channel.",
    "missing_scope": f"The ilert app lacks a permission it needs here; {_REAUTHORIZE}.",
    "account_inactive": f"The ilert app's installation in Slack was deactivated; {_REAUTHORIZE}.",
    "invalid_auth": f"Slack no longer accepts the ilert app's token; {_REAUTHORIZE}.",
    "token_revoked": f"The ilert app was removed from the Slack workspace; {_REAUTHORIZE}.",
    "restricted_action": "The workspace's settings do not let the ilert app post in the channel.",
    "ratelimited": "Slack asked the ilert app to slow down; ilert will try again.",
}
# Slack's refusals of a channel the bot is not in: they end when someone invites it.
OUTSIDE_THE_CHANNEL = ("channel_not_found", "not_in_channel")
# Calls that end in the same state however often they are made: a lost answer or a Slack 5xx is
# worth trying again at once instead of failing the whole delivery. chat.postMessage is not one:
# repeated after a lost answer it would post twice, so its failures go back to ilert.
REPEATABLE = frozenset(
    {
        "chat.update",
        "conversations.history",
        "conversations.replies",
        "conversations.info",
        "conversations.join",
    }
)
REPEATS = 2
# slack_sdk's own first interval (BackoffRetryIntervalCalculator's factor), at Slack's time scale.
REPEAT_INTERVAL_S = 0.5
REPLY_METADATA_TYPE = "ilert_alert_update"
REPOSTED_NOTE = (
    ":recycle: The message of this alert was deleted, so it is posted again here; "
    "updates continue in this thread."
)


@dataclass(frozen=True)
class Outcome:
    """What the event endpoint answers ilert (docs/contract.md, point 4): a 2xx acknowledges; a
    4xx other than 408 and 429 is a refusal ilert does not retry; anything else is retried, no
    sooner than `retry_after` seconds when that is given."""

    status: int
    body: Json
    retry_after: int | None = None

    @classmethod
    def refused(
        cls, status: int, error: str, message: str, *, retry_after: int | None = None
    ) -> Outcome:
        return cls(status, {"ok": False, "error": error, "message": message}, retry_after)


ACKNOWLEDGED = Outcome(200, {"ok": True})
DUPLICATE = Outcome(200, {"ok": True, "duplicate": True})
MALFORMED_EVENT = Outcome.refused(
    400, "malformed_event", "The event does not have the shape of docs/contract.md, point 4."
)


@dataclass(frozen=True)
class Target:
    """Where one alert action publishes: a channel of the linked workspace and the bot's
    clients, `slack` that makes each call once and `repeating` for the calls in REPEATABLE."""

    slack: WebClient
    repeating: WebClient
    team_id: str
    channel_id: str
    alert_action_id: str


class Notifier:
    def __init__(
        self,
        *,
        store: ConnectorStore,
        installations: SQLite3InstallationStore,
        slack_api_url: str,
        ilert_url: str,
        pacer: Pacer,
    ) -> None:
        self.store = store
        self.installations = installations
        self.slack_api_url = slack_api_url
        self.ilert_url = ilert_url
        self.pacer = pacer
        self._repeats = _repeat_handlers(pacer.time_scale)
        # One keep-alive session to ilert per server thread: a new TCP connection per event
        # cost as much as the request itself.
        self._sessions = threading.local()

    def _ilert_session(self) -> requests.Session:
        session = getattr(self._sessions, "session", None)
        if session is None:
            session = self._sessions.session = requests.Session()
        return session

    def handle(self, delivery_id: str, event: Json) -> Outcome:
        if self.store.was_handled(delivery_id):
            return DUPLICATE
        if not _well_formed(event):
            return MALFORMED_EVENT
        alert, action = event["alert"], event["alertAction"]
        params = action["params"]
        event_type, account_id = event["eventType"], int(event["accountId"])
        alert_id, channel_id = int(alert["id"]), params["channelId"]
        link = self.store.link_for_account(account_id)
        if link is None:
            return Outcome.refused(
                404, "account_not_linked", "No Slack workspace is linked to this ilert account."
            )
        if params.get("teamId") not in (None, link.team_id):
            # An account publishes only into its own workspace (SEC-2).
            return Outcome.refused(
                403,
                "workspace_not_linked_to_account",
                "The alert action names a Slack workspace that is not linked to this account.",
            )
        bot = self.installations.find_bot(enterprise_id=None, team_id=link.team_id)
        if bot is None:
            return Outcome.refused(
                404, "not_installed", f"The ilert app is not installed in Slack; {_REAUTHORIZE}."
            )
        target = Target(
            WebClient(token=bot.bot_token, base_url=self.slack_api_url, retry_handlers=[]),
            WebClient(
                token=bot.bot_token, base_url=self.slack_api_url, retry_handlers=self._repeats
            ),
            link.team_id,
            channel_id,
            str(action["id"]),
        )
        ilert = IlertClient(self.ilert_url, link.integration_key, session=self._ilert_session())
        try:
            # Clicks and events of one alert may arrive together; its effects go one by one.
            with self.store.alert_lock(alert_id):
                # A retry of this delivery may have waited here while an earlier try finished it.
                if self.store.was_handled(delivery_id):
                    return DUPLICATE
                current = self._current(alert, ilert)
                self._publish(target, delivery_id, event_type, current, event.get("actor"))
                # The delivery and its thread note end in one transaction: a crash between the
                # two would let a retry tell the update a second time.
                self.store.mark_handled(delivery_id, ending=_reply_effect(delivery_id))
        except SlackApiError as failure:
            error = failure.response.get("error")
            log.warning("Slack refused %s for alert %s: %s", event_type, alert_id, error)
            if error in OUTSIDE_THE_CHANNEL:
                # Posted once the bot is invited (connector.listeners.events).
                self.store.note_missed(alert_id, target.alert_action_id, link.team_id, channel_id)
            return slack_refusal(failure)
        except OSError as failure:
            log.warning("Slack unreachable for %s of alert %s: %s", event_type, alert_id, failure)
            return Outcome.refused(
                503, "slack_unreachable", "Slack could not be reached; ilert will try again."
            )
        return ACKNOWLEDGED

    def _current(self, alert: Json, ilert: IlertClient) -> Json:
        """The alert as it is now: events may be delivered late, the message should not lag."""
        try:
            current = ilert.alert(int(alert["id"]))
        except (IlertApiError, OSError, ValueError):
            return alert
        # ilert's answer is read as warily as its event: only the same alert, whole, replaces it.
        same = isinstance(current, dict) and current.get("id") == alert["id"]
        return current if same and _is_alert(current) else alert

    def _publish(
        self, target: Target, delivery_id: str, event_type: str, alert: Json, actor: Json | None
    ) -> None:
        content = blocks.alert_message(alert, alert_action_id=target.alert_action_id)
        alert_id = int(alert["id"])
        note = blocks.update_note(event_type, alert, actor)
        message, posted_now = self._ensure_message(target, alert_id, content)
        if not posted_now and not self._update(target, message, content):
            # Someone deleted the alert's message: post it again, so that the channel keeps
            # following the alert, and say why in its thread.
            message, posted_now = self._post_message(target, alert_id, content)
            if not posted_now:
                self._update(target, message, content)
            note = "\n".join(filter(None, (REPOSTED_NOTE, note)))
        if note:
            self._ensure_reply(target, message, delivery_id, note)

    def _update(self, target: Target, message: AlertMessage, content: Json) -> bool:
        """Update the alert's message in place; False when it is no longer there."""
        try:
            self._call(target, "chat.update", channel=message.channel_id, ts=message.ts, **content)
        except SlackApiError as failure:
            if failure.response.get("error") == "message_not_found":
                return False
            raise
        return True

    def _ensure_message(
        self, target: Target, alert_id: int, content: Json
    ) -> tuple[AlertMessage, bool]:
        """The alert's message in the channel, posting it only if it is really not there."""
        existing = self.store.alert_message(alert_id, target.alert_action_id)
        if existing is not None:
            return existing, False
        return self._post_message(target, alert_id, content)

    def _post_message(
        self, target: Target, alert_id: int, content: Json
    ) -> tuple[AlertMessage, bool]:
        """Post the alert's message and record it as the alert's, unless an earlier attempt
        whose answer was lost already posted it (then that message is recorded, and False)."""
        effect = f"post:{alert_id}:{target.alert_action_id}"
        if self.store.begin_effect(effect):
            found = self._find_message(target, alert_id)
            if found is not None:
                self.store.save_alert_message(found)
                self.store.end_effect(effect)
                return found, False
        self._join(target)
        posted = self._call(target, "chat.postMessage", channel=target.channel_id, **content)
        message = AlertMessage(
            alert_id, target.alert_action_id, target.team_id, target.channel_id, posted["ts"]
        )
        self.store.save_alert_message(message)
        self.store.end_effect(effect)
        return message, True

    def _ensure_reply(
        self, target: Target, message: AlertMessage, delivery_id: str, note: str
    ) -> None:
        # The effect stays open until the delivery is marked handled (see `handle`).
        if self.store.begin_effect(_reply_effect(delivery_id)) and self._find_reply(
            target, message, delivery_id
        ):
            return
        self._call(
            target,
            "chat.postMessage",
            channel=message.channel_id,
            thread_ts=message.ts,
            text=note,
            metadata={
                "event_type": REPLY_METADATA_TYPE,
                "event_payload": {"deliveryId": delivery_id},
            },
        )

    def _find_message(self, target: Target, alert_id: int) -> AlertMessage | None:
        wanted = {"alertId": alert_id, "alertActionId": target.alert_action_id}
        for page in self._pages(
            target,
            "conversations.history",
            channel=target.channel_id,
            include_all_metadata=True,
            limit=200,
        ):
            for message in page["messages"]:
                metadata = message.get("metadata") or {}
                if (
                    metadata.get("event_type") == blocks.MESSAGE_METADATA_TYPE
                    and metadata.get("event_payload") == wanted
                ):
                    return AlertMessage(
                        alert_id,
                        target.alert_action_id,
                        target.team_id,
                        target.channel_id,
                        message["ts"],
                    )
        return None

    def _find_reply(self, target: Target, message: AlertMessage, delivery_id: str) -> bool:
        for page in self._pages(
            target,
            "conversations.replies",
            channel=message.channel_id,
            ts=message.ts,
            include_all_metadata=True,
            limit=200,
        ):
            for reply in page["messages"]:
                payload = (reply.get("metadata") or {}).get("event_payload") or {}
                if payload.get("deliveryId") == delivery_id:
                    return True
        return False

    def _pages(self, target: Target, method: str, **args: Any) -> Any:
        """Each page of a paginated read; nothing when the bot may not read the channel."""
        self.pacer.pace(target.team_id, method)
        try:
            yield from _method(target.repeating, method)(**args)
        except SlackApiError as failure:
            if failure.response.get("error") not in (
                "not_in_channel",
                "missing_scope",
                "thread_not_found",
            ):
                raise

    def _join(self, target: Target) -> None:
        """Join a public channel once, so the bot can read its own messages back later."""
        if self.store.has_joined(target.team_id, target.channel_id):
            return
        try:
            self._call(target, "conversations.join", channel=target.channel_id)
        except SlackApiError as failure:
            if _transient(failure):
                # Not joined yet: marking it would leave the bot blind to its own messages, and
                # every later look for them would find nothing and post again.
                raise
            # Private channels cannot be joined (the bot is invited); old installs lack the scope.
            log.info("not joining %s: %s", target.channel_id, failure.response.get("error"))
        self.store.mark_joined(target.team_id, target.channel_id)

    def _call(self, target: Target, method: str, **args: Any) -> Any:
        self.pacer.pace(target.team_id, method, args.get("channel"))
        client = target.repeating if method in REPEATABLE else target.slack
        return _method(client, method)(**args)


# The contract's types for what an event must carry (docs/contract.md, point 4); the message is
# built from the alert's fields when ilert cannot be asked for the alert as it is now.
_ALERT_FIELDS = {"status": str, "summary": str, "alertUrl": str}


def _well_formed(event: Json) -> bool:
    alert, action = event.get("alert"), event.get("alertAction")
    if not (isinstance(alert, dict) and isinstance(action, dict)):
        return False
    params = action.get("params")
    return (
        _is_text(event.get("eventType"))
        and _is_id(event.get("accountId"))
        and _is_alert(alert)
        and isinstance(event.get("actor"), dict | None)
        and (_is_id(action.get("id")) or _is_text(action.get("id")))
        and isinstance(params, dict)
        and _is_text(params.get("channelId"))
        and (params.get("teamId") is None or _is_text(params.get("teamId")))
    )


def _is_alert(alert: Json) -> bool:
    return (
        _is_id(alert.get("id"))
        and all(_is(alert.get(name), kind) for name, kind in _ALERT_FIELDS.items())
        and isinstance(alert.get("assignedTo"), dict | None)
    )


def _is(value: Any, kind: Any) -> bool:
    """`isinstance`, except that a boolean is no number here, as in JSON."""
    return isinstance(value, kind) and not isinstance(value, bool)


def _is_id(value: Any) -> bool:
    """A JSON integer that is an ilert id (positive, 64-bit: it goes into SQLite)."""
    return _is(value, int) and ilert_id(value) is not None


def _is_text(value: Any) -> bool:
    """A string SQLite and Slack can take: JSON's escapes can make lone surrogates, which
    neither can encode."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _transient(failure: SlackApiError) -> bool:
    """A failure that may not happen again: worth ilert's retry."""
    error = str(failure.response.get("error"))
    return error in _TRANSIENT or failure.response.status_code >= 500


def slack_refusal(failure: SlackApiError) -> Outcome:
    """ilert's answer when Slack refused: Slack's error code and reason, and whether ilert should
    try again (docs/contract.md, point 4). Rate limits keep Slack's Retry-After."""
    error = str(failure.response.get("error") or "slack_error")
    if error == "ratelimited" or failure.response.status_code == 429:
        return Outcome.refused(
            429, "ratelimited", _SLACK_REASONS["ratelimited"], retry_after=_retry_after(failure)
        )
    if _transient(failure):
        return Outcome.refused(
            503, error, f"Slack failed for a moment ({error}); ilert will try again."
        )
    reason = _SLACK_REASONS.get(error, f"Slack refused the message ({error}).")
    return Outcome.refused(422, error, reason)


def _retry_after(failure: SlackApiError) -> int | None:
    """Slack's Retry-After in whole seconds, if it sent a readable one."""
    for name, value in (failure.response.headers or {}).items():
        if name.lower() == "retry-after":
            text = str(value[0] if isinstance(value, list) else value).strip()
            return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else None
    return None


def _reply_effect(delivery_id: str) -> str:
    return f"reply:{delivery_id}"


def _repeat_handlers(time_scale: float) -> list[RetryHandler]:
    """slack_sdk's handlers for a dropped connection and for Slack's 500 and 503. A 429 is left to
    ilert, which waits out its Retry-After without holding a connector thread."""
    interval = FixedValueRetryIntervalCalculator(REPEAT_INTERVAL_S * time_scale)
    return [
        ConnectionErrorRetryHandler(max_retry_count=REPEATS, interval_calculator=interval),
        ServerErrorRetryHandler(max_retry_count=REPEATS, interval_calculator=interval),
    ]


def _method(slack: WebClient, method: str) -> Any:
    """slack_sdk's method for a Web API name: `chat.postMessage` is `chat_postMessage`."""
    return getattr(slack, method.replace(".", "_"))
