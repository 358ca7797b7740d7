"""Slack's Events API: what Slack tells the app about channels and about the app itself.

- `member_joined_channel` (the bot invited in): the alerts Slack refused to show there while the
  bot was outside are posted now, and ilert's alert actions on the channel deliver again;
- `channel_rename` / `group_rename`: ilert's alert actions show the new name;
- `channel_archive` / `group_archive` (and `…_unarchive`): ilert shows their alert actions as
  failing, for the reason Slack would give, until the channel is unarchived;
- `app_uninstalled` / `tokens_revoked`: the connector forgets the installation and unlinks the
  workspace in ilert (docs/contract.md, point 6), so ilert offers Authorize again and sends
  nothing more to a dead token.

Slack gives an app three seconds and retries what is not acknowledged in time, so every event is
acknowledged at once and handled after the answer (a Bolt lazy listener), once per `event_id`
however often Slack sends it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

from connector.config import ConnectorConfig
from connector.ilert_client import IlertApiError, IlertClient
from connector.notifier import ACKNOWLEDGED, DUPLICATE, Notifier
from connector.pacing import Pacer
from connector.store import ConnectorStore, WorkspaceLink

log = logging.getLogger(__name__)
Json = dict[str, Any]

# What the connector subscribes to (harness.simulation registers them with Slack).
BOT_EVENTS = (
    "member_joined_channel",
    "channel_rename",
    "group_rename",
    "channel_archive",
    "group_archive",
    "channel_unarchive",
    "group_unarchive",
    "app_uninstalled",
    "tokens_revoked",
)
# Slack retries an event for about six minutes (at once, after 1 and after 5); an hour is ample.
EVENT_MEMORY_SECONDS = 3600.0


class SlackNews:
    """What the connector does with each event, once it is acknowledged. No Bolt here."""

    def __init__(
        self,
        *,
        config: ConnectorConfig,
        store: ConnectorStore,
        installations: SQLite3InstallationStore,
        notifier: Notifier,
    ) -> None:
        self.config = config
        self.store = store
        self.installations = installations
        self.notifier = notifier

    def _ilert(self, link: WorkspaceLink) -> IlertClient:
        return IlertClient(self.config.ilert_url, link.integration_key)

    def _tell_ilert(self, team_id: str, channel_id: str, channel: Json) -> None:
        link = self.store.link_for_team(team_id)
        if link is None:
            return
        try:
            self._ilert(link).report_channel(link.connector_id, channel_id, channel)
        except (IlertApiError, OSError) as failure:
            log.warning("could not tell ilert about channel %s: %s", channel_id, failure)

    def bot_joined(self, team_id: str, channel_id: str) -> None:
        """Post what the channel missed, then let ilert deliver there again."""
        self._post_missed(team_id, channel_id)
        self._tell_ilert(team_id, channel_id, {"botIsMember": True})

    def _post_missed(self, team_id: str, channel_id: str) -> None:
        link = self.store.link_for_team(team_id)
        missed = self.store.missed_in(team_id, channel_id)
        if link is None or not missed:
            return
        ilert = self._ilert(link)
        for alert_id, alert_action_id in missed:
            try:
                alert = ilert.alert(alert_id)
            except IlertApiError as failure:
                log.info("alert %s is gone from ilert: %s", alert_id, failure)
                self.store.forget_missed(alert_id, alert_action_id)
                continue
            except OSError as failure:
                log.warning("could not read alert %s from ilert: %s", alert_id, failure)
                continue
            event = {
                "eventType": "alert-created",
                "accountId": link.account_id,
                "alert": alert,
                "alertAction": {
                    "id": alert_action_id,
                    "params": {"channelId": channel_id, "teamId": team_id},
                },
                "actor": None,
            }
            # One delivery id per alert and alert action: posted once however often the bot
            # is invited, and never beside a message that a retry of ilert's already posted.
            outcome = self.notifier.handle(f"missed:{alert_action_id}:{alert_id}", event)
            if outcome in (ACKNOWLEDGED, DUPLICATE):
                self.store.forget_missed(alert_id, alert_action_id)

    def channel_changed(self, team_id: str, channel_id: str, said: Json) -> None:
        """Tell ilert the channel as Slack has it now, or else as the event `said`.

        Events are handled side by side after their answers, and Slack does not promise their
        order either: a rename handled late must not undo a later one. The channel read from
        Slack is the same whichever event asks, so the last report is always the truth."""
        self._tell_ilert(team_id, channel_id, self._channel_now(team_id, channel_id) or said)

    def _channel_now(self, team_id: str, channel_id: str) -> Json | None:
        bot = self.installations.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            return None
        slack = WebClient(token=bot.bot_token, base_url=self.config.slack_api_url, timeout=5)
        try:
            channel = slack.conversations_info(channel=channel_id)["channel"]
        except (SlackApiError, OSError) as failure:
            log.info("could not read channel %s from Slack: %s", channel_id, failure)
            return None
        return {"name": str(channel["name"]), "archived": bool(channel.get("is_archived"))}

    def app_removed(self, team_id: str) -> None:
        """Forget the installation (as Bolt's own uninstall listeners do) and unlink in ilert."""
        self.installations.delete_all(enterprise_id=None, team_id=team_id)
        link = self.store.link_for_team(team_id)
        if link is None:
            return
        try:
            self._ilert(link).delete_connector(link.connector_id)
        except IlertApiError as refusal:
            # 401 or 404: ilert had already unlinked it (its Admin deleted the connector).
            log.info("ilert did not unlink %s: %s", team_id, refusal)
        except OSError as failure:
            log.warning("could not unlink %s in ilert: %s", team_id, failure)
        self.store.forget_workspace(team_id)

    def bot_user_id(self, team_id: str) -> str | None:
        bot = self.installations.find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_user_id if bot is not None else None


def register(
    app: App,
    *,
    config: ConnectorConfig,
    store: ConnectorStore,
    installations: SQLite3InstallationStore,
    clock: Callable[[], float] = time.time,
) -> SlackNews:
    """Subscribe `app` to the events of `BOT_EVENTS`: acknowledged at once, handled after."""
    notifier = Notifier(
        store=store,
        installations=installations,
        slack_api_url=config.slack_api_url,
        ilert_url=config.ilert_url,
        pacer=Pacer(time_scale=config.slack_time_scale),
    )
    news = SlackNews(config=config, store=store, installations=installations, notifier=notifier)

    def acknowledge(ack: Ack) -> None:
        ack()

    def once(handle: Callable[[str, Json], None]) -> Callable[[Json], None]:
        """`handle(team_id, event)` for the first delivery of each event id only."""

        def handle_once(body: Json) -> None:
            event_id = str(body.get("event_id") or "")
            if not event_id or not store.first_event(
                event_id, now=clock(), keep_for=EVENT_MEMORY_SECONDS
            ):
                return
            handle(str(body.get("team_id") or ""), body["event"])

        handle_once.__name__ = f"handle_{handle.__name__}"
        return handle_once

    def member_joined(team_id: str, event: Json) -> None:
        if event.get("user") == news.bot_user_id(team_id):
            news.bot_joined(team_id, str(event["channel"]))

    def renamed(team_id: str, event: Json) -> None:
        channel = event["channel"]
        news.channel_changed(team_id, str(channel["id"]), {"name": str(channel["name"])})

    def archived(team_id: str, event: Json) -> None:
        news.channel_changed(team_id, str(event["channel"]), {"archived": True})

    def unarchived(team_id: str, event: Json) -> None:
        news.channel_changed(team_id, str(event["channel"]), {"archived": False})

    def tokens_revoked(team_id: str, event: Json) -> None:
        # Only the bot's token matters; a person's revoked token leaves the app installed.
        revoked = (event.get("tokens") or {}).get("bot") or []
        if revoked and news.bot_user_id(team_id) in revoked:
            news.app_removed(team_id)

    def uninstalled(team_id: str, _: Json) -> None:
        news.app_removed(team_id)

    handlers: dict[str, Callable[[str, Json], None]] = {
        "member_joined_channel": member_joined,
        "channel_rename": renamed,
        "group_rename": renamed,
        "channel_archive": archived,
        "group_archive": archived,
        "channel_unarchive": unarchived,
        "group_unarchive": unarchived,
        "tokens_revoked": tokens_revoked,
        "app_uninstalled": uninstalled,
    }
    for event_type, handle in handlers.items():
        app.event(event_type)(ack=acknowledge, lazy=[once(handle)])
    return news
