"""Block Kit for everything the connector shows in Slack: the channel menu and alert messages."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Block = dict[str, Any]
Json = dict[str, Any]

BOT_VERSION = "ilert Slack Bot v1.0.0"
ADD_SOURCE = "add_alert_source"
REMOVE_SOURCE = "remove_alert_source"
MENU_PREVIOUS = "menu_previous"
MENU_NEXT = "menu_next"
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


# Slack's limits (Block Kit reference: blocks, block elements, composition objects, views).
# Whatever ilert holds, every text goes through `clip` against one of these, so Slack never
# refuses a message for its length.
SECTION_TEXT = 3000
CONTEXT_TEXT = 3000
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
PLACEHOLDER_TEXT = 150
MODAL_TITLE = 24
MODAL_BUTTON = 24
INPUT_LABEL = 2000
MESSAGE_TEXT = 3000  # a message's `text` and an attachment's `fallback`; Slack takes more
SELECT_OPTIONS = 100
# A name inside a longer text (a source, a person): short enough to leave room for the rest.
NAME_TEXT = 200
ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, ending in "…" when something was cut."""
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_TEXT)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, CONTEXT_TEXT)}]}


def _plain(text: str, limit: int) -> Json:
    return {"type": "plain_text", "text": clip(text, limit)}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": _plain(label, BUTTON_TEXT),
        "action_id": action_id,
        "value": clip(value, BUTTON_VALUE),
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
    name = name or user.get("username") or user.get("email") or f"user {user.get('id')}"
    return clip(name, NAME_TEXT)


def integration_label(integration_type: str) -> str:
    label = _INTEGRATION_LABEL.get(integration_type, integration_type.replace("_", " ").title())
    return clip(label, NAME_TEXT)


def source_label(source: Json) -> str:
    """How a source is named everywhere in Slack: "[id] name"."""
    return f"[{source['id']}] {clip(str(source.get('name', '')), NAME_TEXT)}"


def source_link(source: Json, source_url: str) -> str:
    return f"<{source_url}|{escape(source_label(source))}>"


# the channel menu (`/ilert`)

# Each linked source takes three blocks; ten a page, with the seven blocks around them (heading,
# notice, count, version, page buttons, divider, selector), keep the menu under Slack's 50.
SOURCES_PER_PAGE = 10


@dataclass(frozen=True)
class LinkedSource:
    """One alert source published to the channel, by one alert action."""

    source: Json
    url: str
    alert_action_id: str


def remove_value(entry: LinkedSource, page: int) -> str:
    """What a Remove button carries: the alert action, the source, and the menu's page (Slack
    leaves an ephemeral message out of the click's payload, so the page travels here)."""
    return f"{entry.alert_action_id}:{entry.source['id']}:{page}"


def parse_remove_value(value: str) -> tuple[str, int, int]:
    """The alert action, source and page of a Remove button; ValueError if it is not one."""
    action_id, source_id, page = value.rsplit(":", 2)
    if not action_id:
        raise ValueError(f"not a Remove button's value: {value!r}")
    return action_id, int(source_id), int(page)


