"""Message metadata as Slack takes it: an event (`event_type`, `event_payload`), Work Object
`entities`, or both; stored, given back by conversations.history with `include_all_metadata`,
and refused with Slack's errors when it is not of that shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.metadata import EntityMetadata, EventAndEntityMetadata, Metadata

from tests.fidelity.conftest import Acme, error_of


def task(**changes: Any) -> dict[str, Any]:
    entity = {
        "entity_type": "slack#/entities/task",
        "url": "https://tracker.example/T-1",
        "external_ref": {"id": "T-1"},
        "entity_payload": {"attributes": {"title": {"text": "Printer on fire"}}},
    }
    return {**entity, **changes}


def history(acme: Acme) -> list[dict[str, Any]]:
    client = acme.client()
    answer = client.conversations_history(channel=acme.general["id"], include_all_metadata=True)
    return answer["messages"]


def test_entities_are_stored_and_given_back_with_include_all_metadata(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    metadata = EventAndEntityMetadata(entities=[EntityMetadata(**task())])

    acme.client().chat_postMessage(channel=acme.general["id"], text="t", metadata=metadata)

    assert history(acme)[0]["metadata"] == {"entities": [task()]}
    plain = acme.client().conversations_history(channel=acme.general["id"])["messages"][0]
    assert "metadata" not in plain


def test_an_event_with_entities_is_kept_whole(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    metadata = {
        "event_type": "task_created",
        "event_payload": {"id": "T-1", "priority": "HIGH"},
        "entities": [task(extra={"kept": True})],
    }

    acme.client().chat_postMessage(channel=acme.general["id"], text="t", metadata=metadata)

    assert history(acme)[0]["metadata"] == metadata


def test_chat_update_takes_entities_too(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    client = acme.client()
    ts = client.chat_postMessage(
        channel=acme.general["id"], text="t", metadata=Metadata("task_created", {"id": "T-1"})
    )["ts"]

    client.chat_update(channel=acme.general["id"], ts=ts, text="t", metadata={"entities": [task()]})

    assert history(acme)[0]["metadata"] == {"entities": [task()]}


def test_metadata_sent_as_a_json_string_in_a_form_is_the_same(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    acme.client().api_call(
        "chat.postMessage",
        data={
            "channel": acme.general["id"],
            "text": "t",
            "metadata": json.dumps({"entities": [task()]}),
        },
    )

    assert history(acme)[0]["metadata"] == {"entities": [task()]}


@pytest.mark.parametrize(
    ("metadata", "error"),
    [
        ("not json", "invalid_metadata_format"),
        (["a list"], "invalid_metadata_format"),
        ({"event_payload": {"id": 1}}, "invalid_metadata_format"),
        ({"event_type": 7, "event_payload": {}}, "invalid_metadata_format"),
        ({"event_type": "x", "event_payload": ["no"]}, "invalid_metadata_format"),
        ({"entities": []}, "invalid_metadata_format"),
        ({"entities": {"entity_type": "slack#/entities/task"}}, "invalid_metadata_format"),
        ({"entities": ["task"]}, "invalid_metadata_schema"),
        ({"entities": [task(entity_type="slack#/entities/pizza")]}, "invalid_metadata_schema"),
        ({"entities": [task(url="")]}, "invalid_metadata_schema"),
        ({"entities": [task(external_ref={"type": "task"})]}, "invalid_metadata_schema"),
        ({"entities": [task(entity_payload={})]}, "invalid_metadata_schema"),
        ({"entities": [task(entity_payload={"attributes": {}})]}, "invalid_metadata_schema"),
    ],
)
def test_metadata_slack_would_not_store_is_refused(acme: Acme, metadata: Any, error: str) -> None:
    acme.invite_bot(acme.general["id"])
    sent = metadata if isinstance(metadata, str) else json.dumps(metadata)

    refused = error_of(
        acme.client().api_call,
        api_method="chat.postMessage",
        data={"channel": acme.general["id"], "text": "t", "metadata": sent},
    )

    assert refused["error"] == error
    if not isinstance(metadata, str):  # JSON that is not JSON gets the bare error
        assert refused["response_metadata"]["messages"][0].startswith("[ERROR] ")
    assert acme.sim.messages(acme.general["id"]) == []
