"""External selects: typing sends `block_suggestion`, the app's options are checked as Slack
checks them, and picking one sends `block_actions` (messages) or stays for the submission
(modals)."""

from __future__ import annotations

import json
from typing import Any

from tests.unit.slack.conftest import Received, World


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label}, "value": value}


EXTERNAL = {
    "type": "external_select",
    "action_id": "source",
    "placeholder": {"type": "plain_text", "text": "Type to search"},
    "min_query_length": 0,
}
MESSAGE = [
    {
        "type": "section",
        "block_id": "pick",
        "text": {"type": "mrkdwn", "text": "Source?"},
        "accessory": EXTERNAL,
    }
]
SOURCES = [option(f"Source {n}", str(n)) for n in range(1, 151)]


def answer_matching(form: dict[str, Any]) -> Any:
    """The tiny app: options whose label holds what was typed; a select's choice answers ''."""
    if form.get("type") != "block_suggestion":
        return ""
    found = [o for o in SOURCES if form["value"] in o["text"]["text"]][:100]
    return json.dumps({"options": found}), 200, {"Content-Type": "application/json"}


def post_external(world: World) -> str:
    world.invite_bot(world.general["id"])
    return world.client().chat_postMessage(
        channel=world.general["id"], text="Pick", blocks=MESSAGE
    )["ts"]


def on_message(world: World, ts: str, **extra: Any) -> dict[str, Any]:
    return {
        "channel_id": world.general["id"],
        "message_ts": ts,
        "user_id": world.bob["id"],
        **extra,
    }


def test_typing_sends_a_signed_block_suggestion_and_shows_the_apps_options(
    world: World, slack_app: Received
) -> None:
    slack_app.answer = answer_matching
    ts = post_external(world)

    report = world.sim.post("/actions/type", on_message(world, ts, query="Source 12"))

    payload = slack_app.requests[-1]
    assert payload["type"] == "block_suggestion"
    assert (payload["action_id"], payload["block_id"], payload["value"]) == (
        "source",
        "pick",
        "Source 12",
    )
    assert payload["user"]["id"] == world.bob["id"] and payload["team"]["id"] == world.team["id"]
    assert payload["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": world.general["id"],
        "is_ephemeral": False,
    }
    assert payload["channel"]["id"] == world.general["id"]
    assert "response_url" not in payload and "trigger_id" not in payload
    labels = [o["text"]["text"] for o in report["options"]]
    assert report["ok"] and labels == ["Source 12"] + [f"Source {n}" for n in range(120, 130)]


def test_picking_a_suggested_option_sends_block_actions_with_it(
    world: World, slack_app: Received
) -> None:
    slack_app.answer = answer_matching
    ts = post_external(world)

    report = world.sim.post(
        "/actions/select", on_message(world, ts, query="Source 14", option="Source 140")
    )

    assert report["ok"]
    action = slack_app.requests[-1]["actions"][0]
    assert slack_app.requests[-1]["type"] == "block_actions"
    assert action["type"] == "external_select" and action["action_id"] == "source"
    assert action["selected_option"] == option("Source 140", "140")


def test_an_option_the_app_did_not_offer_cannot_be_picked(
    world: World, slack_app: Received
) -> None:
    slack_app.answer = answer_matching
    ts = post_external(world)

    refused = world.sim.post(
        "/actions/select", on_message(world, ts, query="Source 2", option="Source 3"), status=404
    )

    assert refused["error"] == "option_not_found"
    assert [r["type"] for r in slack_app.requests] == ["block_suggestion"]


def test_more_than_100_options_or_a_malformed_answer_shows_none(
    world: World, slack_app: Received
) -> None:
    ts = post_external(world)
    answers = {
        "too many": {"options": SOURCES},
        "long label": {"options": [option("x" * 76, "1")]},
        "no options": {"text": "hello"},
        "groups": {"option_groups": [{"label": {"type": "plain_text", "text": "A"}, "options": 3}]},
    }
    for name, body in answers.items():
        slack_app.answer = lambda form, body=body: (
            json.dumps(body),
            200,
            {"Content-Type": "application/json"},
        )
        report = world.sim.post("/actions/type", on_message(world, ts, query="S"))
        assert (report["ok"], report["error"]) == (False, "invalid_options"), name


def test_option_groups_are_offered_too(world: World, slack_app: Received) -> None:
    groups = {
        "option_groups": [
            {"label": {"type": "plain_text", "text": "Recent"}, "options": SOURCES[:2]},
            {"label": {"type": "plain_text", "text": "All"}, "options": SOURCES[2:4]},
        ]
    }
    slack_app.answer = lambda form: (json.dumps(groups), 200, {"Content-Type": "application/json"})
    ts = post_external(world)

    report = world.sim.post("/actions/type", on_message(world, ts, query=""))

    assert [o["value"] for o in report["options"]] == ["1", "2", "3", "4"]


def test_nothing_is_sent_for_a_query_shorter_than_min_query_length(
    world: World, slack_app: Received
) -> None:
    world.invite_bot(world.general["id"])
    blocks = [
        {**MESSAGE[0], "accessory": {k: v for k, v in EXTERNAL.items() if k != "min_query_length"}}
    ]
    ts = world.client().chat_postMessage(channel=world.general["id"], text="Pick", blocks=blocks)[
        "ts"
    ]

    report = world.sim.post("/actions/type", on_message(world, ts, query="So"))

    assert report == {"ok": True, "delivered": False, "options": []}
    assert slack_app.requests == []


def test_a_modal_keeps_the_suggested_choice_for_its_submission(
    world: World, slack_app: Received
) -> None:
    slack_app.answer = answer_matching
    trigger_id = world.sim.post(
        "/actions/command",
        {"channel_id": world.general["id"], "user_id": world.alice["id"], "command": "/ilert"},
    )["trigger_id"]
    view = {
        "type": "modal",
        "callback_id": "create",
        "title": {"type": "plain_text", "text": "Create"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "blocks": [
            {
                "type": "input",
                "block_id": "source",
                "label": {"type": "plain_text", "text": "Alert source"},
                "element": EXTERNAL,
            }
        ],
    }
    opened = world.client().views_open(trigger_id=trigger_id, view=view)["view"]
    on_view = {"view_id": opened["id"], "user_id": world.alice["id"]}

    world.sim.post("/actions/select", {**on_view, "query": "Source 99", "option": "99"})
    world.sim.post("/actions/submit-view", {**on_view, "values": {}})

    suggestion, submission = slack_app.requests[-2:]
    assert suggestion["container"] == {"type": "view", "view_id": opened["id"]}
    assert suggestion["view"]["id"] == opened["id"]
    assert submission["view"]["state"]["values"] == {
        "source": {
            "source": {"type": "external_select", "selected_option": option("Source 99", "99")}
        }
    }
