"""What the listeners share: who is acting, the words for refusals, and what each listener gets.

Every listener acknowledges Slack first and works after (Bolt's threaded runner, with
`process_before_response` off): Slack gives an app three seconds to answer, and asking ilert on a
person's behalf may take longer. The outcome reaches the person as Slack apps let it: the message
updated, `respond()` through the `response_url`, or `views.update`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from connector.config import ConnectorConfig
from connector.ilert_client import IlertApiError, IlertClient
from connector.people import Refusal, ilert_user_for
from connector.store import ConnectorStore, WorkspaceLink

log = logging.getLogger(__name__)
Json = dict[str, Any]

NOT_LINKED = (
    ":link: This Slack workspace is not connected to ilert yet. An ilert Admin can connect it in "
    "ilert: ⚙ → Connectors → Slack Workspace Integration → *Authorize*."
)
ILERT_UNAVAILABLE = (
    ":warning: ilert is not answering as it should right now, so nothing was changed. Please try "
    "again in a moment."
)
SOMETHING_WENT_WRONG = ":warning: ilert could not complete this. Please try again in a moment."
STALE_MENU = ":arrows_counterclockwise: This menu is out of date. Type `/ilert` for a fresh one."


@dataclass(frozen=True)
class Deps:
    """What every listener module's `register` receives: the settings, the store, and the
    threads for work that must end within Slack's three seconds (options for a select)."""

    config: ConnectorConfig
    store: ConnectorStore
    work: Executor


def link_of(context: BoltContext) -> WorkspaceLink:
    """The workspace's link to ilert (the middleware put it there; authorize requires one)."""
    return context["link"]


def ilert_of(context: BoltContext) -> IlertClient:
    return context["ilert"]


def person_for(context: BoltContext, client: WebClient, slack_user_id: str) -> Json:
    """The ilert user with the Slack user's e-mail; `Refusal` when there is none."""
    authorized = context.authorize_result
    return ilert_user_for(
        slack_user_id,
        slack=client,
        ilert=ilert_of(context),
        scopes=authorized.bot_scopes if authorized is not None else None,
    )


def not_visible_to_you(what: str, person: Json) -> str:
    role = str(person.get("role") or "").title() or "your role"
    return (
        f":lock: ilert does not let you see {what}: it belongs to a team you are not a member of "
        f"(your ilert role: {role}). Ask an ilert Admin to add you to that team, or ask someone "
        "in it to make the change."
    )


def person_refusal(
    refusal: IlertApiError, person: Json, what: str, *, exists: Callable[[], Any] | None = None
) -> Refusal:
    """ilert's refusal of a person's request, in words for them. ilert answers 404 alike for
    what does not exist and for what the person may not see; `exists`, a read with the
    connector's own key, tells the two apart."""
    if refusal.status == 401:
        return Refusal(NOT_LINKED)
    if refusal.status >= 500:
        return Refusal(ILERT_UNAVAILABLE)
    if refusal.status != 404:
        return Refusal(f":no_entry: {refusal.message}")
    if exists is not None and not _found(exists):
        return Refusal(f":grey_question: {what.capitalize()} no longer exists in ilert.")
    return Refusal(not_visible_to_you(what, person))


def _found(read: Callable[[], Any]) -> bool:
    try:
        read()
    except IlertApiError:
        return False
    return True


def refusal_text(refusal: Exception) -> str:
    """What a person reads when their request could not be done."""
    if isinstance(refusal, Refusal):
        return refusal.message
    if isinstance(refusal, IlertApiError):
        # A revoked integration key means ilert unlinked the workspace.
        if refusal.status == 401:
            return NOT_LINKED
        return ILERT_UNAVAILABLE if refusal.status >= 500 else f":no_entry: {refusal.message}"
    if isinstance(refusal, (ValueError, KeyError, TypeError)):
        # A payload whose values no menu of this app sends: an old or a tampered menu.
        return STALE_MENU
    if isinstance(refusal, OSError):  # ilert could not be reached at all
        return ILERT_UNAVAILABLE
    return SOMETHING_WENT_WRONG


# What a listener's work may fail with, and the person is told in `refusal_text`'s words.
REFUSALS = (Refusal, IlertApiError, ValueError, KeyError, TypeError, OSError)
