"""Block Kit in what the app answers Slack: a slash command's ack body, a POST to a response_url
(through slack_sdk's WebhookClient) and a view_submission's `response_action`. Slack checks them
as it checks chat.postMessage and views.open."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import flask
import pytest
from slack_sdk.webhook import WebhookClient

from emulator.serving import ServedApp
from tests.fidelity.conftest import Acme

TOO_LONG = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
LONG_LINE = "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"


@dataclass
class Answering:
    """An app endpoint that answers every delivery with `answer` and keeps what it received."""

    url: str = ""
    answer: Any = ""
    received: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture(scope="module")
def answering() -> Iterator[Answering]:
    state = Answering()
    app = flask.Flask("answering")

    def events() -> Any:
        state.received.append(dict(flask.request.form))
        return flask.jsonify(state.answer) if state.answer else ""

    app.add_url_rule("/slack/events", "events", events, methods=["POST"])
    served = ServedApp(app, name="answering").start()
    state.url = f"{served.url}/slack/events"
    yield state
    served.stop()


@pytest.fixture
def app(acme: Acme, answering: Answering) -> Answering:
    acme.sim.update_app(acme.app["id"], request_url=answering.url)
    answering.answer, answering.received[:] = "", []
    return answering


def test_a_command_ack_with_blocks_slack_refuses_posts_nothing(acme: Acme, app: Answering) -> None:
    app.answer = {"text": "menu", "blocks": [{"type": "divider"}] * 51}
    report = acme.sim.command(acme.general["id"], acme.alice["id"], "/acme")
    assert report["ok"] is False and report["error"] == "invalid_blocks"
    assert report["response_metadata"]["messages"] == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]
    assert acme.sim.messages(acme.general["id"], acme.alice["id"]) == []


def test_a_command_ack_with_a_long_section_in_an_attachment_is_refused(
    acme: Acme, app: Answering
) -> None:
    app.answer = {"attachments": [{"blocks": [TOO_LONG]}]}
    report = acme.sim.command(acme.general["id"], acme.alice["id"], "/acme")
    assert report["error"] == "invalid_blocks"
    assert report["errors"] == [
        "must be less than 3001 characters [json-pointer:/attachments/0/blocks/0/text/text]"
    ]


def test_a_response_url_refuses_blocks_slack_refuses(acme: Acme, app: Answering) -> None:
    acme.sim.command(acme.general["id"], acme.alice["id"], "/acme")
    webhook = WebhookClient(app.received[-1]["response_url"])
    refused = webhook.send(text="x", blocks=[TOO_LONG])
    header = webhook.send(
        text="x", blocks=[{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]
    )
    assert (refused.status_code, refused.body) == (400, "invalid_blocks")
    assert (header.status_code, header.body) == (400, "invalid_blocks")
    assert acme.sim.messages(acme.general["id"], acme.alice["id"]) == []
    assert webhook.send(text="fine").status_code == 200


def test_replace_original_on_a_response_url_is_checked_too(acme: Acme, app: Answering) -> None:
    app.answer = {"text": "first"}
    acme.sim.command(acme.general["id"], acme.alice["id"], "/acme")
    webhook = WebhookClient(app.received[-1]["response_url"])
    answer = webhook.send(replace_original=True, text="x", attachments=[{"blocks": [TOO_LONG]}])
    assert (answer.status_code, answer.body) == (400, "invalid_blocks")
    assert [m["text"] for m in acme.sim.messages(acme.general["id"], acme.alice["id"])] == ["first"]


def _modal(title: str = "Create alert", **fields: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "create",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Submit"},
        "blocks": [
            {
                "type": "input",
                "block_id": "summary",
                "label": {"type": "plain_text", "text": "Summary"},
                "element": {"type": "plain_text_input", "action_id": "summary"},
            }
        ],
        **fields,
    }


def _submitted(acme: Acme, answer: Any, app: Answering) -> tuple[dict[str, Any], dict[str, Any]]:
    view = acme.client().views_open(trigger_id=acme.trigger_id(), view=_modal())["view"]
    app.answer = answer
    return view, acme.sim.submit_view(view["id"], acme.alice["id"], {"Summary": "Disk full"})


@pytest.mark.parametrize(
    ("answer", "line"),
    [
        (
            {"response_action": "update", "view": _modal("t" * 25)},
            "must be less than 25 characters [json-pointer:/view/title/text]",
        ),
        (
            {"response_action": "push", "view": {**_modal(), "submit": None}},
            "must define `submit` to use `input` block [json-pointer:/view/blocks/0/input]",
        ),
        (
            {"response_action": "update", "view": _modal(blocks=[{"type": "section"}])},
            "must define either `text` or `fields` [json-pointer:/view/blocks/0/type]",
        ),
        (
            {"response_action": "errors", "errors": {"nowhere": "Enter a summary."}},
            "must be the block_id of an input block [json-pointer:/errors/nowhere]",
        ),
    ],
    ids=[
        "update with a long title",
        "push without submit",
        "update with a bare section",
        "errors naming no input",
    ],
)
def test_a_view_answer_slack_refuses_leaves_the_modal_as_it_was(
    acme: Acme, app: Answering, answer: dict[str, Any], line: str
) -> None:
    view, report = _submitted(acme, answer, app)
    assert report["ok"] is False and report["error"] == "invalid_arguments"
    assert report["response_metadata"]["messages"] == [f"[ERROR] {line}"]
    assert report["closed"] is False and report["view"]["id"] == view["id"]
    assert [v["id"] for v in acme.sim.views()[0]["views"]] == [view["id"]]


def test_a_view_answer_slack_accepts_goes_through(acme: Acme, app: Answering) -> None:
    answer = {"response_action": "errors", "errors": {"summary": "Enter a summary."}}
    _, report = _submitted(acme, answer, app)
    assert report["ok"] is True and report["errors"] == {"summary": "Enter a summary."}
    _, report = _submitted(acme, {"response_action": "update", "view": _modal("Done")}, app)
    assert report["ok"] is True and report["view"]["title"]["text"] == "Done"
