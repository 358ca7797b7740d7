"""Block Kit for everything the connector shows in Slack: the channel menu and alert messages."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]
Json = dict[str, Any]

BOT_VERSION = "ilert Slack Bot v1.0.0"
ADD_SOURCE = "add_alert_source"
REMOVE_SOURCE = "remove_alert_source"
ACCEPT = "alert_accept"
RESOLVE = "alert_resolve"
MESSAGE_METADATA_TYPE = "ilert_alert"

_STATUS_LABEL = {"PENDING": "Pending", "ACCEPTED": "Accepted", "RESOLVED": "Resolved"}
_STATUS_COLOUR = {"PENDING": "#D0021B", "ACCEPTED": "#F5A623", "RESOLVED": "#2EB886"}
_INTEGRATION_LABEL = {
    "NEWRELIC": "New Relic",
    "API": "API",
    "GRAFANA": "Grafana",
    "PROMETHEUS": "Prometheus",
    "DATADOG": "Datadog",
    "EMAIL2": "Email",
}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def escape(text: str) -> str:
    """Slack's mrkdwn needs only these three escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def person_name(user: Json | None) -> str:
    if not user:
        return "nobody"
    name = f"{user.get('firstName', '')} {user.get('lastName', '')}".strip()
    return name or user.get("username") or user.get("email") or f"user {user.get('id')}"


def integration_label(integration_type: str) -> str:
    return _INTEGRATION_LABEL.get(integration_type, integration_type.replace("_", " ").title())


def source_link(source: Json, source_url: str) -> str:
    return f"<{source_url}|[{source['id']}] {escape(source['name'])}>"


# the channel menu (`/ilert`)


def channel_menu(
    *, linked: list[tuple[Json, str, str]], offered: list[Json], notice: str | None = None
) -> list[Block]:
    """`linked` holds (alert source, its ilert URL, alert action id) for this channel."""
    blocks: list[Block] = [_section(":gear: Manage the alert sources for this channel.")]
    if notice:
        blocks.append(_section(notice))
    blocks.append(
        _section(
            f"{len(linked)} Alert source(s) configured for this channel\n"
            "More information about the Slack integration is on ilert's support "
            "pages."
        )
    )
    blocks.append(_context(BOT_VERSION))
    for source, url, action_id in linked:
        blocks.append({"type": "divider"})
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{source_link(source, url)}*"},
                "accessory": _button("Remove", REMOVE_SOURCE, action_id, style="danger"),
            }
        )
        blocks.append(_context(f"Type: {integration_label(source.get('integrationType', ''))}"))
    blocks.append({"type": "divider"})
    blocks.append(_add_source_selector(offered))
    return blocks


def _add_source_selector(offered: list[Json]) -> Block:
    if not offered:
        return _section(
            "*Add a new alert source to the channel*\n"
            "_No further alert sources can be added from Slack._"
        )
    options = [
        {
            "text": {"type": "plain_text", "text": f"[{s['id']}] {s['name']}"[:75]},
            "value": str(s["id"]),
        }
        for s in offered[:100]
    ]
    return {
        "type": "section",
        "block_id": "add_alert_source",
        "text": {"type": "mrkdwn", "text": "*Add a new alert source to the channel*"},
        "accessory": {
            "type": "static_select",
            "action_id": ADD_SOURCE,
            "placeholder": {"type": "plain_text", "text": "Choose an option..."},
            "options": options,
        },
    }


def source_added_notice(user_id: str, source: Json, source_url: str) -> str:
    link = source_link(source, source_url)
    return f":white_check_mark: <@{user_id}>: Alert source {link} added to the channel"


def source_removed_notice(user_id: str, source: Json, source_url: str) -> str:
    link = source_link(source, source_url)
    return f":wastebasket: <@{user_id}>: Alert source {link} removed from the channel"


# alert messages


def alert_title(alert: Json) -> str:
    return f"[{_STATUS_LABEL.get(alert['status'], alert['status'])}] {alert['summary']}"


