"""The actor: fake Slack playing Slack toward the app.

It sends slash commands, `block_actions` (on messages and in modals), `block_suggestion` (a
person typing into an external select), `view_submission` and `view_closed` to the app's
request URL, signed exactly as Slack signs (`v0=` HMAC-SHA256 over
`v0:{timestamp}:{body}` with the wall clock), waits `ack_timeout` (three seconds, as on Slack) for
the ack, turns an ack body into a message or a modal change, and serves the `response_url`s it
handed out. The model prepares each delivery under its lock; the HTTP call to the app happens
outside it, because the app usually calls back into fake Slack before it answers.

Events API envelopes go out from `events.py`. Where the emulation stops: no shortcuts, no
`ssl_check` pings, and commands and interactions are never retried (Slack does not retry them
either: the person sees the timeout).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from flask import Blueprint, Response, current_app, request

from emulator.slack.blockkit import BlockKitError
from emulator.slack.entities import Delivery, Message, Target
from emulator.slack.errors import SimError, SlackError
from emulator.slack.interactions import find_option
from emulator.slack.modals import parse_view_answer
from emulator.slack.models import SlackState
from emulator.slack.signing import slack_signature
from emulator.slack.webapi import parse_json

ACK_TIMEOUT = 3.0

bp = Blueprint("slack_actor", __name__)


@dataclass
class AppAnswer:
    """The app's HTTP answer to a delivery, or why there was none."""

    status: int = 0
    body: Any = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and 200 <= self.status < 300

    def report(self) -> dict[str, Any]:
        if self.error:
            return {"ok": False, "error": self.error}
        report: dict[str, Any] = {"ok": self.ok, "status": self.status, "body": self.body}
        if not self.ok:
            report["error"] = "app_error"
        return report


def _parse_answer(response: requests.Response) -> Any:
    text = response.text
    if "json" in response.headers.get("Content-Type", "") or text.lstrip().startswith("{"):
        try:
            return response.json()
        except ValueError:
            return text
    return text


def _ack_message(body: Any) -> dict[str, Any] | None:
    """A command's ack body as a message: plain text, or JSON with text/blocks/attachments."""
    if isinstance(body, str):
        return {"text": body} if body.strip() else None
    if isinstance(body, dict) and any(body.get(k) for k in ("text", "blocks", "attachments")):
        return body
    return None


