"""Modals: views.open/push/update, submissions and closes delivered signed, and the app's ack."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import flask
import pytest
from slack_sdk.errors import SlackApiError

from emulator.clock import VirtualClock
from emulator.serving import ServedApp
from emulator.slack import FakeSlack
from tests.unit.slack.conftest import Received, Sim, World


def modal(title: str = "Create alert", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "create",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Create"},
        "blocks": [
            {
                "type": "input",
                "block_id": "summary",
                "label": {"type": "plain_text", "text": "Summary"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            },
            {
                "type": "input",
                "block_id": "priority",
                "label": {"type": "plain_text", "text": "Priority"},
                "element": {
                    "type": "static_select",
                    "action_id": "level",
                    "options": [
                        {"text": {"type": "plain_text", "text": "High"}, "value": "HIGH"},
                        {"text": {"type": "plain_text", "text": "Low"}, "value": "LOW"},
                    ],
                    "initial_option": {
                        "text": {"type": "plain_text", "text": "Low"},
                        "value": "LOW",
                    },
                },
            },
            {
                "type": "input",
                "block_id": "notes",
                "optional": True,
                "label": {"type": "plain_text", "text": "Notes"},
                "element": {"type": "plain_text_input", "action_id": "notes"},
            },
            {
                "type": "actions",
                "block_id": "more",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "details",
                        "text": {"type": "plain_text", "text": "Details"},
                    }
                ],
            },
        ],
        **extra,
    }


def open_modal(world: World, view: dict[str, Any] | None = None) -> dict[str, Any]:
    trigger_id = world.sim.post(
        "/actions/command",
        {"channel_id": world.general["id"], "user_id": world.alice["id"], "command": "/ilert"},
    )["trigger_id"]
    return world.client().views_open(trigger_id=trigger_id, view=view or modal())["view"]


def submit(world: World, view_id: str, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {"view_id": view_id, "user_id": world.alice["id"], "values": values, **extra}
    return world.sim.post("/actions/submit-view", body)


def test_a_submission_is_delivered_with_the_entered_values(
    world: World, slack_app: Received
) -> None:
    opened = open_modal(world)
    slack_app.answer = lambda _: ""

    report = submit(world, opened["id"], {"summary": {"text": "Disk full"}, "Notes": "sda1"})

    payload = slack_app.requests[-1]
    assert payload["type"] == "view_submission"
    assert payload["user"]["id"] == world.alice["id"] and payload["team"]["id"] == world.team["id"]
    assert payload["view"]["id"] == opened["id"] and payload["view"]["callback_id"] == "create"
    assert payload["view"]["state"]["values"] == {
        "summary": {"text": {"type": "plain_text_input", "value": "Disk full"}},
        "priority": {
            "level": {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "Low"}, "value": "LOW"},
            }
        },
        "notes": {"notes": {"type": "plain_text_input", "value": "sda1"}},
    }
    assert payload["trigger_id"] and payload["response_urls"] == []
    assert report["ok"] is True and report["closed"] is True and report["view"] is None
    assert world.sim.get("/views")["stacks"] == []


def test_errors_keep_the_modal_open(world: World, slack_app: Received) -> None:
    opened = open_modal(world)
    errors = {"summary": "Say what is wrong"}
    slack_app.answer = lambda _: flask.jsonify(response_action="errors", errors=errors)

    report = submit(world, opened["id"], {"Summary": "?", "Priority": "High"})

    assert report["response_action"] == "errors" and report["errors"] == errors
    assert report["closed"] is False and report["view"]["id"] == opened["id"]
    values = slack_app.requests[-1]["view"]["state"]["values"]
    assert values["priority"]["level"]["selected_option"]["value"] == "HIGH"


def test_update_push_and_clear(world: World, slack_app: Received) -> None:
    opened = open_modal(world)
    slack_app.answer = lambda _: flask.jsonify(response_action="update", view=modal("Step 2"))
    updated = submit(world, opened["id"], {"Summary": "a"})
    slack_app.answer = lambda _: flask.jsonify(response_action="push", view=modal("Step 3"))
    pushed = submit(world, opened["id"], {"Summary": "b"})
    slack_app.answer = lambda _: flask.jsonify(response_action="clear")
    cleared = submit(world, pushed["view"]["id"], {"Summary": "c"})

    assert updated["view"]["id"] == opened["id"]
    assert updated["view"]["title"]["text"] == "Step 2"
    assert pushed["view"]["previous_view_id"] == opened["id"]
    assert pushed["view"]["root_view_id"] == opened["id"]
    assert cleared["closed"] is True
    assert world.sim.get("/views")["stacks"] == []


def test_an_empty_ack_closes_only_the_view_on_top(world: World, slack_app: Received) -> None:
    opened = open_modal(world)
    slack_app.answer = lambda _: flask.jsonify(response_action="push", view=modal("Pushed"))
    pushed = submit(world, opened["id"], {"Summary": "a"})["view"]
    slack_app.answer = lambda _: ""

    under = world.sim.post(
        "/actions/submit-view",
        {"view_id": opened["id"], "user_id": world.alice["id"], "values": {"Summary": "a"}},
        status=409,
    )
    report = submit(world, pushed["id"], {"Summary": "b"})

    assert under["error"] == "view_not_on_top"
    assert report["closed"] is False and report["view"]["id"] == opened["id"]


def test_the_person_must_fill_required_inputs_and_name_real_ones(
    world: World, slack_app: Received
) -> None:
    opened = open_modal(world)
    body = {"view_id": opened["id"], "user_id": world.alice["id"]}

    missing = world.sim.post("/actions/submit-view", {**body, "values": {}}, status=422)
    unknown = world.sim.post(
        "/actions/submit-view", {**body, "values": {"Colour": "red"}}, status=404
    )
    stranger = world.sim.post(
        "/actions/submit-view",
        {**body, "user_id": world.bob["id"], "values": {"Summary": "x"}},
        status=404,
    )

    assert missing["error"] == "input_required" and "Summary" in missing["message"]
    assert unknown["error"] == "input_not_found" and "'Summary'" in unknown["message"]
    assert stranger["error"] == "view_not_found"
    assert slack_app.requests[1:] == []


def test_a_button_in_a_modal_gives_a_trigger_for_views_push(
    world: World, slack_app: Received
) -> None:
    opened = open_modal(world)

    report = world.sim.post(
        "/actions/click",
        {"view_id": opened["id"], "user_id": world.alice["id"], "label": "Details"},
    )
    payload = slack_app.requests[-1]
    pushed = world.client().views_push(trigger_id=report["trigger_id"], view=modal("Details"))

    assert payload["type"] == "block_actions"
    assert payload["container"] == {"type": "view", "view_id": opened["id"]}
    assert payload["view"]["id"] == opened["id"] and "response_url" not in payload
    assert pushed["view"]["root_view_id"] == opened["id"]
    stack = world.sim.get("/views", user_id=world.alice["id"])["stacks"][0]
    assert [v["id"] for v in stack["views"]] == [opened["id"], pushed["view"]["id"]]


def test_the_stack_holds_three_views(world: World, slack_app: Received) -> None:
    opened = open_modal(world)
    client = world.client()

    def trigger(view_id: str) -> str:
        body = {"view_id": view_id, "user_id": world.alice["id"], "label": "Details"}
        return world.sim.post("/actions/click", body)["trigger_id"]

    second = client.views_push(trigger_id=trigger(opened["id"]), view=modal("2"))["view"]
    third = client.views_push(trigger_id=trigger(second["id"]), view=modal("3"))["view"]

    with pytest.raises(SlackApiError) as caught:
        client.views_push(trigger_id=trigger(third["id"]), view=modal("4"))
    assert caught.value.response["error"] == "push_limit_reached"


def test_closing_notifies_the_app_only_when_asked(world: World, slack_app: Received) -> None:
    quiet = open_modal(world)
    closed = world.sim.post(
        "/actions/close-view", {"view_id": quiet["id"], "user_id": world.alice["id"]}
    )
    told = open_modal(world, modal(notify_on_close=True))
    notified = world.sim.post(
        "/actions/close-view", {"view_id": told["id"], "user_id": world.alice["id"]}
    )

    assert closed == {"ok": True, "notified": False, "cleared": False, "view": None}
    assert notified["notified"] is True and notified["status"] == 200
    payload = slack_app.requests[-1]
    assert payload["type"] == "view_closed" and payload["view"]["id"] == told["id"]
    assert payload["is_cleared"] is False
    assert [r["type"] for r in slack_app.requests if "type" in r] == ["view_closed"]


def test_views_update_checks_hash_id_and_external_id(world: World, slack_app: Received) -> None:
    client = world.client()
    first = open_modal(world, modal(external_id="alert-1"))

    renamed = modal("Renamed", external_id="alert-1")
    by_external = client.views_update(external_id="alert-1", view=renamed)["view"]

    assert by_external["id"] == first["id"] and by_external["hash"] != first["hash"]
    for kwargs, error in [
        ({"view_id": first["id"], "hash": first["hash"]}, "hash_conflict"),
        ({"view_id": "VNOPE"}, "not_found"),
    ]:
        with pytest.raises(SlackApiError) as caught:
            client.views_update(view=modal(), **kwargs)
        assert caught.value.response["error"] == error
    with pytest.raises(SlackApiError) as duplicate:
        open_modal(world, modal(external_id="alert-1"))
    assert duplicate.value.response["error"] == "duplicate_external_id"


def test_views_refuse_bad_views(world: World, slack_app: Received) -> None:
    trigger_id = world.sim.post(
        "/actions/command",
        {"channel_id": world.general["id"], "user_id": world.alice["id"], "command": "/ilert"},
    )["trigger_id"]
    client = world.client()
    too_many = {**modal(), "blocks": [{"type": "divider"}] * 101}

    for view in ({"type": "home", "title": modal()["title"]}, {"type": "modal"}, too_many):
        with pytest.raises(SlackApiError) as caught:
            client.views_open(trigger_id=trigger_id, view=view)
        assert caught.value.response["error"] == "invalid_arguments"
    assert client.views_open(trigger_id=trigger_id, view=modal())["ok"]  # not used up


@pytest.fixture
def wall() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def fake(clock: VirtualClock, wall: VirtualClock) -> FakeSlack:
    # Replaces conftest's fake: a wall clock to move, and an app that must answer in 0.2 s.
    return FakeSlack(clock=clock, wall=wall, seed=7, ack_timeout=0.2)


def test_a_trigger_expires_after_three_seconds(
    world: World, slack_app: Received, wall: VirtualClock
) -> None:
    trigger_id = world.sim.post(
        "/actions/command",
        {"channel_id": world.general["id"], "user_id": world.alice["id"], "command": "/ilert"},
    )["trigger_id"]
    wall.advance(3.5)

    with pytest.raises(SlackApiError) as caught:
        world.client().views_open(trigger_id=trigger_id, view=modal())

    assert caught.value.response["error"] == "expired_trigger_id"


@pytest.fixture
def slow_app(world: World, sim: Sim) -> Iterator[threading.Event]:
    """An app that answers only when the test lets it."""
    release = threading.Event()
    app = flask.Flask("slow-app")

    @app.post("/slack/events")
    def events() -> str:
        release.wait(10)
        return ""

    served = ServedApp(app, name="slow-app").start()
    sim.http.patch(
        f"{world.url}/_sim/apps/{world.app['id']}",
        json={"request_url": f"{served.url}/slack/events"},
        timeout=10,
    ).raise_for_status()
    yield release
    release.set()
    served.stop()


def test_an_app_too_slow_to_ack_times_out(world: World, slow_app: threading.Event) -> None:
    report = world.sim.post(
        "/actions/command",
        {"channel_id": world.general["id"], "user_id": world.alice["id"], "command": "/ilert"},
    )

    assert report["ok"] is False and report["error"] == "operation_timeout"
