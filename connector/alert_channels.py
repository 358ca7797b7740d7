"""Dedicated alert channels: a Slack channel of its own for one alert (docs/contract.md, point 7).

ilert asks for the channel from its alert page; the connector creates it with the bot's token
(`conversations.create`, which judges the name by Slack's rules), invites every responder it can
find in Slack by e-mail address (`users.lookupByEmail`, `conversations.invite`) and answers with
the channel. ilert then sends the alert's events to the channel like any alert action's, each one
marked `alertChannel`; before the notifier publishes such an event, the responders it names are
invited, so people who join the alert later (an assignment, an escalation) join the channel too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

from connector.ids import ilert_id
from connector.notifier import Outcome, slack_refusal
from connector.pacing import Pacer
from connector.store import ConnectorStore

log = logging.getLogger(__name__)
Json = dict[str, Any]

# What Slack's refusals of conversations.create mean to the person who typed the name
# (https://docs.slack.dev/reference/methods/conversations.create#errors).
_NAME_RULES = "lowercase letters, digits, hyphens and underscores, at most 80 characters"
_CREATE_REASONS = {
    "name_taken": "A channel with this name already exists in the Slack workspace; choose "
    "another name.",
    "invalid_name_required": "The channel needs a name.",
    "invalid_name_maxlength": f"The name is too long: Slack allows {_NAME_RULES}.",
    "invalid_name_specials": f"The name has characters Slack does not allow: {_NAME_RULES}.",
    "invalid_name_punctuation": "The name needs at least one letter or digit.",
    "invalid_name": f"Slack does not accept this name: it allows {_NAME_RULES}.",
    "restricted_action": "The workspace's settings do not let the ilert app create channels.",
    "missing_scope": "The ilert app may not create or manage channels in this workspace; an "
    "ilert Admin can re-authorize Slack on the Connectors page.",
}
# A person already in the channel, or a bot: nothing for ilert to retry.
_HARMLESS_INVITE_ERRORS = {"already_in_channel", "cant_invite_self"}


class MalformedRequest(ValueError):
    """A channel request that does not have the shape of docs/contract.md, point 7."""


@dataclass(frozen=True)
class ChannelRequest:
    account_id: int
    alert: Json
    name: str
    is_private: bool
    actor: Json | None

    @classmethod
    def parse(cls, body: Any) -> ChannelRequest:
        if not isinstance(body, dict):
            raise MalformedRequest("the body must be a JSON object")
        account_id = _json_id(body.get("accountId"))
        alert = body.get("alert")
        name, is_private, actor = body.get("name"), body.get("isPrivate"), body.get("actor")
        if account_id is None:
            raise MalformedRequest("accountId must be an ilert account id")
        if not isinstance(alert, dict) or _json_id(alert.get("id")) is None:
            raise MalformedRequest("alert must be ilert's alert JSON")
        if not _is_text(name) or not isinstance(is_private, bool):
            raise MalformedRequest("name must be a string and isPrivate a boolean")
        if not isinstance(actor, dict | None):
            raise MalformedRequest("actor must be a user or null")
        return cls(account_id, alert, name, is_private, actor)


def _json_id(value: Any) -> int | None:
    """A JSON integer that is an ilert id; a string of digits is not one here."""
    return ilert_id(value) if isinstance(value, int) else None


def _is_text(value: Any) -> bool:
    """A string Slack can take: JSON's escapes can make lone surrogates, which UTF-8 cannot."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def malformed(message: str) -> Outcome:
    return Outcome.refused(400, "malformed_request", f"{message} (docs/contract.md, point 7).")


def responder_emails(alert: Json) -> list[str]:
    """The e-mail addresses of an alert's responders, in their order, each once."""
    emails: list[str] = []
    responders = alert.get("responders")
    for responder in responders if isinstance(responders, list) else []:
        user = responder.get("user") if isinstance(responder, dict) else None
        email = user.get("email") if isinstance(user, dict) else None
        if isinstance(email, str) and email and email not in emails:
            emails.append(email)
    return emails