def page_count(linked: int) -> int:
    return max(1, -(-linked // SOURCES_PER_PAGE))


def channel_menu(
    *,
    linked: list[LinkedSource],
    offered: list[Json],
    notice: str | None = None,
    page: int = 0,
) -> list[Block]:
    """The menu at `page` (clamped to the pages there are): the linked sources of that page,
    "Previous"/"Next" when there are more, and the selector of the sources that can be added."""
    pages = page_count(len(linked))
    page = min(max(page, 0), pages - 1)
    blocks: list[Block] = [_section(":gear: Manage the alert sources for this channel.")]
    if notice:
        blocks.append(_section(notice))
    of_pages = f" (page {page + 1} of {pages})" if pages > 1 else ""
    blocks.append(
        _section(
            f"{len(linked)} Alert source(s) configured for this channel{of_pages}\n"
            "More information about the Slack integration is on ilert's support "
            "pages."
        )
    )
    blocks.append(_context(BOT_VERSION))
    shown = linked[page * SOURCES_PER_PAGE : (page + 1) * SOURCES_PER_PAGE]
    for entry in shown:
        blocks.append({"type": "divider"})
        row = _section(f"*{source_link(entry.source, entry.url)}*")
        row["accessory"] = _button(
            "Remove", REMOVE_SOURCE, remove_value(entry, page), style="danger"
        )
        blocks.append(row)
        kind = integration_label(entry.source.get("integrationType", ""))
        blocks.append(_context(f"Type: {kind}"))
    if pages > 1:
        blocks.append(_page_buttons(page, pages))
    blocks.append({"type": "divider"})
    blocks.append(_add_source_selector(offered))
    return blocks


def _page_buttons(page: int, pages: int) -> Block:
    buttons = []
    if page > 0:
        buttons.append(_button("Previous", MENU_PREVIOUS, str(page - 1)))
    if page < pages - 1:
        buttons.append(_button("Next", MENU_NEXT, str(page + 1)))
    return {"type": "actions", "block_id": "menu_pages", "elements": buttons}


def options_for(
    items: list[Json], query: str = "", *, label: Callable[[Json], str] = source_label
) -> list[Json]:
    """At most Slack's 100 options for `items`, those whose label contains `query`."""
    wanted = query.strip().lower()
    matching = (item for item in items if wanted in label(item).lower())
    return [
        _option(label(item), str(item["id"])) for item in itertools.islice(matching, SELECT_OPTIONS)
    ]


def _option(label: str, value: str) -> Json:
    return {"text": _plain(label, OPTION_TEXT), "value": clip(value, OPTION_VALUE)}


def select_element(action_id: str, options: list[Json], *, total: int) -> Block:
    """A static select when Slack's 100 options hold them all, else an external select whose
    options the app sends as the person types (`block_suggestion`)."""
    if total > SELECT_OPTIONS:
        return {
            "type": "external_select",
            "action_id": action_id,
            "placeholder": _plain("Type to search...", PLACEHOLDER_TEXT),
            # Options as soon as the menu opens, before anything is typed.
            "min_query_length": 0,
        }
    return {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": _plain("Choose an option...", PLACEHOLDER_TEXT),
        "options": options,
    }


def _add_source_selector(offered: list[Json]) -> Block:
    if not offered:
        return _section(
            "*Add a new alert source to the channel*\n"
            "_No further alert sources can be added from Slack._"
        )
    return {
        "type": "section",
        "block_id": "add_alert_source",
        "text": {"type": "mrkdwn", "text": "*Add a new alert source to the channel*"},
        "accessory": select_element(ADD_SOURCE, options_for(offered), total=len(offered)),
    }


def source_added_notice(user_id: str, source: Json, source_url: str) -> str:
    link = source_link(source, source_url)
    return f":white_check_mark: <@{user_id}>: Alert source {link} added to the channel"


def source_already_linked_notice(source: Json, source_url: str) -> str:
    link = source_link(source, source_url)
    return f":information_source: Alert source {link} is already linked to this channel"


def source_not_linked_notice(source_id: int) -> str:
    return f":information_source: Alert source [{source_id}] is not linked to this channel"


def source_removed_notice(user_id: str, source: Json, source_url: str) -> str:
    link = source_link(source, source_url)
    return f":wastebasket: <@{user_id}>: Alert source {link} removed from the channel"


# alert messages


def alert_title(alert: Json) -> str:
    return f"[{_STATUS_LABEL.get(alert['status'], alert['status'])}] {alert['summary']}"


def _escaped_within(text: str, limit: int) -> str:
    """`text` escaped for mrkdwn, clipped so that its escaped form fits `limit`; the cut falls
    between characters, never inside an escape."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    pieces, used = [], 0
    for char in text:
        piece = escape(char)
        if used + len(piece) > limit - len(ELLIPSIS):
            break
        pieces.append(piece)
        used += len(piece)
    return "".join(pieces) + ELLIPSIS


def _link(url: str, text: str, *, limit: int) -> str:
    """A mrkdwn link whose whole markup fits `limit`: the text gives way, never the URL."""
    return f"<{url}|{_escaped_within(text, max(limit - len(url) - 3, 1))}>"


def alert_message(alert: Json, *, alert_action_id: str) -> Json:
    """Arguments for chat.postMessage / chat.update: a colour bar, the linked title, buttons.

    No top-level `text`: Slack would show it above the attachment; the attachment's `fallback`
    serves notifications and screen readers instead.
    """
    status = alert["status"]
    blocks: list[Block] = [
        _section(f"*{_link(alert['alertUrl'], alert_title(alert), limit=SECTION_TEXT - 2)}*"),
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
                "fallback": clip(alert_title(alert), MESSAGE_TEXT),
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
FORM_SOURCE = "source"
FORM_POLICY = "policy"


def _name(item: Json) -> str:
    return str(item.get("name", ""))


def create_alert_form(*, sources: list[Json], policies: list[Json], channel_id: str) -> Json:
    """A modal asking for alert source, escalation policy, summary and optional details.
    `sources` must not be empty: Slack refuses a select without options."""

    def select(block_id: str, label: str, items: list[Json]) -> Block:
        options = options_for(items, label=_name)
        return {
            "type": "input",
            "block_id": block_id,
            "label": _plain(label, INPUT_LABEL),
            "element": select_element(block_id, options, total=len(items)),
        }

    return {
        "type": "modal",
        "callback_id": CREATE_ALERT_CALLBACK,
        "private_metadata": channel_id,
        "title": _plain("Alert on-call team", MODAL_TITLE),
        "submit": _plain("Submit", MODAL_BUTTON),
        "close": _plain("Close", MODAL_BUTTON),
        "blocks": [
            select(FORM_SOURCE, "Alert source", sources),
            # A select needs one option at least; without a policy ilert uses the source's.
            *([select(FORM_POLICY, "Escalation policy", policies)] if policies else []),
            {
                "type": "input",
                "block_id": "summary",
                "label": _plain("Alert summary", INPUT_LABEL),
                "element": {"type": "plain_text_input", "action_id": "summary"},
            },
            {
                "type": "input",
                "block_id": "details",
                "optional": True,
                "label": _plain("Alert details", INPUT_LABEL),
                "element": {"type": "plain_text_input", "action_id": "details", "multiline": True},
            },
        ],
    }


def form_options(items: list[Json], query: str) -> list[Json]:
    """The form's options for what the person typed into an external select."""
    return options_for(items, query, label=_name)


def alert_created_notice(alert: Json) -> str:
    before, after = ":rotating_light: Alert ", " created in ilert."
    link = _link(alert["alertUrl"], alert["summary"], limit=MESSAGE_TEXT - len(before + after))
    return f"{before}{link}{after}"
