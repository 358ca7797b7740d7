"""The "Alert on-call team" modal: opened by a command, submitted to create an alert in ilert.

Both ends answer Slack at once. Opening shows a modal that says it is loading (the trigger lasts
three seconds; asking ilert for the person's sources may take longer), then `views.update`
turns it into the form. Submitting is acknowledged with `response_action: update` to a view that
says the alert is being created; when ilert has answered, `views.update` shows the outcome: the
alert created, or the form again, as the person filled it in, with ilert's reason on top.
"""

from __future__ import annotations

import logging
import secrets
import time

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
from connector.people import Refusal

log = logging.getLogger(__name__)

NO_SOURCES_TO_ALERT = (
    ":information_source: ilert shows you no alert sources, so there is none to create an alert "
    "on. Alert sources are made in ilert; if there are some, an ilert Admin can add you to the "
    "team that owns them."
)
LOADING = ":hourglass_flowing_sand: Loading your alert sources and escalation policies from ilert…"
CREATING = ":hourglass_flowing_sand: Creating the alert in ilert…"
NOTICE_BLOCK = "notice"
FORM_TITLE = "Alert on-call team"
# How long the outcome waits for Slack to show the "creating" view the ack asked for: Slack
# applies an ack after it reads the answer, which may be after ilert has already answered.
SHOWN_WITHIN = 5.0


def register(app: App, deps: Deps) -> None:
    @app.view(blocks.CREATE_ALERT_CALLBACK)
    def submit_create_alert(
        ack: Ack, body: Json, view: Json, client: WebClient, context: BoltContext
    ) -> None:
        values = form_values(view)
        if not values.get("summary", "").strip():
            ack(response_action="errors", errors={"summary": "Enter a summary for the alert."})
            return
        external_id = f"create-alert-{secrets.token_hex(8)}"
        ack(response_action="update", view=_message_view(CREATING, external_id=external_id))
        user_id = str(body["user"]["id"])
        try:
            person = person_for(context, client, user_id)
            alert = create_alert(ilert_of(context), person, new_alert(values))
        except REFUSALS as refusal:
            outcome = form_again(view, refusal_text(refusal))
            _show(client, external_id, outcome)
            return
        _show(client, external_id, _message_view(blocks.alert_created_notice(alert), done=True))
        _confirm_in_channel(client, view.get("private_metadata") or "", user_id, alert)


