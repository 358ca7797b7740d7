"""An alert's own Slack channel ("Links → Create Slack channel" on the alert page).

ilert asks the connector to create the channel (docs/contract.md, point 7), records what it
answered, logs `AlertChannelAttachedByUserLogEntry` and tells `alert-channel-attached`; from then
on every event of the alert is also delivered to that channel, marked `alertChannel`, so the
connector publishes the alert there and invites whoever joins the alert. One channel per alert.
No Flask here.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import requests

from emulator.ilert import serialize as ser
from emulator.ilert.errors import BadRequest, Conflict, IlertError
from emulator.ilert.models import HANDLE_ALERTS, Actor, IlertState
from emulator.ilert.tickets import sign_headers

CREATE_PATH = "/ilert/alert-channels"
CREATE_TIMEOUT = 10.0
MAX_NAME = 80  # Slack's limit for a channel's name
ACTION_PREFIX = "alert-channel-"


class ChannelNotCreated(IlertError):
    """The connector (or Slack behind it) refused the channel; the message says why."""

    status = 422
    code = "SLACK_CHANNEL_NOT_CREATED"

    def __init__(self, message: str, slack_error: str) -> None:
        super().__init__(message)
        self.slack_error = slack_error


@dataclass(frozen=True)
class AlertChannel:
    account_id: int
    alert_id: int
    channel_id: str
    name: str
    is_private: bool
    url: str
    team_id: str
    created_by: int
    created_at: float

    def action_json(self) -> dict[str, Any]:
        """What the connector reads as the alert action of the channel's deliveries."""
        return {
            "id": f"{ACTION_PREFIX}{self.channel_id}",
            "name": f"Dedicated channel #{self.name}",
            "connectorType": "slack",
            "triggerMode": "AUTOMATIC",
            "params": {
                "channelId": self.channel_id,
                "channelName": self.name,
                "teamId": self.team_id,
            },
        }


def default_name(source_name: str, alert_id: int) -> str:
    """`<source>_alert_<id>` within Slack's rules: lowercase letters, digits, `-` and `_`."""
    source = re.sub(r"[^a-z0-9_-]+", "-", source_name.lower()).strip("-_") or "ilert"
    suffix = f"_alert_{alert_id}"
    return source[: MAX_NAME - len(suffix)].rstrip("-_") + suffix


class AlertChannels:
    """Each alert's channel, and the alerts whose channel is being created right now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._channels: dict[tuple[int, int], AlertChannel] = {}
        self._creating: set[tuple[int, int]] = set()

    def of(self, account_id: int, alert_id: int) -> AlertChannel | None:
        with self._lock:
            return self._channels.get((account_id, alert_id))

    def reserve(self, account_id: int, alert_id: int) -> None:
        """Claim the right to create an alert's channel: two clicks make one channel."""
        key = (account_id, alert_id)
        with self._lock:
            if key in self._channels:
                raise Conflict(f"Alert {alert_id} already has a Slack channel")
            if key in self._creating:
                raise Conflict(f"The Slack channel of alert {alert_id} is being created")
            self._creating.add(key)

    def release(self, account_id: int, alert_id: int) -> None:
        with self._lock:
            self._creating.discard((account_id, alert_id))

    def record(self, channel: AlertChannel) -> None:
        key = (channel.account_id, channel.alert_id)
        with self._lock:
            self._creating.discard(key)
            self._channels[key] = channel

    def reset(self) -> None:
        with self._lock:
            self._channels.clear()
            self._creating.clear()

    def export(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(c) for c in self._channels.values()]

    def restore(self, channels: list[AlertChannel]) -> None:
        with self._lock:
            self._creating.clear()
            self._channels = {(c.account_id, c.alert_id): c for c in channels}


def parse_export(data: Any) -> list[AlertChannel]:
    """An export's channels (none when the export predates them); a 400 names what is wrong."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise BadRequest("Import: alertChannels must be a list")
    fields = AlertChannel.__dataclass_fields__
    channels = []
    for i, raw in enumerate(data):
        if not isinstance(raw, dict) or set(raw) != set(fields):
            raise BadRequest(f"Import: alertChannels[{i}] is not an alert channel")
        for name, value in raw.items():
            kind = {"int": int, "str": str, "bool": bool, "float": float}[str(fields[name].type)]
            typed = isinstance(value, int | float) if kind is float else isinstance(value, kind)
            if not typed or (kind is int and isinstance(value, bool)):
                raise BadRequest(f"Import: alertChannels[{i}].{name} must be a {kind.__name__}")
        channels.append(AlertChannel(**raw))
    return channels


@dataclass(frozen=True)
class Created:
    """A channel the connector made, and whom it could not invite."""

    channel: AlertChannel
    not_in_slack: tuple[str, ...] = ()
    invite_error: str | None = None

    def left_out(self) -> str:
        """What a person should know besides the channel: who was not invited, and why."""
        if self.invite_error:
            return f"; nobody could be invited yet (Slack: {self.invite_error})"
        if self.not_in_slack:
            return "; not invited, no Slack user has the e-mail address: " + ", ".join(
                self.not_in_slack
            )
        return ""


def _invitations(answer: dict[str, Any]) -> tuple[tuple[str, ...], str | None]:
    """The connector's `notInSlack` and `inviteError`, read warily."""
    missing = answer.get("notInSlack")
    emails = tuple(e for e in missing if isinstance(e, str)) if isinstance(missing, list) else ()
    error = answer.get("inviteError")
    return emails, error if isinstance(error, str) and error else None


