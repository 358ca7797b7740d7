"""Lenient mode: Block Kit that Slack refuses is let through, with a warning in the journal, on
every surface; off by default, and blocks that cannot be kept are refused either way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from emulator.clock import VirtualClock
from emulator.slack.app import FakeSlack
from harness import cli
from tests.unit.slack.conftest import Received, World

HEADER_IN_MRKDWN = [{"type": "header", "text": {"type": "mrkdwn", "text": "Hi"}}]


@pytest.fixture
def fake(clock: VirtualClock) -> FakeSlack:
    return FakeSlack(clock=clock, seed=7, lenient=True)


def warnings(world: World, method: str) -> list[str]:
    entries = world.sim.get("/journal", method=method)["entries"]
    return [line for entry in entries for line in entry.get("warnings", [])]


def test_validation_is_on_unless_asked_otherwise() -> None:
    assert FakeSlack().lenient is False


def test_a_message_slack_refuses_is_posted_and_the_journal_says_why(world: World) -> None:
    world.invite_bot(world.general["id"])

    posted = world.client().chat_postMessage(
        channel=world.general["id"], text="hi", blocks=HEADER_IN_MRKDWN
    )

    assert posted["ok"] is True and posted["message"]["blocks"] == HEADER_IN_MRKDWN
    assert warnings(world, "chat.postMessage") == [
        "unsupported type: mrkdwn [json-pointer:/blocks/0/text/type]"
    ]


def test_a_valid_message_leaves_no_warning(world: World) -> None:
    world.invite_bot(world.general["id"])
    world.client().chat_postMessage(channel=world.general["id"], text="hi")

    entry = world.sim.get("/journal", method="chat.postMessage")["entries"][-1]
    assert "warnings" not in entry


def test_blocks_that_are_not_an_array_are_refused_even_so(world: World) -> None:
    world.invite_bot(world.general["id"])
    answer = requests.post(
        f"{world.url}/api/chat.postMessage",
        headers={"Authorization": f"Bearer {world.install['access_token']}"},
        json={"channel": world.general["id"], "text": "x", "blocks": {"type": "section"}},
        timeout=10,
    ).json()

    assert answer["ok"] is False and answer["error"] == "invalid_blocks_format"


def test_a_modal_slack_refuses_opens_with_a_warning(world: World, slack_app: Received) -> None:
    trigger = world.sim.post(
        "/actions/command",
        {"channel_id": world.general["id"], "user_id": world.alice["id"], "command": "/ilert"},
    )["trigger_id"]
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "A title far longer than 24"},
        "blocks": [],
    }

    opened = world.client().views_open(trigger_id=trigger, view=view)

    assert opened["ok"] is True
    assert "[json-pointer:/view/title/text]" in warnings(world, "views.open")[0]


def test_a_response_url_post_slack_refuses_is_posted_with_a_journal_entry(
    world: World, slack_app: Received
) -> None:
    world.sim.post(
        "/actions/command",
        {"channel_id": world.general["id"], "user_id": world.alice["id"], "command": "/ilert"},
    )
    response_url = slack_app.requests[0]["response_url"]

    answer = requests.post(
        response_url, json={"response_type": "in_channel", "blocks": HEADER_IN_MRKDWN}, timeout=10
    )

    assert answer.status_code == 200
    assert [m["blocks"] for m in world.sim.messages(world.general["id"])] == [HEADER_IN_MRKDWN]
    assert "[json-pointer:/blocks/0/text" in warnings(world, "response_url")[0]


def test_the_cli_takes_lenient_for_up_and_for_slack_alone() -> None:
    parser = cli._parser()

    assert parser.parse_args(["slack", "--lenient"]).lenient is True
    assert parser.parse_args(["slack"]).lenient is False
    assert parser.parse_args(["up", "--lenient"]).lenient is True
    assert cli._config(parser.parse_args(["up", "--lenient"]), None).slack_lenient is True
    assert cli._config(parser.parse_args(["up"]), None).slack_lenient is False


PLUGIN_TEST = """
def test_posts_a_header_in_mrkdwn(fake_slack):
    world = fake_slack.quickstart(["chat:write"], channels=("general",))
    general = world["channels"]["general"]["id"]
    fake_slack.invite(general, world["install"]["bot_user_id"])
    blocks = [{"type": "header", "text": {"type": "mrkdwn", "text": "Hi"}}]
    fake_slack.client(world["token"]).chat_postMessage(channel=general, text="x", blocks=blocks)
    assert fake_slack.journal("chat.postMessage")[-1]["warnings"]
"""


def test_the_plugin_option_starts_fake_slack_lenient(tmp_path: Path) -> None:
    (tmp_path / "test_app.py").write_text(PLUGIN_TEST)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--fake-slack-lenient"]
    run = subprocess.run(
        [*command, str(tmp_path / "test_app.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stdout + run.stderr
