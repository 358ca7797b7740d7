"""Export and import: a fresh fake Slack carries on where the exported one stopped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from slack_sdk import WebClient

from emulator.serving import ServedApp
from emulator.slack import FakeSlack
from tests.unit.slack.conftest import Sim, World


@pytest.fixture
def fresh() -> Iterator[Sim]:
    served = ServedApp(FakeSlack(seed=7).app, name="fresh-slack").start()
    yield Sim(served.url)
    served.stop()


def test_an_import_restores_everything_an_app_relies_on(world: World, fresh: Sim) -> None:
    client, channel = world.client(), world.general["id"]
    world.invite_bot(channel)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Alert*"}}]
    metadata = {"event_type": "alert", "event_payload": {"id": 1}}
    parent = client.chat_postMessage(channel=channel, text="one", blocks=blocks, metadata=metadata)
    client.chat_postMessage(channel=channel, text="reply", thread_ts=parent["ts"])
    client.chat_update(channel=channel, ts=parent["ts"], text="one, edited")
    client.chat_postEphemeral(channel=channel, user=world.alice["id"], text="psst")

    exported = world.sim.get("/export")
    imported = fresh.post("/import", exported)

    assert imported["imported"] == {
        "workspaces": 1,
        "users": 3,
        "channels": 2,
        "messages": 3,
        "apps": 1,
        "installs": 1,
        "scheduled": 0,
    }
    assert fresh.get("/state")["workspaces"] == world.sim.get("/state")["workspaces"]
    assert fresh.messages(channel, user_id=world.alice["id"]) == world.sim.messages(
        channel, user_id=world.alice["id"]
    )
    again = WebClient(token=world.install["access_token"], base_url=f"{fresh.url}/api/")
    history = again.conversations_history(channel=channel, include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["one, edited"]
    assert history["messages"][0]["edited"]["user"] == world.install["bot_user_id"]
    assert history["messages"][0]["metadata"] == metadata
    replies = again.conversations_replies(channel=channel, ts=parent["ts"])["messages"]
    assert [m["text"] for m in replies] == ["one, edited", "reply"]
    later = again.chat_postMessage(channel=channel, text="later")
    assert float(later["ts"]) > float(parent["ts"])


def test_ids_issued_after_an_import_are_new(world: World, fresh: Sim) -> None:
    fresh.post("/import", world.sim.get("/export"))

    # The fresh emulator has the same seed, so without care it would issue the same ids again.
    team = fresh.workspace("Globex")
    app = fresh.app(name="second")

    assert team["id"] != world.team["id"]
    assert app["id"] != world.app["id"] and app["client_id"] != world.app["client_id"]


def test_a_bad_import_changes_nothing(world: World) -> None:
    exported = world.sim.get("/export")
    broken = {**exported, "installs": [{**exported["installs"][0], "team_id": "TGONE"}]}

    for document in ({"format": "other"}, {**exported, "version": 9}, broken):
        answer = requests.post(f"{world.url}/_sim/import", json=document, timeout=5)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_import"
    assert world.client().auth_test()["ok"]