@dataclass(frozen=True)
class Connection:
    """Where the connector is and the secret requests to it are signed with."""

    url: Callable[[], str]
    secret: str
    public_url: Callable[[], str]


def create_alert_channel(
    state: IlertState,
    channels: AlertChannels,
    connection: Connection,
    actor: Actor,
    alert_id: int,
    *,
    name: str,
    is_private: bool,
) -> Created:
    """Ask the connector for the alert's channel, as `actor`, and record it.

    Who may: whoever may change the alert (its role, and the alert's private teams). The model's
    lock is not held while the connector works: it calls Slack, and Slack may call back.
    """
    account = actor.account
    with state.lock:
        actor.require(HANDLE_ALERTS)
        alert = state.get_alert(actor, alert_id)
        slack = account.slack_connector()
        if alert.status == "RESOLVED":
            raise BadRequest(f"Alert {alert.id} is resolved; it gets no Slack channel")
        if not name:
            raise BadRequest("The channel needs a name")
        if slack is None:
            raise BadRequest(
                "No Slack workspace is linked to this account: an Admin can link one under "
                "⚙ → Connectors → Slack Workspace Integration"
            )
        channels.reserve(account.id, alert.id)
        body = {
            "accountId": account.id,
            "alert": ser.alert_json(account, alert, connection.public_url()),
            "name": name,
            "isPrivate": is_private,
            "actor": ser.user_json(actor.user) if actor.user else None,
        }
        team_id = str(slack.params.get("teamId", ""))
    try:
        answer = _ask_connector(connection, body)
    except Exception:
        channels.release(account.id, alert.id)  # whatever went wrong, the alert is free again
        raise
    created = AlertChannel(
        account_id=account.id,
        alert_id=alert.id,
        channel_id=answer["channel"]["id"],
        name=answer["channel"]["name"],
        is_private=bool(answer["channel"].get("isPrivate")),
        url=str(answer["channel"].get("url") or ""),
        team_id=team_id,
        created_by=actor.user_id or 0,
        created_at=state.now(),
    )
    outcome = Created(created, *_invitations(answer))
    with state.lock:
        channels.record(created)
        text = f"Slack channel #{created.name} created for the alert{outcome.left_out()}"
        state.attach_channel(actor, alert, text)
    return outcome


def _ask_connector(connection: Connection, body: dict[str, Any]) -> dict[str, Any]:
    """The connector's answer with a channel in it, or ChannelNotCreated with its reason."""
    base = connection.url().rstrip("/")
    if not base:
        raise ChannelNotCreated("No connector URL is configured", "no_connector")
    data = json.dumps(body).encode()
    try:
        response = requests.post(
            base + CREATE_PATH,
            data=data,
            headers={"Content-Type": "application/json", **sign_headers(connection.secret, data)},
            timeout=CREATE_TIMEOUT,
            allow_redirects=False,
        )
        answer = response.json()
    except requests.RequestException as error:
        raise ChannelNotCreated(
            f"The connector could not be reached ({type(error).__name__})", "connector_unreachable"
        ) from None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise ChannelNotCreated(
            f"The connector answered HTTP {response.status_code} without JSON", "bad_answer"
        )
    channel = answer.get("channel")
    if response.ok and isinstance(channel, dict) and _is_channel(channel):
        return answer
    error = str(answer.get("error") or f"http_{response.status_code}")
    message = str(answer.get("message") or "The connector did not create the channel")
    raise ChannelNotCreated(message, error)


def _is_channel(channel: dict[str, Any]) -> bool:
    return all(isinstance(channel.get(k), str) and channel.get(k) for k in ("id", "name"))


def dedicated_body(channel: AlertChannel, event_body: dict[str, Any]) -> dict[str, Any]:
    """An alert action's event body, addressed to the alert's own channel instead."""
    return {
        **event_body,
        "alertAction": channel.action_json(),
        "alertChannel": {
            "channelId": channel.channel_id,
            "channelName": channel.name,
            "isPrivate": channel.is_private,
        },
    }
