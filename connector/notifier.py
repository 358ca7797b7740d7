"""ilert's alert events turned into Slack: a message per alert and channel, updated in place,
each update also told in the message's thread (FAQ-2)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

from connector import blocks
from connector.ilert_client import IlertApiError, IlertClient
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


@dataclass(frozen=True)
class Outcome:
    """What the event endpoint answers ilert: 2xx acknowledges, anything else asks for a retry."""

    status: int
    body: Json


class Notifier:
    def __init__(
        self,
        *,
        store: ConnectorStore,
        installations: SQLite3InstallationStore,
        slack_api_url: str,
        ilert_url: str,
    ) -> None:
        self.store = store
        self.installations = installations
        self.slack_api_url = slack_api_url
        self.ilert_url = ilert_url

    def handle(self, delivery_id: str, event: Json) -> Outcome:
        if self.store.was_handled(delivery_id):
            return Outcome(200, {"ok": True, "duplicate": True})
        try:
            alert, action = event["alert"], event["alertAction"]
            params = action.get("params") or {}
            event_type = str(event["eventType"])
            account_id = int(event["accountId"])
        except (KeyError, TypeError, ValueError):
            return Outcome(400, {"ok": False, "error": "malformed_event"})
        link = self.store.link_for_account(account_id)
        if link is None:
            return Outcome(404, {"ok": False, "error": "account_not_linked"})
        if params.get("teamId") not in (None, link.team_id):
            # An account publishes only into its own workspace (SEC-2).
            return Outcome(403, {"ok": False, "error": "workspace_not_linked_to_account"})
        bot = self.installations.find_bot(enterprise_id=None, team_id=link.team_id)
        if bot is None:
            return Outcome(404, {"ok": False, "error": "not_installed"})
        slack = WebClient(token=bot.bot_token, base_url=self.slack_api_url)
        current = self._current(alert, IlertClient(self.ilert_url, link.integration_key))
        try:
            self._publish(
                slack,
                link.team_id,
                str(params.get("channelId")),
                event_type,
                current,
                str(action["id"]),
                event.get("actor"),
            )
        except SlackApiError as failure:
            error = str(failure.response.get("error"))
            log.warning("Slack refused %s for alert %s: %s", event_type, alert.get("id"), error)
            status = 503 if error in _TRANSIENT or failure.response.status_code >= 500 else 422
            return Outcome(status, {"ok": False, "error": error})
        self.store.mark_handled(delivery_id)
        return Outcome(200, {"ok": True})

    def _current(self, alert: Json, ilert: IlertClient) -> Json:
        """The alert as it is now: events may be delivered late, the message should not lag."""
        try:
            return ilert.alert(int(alert["id"]))
        except (IlertApiError, OSError):
            return alert

    def _publish(
        self,
        slack: WebClient,
        team_id: str,
        channel_id: str,
        event_type: str,
        alert: Json,
        action_id: str,
        actor: Json | None,
    ) -> None:
        content = blocks.alert_message(alert, alert_action_id=action_id)
        existing = self.store.alert_message(int(alert["id"]), action_id)
        if existing is None:
            posted = slack.chat_postMessage(channel=channel_id, **content)
            self.store.save_alert_message(
                AlertMessage(int(alert["id"]), action_id, team_id, channel_id, posted["ts"])
            )
            return
        slack.chat_update(channel=existing.channel_id, ts=existing.ts, **content)
        note = blocks.update_note(event_type, alert, actor)
        if note:
            slack.chat_postMessage(channel=existing.channel_id, thread_ts=existing.ts, text=note)
