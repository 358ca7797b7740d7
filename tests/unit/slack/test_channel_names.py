"""Channel names as conversations.create and conversations.rename check them, and the codes Slack
documents for a required argument left empty (the method's own code, not invalid_arguments)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from emulator.slack.methods import method_specs
from tests.unit.slack.conftest import ALL_SCOPES, World

MANAGE = [*ALL_SCOPES, "channels:manage", "groups:write", "channels:write.invites"]


def answer_of(client: WebClient, method: str, **args: str) -> dict:
    with pytest.raises(SlackApiError) as caught:
        client.api_call(method, json=args)
    return caught.value.response.data


def in_channel(world: World) -> tuple[WebClient, str]:
    client = world.install_with(MANAGE)
    channel = client.conversations_create(name="incident-7")["channel"]["id"]
    return client, channel


@pytest.mark.parametrize("args", [{"name": ""}, {}])
def test_create_with_no_name_answers_invalid_name_required(world: World, args: dict) -> None:
    answer = answer_of(world.install_with(MANAGE), "conversations.create", **args)
    assert answer == {"ok": False, "error": "invalid_name_required"}


@pytest.mark.parametrize("args", [{"name": ""}, {}])
def test_rename_with_no_name_answers_invalid_name_required(world: World, args: dict) -> None:
    client, channel = in_channel(world)
    answer = answer_of(client, "conversations.rename", channel=channel, **args)
    assert answer == {"ok": False, "error": "invalid_name_required"}


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("general", "name_taken"),
        ("Incident", "invalid_name_specials"),
        ("Möte", "invalid_name_specials"),
        ("war room", "invalid_name_specials"),
        ("war.room", "invalid_name_specials"),
        ("#war-room", "invalid_name_specials"),
        ("x" * 81, "invalid_name_maxlength"),
        ("-_-", "invalid_name_punctuation"),
    ],
)
def test_rename_follows_the_rules_of_create(world: World, name: str, error: str) -> None:
    client, channel = in_channel(world)
    assert answer_of(client, "conversations.rename", channel=channel, name=name)["error"] == error
    assert answer_of(client, "conversations.create", name=name)["error"] == error


@pytest.mark.parametrize("name", ["möte", "日本語チャンネル", "x" * 80, "ops_2-eu"])
def test_names_slack_holds_are_accepted(world: World, name: str) -> None:
    client, channel = in_channel(world)
    renamed = client.conversations_rename(channel=channel, name=name)["channel"]
    created = client.conversations_create(name=f"{name[:78]}-2")["channel"]
    assert renamed["name"] == name
    assert created["name"] == f"{name[:78]}-2"


def test_other_empty_arguments_answer_the_codes_their_pages_document(world: World) -> None:
    client, channel = in_channel(world)
    assert answer_of(client, "conversations.invite", channel=channel, users="")["error"] == (
        "no_user"
    )
    assert answer_of(client, "conversations.replies", channel=channel, ts="")["error"] == (
        "thread_not_found"
    )
    # A required argument whose page names no own code keeps Slack's generic answer.
    assert answer_of(client, "conversations.archive", channel="") == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {"messages": ["[ERROR] missing required field: channel"]},
    }


def test_the_codes_for_empty_arguments_come_from_the_method_pages() -> None:
    specs = method_specs()
    assert specs["conversations.create"].empty_errors == {"name": "invalid_name_required"}
    assert specs["conversations.rename"].empty_errors == {"name": "invalid_name_required"}
    assert specs["conversations.invite"].empty_errors == {"users": "no_user"}
    assert specs["chat.postMessage"].empty_errors == {}
