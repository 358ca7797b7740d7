"""The actor: signed slash commands and clicks delivered to an app, and its response_url."""

from __future__ import annotations

from typing import Any

import flask
import pytest
import requests
from slack_sdk.errors import SlackApiError

from tests.unit.slack.conftest import Received, World

BUTTONS = [
    {
        "type": "actions",
        "block_id": "alert-1",
        "elements": [
            {
                "type": "button",
                "action_id": "accept",
                "text": {"type": "plain_text", "text": "Accept"},
                "value": "a-1",
            },
            {
                "type": "button",
                "action_id": "resolve",
                "text": {"type": "plain_text", "text": "Resolve"},
                "value": "a-1",
            },
        ],
    }
]
SELECT = [
    {
        "type": "section",
        "block_id": "pick",
        "text": {"type": "mrkdwn", "text": "Source?"},
        "accessory": {
            "type": "static_select",
            "action_id": "source",
            "placeholder": {"type": "plain_text", "text": "Pick one"},
            "options": [
                {"text": {"type": "plain_text", "text": "Datadog"}, "value": "src-1"},
                {"text": {"type": "plain_text", "text": "Grafana"}, "value": "src-2"},
            ],
        },
    }
]


def command(world: World, text: str = "help", **extra: Any) -> dict[str, Any]:
    body = {
        "channel_id": world.general["id"],
        "user_id": world.alice["id"],
        "command": "/ilert",
        "text": text,
        **extra,
    }
    return world.sim.post("/actions/command", body)


def post_buttons(world: World, blocks: list[dict[str, Any]] = BUTTONS) -> str:
    world.invite_bot(world.general["id"])
    posted = world.client().chat_postMessage(
        channel=world.general["id"], text="Alert", blocks=blocks
    )
    return posted["ts"]


def test_a_slash_command_arrives_signed_and_its_answer_is_ephemeral(
    world: World, slack_app: Received
) -> None:
    slack_app.answer = lambda form: f"Hello <@{form['user_id']}>, you said {form['text']}"

    report = command(world, "help me")

    assert report["ok"] is True and report["status"] == 200
    received = slack_app.requests[0]
    assert received["command"] == "/ilert" and received["text"] == "help me"
    assert received["team_id"] == world.team["id"] and received["team_domain"] == "acme"
    assert received["channel_name"] == "general" and received["user_name"] == "alice"
    assert received["api_app_id"] == world.app["id"]
    assert received["is_enterprise_install"] == "false" and received["trigger_id"]
    assert received["response_url"].startswith(f"{world.url}/commands/{world.team['id']}/")
    assert report["ephemeral"]["ephemeral_to"] == world.alice["id"]
    seen_by_bob = world.sim.messages(world.general["id"], user_id=world.bob["id"])
    assert seen_by_bob == []
    seen_by_alice = world.sim.messages(world.general["id"], user_id=world.alice["id"])
    assert seen_by_alice[0]["text"] == f"Hello <@{world.alice['id']}>, you said help me"


def test_an_in_channel_answer_is_seen_by_everyone(world: World, slack_app: Received) -> None:
    slack_app.answer = lambda _: flask.jsonify(response_type="in_channel", text="Linked")

    report = command(world)

    assert report["body"] == {"response_type": "in_channel", "text": "Linked"}
    assert report["message"]["ephemeral_to"] is None
    assert [
        m["text"] for m in world.sim.messages(world.general["id"], user_id=world.bob["id"])
    ] == ["Linked"]


def test_an_app_failure_is_reported(world: World, slack_app: Received) -> None:
    slack_app.answer = lambda _: ("boom", 500)

    report = command(world)

    assert report == {
        "ok": False,
        "error": "app_error",
        "status": 500,
        "body": "boom",
        "trigger_id": report["trigger_id"],
    }


def test_a_click_delivers_block_actions_and_response_url_replaces_the_message(
    world: World, slack_app: Received
) -> None:
    ts = post_buttons(world)

    def answer(payload: dict[str, Any]) -> str:
        reply = {"replace_original": True, "text": "Accepted by alice"}
        assert requests.post(payload["response_url"], json=reply, timeout=5).text == "ok"
        return ""

    slack_app.answer = answer

    report = world.sim.post(
        "/actions/click",
        {
            "channel_id": world.general["id"],
            "message_ts": ts,
            "user_id": world.alice["id"],
            "label": "Accept",
        },
    )

    assert report["ok"] is True
    payload = slack_app.requests[0]
    assert payload["type"] == "block_actions"
    assert payload["user"]["id"] == world.alice["id"]
    assert payload["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": world.general["id"],
        "is_ephemeral": False,
    }
    assert payload["message"]["ts"] == ts
    action = payload["actions"][0]
    assert (action["action_id"], action["block_id"], action["value"]) == (
        "accept",
        "alert-1",
        "a-1",
    )
    assert action["text"] == {"type": "plain_text", "text": "Accept", "emoji": True}
    messages = world.sim.messages(world.general["id"])
    assert [(m["ts"], m["text"]) for m in messages] == [(ts, "Accepted by alice")]


