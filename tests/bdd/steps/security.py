"""Steps for requests that do not come from Slack, and for isolation (SEC-1, SEC-2)."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import requests
from pytest_bdd import given, parsers, then, when

from harness.driver import (
    Services,
    find_button,
    slack_signature,
    visible_text,
)
from harness.seed import World
from tests.bdd.steps.common import Json, Scene, channel_id, the_message


def signing_secret(services: Services) -> str:
    return next(a for a in services.slack.state()["apps"] if a["name"] == "ilert")["signing_secret"]


def send_to_connector(services: Services, scene: Scene, body: str, how: str) -> None:
    secret, now = signing_secret(services), int(time.time())
    timestamp, signed_body = str(now), body
    if how == "signed with another secret":
        secret = "not-the-apps-signing-secret"
    elif how == "signed correctly six minutes ago":
        timestamp = str(now - 360)
    elif how == "signed correctly for a different body":
        signed_body = body + "&extra=1"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if how != "without a signature":
        headers["X-Slack-Request-Timestamp"] = timestamp
        headers["X-Slack-Signature"] = slack_signature(secret, timestamp, signed_body)
    scene.response = requests.post(
        f"{services.connector_url}/slack/events", data=body, headers=headers, timeout=10
    )


@when(parsers.parse('someone sends the connector a click on "{label}" for that alert {how}'))
def forged_click(services: Services, world: World, scene: Scene, label: str, how: str) -> None:
    message, person = the_message(services, world, scene), world.person("RESPONDER")
    button = find_button(message, label)
    channel = world.channel(scene.alert_channel)
    payload = {
        "type": "block_actions",
        "api_app_id": "A0",
        "token": "t",
        "trigger_id": "1.2.3",
        "user": {"id": person.slack_id, "team_id": world.team_id, "name": "someone"},
        "team": {"id": world.team_id, "domain": world.team_domain},
        "channel": {"id": channel["id"], "name": channel["name"]},
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel["id"],
            "is_ephemeral": False,
        },
        "message": message,
        "response_url": f"{services.slack_url}/nowhere",
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": button["block_id"],
                "value": button.get("value", ""),
                "text": button["text"],
                "action_ts": str(time.time()),
            }
        ],
    }
    send_to_connector(services, scene, urlencode({"payload": json.dumps(payload)}), how)


@when(parsers.parse('someone sends the connector "/ilert" for "{channel}" {how}'))
def forged_command(services: Services, world: World, scene: Scene, channel: str, how: str) -> None:
    admin = world.person("ADMIN")
    scene.menus_before = count_menus(services, world, channel)
    body = urlencode(
        {
            "command": "/ilert",
            "text": "",
            "team_id": world.team_id,
            "team_domain": world.team_domain,
            "channel_id": channel_id(world, channel),
            "channel_name": channel.lstrip("#"),
            "user_id": admin.slack_id,
            "user_name": "admin",
            "response_url": f"{services.slack_url}/nowhere",
            "trigger_id": "1.2.3",
            "api_app_id": "A0",
            "token": "t",
        }
    )
    send_to_connector(
        services,
        scene,
        body,
        "signed with another secret" if how == "signed with another secret" else "",
    )


@then(parsers.parse("the connector answers {status:d}"))
def connector_answers(scene: Scene, status: int) -> None:
    assert scene.response is not None
    assert scene.response.status_code == status, scene.response.text[:300]


def count_menus(services: Services, world: World, channel: str) -> int:
    messages = services.slack.messages(channel_id(world, channel))
    return len([m for m in messages if "Manage the alert sources" in visible_text(m)])


@then(parsers.parse('nobody sees a new configuration menu in "{channel}"'))
def no_new_menu(services: Services, world: World, scene: Scene, channel: str) -> None:
    assert count_menus(services, world, channel) == scene.menus_before


@given(parsers.parse('a second Slack workspace with a channel "{channel}"'), target_fixture="other")
def second_workspace(services: Services, world: World, channel: str) -> Json:
    domain = f"{world.team_domain}-other"
    workspace = services.slack.create_workspace(f"{world.team_name} Other", domain)
    return {
        "workspace": workspace,
        "channel": services.slack.create_channel(workspace["id"], channel.lstrip("#")),
    }


def bot_token(services: Services, team_id: str) -> str:
    installs = [
        i
        for i in services.slack.state()["installs"]
        if i["team_id"] == team_id and not i.get("revoked")
    ]
    assert installs, f"no app installed in {team_id}"
    return installs[-1]["access_token"]


@when(parsers.parse('the connector\'s bot token for the first workspace posts to "{channel}"'))
def cross_post(services: Services, world: World, scene: Scene, other: Json, channel: str) -> None:
    scene.slack_answer = services.slack.web_api(
        "chat.postMessage",
        bot_token(services, world.team_id),
        channel=other["channel"]["id"],
        text="Hello from another workspace",
    )


@then(parsers.parse('Slack answers "{error}"'))
def slack_answers(scene: Scene, error: str) -> None:
    assert scene.slack_answer == {"ok": False, "error": error} or (
        scene.slack_answer.get("ok") is False and scene.slack_answer.get("error") == error
    )


@then(parsers.parse('"{channel}" has no messages'))
def channel_empty(services: Services, other: Json, channel: str) -> None:
    assert services.slack.messages(other["channel"]["id"]) == []


@given(
    parsers.parse('a second ilert account with an alert source "{name}"'), target_fixture="other"
)
def second_account(services: Services, world: World, name: str) -> Json:
    account = services.ilert.create_account(f"{world.team_name} Other")
    key = account["apiKey"]
    policy = services.ilert.call(
        "POST",
        "/escalation-policies",
        key=key,
        json={
            "name": "Theirs",
            "escalationRules": [
                {"escalationTimeout": 5, "users": [{"id": account["owner"]["id"]}]}
            ],
        },
    )
    source = services.ilert.call(
        "POST",
        "/alert-sources",
        key=key,
        json={"name": name, "integrationType": "API", "escalationPolicy": {"id": policy["id"]}},
    )
    alert = services.ilert.call(
        "POST",
        "/alerts",
        key=key,
        json={"summary": "Their alert", "alertSource": {"id": source["id"]}},
    )
    return {"account": account, "source": source, "alert": alert}


@when("the first account's owner lists alert sources and alerts")
def list_everything(services: Services, world: World, scene: Scene) -> None:
    scene.listed = {
        "sources": services.ilert.call("GET", "/alert-sources", key=world.owner_key),
        "alerts": services.ilert.call("GET", "/alerts", key=world.owner_key),
    }


@then("none of the second account's alert sources or alerts are listed")
def nothing_of_theirs(scene: Scene, other: Json) -> None:
    assert other["source"]["id"] not in {s["id"] for s in scene.listed["sources"]}
    assert other["alert"]["id"] not in {a["id"] for a in scene.listed["alerts"]}


@then("asking for the second account's alert source by id is answered 404")
def their_source_404(services: Services, world: World, other: Json) -> None:
    response = services.ilert.api(
        "GET", f"/alert-sources/{other['source']['id']}", key=world.owner_key
    )
    assert response.status_code == 404
