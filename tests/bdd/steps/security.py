"""Steps for requests that do not come from Slack, and for isolation (SEC-1, SEC-2)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
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
from tests.bdd.steps.common import (
    MENU_HEADING,
    Json,
    active_installs,
    channel_id,
    message_of,
)


@dataclass(frozen=True)
class ConnectorAnswer:
    """What the connector answered a hand-made request, and how many menus there were before."""

    response: requests.Response
    menus_before: int = 0


def signing_secret(services: Services) -> str:
    return next(a for a in services.slack.state()["apps"] if a["name"] == "ilert")["signing_secret"]


def send_to_connector(services: Services, body: str, how: str) -> requests.Response:
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
    return requests.post(
        f"{services.connector_url}/slack/events", data=body, headers=headers, timeout=10
    )


@when(
    parsers.parse('someone sends the connector a click on "{label}" for that alert {how}'),
    target_fixture="connector_answer",
)
def forged_click(
    services: Services, world: World, alert: Json, label: str, how: str
) -> ConnectorAnswer:
    name, message = message_of(services, world, alert)
    person, channel = world.person("RESPONDER"), world.channel(name)
    button = find_button(message, label)
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
    body = urlencode({"payload": json.dumps(payload)})
    return ConnectorAnswer(send_to_connector(services, body, how))


def count_menus(services: Services, world: World, channel: str) -> int:
    messages = services.slack.messages(channel_id(world, channel))
    return len([m for m in messages if MENU_HEADING in visible_text(m)])


@when(
    parsers.parse('someone sends the connector "/ilert" for "{channel}" {how}'),
    target_fixture="connector_answer",
)
def forged_command(services: Services, world: World, channel: str, how: str) -> ConnectorAnswer:
    admin = world.person("ADMIN")
    before = count_menus(services, world, channel)
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
    signed = "signed with another secret" if how == "signed with another secret" else ""
    return ConnectorAnswer(send_to_connector(services, body, signed), before)


@then(parsers.parse("the connector answers {status:d}"))
def connector_answers(connector_answer: ConnectorAnswer, status: int) -> None:
    response = connector_answer.response
    assert response.status_code == status, response.text[:300]


@then(parsers.parse('nobody sees a new channel menu in "{channel}"'))
def no_new_menu(
    services: Services, world: World, connector_answer: ConnectorAnswer, channel: str
) -> None:
    assert count_menus(services, world, channel) == connector_answer.menus_before


@given(parsers.parse('a second Slack workspace with a channel "{channel}"'), target_fixture="other")
def second_workspace(services: Services, world: World, channel: str) -> Json:
    domain = f"{world.team_domain}-other"
    workspace = services.slack.create_workspace(f"{world.team_name} Other", domain)
    return {
        "workspace": workspace,
        "channel": services.slack.create_channel(workspace["id"], channel.lstrip("#")),
    }


@when(
    parsers.parse('the ilert bot of the first workspace posts to "{channel}"'),
    target_fixture="slack_answer",
)
def cross_post(services: Services, world: World, other: Json, channel: str) -> Json:
    installs = active_installs(services, world.team_id)
    assert installs, f"no app installed in {world.team_id}"
    return services.slack.web_api(
        "chat.postMessage",
        installs[-1]["access_token"],
        channel=other["channel"]["id"],
        text="Hello from another workspace",
    )


@then("Slack refuses because the bot knows no such channel")
def slack_refuses(slack_answer: Json) -> None:
    assert slack_answer.get("ok") is False, slack_answer
    assert slack_answer.get("error") == "channel_not_found", slack_answer


@then(parsers.parse('"{channel}" has no messages'))
def channel_empty(services: Services, other: Json, channel: str) -> None:
    assert services.slack.messages(other["channel"]["id"]) == []


@given(
    parsers.parse('a second ilert account with an alert source "{name}"'), target_fixture="other"
)
def second_account(services: Services, world: World, name: str) -> Json:
    account = services.ilert.create_account(f"{world.team_name} Other")
    key = account["apiKey"]
    policy = services.ilert.create_escalation_policy(
        key, name="Theirs", user_ids=[account["owner"]["id"]], timeout_minutes=5
    )
    source = services.ilert.create_alert_source(key, name=name, policy_id=policy["id"])
    alert = services.ilert.create_alert(key, summary="Their alert", source_id=source["id"])
    return {"account": account, "source": source, "alert": alert}


@when("the first account's owner lists alert sources and alerts", target_fixture="listed")
def list_everything(services: Services, world: World) -> dict[str, list[Json]]:
    return {
        "sources": services.ilert.alert_sources(world.owner_key),
        "alerts": services.ilert.alerts(world.owner_key),
    }


@then("none of the second account's alert sources or alerts are listed")
def nothing_of_theirs(listed: dict[str, list[Json]], other: Json) -> None:
    assert other["source"]["id"] not in {s["id"] for s in listed["sources"]}
    assert other["alert"]["id"] not in {a["id"] for a in listed["alerts"]}


@then("the second account's alert source cannot be found by its id")
def their_source_hidden(services: Services, world: World, other: Json) -> None:
    assert services.ilert.find_alert_source(world.owner_key, other["source"]["id"]) is None
