"""Buttons and selects: the channel menu's changes, Accept and Resolve, and the options of
external selects.

A click is acknowledged at once and carried out after; the person then sees its outcome in the
message they clicked: the menu redrawn through the `response_url`, the alert's message updated
with `chat.update`, or a note only they see.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from connector import blocks
from connector.ilert_client import IlertApiError, IlertClient
from connector.listeners.common import (
    REFUSALS,
    Deps,
    Json,
    ilert_of,
    person_for,
    person_refusal,
    refusal_text,
)
from connector.listeners.menu import MENU_TEXT, ChannelConfiguration, channel_configuration
from connector.store import ConnectorStore

log = logging.getLogger(__name__)

# Where a change says which page of the menu to show next (see ChannelConfiguration.menu).
Change = Callable[[ChannelConfiguration, Json, str], tuple[str | None, dict[str, int]]]
# Options cannot wait for the work: Slack takes them from the ack alone, within three seconds.
OPTIONS_DEADLINE = 2.0


def register(app: App, deps: Deps) -> None:
    app.action(blocks.ADD_SOURCE)(menu_change(deps, add_source))
    app.action(blocks.REMOVE_SOURCE)(menu_change(deps, remove_source))
    app.action(blocks.MENU_PREVIOUS)(menu_change(deps, turn_page))
    app.action(blocks.MENU_NEXT)(menu_change(deps, turn_page))
    app.action(blocks.ACCEPT)(alert_button(deps, "accept"))
    app.action(blocks.RESOLVE)(alert_button(deps, "resolve"))

    @app.options(blocks.ADD_SOURCE)
    def offer_sources(ack: Ack, body: Json, client: WebClient, context: BoltContext) -> None:
        """The menu's external select, once more than 100 sources could be added."""

        def options() -> list[Json]:
            channel = (body.get("channel") or {}).get("id") or ""
            configuration = channel_configuration(deps, context, client, channel, _user(body))
            return configuration.options(str(body.get("value") or ""))

        ack(options=_within_deadline(deps, options))

    @app.options(blocks.FORM_SOURCE)
    @app.options(blocks.FORM_POLICY)
    def offer_form_options(ack: Ack, body: Json, client: WebClient, context: BoltContext) -> None:
        """The create-alert form's external selects, for more than 100 sources or policies."""

        def options() -> list[Json]:
            person = person_for(context, client, _user(body))
            ilert = ilert_of(context)
            items = (
                ilert.alert_sources(on_behalf_of=person["id"])
                if body.get("action_id") == blocks.FORM_SOURCE
                else ilert.escalation_policies(on_behalf_of=person["id"])
            )
            return blocks.form_options(items, str(body.get("value") or ""))

        ack(options=_within_deadline(deps, options))


def _user(body: Json) -> str:
    return str(body["user"]["id"])


def _within_deadline(deps: Deps, options: Callable[[], list[Json]]) -> list[Json]:
    """The options, or none if ilert cannot give them in time: Slack then shows the person an
    empty list (they may type again) rather than a request that timed out."""
    future = deps.work.submit(options)
    try:
        return future.result(timeout=OPTIONS_DEADLINE)
    except FutureTimeout:
        log.info("no options within %s s", OPTIONS_DEADLINE)
    except REFUSALS:
        pass
    return []


# --- the channel menu -------------------------------------------------------------------------


def menu_change(deps: Deps, change: Change) -> Callable[..., None]:
    """A click in the menu: acknowledged at once; `change` makes it and says what to show; the
    menu is redrawn in place, or a refusal is shown to the person alone."""

    def handle(
        ack: Ack, body: Json, respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        user_id = _user(body)
        try:
            configuration = channel_configuration(
                deps, context, client, body["channel"]["id"], user_id
            )
            notice, where = change(configuration, body, user_id)
            menu = configuration.menu(notice, **where)
        except REFUSALS as refusal:
            respond(text=refusal_text(refusal), replace_original=False)
            return
        respond(text=MENU_TEXT, replace_original=True, blocks=menu)

    handle.__name__ = f"menu_{change.__name__}"
    return handle


def add_source(
    configuration: ChannelConfiguration, body: Json, user_id: str
) -> tuple[str | None, dict[str, int]]:
    source_id = int(body["actions"][0]["selected_option"]["value"])
    channel_name = body["channel"].get("name", "")
    notice = configuration.add(source_id, channel_name=channel_name, slack_user_id=user_id)
    return notice, {"showing": source_id}


def remove_source(
    configuration: ChannelConfiguration, body: Json, user_id: str
) -> tuple[str | None, dict[str, int]]:
    value = str(body["actions"][0]["value"])
    notice = configuration.remove(value, slack_user_id=user_id)
    return notice, {"page": blocks.parse_remove_value(value)[2]}


def turn_page(_: ChannelConfiguration, body: Json, __: str) -> tuple[str | None, dict[str, int]]:
    return None, {"page": int(body["actions"][0]["value"])}


# --- Accept and Resolve -------------------------------------------------------------------------


def alert_button(deps: Deps, verb: str) -> Callable[..., None]:
    """Accept or Resolve on an alert's message, done in ilert as the person who clicked."""

    def handle(
        ack: Ack, body: Json, respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        ilert = ilert_of(context)
        try:
            person = person_for(context, client, _user(body))
            alert_id = int(body["actions"][0]["value"])
            alert = _change_alert(ilert, verb, alert_id, person)
        except REFUSALS as refusal:
            respond(text=refusal_text(refusal), replace_original=False)
            return
        _show_alert_where_clicked(client, deps.store, ilert, body, alert)

    handle.__name__ = f"alert_{verb}"
    return handle


def _change_alert(ilert: IlertClient, verb: str, alert_id: int, person: Json) -> Json:
    change = ilert.accept_alert if verb == "accept" else ilert.resolve_alert
    try:
        return change(alert_id, on_behalf_of=person["id"])
    except IlertApiError as failure:
        raise person_refusal(
            failure, person, f"alert {alert_id}", exists=lambda: ilert.alert(alert_id)
        ) from failure


def _show_alert_where_clicked(
    client: WebClient, store: ConnectorStore, ilert: IlertClient, body: Json, alert: Json
) -> None:
    """Update the clicked message at once; ilert's events then update the other channels.

    Under the alert's lock and with the alert as ilert has it now: people clicking together
    finish in any order, and the answer to an earlier click must not overwrite a later state.
    """
    container = body.get("container") or {}
    channel_id, ts = container.get("channel_id") or "", container.get("message_ts") or ""
    reference = store.message_at(channel_id, ts)
    if reference is None or reference.alert_id != alert["id"]:
        return
    with store.alert_lock(reference.alert_id):
        try:
            alert = ilert.alert(reference.alert_id)
        except (IlertApiError, OSError):
            log.info("showing alert %s as the click left it", reference.alert_id)
        try:
            client.chat_update(
                channel=channel_id,
                ts=ts,
                **blocks.alert_message(alert, alert_action_id=reference.alert_action_id),
            )
        except SlackApiError:
            log.warning("could not update the clicked message %s in %s", ts, channel_id)
