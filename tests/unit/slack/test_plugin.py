"""The `fake_slack` fixture other projects get from the pytest plugin (the README's example)."""

from __future__ import annotations

import pytest

from emulator.slack.client import SimRefused, SlackSim


def test_my_app_posts(fake_slack: SlackSim) -> None:
    world = fake_slack.quickstart(["chat:write"], channels=("general",))
    fake_slack.invite(world["channels"]["general"]["id"], world["install"]["bot_user_id"])

    client = fake_slack.client(world["token"])
    client.chat_postMessage(channel=world["channels"]["general"]["id"], text="hi")

    assert [m["text"] for m in fake_slack.messages(world["channels"]["general"]["id"])] == ["hi"]


def test_each_test_starts_empty(fake_slack: SlackSim) -> None:
    assert fake_slack.state()["workspaces"] == []
    assert fake_slack.faults() == [] and fake_slack.rate_limits()["enabled"] is False
    fake_slack.fault(method="*", error="down")
    fake_slack.rate_limits(enabled=True)


def test_refusals_raise_with_the_code(fake_slack: SlackSim) -> None:
    with pytest.raises(SimRefused) as caught:
        fake_slack.user("TNOPE", "alice")

    assert caught.value.status == 404 and caught.value.error == "workspace_not_found"
