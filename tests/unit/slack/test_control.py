"""The `/_sim/` control plane: seeding, inspection, errors and the virtual clock."""

from __future__ import annotations

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.unit.slack.conftest import Sim, World


def test_the_index_lists_the_routes(url: str) -> None:
    index = requests.get(f"{url}/", timeout=5)
    assert index.status_code == 200 and "/_sim/state" in str(index.json()["routes"])


def test_seeding_answers_slack_shapes(sim: Sim) -> None:
    team = sim.workspace("Acme")
    user = sim.user(team["id"], "alice")
    channel = sim.channel(team["id"], "ops", members=[user["id"]])

    assert team["id"].startswith("T") and team["url"] == "https://acme.slack.com/"
    assert user["id"].startswith("U") and user["profile"]["email"] == "alice@example.com"
    assert channel["id"].startswith("C") and channel["num_members"] == 1
    taken = sim.post(f"/workspaces/{team['id']}/channels", {"name": "ops"}, status=409)
    assert taken["error"] == "name_taken"


def test_bad_input_gets_4xx_json(sim: Sim) -> None:
    missing = sim.post("/workspaces", {}, status=400)
    unknown = sim.post("/workspaces/TNOPE/users", {"name": "x"}, status=404)
    not_json = requests.post(f"{sim.url}/_sim/apps", data="[1", timeout=5)
    no_route = requests.get(f"{sim.url}/_sim/nothing", timeout=5)

    assert missing["error"] == "missing_field"
    assert unknown["error"] == "workspace_not_found"
    assert not_json.status_code == 400 and not_json.json()["error"] == "invalid_json"
    assert no_route.status_code == 404 and no_route.json()["ok"] is False


def test_apps_keep_given_secrets_and_state_shows_tokens(sim: Sim) -> None:
    team = sim.workspace("Acme")
    app = sim.app(client_id="111.222", client_secret="cs", signing_secret="ss")
    install = sim.install(app["id"], team["id"], ["chat:write"])

    dump = sim.get("/state")

    assert (app["client_id"], app["client_secret"], app["signing_secret"]) == (
        "111.222",
        "cs",
        "ss",
    )
    assert dump["installs"][0]["access_token"] == install["access_token"]
    assert install["access_token"].startswith("xoxb-")


def test_reset_empties_everything(world: World) -> None:
    world.sim.post("/reset")

    assert world.sim.get("/state")["workspaces"] == []
    client = WebClient(token=world.install["access_token"], base_url=f"{world.url}/api/")
    with pytest.raises(SlackApiError) as caught:
        client.auth_test()
    assert caught.value.response["error"] == "invalid_auth"


def test_message_ts_follows_the_virtual_clock(world: World) -> None:
    world.invite_bot(world.general["id"])
    client = world.client()
    first = client.chat_postMessage(channel=world.general["id"], text="a")["ts"]
    same_instant = client.chat_postMessage(channel=world.general["id"], text="b")["ts"]
    world.sim.post("/clock/advance", {"seconds": 60})
    later = client.chat_postMessage(channel=world.general["id"], text="c")["ts"]

    assert first == "1700000000.000000"
    assert same_instant == "1700000000.000001"
    assert later == "1700000060.000000"
