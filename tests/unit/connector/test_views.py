"""The create-alert modal's views: the form shown again after ilert refused, as it was filled in."""

from __future__ import annotations

from connector import blocks
from connector.listeners.views import NOTICE_BLOCK, form_again, form_values, new_alert

SOURCES = [{"id": 7, "name": "Grafana"}, {"id": 8, "name": "Checkout API"}]
POLICIES = [{"id": 3, "name": "On-call first line"}]


def submitted() -> dict:
    form = blocks.create_alert_form(sources=SOURCES, policies=POLICIES, channel_id="C1")
    option = form["blocks"][0]["element"]["options"][1]
    form["state"] = {
        "values": {
            "source": {"source": {"type": "static_select", "selected_option": option}},
            "summary": {"summary": {"type": "plain_text_input", "value": "Disk full"}},
            "details": {"details": {"type": "plain_text_input", "value": None}},
        }
    }
    return form


def test_the_form_again_keeps_what_was_chosen_and_typed_and_says_why_on_top() -> None:
    again = form_again(submitted(), ":lock: not yours")
    first, *inputs = again["blocks"]
    assert first["block_id"] == NOTICE_BLOCK and first["text"]["text"] == ":lock: not yours"
    by_id = {b["block_id"]: b for b in inputs}
    assert by_id["source"]["element"]["initial_option"]["value"] == "8"
    assert by_id["summary"]["element"]["initial_value"] == "Disk full"
    assert "initial_value" not in by_id["details"]["element"]
    assert again["callback_id"] == blocks.CREATE_ALERT_CALLBACK
    assert again["private_metadata"] == "C1" and again["submit"]


def test_a_second_refusal_replaces_the_first_notice() -> None:
    once = form_again(submitted(), "first")
    twice = form_again({**once, "state": submitted()["state"]}, "second")
    notices = [b for b in twice["blocks"] if b.get("block_id") == NOTICE_BLOCK]
    assert [n["text"]["text"] for n in notices] == ["second"]


def test_the_submitted_values_become_ilerts_alert() -> None:
    values = form_values(submitted())
    assert new_alert(values) == {"summary": "Disk full", "alertSource": {"id": 8}}
