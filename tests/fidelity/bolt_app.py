"""A small Slack app written from Bolt for Python's documentation (OAuth, commands, actions,
modals), as it would run against Slack. Only URLs differ: `slack_url` is fake Slack's.

- `/hello` answers "Hello <@user>!" in the acknowledgement.
- `/deploy <service>` posts a message with an Approve button; Approve replaces it through
  `respond` (the response_url).
- `/ticket` opens a modal; its submission is checked (errors shown in the modal) and announced
  in the channel named in the modal's private metadata.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

SCOPES = ["commands", "chat:write"]


def ticket_modal(channel_id: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "ticket",
        "private_metadata": channel_id,
        "title": {"type": "plain_text", "text": "New ticket"},
        "submit": {"type": "plain_text", "text": "File it"},
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            },
            {
                "type": "input",
                "block_id": "urgency",
                "label": {"type": "plain_text", "text": "Urgency"},
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": [
                        {"text": {"type": "plain_text", "text": "Now"}, "value": "high"},
                        {"text": {"type": "plain_text", "text": "Later"}, "value": "low"},
                    ],
                },
            },
        ],
    }


def create_bolt_app(
    *,
    slack_url: str,
    app_url: str,
    client_id: str,
    client_secret: str,
    signing_secret: str,
    data_dir: Path,
) -> App:
    oauth_settings = OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=SCOPES,
        redirect_uri=f"{app_url}/slack/oauth_redirect",
        install_page_rendering_enabled=False,
        authorization_url=f"{slack_url}/oauth/v2/authorize",
        installation_store=SQLite3InstallationStore(
            database=str(data_dir / "installations.db"), client_id=client_id
        ),
        state_store=SQLite3OAuthStateStore(
            database=str(data_dir / "states.db"), expiration_seconds=600
        ),
    )
    app = App(
        signing_secret=signing_secret,
        oauth_settings=oauth_settings,
        client=WebClient(base_url=f"{slack_url}/api/"),
    )

    @app.command("/hello")
    def hello(ack, command):
        ack(f"Hello <@{command['user_id']}>!")

    @app.command("/deploy")
    def deploy(ack, command, say):
        ack()
        service = command["text"] or "everything"
        say(
            text=f"Deploy {service}?",
            blocks=[
                {
                    "type": "section",
                    "block_id": "ask",
                    "text": {"type": "mrkdwn", "text": f"Deploy *{service}*?"},
                    "accessory": {
                        "type": "button",
                        "action_id": "approve",
                        "text": {"type": "plain_text", "text": "Approve"},
                        "value": service,
                    },
                }
            ],
        )

    @app.action("approve")
    def approve(ack, body, respond):
        ack()
        service = body["actions"][0]["value"]
        respond(replace_original=True, text=f"{service} approved by <@{body['user']['id']}>")

    @app.command("/ticket")
    def open_ticket(ack, body, client):
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=ticket_modal(body["channel_id"]))

    @app.view("ticket")
    def file_ticket(ack, view, body, client):
        values = view["state"]["values"]
        title = values["title"]["value"]["value"]
        if len(title) < 5:
            ack(response_action="errors", errors={"title": "Say a little more"})
            return
        ack()
        urgency = values["urgency"]["value"]["selected_option"]["value"]
        client.chat_postMessage(
            channel=view["private_metadata"],
            text=f"<@{body['user']['id']}> filed {title!r} ({urgency})",
        )

    return app


def flask_app(bolt: App) -> Flask:
    """Bolt's Flask adapter, as its documentation wires it."""
    web = Flask(__name__)
    handler = SlackRequestHandler(bolt)

    @web.route("/slack/events", methods=["POST"])
    def events():
        return handler.handle(request)

    @web.route("/slack/install", methods=["GET"])
    def install():
        return handler.handle(request)

    @web.route("/slack/oauth_redirect", methods=["GET"])
    def oauth_redirect():
        return handler.handle(request)

    return web
