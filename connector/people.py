"""Who a Slack user is in ilert: mapped by e-mail address (MAP-1)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from connector.ilert_client import IlertClient

Json = dict[str, Any]


class Refusal(Exception):
    """Something the connector will not do for a person; `message` is shown to them alone."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


REAUTHORIZE_FOR_MAPPING = (
    ":warning: ilert cannot match your Slack account to an ilert user because the ilert app "
    "lacks the `users:read.email` permission in this workspace. An ilert Admin can fix this with "
    "⚙ → Connectors → Slack Workspace Integration → *Re-authorize Slack*."
)


NO_EMAIL_IN_SLACK = (
    ":bust_in_silhouette: Your Slack profile has no e-mail address, and ilert recognises people "
    "by the e-mail address they have in both. Add an e-mail address to your Slack account (a "
    "workspace admin can), and make sure an ilert user has the same one."
)


def unmapped_message(email: str) -> str:
    return (
        f":bust_in_silhouette: There is no ilert user with the e-mail address {email}, so ilert "
        "cannot tell who you are. Ask an ilert Admin to add you to ilert with the same e-mail "
        "address as in Slack."
    )


def ilert_user_for(
    slack_user_id: str,
    *,
    slack: WebClient,
    ilert: IlertClient,
    scopes: Sequence[str] | None = None,
) -> Json:
    """The ilert user behind a Slack user, or a Refusal explaining why there is none.

    `scopes` are the bot token's scopes, when known: they tell a token that may not read
    e-mail addresses from a person who has none.
    """
    try:
        profile = slack.users_info(user=slack_user_id)["user"].get("profile", {})
    except SlackApiError as failure:
        if failure.response.get("error") == "missing_scope":
            raise Refusal(REAUTHORIZE_FOR_MAPPING) from failure
        raise
    email = profile.get("email")
    if not email:
        # Slack leaves the address out when the token lacks users:read.email, and for people
        # (and bots) whose profile has none.
        may_read_email = scopes is not None and "users:read.email" in scopes
        raise Refusal(NO_EMAIL_IN_SLACK if may_read_email else REAUTHORIZE_FOR_MAPPING)
    user = ilert.find_user_by_email(email)
    if user is None:
        raise Refusal(unmapped_message(email))
    return user