class AlertChannels:
    def __init__(
        self,
        *,
        store: ConnectorStore,
        installations: SQLite3InstallationStore,
        slack_api_url: str,
        slack_url: str,
        pacer: Pacer,
    ) -> None:
        self.store = store
        self.installations = installations
        self.slack_api_url = slack_api_url
        self.slack_url = slack_url.rstrip("/")
        self.pacer = pacer

    def create(self, body: Any) -> Outcome:
        try:
            wanted = ChannelRequest.parse(body)
        except MalformedRequest as error:
            return malformed(str(error))
        bot = self._bot(wanted.account_id)
        if isinstance(bot, Outcome):
            return bot
        slack, team_id = bot
        try:
            self.pacer.pace(team_id, "conversations.create")
            created = slack.conversations_create(name=wanted.name, is_private=wanted.is_private)
        except SlackApiError as failure:
            return _create_refusal(failure)
        except OSError:
            return _unreachable()
        channel = created["channel"]
        actor_email = (wanted.actor or {}).get("email")
        emails = responder_emails(wanted.alert)
        if isinstance(actor_email, str) and actor_email and actor_email not in emails:
            emails.append(actor_email)  # whoever asked for the channel is in it too
        invited: list[str] = []
        not_found: list[str] = []
        invite_error = None
        try:
            invited, not_found = self._invite(slack, team_id, channel["id"], emails)
        except SlackApiError as failure:
            # The channel exists, so it is still ilert's to record: the next event invites again.
            invite_error = str(failure.response.get("error") or "slack_error")
        except OSError:
            invite_error = "slack_unreachable"
        if invite_error:
            log.warning("inviting to %s failed: %s", channel["id"], invite_error)
        return Outcome(
            200,
            {
                "ok": True,
                "channel": {
                    "id": channel["id"],
                    "name": channel["name"],
                    "isPrivate": bool(channel.get("is_private")),
                    "url": f"{self.slack_url}/client/{team_id}/{channel['id']}",
                },
                "invited": invited,
                "notInSlack": not_found,
                "inviteError": invite_error,
            },
        )

    def invite_for_event(self, event: Json) -> Outcome | None:
        """Invite the responders an event of a dedicated channel names; None when all is well
        (or the event is no dedicated channel's), else what ilert should be answered."""
        channel = event.get("alertChannel")
        account_id = _json_id(event.get("accountId"))
        if not isinstance(channel, dict) or account_id is None:
            return None
        channel_id, alert = channel.get("channelId"), event.get("alert")
        if not isinstance(channel_id, str) or not isinstance(alert, dict):
            return None
        bot = self._bot(account_id)
        if isinstance(bot, Outcome):
            return bot
        slack, team_id = bot
        try:
            self._invite(slack, team_id, channel_id, responder_emails(alert))
        except SlackApiError as failure:
            return slack_refusal(failure)
        except OSError:
            return _unreachable()
        return None

    def _bot(self, account_id: int) -> tuple[WebClient, str] | Outcome:
        link = self.store.link_for_account(account_id)
        if link is None:
            return Outcome.refused(
                404, "account_not_linked", "No Slack workspace is linked to this ilert account."
            )
        bot = self.installations.find_bot(enterprise_id=None, team_id=link.team_id)
        if bot is None:
            return Outcome.refused(
                404, "not_installed", "The ilert app is not installed in the Slack workspace."
            )
        # No automatic retry: a retried create whose first answer was lost would be name_taken.
        slack = WebClient(token=bot.bot_token, base_url=self.slack_api_url, retry_handlers=[])
        return slack, link.team_id

    def _invite(
        self, slack: WebClient, team_id: str, channel_id: str, emails: list[str]
    ) -> tuple[list[str], list[str]]:
        """Invite the Slack users with these addresses: (invited ids, addresses not in Slack)."""
        user_ids, not_found = [], []
        for email in emails:
            self.pacer.pace(team_id, "users.lookupByEmail")
            try:
                user_ids.append(slack.users_lookupByEmail(email=email)["user"]["id"])
            except SlackApiError as failure:
                if failure.response.get("error") != "users_not_found":
                    raise
                not_found.append(email)
        if user_ids:
            self.pacer.pace(team_id, "conversations.invite", channel_id)
            try:
                slack.conversations_invite(channel=channel_id, users=",".join(user_ids))
            except SlackApiError as failure:
                if failure.response.get("error") not in _HARMLESS_INVITE_ERRORS:
                    raise
        return user_ids, not_found


def _create_refusal(failure: SlackApiError) -> Outcome:
    error = str(failure.response.get("error") or "slack_error")
    refusal = slack_refusal(failure)
    if refusal.status != 422:
        # A rate limit or a passing failure: the person may try again (ilert does not retry a
        # page's request, so the notifier's "ilert will try again" would not be true here).
        code = str(refusal.body["error"])
        wait = f" in {refusal.retry_after} seconds" if refusal.retry_after else " in a moment"
        return Outcome.refused(
            refusal.status,
            code,
            f"Slack could not create the channel just now ({code}); try again{wait}.",
            retry_after=refusal.retry_after,
        )
    reason = _CREATE_REASONS.get(error, f"Slack refused to create the channel ({error}).")
    return Outcome.refused(422, error, reason)


def _unreachable() -> Outcome:
    return Outcome.refused(503, "slack_unreachable", "Slack could not be reached; try again.")
