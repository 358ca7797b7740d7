"""What the alert message and the channel menu show, for each state."""

from __future__ import annotations

import pytest

from connector import blocks


def alert(status: str) -> dict:
    return {
        "id": 42,
        "summary": "Disk <full> & slow",
        "status": status,
        "alertUrl": "http://ilert/alerts/42",
        "assignedTo": {"id": 1, "firstName": "Ada", "lastName": "Lovelace"},
    }


def buttons(message: dict) -> list[str]:
    found = []
    for block in message["attachments"][0]["blocks"]:
        found += [e["text"]["text"] for e in block.get("elements", []) if e["type"] == "button"]
    return found


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("PENDING", ["Accept", "Resolve"]),
        ("ACCEPTED", ["Resolve"]),
        ("RESOLVED", []),
    ],
)
def test_the_buttons_follow_the_alert_state(status: str, expected: list[str]) -> None:
    assert buttons(blocks.alert_message(alert(status), alert_action_id="a1")) == expected


def test_the_title_links_to_the_alert_and_escapes_mrkdwn() -> None:
    message = blocks.alert_message(alert("PENDING"), alert_action_id="a1")
    title = message["attachments"][0]["blocks"][0]["text"]["text"]
    assert title == "*<http://ilert/alerts/42|[Pending] Disk &lt;full&gt; &amp; slow>*"
    assert message["metadata"]["event_payload"] == {"alertId": 42, "alertActionId": "a1"}


def test_the_menu_counts_linked_sources_and_offers_the_rest() -> None:
    linked = [({"id": 1, "name": "New Relic", "integrationType": "NEWRELIC"}, "http://s/1", "a1")]
    menu = blocks.channel_menu(linked=linked, offered=[{"id": 2, "name": "Grafana"}])
    texts = [b["text"]["text"] for b in menu if "text" in b]
    assert "1 Alert source(s) configured for this channel" in texts[1]
    remove = next(b["accessory"] for b in menu if b.get("accessory", {}).get("type") == "button")
    assert (remove["text"]["text"], remove["value"]) == ("Remove", "a1")
    select = menu[-1]["accessory"]
    assert [o["text"]["text"] for o in select["options"]] == ["[2] Grafana"]


def test_updates_are_told_in_words() -> None:
    accepted = blocks.update_note(
        "alert-acknowledged", alert("ACCEPTED"), {"firstName": "Grace", "lastName": "Hopper"}
    )
    assert accepted == ":white_check_mark: Accepted by *Grace Hopper*"
    escalated = blocks.update_note("alert-auto-escalated", alert("PENDING"), None)
    assert escalated == ":arrow_double_up: Escalated: now assigned to *Ada Lovelace*"
    assert blocks.update_note("alert-created", alert("PENDING"), None) is None
