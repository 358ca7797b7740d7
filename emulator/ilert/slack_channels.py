"""What the Slack app tells ilert about a channel (docs/contract.md, point 6).

ilert's Slack alert actions name their channel by id and keep its name for people to read. Slack
tells the app, not ilert, when a channel is renamed or archived, or when the bot is invited in;
the app passes it on here, and ilert applies it to every alert action of the app's connector
that publishes to the channel: the name it shows, and whether the channel can be published to.
No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.ilert.errors import BadRequest, Forbidden
from emulator.ilert.fields import boolean, optional_str
from emulator.ilert.models import SLACK, Actor, AlertAction, DeliveryStatus, IlertState

# Slack's own limit on a channel name.
MAX_CHANNEL_NAME = 80
ARCHIVED = "is_archived"
ARCHIVED_REASON = "The channel was archived in Slack; unarchive it or publish to another channel."
# The failures that end once the bot is in the channel (Slack's error codes for chat.postMessage).
_CURED_BY_MEMBERSHIP = {"channel_not_found", "not_in_channel"}


@dataclass(frozen=True)
class ChannelReport:
    """A channel as Slack has it now; None for what the report does not say."""

    name: str | None
    archived: bool | None
    bot_is_member: bool | None

    @classmethod
    def parse(cls, fields: dict[str, Any]) -> ChannelReport:
        name = optional_str(fields, "name")
        if name is not None and not 0 < len(name) <= MAX_CHANNEL_NAME:
            raise BadRequest(f"Field 'name' must be 1 to {MAX_CHANNEL_NAME} characters")
        return cls(name, _optional_bool(fields, "archived"), _optional_bool(fields, "botIsMember"))


def _optional_bool(fields: dict[str, Any], name: str) -> bool | None:
    return boolean(fields, name, False) if fields.get(name) is not None else None


def report_channel(
    state: IlertState, actor: Actor, connector_id: str, channel_id: str, report: ChannelReport
) -> list[AlertAction]:
    """Apply `report` to the connector's Slack alert actions on `channel_id`; those it names."""
    if not actor.via_integration:
        raise Forbidden("Only the Slack app, with its integration key, reports Slack channels")
    with state.lock:
        connector = state.get_connector(actor, connector_id)
        if connector.type != SLACK:
            raise BadRequest(f"Connector {connector_id} is not the slack connector")
        actions = [
            a
            for a in actor.account.actions.values()
            if a.connector_id == connector.id and a.params.get("channelId") == channel_id
        ]
        now = state.now()
        for action in actions:
            if _apply(action, report):
                action.updated_at = now
        return actions


def _apply(action: AlertAction, report: ChannelReport) -> bool:
    """Change `action` as the report says; whether anything changed."""
    before = (action.name, dict(action.params), action.delivery)
    if report.name is not None:
        old = action.params.get("channelName")
        # A name ilert gave the action follows the channel; a name a person chose stays.
        if old and action.name == f"Slack #{old}":
            action.name = f"Slack #{report.name}"
        action.params["channelName"] = report.name
    if report.archived:
        action.delivery = DeliveryStatus("FAILING", ARCHIVED, ARCHIVED_REASON)
    elif report.archived is False and action.delivery.error == ARCHIVED:
        action.delivery = DeliveryStatus()
    if report.bot_is_member and action.delivery.error in _CURED_BY_MEMBERSHIP:
        action.delivery = DeliveryStatus()
    return before != (action.name, action.params, action.delivery)
