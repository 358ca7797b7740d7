"""A modal submitted through the control plane carries only values its inputs can hold. What
Slack's client could never send (an unknown block or action, a value of the wrong type, an
option the menu does not offer) is refused with a 4xx naming the block_id and action_id, and
the app hears nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import flask
import pytest

from emulator.serving import ServedApp
from emulator.slack.client import SimRefused
from tests.fidelity.conftest import Acme


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label}, "value": value}


def field(block_id: str, label: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        **extra,
    }


FORM = {
    "type": "modal",
    "callback_id": "ticket",
    "title": {"type": "plain_text", "text": "New ticket"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [
        field("title", "Title", {"type": "plain_text_input", "action_id": "t", "max_length": 20}),
        field(
            "level",
            "Priority",
            {"type": "static_select", "action_id": "p", "options": [option("High", "HIGH")]},
        ),
        field(
            "teams",
            "Teams",
            {"type": "checkboxes", "action_id": "c", "options": [option("Ops", "ops")]},
            optional=True,
        ),
        field("due", "Due", {"type": "datepicker", "action_id": "d"}, optional=True),
        field(
            "count",
            "Count",
            {
                "type": "number_input",
                "action_id": "n",
                "is_decimal_allowed": False,
                "max_value": "9",
            },
            optional=True,
        ),
    ],
}


class Submitted:
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        self.lock = threading.Lock()


@pytest.fixture
def submitted(acme: Acme) -> Iterator[Submitted]:
    """The app's endpoint, keeping each view_submission it gets."""
    seen = Submitted()
    app = flask.Flask("views")

    @app.post("/slack/events")
    def events() -> str:
        form = parse_qs(flask.request.get_data(as_text=True))
        payload = json.loads(form["payload"][0]) if "payload" in form else {}
        if payload.get("type") == "view_submission":
            with seen.lock:
                seen.payloads.append(payload)
        return ""

    served = ServedApp(app, name="views").start()
    acme.sim.update_app(acme.app["id"], request_url=f"{served.url}/slack/events")
    yield seen
    served.stop()


@pytest.fixture
def view_id(acme: Acme, submitted: Submitted) -> str:
    opened = acme.client().views_open(trigger_id=acme.trigger_id(), view=FORM)
    return str(opened["view"]["id"])


def refusal(acme: Acme, view_id: str, values: dict[str, Any]) -> SimRefused:
    with pytest.raises(SimRefused) as caught:
        acme.sim.submit_view(view_id, acme.alice["id"], values)
    return caught.value


def test_well_formed_values_reach_the_app_as_state_values(
    acme: Acme, view_id: str, submitted: Submitted
) -> None:
    acme.sim.submit_view(
        view_id,
        acme.alice["id"],
        {"Title": "Printer", "level": {"p": "HIGH"}, "Teams": ["Ops"], "due": "2026-12-01"},
    )

    values = submitted.payloads[0]["view"]["state"]["values"]
    assert values["title"]["t"] == {"type": "plain_text_input", "value": "Printer"}
    assert values["level"]["p"]["selected_option"]["value"] == "HIGH"
    assert [o["value"] for o in values["teams"]["c"]["selected_options"]] == ["ops"]
    assert values["due"]["d"]["selected_date"] == "2026-12-01"


@pytest.mark.parametrize(
    ("values", "status", "error", "block_id", "action_id"),
    [
        ({"Title": "x", "Priority": "High", "colour": "red"}, 404, "input_not_found", "colour", ""),
        ({"Title": "x", "level": {"wrong": "HIGH"}}, 404, "action_not_found", "level", "wrong"),
        ({"Title": "x", "level": {}}, 404, "action_not_found", "level", ""),
        ({"Title": ["x"], "Priority": "High"}, 422, "invalid_value", "title", "t"),
        ({"Title": {"t": 7}, "Priority": "High"}, 422, "invalid_value", "title", "t"),
        ({"Title": "x" * 21, "Priority": "High"}, 422, "invalid_value", "title", "t"),
        ({"Title": "x", "Priority": "Medium"}, 422, "invalid_value", "level", "p"),
        ({"Title": "x", "Priority": ["High"]}, 422, "invalid_value", "level", "p"),
        ({"Title": "x", "Priority": "High", "Teams": "Ops"}, 422, "invalid_value", "teams", "c"),
        ({"Title": "x", "Priority": "High", "Teams": ["Dev"]}, 422, "invalid_value", "teams", "c"),
        ({"Title": "x", "Priority": "High", "Due": "1/12/2026"}, 422, "invalid_value", "due", "d"),
        ({"Title": "x", "Priority": "High", "Count": "1.5"}, 422, "invalid_value", "count", "n"),
        ({"Title": "x", "Priority": "High", "Count": "10"}, 422, "invalid_value", "count", "n"),
        ({"Priority": "High"}, 422, "input_required", "title", "t"),
    ],
)
def test_a_value_the_view_cannot_hold_is_refused_naming_its_block_and_action(
    acme: Acme,
    view_id: str,
    submitted: Submitted,
    values: dict[str, Any],
    status: int,
    error: str,
    block_id: str,
    action_id: str,
) -> None:
    refused = refusal(acme, view_id, values)

    assert (refused.status, refused.error) == (status, error)
    assert (refused.body["block_id"], refused.body["action_id"]) == (block_id, action_id)
    assert block_id in refused.body["message"]
    assert submitted.payloads == []


def test_after_a_refusal_the_modal_is_still_open_and_can_be_submitted(
    acme: Acme, view_id: str, submitted: Submitted
) -> None:
    refusal(acme, view_id, {"Title": "x", "Priority": "Medium"})

    report = acme.sim.submit_view(view_id, acme.alice["id"], {"Title": "x", "Priority": "High"})

    assert report["ok"] and report["closed"] and len(submitted.payloads) == 1