def open_create_alert_form(
    ack: Ack, command: Json, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """`/ilert alert` and `/il-alert`: a loading modal at once, then the form in it."""
    ack()
    try:
        opened = client.views_open(trigger_id=command["trigger_id"], view=_message_view(LOADING))
    except SlackApiError as failure:
        log.warning("could not open the create-alert form: %s", failure.response.get("error"))
        respond(text=":warning: Slack did not open the form. Please run the command again.")
        return
    shown = opened["view"]
    try:
        form = _form_for(context, client, command)
    except REFUSALS as refusal:
        form = _message_view(refusal_text(refusal), done=True)
    try:
        client.views_update(view_id=shown["id"], hash=shown.get("hash"), view=form)
    except SlackApiError as failure:
        # The person closed the loading modal meanwhile (not_found), or changed it.
        log.info("the create-alert form was not shown: %s", failure.response.get("error"))


def _form_for(context: BoltContext, client: WebClient, command: Json) -> Json:
    person = person_for(context, client, command["user_id"])
    ilert = ilert_of(context)
    sources = ilert.alert_sources(on_behalf_of=person["id"])
    if not sources:
        raise Refusal(NO_SOURCES_TO_ALERT)
    return blocks.create_alert_form(
        sources=sources,
        policies=ilert.escalation_policies(on_behalf_of=person["id"]),
        channel_id=command["channel_id"],
    )


def _message_view(text: str, *, external_id: str = "", done: bool = False) -> Json:
    """A modal of one message: while loading or creating, and for the outcome."""
    view: Json = {
        "type": "modal",
        "title": {"type": "plain_text", "text": FORM_TITLE},
        "close": {"type": "plain_text", "text": "Done" if done else "Close"},
        "blocks": [{"type": "section", "text": _mrkdwn(text)}],
    }
    if external_id:
        view["external_id"] = external_id
    return view


def _mrkdwn(text: str) -> Json:
    return {"type": "mrkdwn", "text": blocks.clip(text, blocks.SECTION_TEXT)}


def form_again(submitted: Json, notice: str) -> Json:
    """The submitted form, filled in as the person left it, with `notice` on top."""
    values = (submitted.get("state") or {}).get("values") or {}
    notice_block = {"type": "section", "block_id": NOTICE_BLOCK, "text": _mrkdwn(notice)}
    kept = [b for b in submitted.get("blocks") or [] if b.get("block_id") != NOTICE_BLOCK]
    return {
        "type": "modal",
        "callback_id": blocks.CREATE_ALERT_CALLBACK,
        "private_metadata": submitted.get("private_metadata") or "",
        "title": {"type": "plain_text", "text": FORM_TITLE},
        "submit": {"type": "plain_text", "text": "Submit"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [
            notice_block,
            *(_filled_in(block, values) for block in kept),
        ],
    }


def _filled_in(block: Json, values: Json) -> Json:
    element = block.get("element")
    entry = (values.get(block.get("block_id")) or {}).get((element or {}).get("action_id"))
    if block.get("type") != "input" or not isinstance(entry, dict):
        return block
    element = dict(element)
    if entry.get("selected_option"):
        element["initial_option"] = entry["selected_option"]
    elif entry.get("value"):
        element["initial_value"] = entry["value"]
    return {**block, "element": element}


def _show(client: WebClient, external_id: str, view: Json) -> None:
    """`views.update` of the view the ack asked for, once Slack shows it (bounded)."""
    deadline = time.monotonic() + SHOWN_WITHIN
    pause = 0.02
    while True:
        try:
            client.views_update(external_id=external_id, view=view)
            return
        except SlackApiError as failure:
            if failure.response.get("error") != "not_found" or time.monotonic() > deadline:
                # Closed by the person, most likely: the channel note still tells them.
                log.info("outcome not shown in the modal: %s", failure.response.get("error"))
                return
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def _confirm_in_channel(client: WebClient, channel: str, user_id: str, alert: Json) -> None:
    if not channel:
        return
    try:
        client.chat_postEphemeral(
            channel=channel, user=user_id, text=blocks.alert_created_notice(alert)
        )
    except SlackApiError:
        log.info("could not confirm alert %s in %s", alert["id"], channel)


def form_values(view: Json) -> dict[str, str]:
    """A submitted modal's inputs by block id: text as typed, selects by their value."""
    values: dict[str, str] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for action in actions.values():
            selected = action.get("selected_option") or {}
            values[block_id] = selected.get("value") or action.get("value") or ""
    return values


def new_alert(values: dict[str, str]) -> Json:
    alert: Json = {
        "summary": values["summary"].strip(),
        "alertSource": {"id": int(values["source"])},
    }
    if values.get("details"):
        alert["details"] = values["details"]
    if values.get("policy"):
        alert["escalationPolicy"] = {"id": int(values["policy"])}
    return alert


def create_alert(ilert: IlertClient, person: Json, alert: Json) -> Json:
    """Create the alert on the person's behalf; ilert's refusal in words for them."""
    try:
        return ilert.create_alert(alert, on_behalf_of=person["id"])
    except IlertApiError as refusal:
        source_id = alert["alertSource"]["id"]
        # ilert refuses an alert source the person may not see with 400 "not found".
        if refusal.status == 400 and "not found" in refusal.message:
            refusal = IlertApiError(404, refusal.message)
        what = f"alert source {source_id}"
        raise person_refusal(
            refusal, person, what, exists=lambda: ilert.alert_source(source_id, on_behalf_of=None)
        ) from refusal
