"""The actor: fake Slack playing Slack toward the app.

It sends slash commands and `block_actions` interactions to the app's request URL, signed exactly
as Slack signs (`v0=` HMAC-SHA256 over `v0:{timestamp}:{body}` with the wall clock), waits three
seconds for the ack, turns an ack body into a message, and serves the `response_url`s it handed out.
The model prepares each delivery under its lock; the HTTP call to the app happens outside it,
because the app usually calls back into fake Slack before it answers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from flask import Blueprint, Response, current_app, request

from emulator.clock import Clock
from emulator.slack.errors import SimError
from emulator.slack.models import Delivery, SlackState, Target, find_option

ACK_TIMEOUT = 3.0

bp = Blueprint("slack_actor", __name__)


def sign(signing_secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


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


def send(url: str, signing_secret: str, body: str, wall: Clock) -> AppAnswer:
    """POST a form body to the app, signed, with Slack's three-second patience."""
    timestamp = str(int(wall.now()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(signing_secret, timestamp, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    try:
        response = requests.post(url, data=body.encode(), headers=headers, timeout=ACK_TIMEOUT)
    except requests.Timeout:
        return AppAnswer(error="operation_timeout")
    except requests.RequestException:
        return AppAnswer(error="connection_failed")
    return AppAnswer(response.status_code, _parse_answer(response))


def _ack_message(body: Any) -> dict[str, Any] | None:
    """A command's ack body as a message: plain text, or JSON with text/blocks/attachments."""
    if isinstance(body, str):
        return {"text": body} if body.strip() else None
    if isinstance(body, dict) and any(body.get(k) for k in ("text", "blocks", "attachments")):
        return body
    return None


def run_command(
    state: SlackState,
    base_url: str,
    *,
    channel_id: str,
    user_id: str,
    command: str,
    text: str,
    app_id: str = "",
    team_id: str = "",
) -> dict[str, Any]:
    delivery = state.prepare_command(
        channel_id=channel_id,
        user_id=user_id,
        command=command,
        text=text,
        app_id=app_id,
        team_id=team_id,
    )
    fields = {**delivery.fields, "response_url": base_url + delivery.response_url.path}
    answer = send(
        delivery.app.request_url, delivery.app.signing_secret, urlencode(fields), state.wall
    )
    report = answer.report()
    reply = _ack_message(answer.body) if answer.ok else None
    if reply is not None:
        message = state.post_command_ack(delivery, user_id=user_id, body=reply)
        key = "ephemeral" if message.ephemeral_to else "message"
        report[key] = message.to_sim([])
    report["trigger_id"] = delivery.trigger_id
    return report


def interact(
    state: SlackState,
    base_url: str,
    target: Target,
    *,
    user_id: str,
    action: dict[str, Any],
) -> dict[str, Any]:
    delivery = state.prepare_interaction(target, user_id)
    payload = _block_actions(state, base_url, delivery, target, user_id, action)
    body = urlencode({"payload": json.dumps(payload)})
    answer = send(delivery.app.request_url, delivery.app.signing_secret, body, state.wall)
    report = answer.report()
    # A response_action in an interaction's ack only means something for views.
    report["trigger_id"] = delivery.trigger_id
    return report


def _block_actions(
    state: SlackState,
    base_url: str,
    delivery: Delivery,
    target: Target,
    user_id: str,
    action: dict[str, Any],
) -> dict[str, Any]:
    message = target.message
    user = state.users[user_id]
    channel = state.channels[message.channel_id]
    workspace = state.workspaces[channel.team_id]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id},
        "api_app_id": delivery.app.id,
        "token": delivery.app.verification_token,
        "container": {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": channel.id,
            "is_ephemeral": bool(message.ephemeral_to),
        },
        "trigger_id": delivery.trigger_id,
        "team": {"id": workspace.id, "domain": workspace.domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel.id, "name": channel.name},
        "state": {"values": {}},
        "response_url": base_url + delivery.response_url.path,
        "actions": [{**action, "action_ts": f"{state.wall.now():.6f}"}],
    }
    # Slack leaves the message out of payloads from ephemeral messages.
    if not message.ephemeral_to:
        payload["message"] = message.to_api()
    return payload


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


def select_action(target: Target, option_ref: str) -> dict[str, Any]:
    element = target.element
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


# --- response_url ----------------------------------------------------------------------------


def _plain(text: str, status: int) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def _respond(kind: str, team_id: str, url_id: str, secret: str) -> Response:
    state: SlackState = current_app.extensions["fakeslack"].state
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        return _plain("invalid_payload", 400)
    try:
        state.respond(kind, team_id, url_id, secret, body)
    except SimError as error:
        # Slack answers response_url errors as bare codes in text/plain.
        return _plain(error.code, error.status)
    return _plain("ok", 200)


@bp.post("/commands/<team_id>/<url_id>/<secret>")
def command_response(team_id: str, url_id: str, secret: str) -> Response:
    return _respond("commands", team_id, url_id, secret)


@bp.post("/actions/<team_id>/<url_id>/<secret>")
def action_response(team_id: str, url_id: str, secret: str) -> Response:
    return _respond("actions", team_id, url_id, secret)