def alert_message(alert: Json, *, alert_action_id: str) -> Json:
    """Arguments for chat.postMessage / chat.update: a colour bar, the linked title, buttons.

    No top-level `text`: Slack would show it above the attachment; the attachment's `fallback`
    serves notifications and screen readers instead.
    """
    status = alert["status"]
    blocks: list[Block] = [
        _section(f"*<{alert['alertUrl']}|{escape(alert_title(alert))}>*"),
        _section(f"Assigned to *{escape(person_name(alert.get('assignedTo')))}*"),
    ]
    buttons = []
    if status == "PENDING":
        buttons.append(_button("Accept", ACCEPT, str(alert["id"])))
    if status in ("PENDING", "ACCEPTED"):
        buttons.append(_button("Resolve", RESOLVE, str(alert["id"]), style="primary"))
    if buttons:
        blocks.append({"type": "actions", "block_id": f"alert_{alert['id']}", "elements": buttons})
    return {
        "attachments": [
            {
                "color": _STATUS_COLOUR.get(status, "#999999"),
                "blocks": blocks,
                "fallback": alert_title(alert),
            }
        ],
        "metadata": {
            "event_type": MESSAGE_METADATA_TYPE,
            "event_payload": {"alertId": alert["id"], "alertActionId": alert_action_id},
        },
    }


def update_note(event_type: str, alert: Json, actor: Json | None) -> str | None:
    """The thread reply that tells the channel what changed; None for events that need none."""
    by = f" by *{escape(person_name(actor))}*" if actor else ""
    assignee = escape(person_name(alert.get("assignedTo")))
    notes = {
        "alert-acknowledged": f":white_check_mark: Accepted{by}",
        "alert-resolved": f":ballot_box_with_check: Resolved{by}",
        "alert-auto-resolved": ":ballot_box_with_check: Resolved automatically",
        "alert-assigned": f":bust_in_silhouette: Assigned to *{assignee}*{by}",
        "alert-auto-escalated": f":arrow_double_up: Escalated: now assigned to *{assignee}*",
        "alert-raised": f":arrow_up: Priority raised{by}",
        "alert-comment-added": f":speech_balloon: Comment added{by}",
    }
    return notes.get(event_type)


# the "Alert on-call team" form (CREATE-1)

CREATE_ALERT_CALLBACK = "create_alert"


def _options(items: list[Json], label: Any) -> list[Json]:
    return [
        {"text": {"type": "plain_text", "text": str(label(item))[:75]}, "value": str(item["id"])}
        for item in items[:100]
    ]


def create_alert_form(*, sources: list[Json], policies: list[Json], channel_id: str) -> Json:
    """A modal asking for alert source, escalation policy, summary and optional details."""

    def select(block_id: str, label: str, options: list[Json]) -> Block:
        return {
            "type": "input",
            "block_id": block_id,
            "label": {"type": "plain_text", "text": label},
            "element": {
                "type": "static_select",
                "action_id": block_id,
                "options": options,
                "placeholder": {"type": "plain_text", "text": "Choose an option..."},
            },
        }

    return {
        "type": "modal",
        "callback_id": CREATE_ALERT_CALLBACK,
        "private_metadata": channel_id,
        "title": {"type": "plain_text", "text": "Alert on-call team"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [
            select("source", "Alert source", _options(sources, lambda s: s["name"])),
            select("policy", "Escalation policy", _options(policies, lambda p: p["name"])),
            {
                "type": "input",
                "block_id": "summary",
                "label": {"type": "plain_text", "text": "Alert summary"},
                "element": {"type": "plain_text_input", "action_id": "summary"},
            },
            {
                "type": "input",
                "block_id": "details",
                "optional": True,
                "label": {"type": "plain_text", "text": "Alert details"},
                "element": {"type": "plain_text_input", "action_id": "details", "multiline": True},
            },
        ],
    }


def alert_created_notice(alert: Json) -> str:
    return (
        f":rotating_light: Alert <{alert['alertUrl']}|{escape(alert['summary'])}> created in ilert."
    )