class Actor:
    """Sends what a person does in Slack to the app, and applies what the app answers."""

    def __init__(self, state: SlackState, *, ack_timeout: float = ACK_TIMEOUT) -> None:
        self.state = state
        self.ack_timeout = ack_timeout

    def send(self, delivery: Delivery, body: str) -> AppAnswer:
        """POST a form body to the app, signed, with Slack's patience for the ack."""
        timestamp = str(int(self.state.wall.now()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": slack_signature(delivery.app.signing_secret, timestamp, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        try:
            response = requests.post(
                delivery.app.request_url,
                data=body.encode(),
                headers=headers,
                timeout=self.ack_timeout,
            )
        except requests.Timeout:
            return AppAnswer(error="operation_timeout")
        except requests.RequestException:
            return AppAnswer(error="connection_failed")
        return AppAnswer(response.status_code, _parse_answer(response))

    def _send_payload(self, delivery: Delivery, payload: dict[str, Any]) -> AppAnswer:
        return self.send(delivery, urlencode({"payload": json.dumps(payload)}))

    # --- slash commands --------------------------------------------------------------------------

    def run_command(
        self,
        base_url: str,
        *,
        channel_id: str,
        user_id: str,
        command: str,
        text: str,
        app_id: str = "",
        team_id: str = "",
    ) -> dict[str, Any]:
        delivery = self.state.prepare_command(
            channel_id=channel_id,
            user_id=user_id,
            command=command,
            text=text,
            app_id=app_id,
            team_id=team_id,
        )
        if isinstance(delivery, Message):
            # No installed app owns the command: Slackbot answered, nothing went to any app.
            return {
                "ok": False,
                "error": "invalid_command",
                "delivered": False,
                "ephemeral": delivery.to_sim([]),
            }
        assert delivery.response_url is not None
        fields = {**delivery.fields, "response_url": base_url + delivery.response_url.path}
        answer = self.send(delivery, urlencode(fields))
        report = answer.report()
        reply = _ack_message(answer.body) if answer.ok else None
        report["trigger_id"] = delivery.trigger_id
        if reply is not None:
            try:
                message = self.state.post_command_ack(delivery, user_id=user_id, body=reply)
            except BlockKitError as error:
                # Nothing is posted; the report carries what Slack's API would have answered.
                return {**report, **error.body()}
            key = "ephemeral" if message.ephemeral_to else "message"
            report[key] = message.to_sim([])
        return report

    # --- block actions ----------------------------------------------------------------------------

    def interact(
        self, base_url: str, target: Target, *, user_id: str, action: dict[str, Any]
    ) -> dict[str, Any]:
        delivery = self.state.prepare_interaction(target, user_id)
        payload = self._block_actions(base_url, delivery, target, user_id, action)
        report = self._send_payload(delivery, payload).report()
        # A response_action in a block_actions ack means nothing; Slack ignores it too.
        report["trigger_id"] = delivery.trigger_id
        return report

    def _block_actions(
        self,
        base_url: str,
        delivery: Delivery,
        target: Target,
        user_id: str,
        action: dict[str, Any],
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "type": "block_actions",
            **self._who(delivery, user_id),
            "trigger_id": delivery.trigger_id,
            "state": {"values": {}},
            "actions": [{**action, "action_ts": f"{self.state.wall.now():.6f}"}],
        }
        if target.view is not None:
            view = target.view
            payload["container"] = {"type": "view", "view_id": view.id}
            payload["view"] = view.to_api()
            payload["state"] = {"values": view.values}
            return payload
        message = target.message
        assert message is not None and delivery.response_url is not None
        payload.update(self._message_context(message))
        payload["response_url"] = base_url + delivery.response_url.path
        return payload

    def _message_context(self, message: Message) -> dict[str, Any]:
        """Where a click or a search in a message came from: `container`, `channel`, `message`.

        A reply's container also names its thread (`thread_ts`), which apps read to answer in
        the thread; the message is as apps read it in the channel, a broadcast reply with its
        `root`. Slack leaves the message out of payloads from ephemeral messages.
        """
        channel = self.state.channels[message.channel_id]
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": channel.id,
            "is_ephemeral": bool(message.ephemeral_to),
        }
        if message.is_reply:
            container["thread_ts"] = message.thread_ts
        context = {"container": container, "channel": {"id": channel.id, "name": channel.name}}
        if not message.ephemeral_to:
            context["message"] = self.state.message_object(message)
        return context

    def _who(self, delivery: Delivery, user_id: str) -> dict[str, Any]:
        user = self.state.users[user_id]
        workspace = self.state.workspaces[delivery.install.team_id]
        return {
            "user": {
                "id": user.id,
                "username": user.name,
                "name": user.name,
                "team_id": user.team_id,
            },
            "api_app_id": delivery.app.id,
            "token": delivery.app.verification_token,
            "team": {"id": workspace.id, "domain": workspace.domain},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # --- external selects -----------------------------------------------------------------------

    def suggest(self, target: Target, *, user_id: str, query: str) -> dict[str, Any]:
        """The person types `query` into an external select: `block_suggestion` goes to the app,
        and the report carries the options it answered, checked as Slack checks them. Like
        Slack's client, nothing is sent for a query shorter than the element's
        `min_query_length` (3 unless it says otherwise)."""
        if len(query) < _min_query_length(target.element):
            return {"ok": True, "delivered": False, "options": []}
        delivery = self.state.prepare_suggestion(target)
        payload = self._block_suggestion(delivery, target, user_id, query)
        answer = self._send_payload(delivery, payload)
        report = {**answer.report(), "delivered": True}
        if not answer.ok:
            return report
        options, problem = suggested_options(answer.body)
        if problem:
            # Slack's client shows the person no options and an error; nothing is chosen.
            return {**report, "ok": False, "error": "invalid_options", "detail": problem}
        return {**report, "options": options}

    def pick_suggested(
        self, base_url: str, target: Target, *, user_id: str, query: str, option_ref: str
    ) -> dict[str, Any]:
        """Type `query`, then pick `option_ref` (a label or a value) among the app's options: in
        a message that sends `block_actions`; in a modal the view's state keeps the choice for
        the submission (an input block's select sends no action of its own)."""
        suggested = self.suggest(target, user_id=user_id, query=query)
        if not suggested["ok"]:
            return suggested
        option = next(
            (o for o in suggested["options"] if option_ref in (_label(o.get("text")), o["value"])),
            None,
        )
        if option is None:
            labels = [_label(o.get("text")) for o in suggested["options"]]
            raise SimError(
                "option_not_found",
                f"the app offered no option {option_ref!r} for {query!r}: {labels}",
                status=404,
            )
        if target.view is not None:
            self.state.choose_in_view(target, option)
            return {"ok": True, "selected_option": option, "options": suggested["options"]}
        action = {
            "type": str(target.element.get("type") or "external_select"),
            "action_id": target.element.get("action_id", ""),
            "block_id": target.block_id,
            "selected_option": option,
        }
        return self.interact(base_url, target, user_id=user_id, action=action)

    def _block_suggestion(
        self, delivery: Delivery, target: Target, user_id: str, query: str
    ) -> dict[str, Any]:
        # https://docs.slack.dev/reference/interaction-payloads/block_suggestion-payload
        payload: dict[str, Any] = {
            "type": "block_suggestion",
            **self._who(delivery, user_id),
            "action_id": target.element.get("action_id", ""),
            "block_id": target.block_id,
            "value": query,
        }
        if target.view is not None:
            payload["container"] = {"type": "view", "view_id": target.view.id}
            payload["view"] = target.view.to_api()
            return payload
        message = target.message
        assert message is not None
        payload.update(self._message_context(message))
        return payload

    # --- modals -------------------------------------------------------------------------------

    def submit_view(self, view_id: str, user_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """The person submits the modal on top with `values`; the app's ack decides what next."""
        delivery, view = self.state.prepare_view_submission(view_id, user_id, values)
        payload = {
            "type": "view_submission",
            **self._who(delivery, user_id),
            "trigger_id": delivery.trigger_id,
            "view": view.to_api(),
            "response_urls": [],
        }
        try:
            answer = self._send_payload(delivery, payload)
        finally:
            self.state.end_view_submission(view)
        report = answer.report()
        report["trigger_id"] = delivery.trigger_id
        if not answer.ok:
            # The modal stays open and shows Slack's "trouble connecting" notice.
            return {**report, "view": view.to_api(), "closed": False}
        try:
            ack = parse_view_answer(answer.body, view, self.state.block_kit)
        except SlackError as error:
            # The modal stays as it was and shows Slack's error notice.
            return {**report, **error.body(), "view": view.to_api(), "closed": False}
        top = self.state.apply_view_answer(view, ack)
        report.update(response_action=ack.action or None, closed=top is None)
        report["view"] = top.to_api() if top is not None else None
        if ack.action == "errors":
            report["errors"] = ack.errors
        return report

    def close_view(self, view_id: str, user_id: str) -> dict[str, Any]:
        """The person closes the modal on top; `view_closed` goes out if the view asked for it."""
        delivery, view, cleared, top = self.state.prepare_view_close(view_id, user_id)
        report: dict[str, Any] = {"ok": True, "notified": delivery is not None}
        if delivery is not None:
            payload = {
                "type": "view_closed",
                **self._who(delivery, user_id),
                "view": view.to_api(),
                "is_cleared": cleared,
            }
            report.update(self._send_payload(delivery, payload).report())
        report.update(cleared=cleared, view=top.to_api() if top is not None else None)
        return report


def button_action(target: Target) -> dict[str, Any]:
    element = target.element
    action = {
        "action_id": element.get("action_id", ""),
        "block_id": target.block_id,
        "text": {"type": "plain_text", "text": _label(element.get("text")), "emoji": True},
        "type": "button",
    }
    if "value" in element:
        action["value"] = element["value"]
    if "style" in element:
        action["style"] = element["style"]
    return action


def select_action(target: Target, option_ref: str, *, unlisted: bool = False) -> dict[str, Any]:
    """The action of picking `option_ref` (a label or a value); `unlisted` makes up the option."""
    element = target.element
    if unlisted:
        option: dict[str, Any] | None = {"text": {"text": option_ref}, "value": option_ref}
    else:
        option = find_option(element, option_ref)
    if option is None:
        raise SimError("option_not_found", f"no option {option_ref!r} in the select", status=404)
    action = {
        "type": "static_select",
        "action_id": element.get("action_id", ""),
        "block_id": target.block_id,
        "selected_option": {
            "text": {"type": "plain_text", "text": _label(option.get("text")), "emoji": True},
            "value": option.get("value", ""),
        },
    }
    if isinstance(element.get("placeholder"), dict):
        action["placeholder"] = element["placeholder"]
    return action


def _label(text: Any) -> str:
    return str(text.get("text", "")) if isinstance(text, dict) else ""


# Slack's limits on an answer to block_suggestion (Block Kit: external select, option object).
MAX_SUGGESTED = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150


def _min_query_length(element: dict[str, Any]) -> int:
    value = element.get("min_query_length", 3)
    return value if isinstance(value, int) and value >= 0 else 3


def suggested_options(body: Any) -> tuple[list[dict[str, Any]], str]:
    """The options of an app's answer to `block_suggestion` (`options`, or `option_groups` of
    options), and what is wrong with the answer ("" when nothing)."""
    if not isinstance(body, dict) or not (
        isinstance(body.get("options"), list) or isinstance(body.get("option_groups"), list)
    ):
        return [], "the answer has neither 'options' nor 'option_groups'"
    groups = body.get("option_groups")
    listed = [body["options"]] if isinstance(body.get("options"), list) else []
    if isinstance(groups, list):
        if len(groups) > MAX_SUGGESTED:
            return [], f"{len(groups)} option groups; at most {MAX_SUGGESTED}"
        listed += [g.get("options") if isinstance(g, dict) else None for g in groups]
    options: list[dict[str, Any]] = []
    for items in listed:
        if not isinstance(items, list) or len(items) > MAX_SUGGESTED:
            return [], f"each list holds at most {MAX_SUGGESTED} options"
        for option in items:
            problem = _option_problem(option)
            if problem:
                return [], problem
            options.append(option)
    return options, ""


def _option_problem(option: Any) -> str:
    if not isinstance(option, dict) or not isinstance(option.get("value"), str):
        return f"an option needs a text and a string value: {option!r}"
    text = option.get("text")
    if not isinstance(text, dict) or text.get("type") != "plain_text":
        return f"an option's text must be plain_text: {option!r}"
    if not 0 < len(str(text.get("text") or "")) <= MAX_OPTION_TEXT:
        return f"an option's text holds 1 to {MAX_OPTION_TEXT} characters"
    if not 0 < len(option["value"]) <= MAX_OPTION_VALUE:
        return f"an option's value holds 1 to {MAX_OPTION_VALUE} characters"
    return ""


# --- response_url ----------------------------------------------------------------------------


def _plain(text: str, status: int) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def _respond(kind: str, team_id: str, url_id: str, secret: str) -> Response:
    state: SlackState = current_app.extensions["fakeslack"].state
    try:
        body = parse_json(request.get_data())
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _plain("invalid_payload", 400)
    try:
        state.respond(kind, team_id, url_id, secret, body)
    except SimError as error:
        # Slack answers response_url errors as bare codes in text/plain.
        return _plain(error.code, error.status)
    except BlockKitError as error:
        # As for incoming webhooks: HTTP 400 and the bare code (java-slack-sdk issue 1017).
        return _plain(error.code, 400)
    return _plain("ok", 200)


@bp.post("/commands/<team_id>/<url_id>/<secret>")
def command_response(team_id: str, url_id: str, secret: str) -> Response:
    return _respond("commands", team_id, url_id, secret)


@bp.post("/actions/<team_id>/<url_id>/<secret>")
def action_response(team_id: str, url_id: str, secret: str) -> Response:
    return _respond("actions", team_id, url_id, secret)
