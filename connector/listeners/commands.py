"""Slash commands: `/ilert` (the channel menu; `/ilert alert` the create-alert form) and
`/il-alert`.

Each is acknowledged at once with nothing to show; the menu follows through the command's
`response_url`, seen by the person alone, as a command's answer is by default.
"""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from connector.listeners.common import REFUSALS, Deps, Json, refusal_text
from connector.listeners.menu import MENU_TEXT, channel_configuration
from connector.listeners.views import open_create_alert_form


def register(app: App, deps: Deps) -> None:
    @app.command("/ilert")
    def ilert_command(
        ack: Ack, command: Json, respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        if command.get("text", "").strip().lower() == "alert":
            open_create_alert_form(ack, command, respond, client, context)
            return
        ack()
        try:
            configuration = channel_configuration(
                deps, context, client, command["channel_id"], command["user_id"]
            )
            menu = configuration.menu()
        except REFUSALS as refusal:
            respond(text=refusal_text(refusal))
            return
        respond(text=MENU_TEXT, blocks=menu)

    @app.command("/il-alert")
    def il_alert_command(
        ack: Ack, command: Json, respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        open_create_alert_form(ack, command, respond, client, context)
