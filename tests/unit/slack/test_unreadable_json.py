"""JSON that holds no text fake Slack could keep is refused where it arrives, as Slack's parser
refuses it: a lone UTF-16 surrogate, nesting deeper than any parser goes, and what only
JavaScript reads (`NaN`, `Infinity`, a trailing comma, a number no double holds). And a modal
submitted twice at once reaches the app once, as Slack's client greys out its button."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from tests.unit.slack.conftest import Received, World
from tests.unit.slack.test_modals import open_modal


def post_json(world: World, method: str, body: str) -> dict[str, Any]:
    answer = requests.post(
        f"{world.url}/api/{method}",
        data=body.encode(),
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {world.install['access_token']}",
        },
        timeout=10,
    )
    assert answer.status_code == 200
    return answer.json()


def test_a_lone_surrogate_in_a_json_body_is_invalid_json(world: World) -> None:
    world.invite_bot(world.general["id"])
    body = '{{"channel": "{}", "text": "disk \\ud800 full"}}'.format(world.general["id"])

    assert post_json(world, "chat.postMessage", body) == {"ok": False, "error": "invalid_json"}
    assert world.sim.messages(world.general["id"]) == []


def test_a_surrogate_pair_is_a_character_and_posts(world: World) -> None:
    world.invite_bot(world.general["id"])
    body = '{{"channel": "{}", "text": "disk \\ud83d\\udd25 full"}}'.format(world.general["id"])

    assert post_json(world, "chat.postMessage", body)["message"]["text"] == "disk 🔥 full"


def test_nesting_deeper_than_the_parser_goes_is_invalid_json(world: World) -> None:
    body = '{"channel": "x", "blocks": ' + "[" * 100_000 + "]" * 100_000 + "}"

    assert post_json(world, "chat.postMessage", body) == {"ok": False, "error": "invalid_json"}


@pytest.mark.parametrize(
    "value",
    ["NaN", "Infinity", "-Infinity", "1e400", '"disk full",'],
    ids=["nan", "infinity", "minus-infinity", "beyond-a-double", "trailing-comma"],
)
def test_what_json_does_not_allow_is_invalid_json_and_nothing_is_posted(
    world: World, value: str
) -> None:
    world.invite_bot(world.general["id"])
    body = '{{"channel": "{}", "text": "disk full", "metadata_note": {}}}'.format(
        world.general["id"], value
    )
    if value.endswith(","):
        body = '{{"channel": "{}", "text": {}}}'.format(world.general["id"], value)

    assert post_json(world, "chat.postMessage", body) == {"ok": False, "error": "invalid_json"}
    assert world.sim.messages(world.general["id"]) == []


def test_the_control_plane_refuses_a_lone_surrogate_too(world: World) -> None:
    answer = requests.post(
        f"{world.url}/_sim/channels/{world.general['id']}/messages",
        data='{{"user": "{}", "text": "\\udfff"}}'.format(world.alice["id"]),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_json"


def test_a_modal_submitted_twice_at_once_reaches_the_app_once(
    world: World, slack_app: Received
) -> None:
    view = open_modal(world)["id"]
    holding = threading.Event()
    release = threading.Event()

    def answer(form: dict[str, Any]) -> str:
        if form.get("type") == "view_submission":
            holding.set()
            release.wait(5)
        return ""

    slack_app.answer = answer
    answers: list[requests.Response] = []
    body = {"view_id": view, "user_id": world.alice["id"], "values": {"Summary": "Disk full"}}

    def submit() -> None:
        answers.append(
            requests.post(f"{world.url}/_sim/actions/submit-view", json=body, timeout=10)
        )

    first = threading.Thread(target=submit)
    first.start()
    assert holding.wait(5), "the app never got the first submission"
    submit()  # while the app still holds the first one
    release.set()
    first.join(10)

    assert sorted(a.status_code for a in answers) == [200, 409]
    assert [a.json()["error"] for a in answers if a.status_code == 409] == ["view_submitting"]
    kinds = [r.get("type") for r in slack_app.requests]
    assert kinds.count("view_submission") == 1