def test_a_click_in_a_thread_names_the_thread_and_a_broadcast_its_root(
    world: World, slack_app: Received
) -> None:
    world.invite_bot(world.general["id"])
    client = world.client()
    parent = client.chat_postMessage(channel=world.general["id"], text="Deploy 42")["ts"]
    kept = client.chat_postMessage(
        channel=world.general["id"], thread_ts=parent, text="Alert", blocks=BUTTONS
    )["ts"]
    shown = client.chat_postMessage(
        channel=world.general["id"],
        thread_ts=parent,
        reply_broadcast=True,
        text="Alert",
        blocks=[{**BUTTONS[0], "block_id": "alert-2"}],
    )["ts"]

    for ts in (kept, shown):
        world.sim.post(
            "/actions/click",
            {
                "channel_id": world.general["id"],
                "message_ts": ts,
                "user_id": world.alice["id"],
                "label": "Accept",
            },
        )

    in_thread, broadcast = slack_app.requests
    # Apps answer in the thread from `container.thread_ts` (Bolt's `body["container"]`).
    assert in_thread["container"] == {
        "type": "message",
        "message_ts": kept,
        "channel_id": world.general["id"],
        "is_ephemeral": False,
        "thread_ts": parent,
    }
    assert in_thread["message"]["thread_ts"] == parent and "root" not in in_thread["message"]
    assert broadcast["container"]["thread_ts"] == parent
    assert broadcast["message"]["subtype"] == "thread_broadcast"
    assert broadcast["message"]["root"]["ts"] == parent


def test_clicking_an_unknown_button_lists_the_buttons(world: World, slack_app: Received) -> None:
    ts = post_buttons(world)

    answer = world.sim.post(
        "/actions/click",
        {
            "channel_id": world.general["id"],
            "message_ts": ts,
            "user_id": world.alice["id"],
            "label": "Snooze",
        },
        status=404,
    )

    assert answer["error"] == "action_not_found"
    assert "Accept" in answer["message"] and "Resolve" in answer["message"]
    assert slack_app.requests == []


def test_a_select_sends_the_chosen_option(world: World, slack_app: Received) -> None:
    ts = post_buttons(world, SELECT)

    world.sim.post(
        "/actions/select",
        {
            "channel_id": world.general["id"],
            "message_ts": ts,
            "user_id": world.bob["id"],
            "option": "Grafana",
        },
    )

    action = slack_app.requests[0]["actions"][0]
    assert action["type"] == "static_select" and action["action_id"] == "source"
    assert action["selected_option"] == {
        "text": {"type": "plain_text", "text": "Grafana", "emoji": True},
        "value": "src-2",
    }


def test_clicks_on_ephemeral_messages_leave_the_message_out(
    world: World, slack_app: Received
) -> None:
    world.invite_bot(world.general["id"])
    ts = world.client().chat_postEphemeral(
        channel=world.general["id"], user=world.alice["id"], text="Pick", blocks=BUTTONS
    )["message_ts"]
    click = {"channel_id": world.general["id"], "message_ts": ts, "label": "Resolve"}

    world.sim.post("/actions/click", {**click, "user_id": world.bob["id"]}, status=404)
    world.sim.post("/actions/click", {**click, "user_id": world.alice["id"]})

    payload = slack_app.requests[0]
    assert payload["container"]["is_ephemeral"] is True and "message" not in payload


def test_response_url_limits(world: World, slack_app: Received) -> None:
    command(world)
    url = slack_app.requests[0]["response_url"]

    assert requests.post(url, data="{nope", timeout=5).status_code == 400
    for n in range(5):
        assert requests.post(url, json={"text": f"#{n}"}, timeout=5).text == "ok"
    used = requests.post(url, json={"text": "six"}, timeout=5)
    unknown = requests.post(url.rsplit("/", 1)[0] + "/wrong", json={"text": "x"}, timeout=5)

    assert (used.status_code, used.text) == (404, "used_url")
    assert (unknown.status_code, unknown.text) == (404, "no_service")
    assert len(world.sim.messages(world.general["id"], user_id=world.alice["id"])) == 5


def test_a_response_url_can_delete_the_original(world: World, slack_app: Received) -> None:
    ts = post_buttons(world)
    slack_app.answer = lambda p: (
        requests.post(p["response_url"], json={"delete_original": True}, timeout=5).text
    )
    click = {
        "channel_id": world.general["id"],
        "message_ts": ts,
        "user_id": world.bob["id"],
        "action_id": "resolve",
    }

    world.sim.post("/actions/click", click)

    assert world.sim.messages(world.general["id"]) == []


def test_a_trigger_id_opens_one_modal(world: World, slack_app: Received) -> None:
    trigger_id = command(world)["trigger_id"]
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Create alert"}, "blocks": []}
    client = world.client()

    opened = client.views_open(trigger_id=trigger_id, view=view)["view"]
    updated = client.views_update(view_id=opened["id"], view={**view, "callback_id": "create"})

    assert opened["id"].startswith("V") and opened["title"]["text"] == "Create alert"
    assert updated["view"]["callback_id"] == "create"
    with pytest.raises(SlackApiError) as again:
        client.views_open(trigger_id=trigger_id, view=view)
    assert again.value.response["error"] == "exchanged_trigger_id"
