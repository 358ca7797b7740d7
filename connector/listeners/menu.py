"""The `/ilert` menu of a channel: which alert sources publish there, and the changes to it.

ilert decides what a person may do; the connector adds only Slack's own rules (private-team
sources are managed in ilert's web interface, never from Slack) and what it knows of the channel
(a source is linked only where the bot can post: a link that cannot deliver would lose every alert
while ilert showed it as fine).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from connector import blocks
from connector.ilert_client import IlertApiError, IlertClient
from connector.listeners.common import (
    STALE_MENU,
    Deps,
    Json,
    ilert_of,
    link_of,
    person_for,
    person_refusal,
)
from connector.people import Refusal
from connector.store import ChannelBusy, ConnectorStore, WorkspaceLink

log = logging.getLogger(__name__)

PRIVATE_TEAM_SOURCE = (
    ":lock: This alert source belongs to a private team in ilert. Alert sources of private teams "
    "can be published to Slack only from ilert's web interface, on the alert source's "
    "*Alert actions* tab."
)
MENU_TEXT = "Manage the alert sources for this channel."
CHANNEL_BUSY = (
    ":hourglass: Someone else is changing this channel's alert sources right now. Please try "
    "again in a moment."
)
# Published for a channel linked from Slack: the guide's updates (FAQ-2); ilert can change it.
DEFAULT_TRIGGER_TYPES = [
    "alert-created",
    "alert-assigned",
    "alert-auto-escalated",
    "alert-acknowledged",
    "alert-resolved",
]


BOT_NOT_IN_CHANNEL = (
    ":no_entry: Nothing was linked: the ilert app cannot post in this channel. It is private and "
    "the app is not a member, so every alert would be lost. Invite it with `/invite @ilert`, then "
    "choose the alert source again."
)
CHANNEL_ARCHIVED = (
    ":no_entry: Nothing was linked: this channel is archived, and Slack takes no messages in it. "
    "Unarchive it, or link the alert source in another channel."
)


def is_private_team_source(source: Json) -> bool:
    return any(team.get("visibility") == "PRIVATE" for team in source.get("teams") or [])


def why_bot_cannot_post(slack: WebClient, channel_id: str) -> str | None:
    """Why the bot could not post in the channel, in words for the person; None if it can.

    `conversations.info` answers `channel_not_found` for a private channel the bot is not in
    (Slack shows the bot only the private channels it was invited to), and tells an archived
    channel. A public channel needs no membership (`chat:write.public`). Any other answer (a
    missing scope, a rate limit, Slack out of reach) proves nothing, so the link goes ahead.
    """
    try:
        channel = slack.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as failure:
        error = failure.response.get("error")
        if error in ("channel_not_found", "not_in_channel"):
            return BOT_NOT_IN_CHANNEL
        log.info("cannot tell whether the bot may post in %s: %s", channel_id, error)
        return None
    except OSError as failure:
        log.info("cannot tell whether the bot may post in %s: %s", channel_id, failure)
        return None
    return CHANNEL_ARCHIVED if channel.get("is_archived") else None


class ChannelConfiguration:
    """The `/ilert` menu of a channel: which alert sources publish there, as one person sees it.

    The menu lists every source the channel receives (read with the connector's own key: the
    channel shows their alerts to all its members anyway) and offers the sources the person may
    see. Every change runs on the person's behalf, so ilert decides whether they may make it,
    and under the store's claim on the channel, so two changes never interleave.
    """

    def __init__(
        self,
        *,
        ilert: IlertClient,
        link: WorkspaceLink,
        ilert_url: str,
        channel_id: str,
        person: Json,
        store: ConnectorStore,
        slack: WebClient | None = None,
    ) -> None:
        """`slack`, the bot's client, lets `add` check that the bot can post in the channel."""
        self.slack = slack
        self.ilert = ilert
        self.link = link
        self.ilert_url = ilert_url.rstrip("/")
        self.channel_id = channel_id
        self.person = person
        self.store = store

    def source_url(self, source: Json) -> str:
        return f"{self.ilert_url}/alert-sources/{source['id']}"

    def alert_actions(self) -> list[Json]:
        """Every alert action that publishes to this channel."""
        actions = self.ilert.alert_actions(connector_id=self.link.connector_id)
        return [a for a in actions if (a.get("params") or {}).get("channelId") == self.channel_id]

    def linked(self) -> list[blocks.LinkedSource]:
        """One entry per source and alert action: an action may publish several sources."""
        return [
            blocks.LinkedSource(ref, self.source_url(ref), str(action["id"]))
            for action in self.alert_actions()
            for ref in action.get("alertSources") or []
        ]

    def offered(self, linked_ids: set[int]) -> list[Json]:
        sources = self.ilert.alert_sources(on_behalf_of=self.person["id"])
        return [s for s in sources if s["id"] not in linked_ids and not is_private_team_source(s)]

    def menu(
        self, notice: str | None = None, *, page: int = 0, showing: int | None = None
    ) -> list[Json]:
        """The menu at `page`, or at the page that lists the source `showing`."""
        linked = self.linked()
        if showing is not None:
            at = next((n for n, e in enumerate(linked) if e.source["id"] == showing), None)
            page = page if at is None else at // blocks.SOURCES_PER_PAGE
        offered = self.offered({e.source["id"] for e in linked})
        return blocks.channel_menu(linked=linked, offered=offered, notice=notice, page=page)

    def options(self, query: str) -> list[Json]:
        """What the menu's external select offers for `query` (more than 100 sources)."""
        offered = self.offered({e.source["id"] for e in self.linked()})
        return blocks.options_for(offered, query)

    def add(self, source_id: int, *, channel_name: str, slack_user_id: str) -> str:
        """Link a source to the channel; the notice to show. Refuses private-team sources, and
        any link in a channel where the bot cannot post (it would deliver nothing)."""
        source = self._source_for_person(source_id)
        if is_private_team_source(source):
            raise Refusal(PRIVATE_TEAM_SOURCE)
        cannot_post = why_bot_cannot_post(self.slack, self.channel_id) if self.slack else None
        if cannot_post:
            raise Refusal(cannot_post)
        with self._changing():
            if any(entry.source["id"] == source_id for entry in self.linked()):
                return blocks.source_already_linked_notice(source, self.source_url(source))
            try:
                self.ilert.create_alert_action(
                    self._alert_action(source, channel_name), on_behalf_of=self.person["id"]
                )
            except IlertApiError as refusal:
                raise self._refusal(
                    refusal, f"alert source {source_id}", source_id=source_id
                ) from refusal
        return blocks.source_added_notice(slack_user_id, source, self.source_url(source))

    def _source_for_person(self, source_id: int) -> Json:
        try:
            return self.ilert.alert_source(source_id, on_behalf_of=self.person["id"])
        except IlertApiError as refusal:
            what = f"alert source {source_id}"
            raise self._refusal(refusal, what, source_id=source_id) from refusal

    def _refusal(
        self, refusal: IlertApiError, what: str, *, source_id: int | None = None
    ) -> Refusal:
        def source_exists() -> Json:
            return self.ilert.alert_source(source_id or 0, on_behalf_of=None)

        exists = source_exists if source_id is not None else None
        return person_refusal(refusal, self.person, what, exists=exists)

    @contextmanager
    def _changing(self) -> Iterator[None]:
        try:
            with self.store.channel_change(self.link.team_id, self.channel_id):
                yield
        except ChannelBusy as busy:
            raise Refusal(CHANNEL_BUSY) from busy

    def _alert_action(self, source: Json, channel_name: str) -> Json:
        return {
            "name": f"Slack #{channel_name}",
            "alertSources": [{"id": source["id"]}],
            "connectorId": self.link.connector_id,
            "connectorType": "slack",
            "triggerMode": "AUTOMATIC",
            "triggerTypes": DEFAULT_TRIGGER_TYPES,
            "params": {
                "channelId": self.channel_id,
                "channelName": channel_name,
                "teamId": self.link.team_id,
                "teamDomain": self.link.team_domain,
            },
        }

    def remove(self, button_value: str, *, slack_user_id: str) -> str:
        """Take one source off the channel: off its alert action, and the action with it when
        that was its last source. Removing what is already gone says so and changes nothing."""
        try:
            alert_action_id, source_id, _ = blocks.parse_remove_value(button_value)
        except ValueError as stale:
            raise Refusal(STALE_MENU) from stale
        with self._changing():
            action = next((a for a in self.alert_actions() if str(a["id"]) == alert_action_id), {})
            sources = action.get("alertSources") or []
            source = next((ref for ref in sources if ref["id"] == source_id), None)
            if source is None:
                return blocks.source_not_linked_notice(source_id)
            try:
                self._take_off(alert_action_id, source_id, last=len(sources) == 1)
            except IlertApiError as refusal:
                raise self._refusal(refusal, "this alert source's link") from refusal
        return blocks.source_removed_notice(slack_user_id, source, self.source_url(source))

    def _take_off(self, alert_action_id: str, source_id: int, *, last: bool) -> None:
        on_behalf_of = self.person["id"]
        if last:
            self.ilert.delete_alert_action(alert_action_id, on_behalf_of=on_behalf_of)
            return
        # remove-source changes the one source in ilert's own transaction; a PUT of the whole
        # list would check the other sources again (a private team's source named with them
        # would make ilert refuse the change) and could undo a change made in ilert meanwhile.
        self.ilert.remove_alert_action_source(alert_action_id, source_id, on_behalf_of=on_behalf_of)


def channel_configuration(
    deps: Deps, context: BoltContext, client: WebClient, channel_id: str, slack_user_id: str
) -> ChannelConfiguration:
    """The channel's menu as the acting person sees it (`Refusal` if they are not in ilert)."""
    return ChannelConfiguration(
        ilert=ilert_of(context),
        link=link_of(context),
        ilert_url=deps.config.ilert_url,
        channel_id=channel_id,
        person=person_for(context, client, slack_user_id),
        store=deps.store,
        slack=client,
    )
