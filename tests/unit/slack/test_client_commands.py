"""A slash command typed in the web client that no installed app owns: Slackbot answers the
person in the page, and no app is asked."""

from __future__ import annotations

import html
import re

import requests

from tests.unit.slack.conftest import Received, World


def type_line(world: World, line: str) -> str:
    """Alice types `line` in #general without JavaScript; the page the form leads back to."""
    browser = requests.Session()
    browser.post(f"{world.url}/login", data={"user_id": world.alice["id"]}, timeout=10)
    channel = f"{world.url}/client/{world.team['id']}/{world.general['id']}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get(channel, timeout=5).text)
    assert csrf
    answer = browser.post(
        f"{channel}/command",
        data={"csrf": csrf.group(1), "text": line},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302
    return html.unescape(browser.get(f"{world.url}{answer.headers['Location']}", timeout=5).text)


def test_an_unknown_command_gets_slackbots_answer_in_the_page(
    world: World, slack_app: Received
) -> None:
    page = type_line(world, "/nope at all")

    assert "/nope is not a valid command. In Slack, all messages that start with" in page
    assert "Slackbot" in page
    assert slack_app.requests == []


def test_a_registered_command_still_goes_to_its_app(world: World, slack_app: Received) -> None:
    type_line(world, "/ilert")

    assert [r["command"] for r in slack_app.requests] == ["/ilert"]
