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
    source = {"id": 1, "name": "New Relic", "integrationType": "NEWRELIC"}
    linked = [blocks.LinkedSource(source, "http://s/1", "a1")]
    menu = blocks.channel_menu(linked=linked, offered=[{"id": 2, "name": "Grafana"}])
    texts = [b["text"]["text"] for b in menu if "text" in b]
    assert "1 Alert source(s) configured for this channel" in texts[1]
    remove = next(b["accessory"] for b in menu if b.get("accessory", {}).get("type") == "button")
    assert (remove["text"]["text"], remove["value"]) == ("Remove", "a1:1:0")
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


def texts_over_limits(blocks_: list[dict], *, max_blocks: int) -> list[str]:
    """Every Block Kit text or count here that Slack would refuse."""
    found = [f"{len(blocks_)} blocks"] if len(blocks_) > max_blocks else []
    for block in blocks_:
        text = (block.get("text") or {}).get("text", "")
        if len(text) > 3000:
            found.append(f"{block['type']} text {len(text)}")
        elements = [
            *block.get("elements", []),
            block.get("accessory") or {},
            block.get("element") or {},
        ]
        for element in elements:
            label = element.get("text")
            if element.get("type") == "button" and len(label["text"]) > 75:
                found.append("button text")
            if isinstance(label, str) and len(label) > 3000:  # a context element's text
                found.append("context text")
            options = element.get("options") or []
            if len(options) > 100:
                found.append(f"{len(options)} options")
            found += [
                "option" for o in options if len(o["text"]["text"]) > 75 or len(o["value"]) > 150
            ]
    return found


def test_clip_cuts_with_a_marker_only_when_needed() -> None:
    assert blocks.clip("short", 10) == "short"
    assert blocks.clip("x" * 11, 10) == "x" * 9 + "…"
    assert len(blocks.clip("y" * 5000, 3000)) == 3000


def test_a_huge_summary_and_names_still_make_a_message_slack_accepts() -> None:
    huge = {
        **alert("PENDING"),
        "summary": "Disk <full> & slow " * 2000,
        "assignedTo": {"firstName": "A" * 5000, "lastName": "B"},
    }
    message = blocks.alert_message(huge, alert_action_id="a1")
    attachment = message["attachments"][0]
    assert texts_over_limits(attachment["blocks"], max_blocks=50) == []
    title = attachment["blocks"][0]["text"]["text"]
    assert title.startswith("*<http://ilert/alerts/42|[Pending] Disk &lt;full&gt;")
    assert title.endswith("…>*")
    assert len(attachment["fallback"]) <= 3000
    note = blocks.update_note("alert-acknowledged", huge, {"firstName": "G" * 9000})
    assert note is not None and len(note) <= 3000
    assert len(blocks.alert_created_notice(huge)) <= 3000


def test_the_menu_pages_ten_linked_sources_at_a_time_under_slacks_block_limit() -> None:
    linked = [
        blocks.LinkedSource({"id": n, "name": "N" * 400, "integrationType": "X" * 400}, "u", "a")
        for n in range(185)
    ]
    offered = [{"id": 1000 + n, "name": "O" * 400} for n in range(150)]
    pages = blocks.page_count(len(linked))
    shown = []
    for page in range(pages):
        menu = blocks.channel_menu(linked=linked, offered=offered, notice="!" * 9000, page=page)
        assert texts_over_limits(menu, max_blocks=50) == [], page
        shown += [
            b for b in menu if (b.get("accessory") or {}).get("text", {}).get("text") == "Remove"
        ]
        labels = [e["text"]["text"] for b in menu if b["type"] == "actions" for e in b["elements"]]
        assert labels == (["Previous"] if page else []) + (["Next"] if page < pages - 1 else [])
    assert len(shown) == 185 and pages == 19
    # More than Slack's 100 options: the person types and the app answers (block_suggestion).
    assert menu[-1]["accessory"]["type"] == "external_select"


def test_a_page_past_the_last_shows_the_last() -> None:
    linked = [blocks.LinkedSource({"id": n, "name": "S"}, "u", "a") for n in range(12)]
    menu = blocks.channel_menu(linked=linked, offered=[], page=7)
    assert "12 Alert source(s) configured for this channel (page 2 of 2)" in menu[1]["text"]["text"]


def test_the_create_alert_form_stays_within_slacks_limits_for_any_number_of_sources() -> None:
    few = [{"id": n, "name": "S" * 300} for n in range(3)]
    many = [{"id": n, "name": f"Source {n}"} for n in range(101)]
    small = blocks.create_alert_form(sources=few, policies=few, channel_id="C1")
    large = blocks.create_alert_form(sources=many, policies=few, channel_id="C1")
    assert texts_over_limits(small["blocks"], max_blocks=100) == []
    assert len(small["title"]["text"]) <= 24
    assert small["blocks"][0]["element"]["type"] == "static_select"
    assert large["blocks"][0]["element"]["type"] == "external_select"
    assert len(blocks.form_options(many, "")) == 100
    assert [o["value"] for o in blocks.form_options(many, "source 10")] == ["10", "100"]


def test_without_escalation_policies_the_form_leaves_the_policy_out() -> None:
    form = blocks.create_alert_form(sources=[{"id": 1, "name": "S"}], policies=[], channel_id="C")
    assert [b["block_id"] for b in form["blocks"]] == ["source", "summary", "details"]
    assert all(b["element"].get("options") != [] for b in form["blocks"])
