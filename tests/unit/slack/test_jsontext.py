"""JSON as fake Slack keeps it and answers with it: content kept as text goes out unparsed, and
what a client reads is the same as if it had been parsed and written again."""

from __future__ import annotations

import json
from decimal import Decimal

from flask import Flask

from emulator.slack import jsontext
from emulator.slack.entities import Channel, Message
from tests.unit.slack.conftest import World

ACK = {"type": "button", "text": {"type": "plain_text", "text": "Ack"}}
BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Disk* voll — 95 %"}},
    {"type": "actions", "elements": [ACK]},
]


def answer_of(value: object) -> bytes:
    app = Flask("answers")
    app.json = jsontext.SlackJSONProvider(app)
    with app.app_context():
        return app.json.response(value).get_data()


def test_a_message_answered_raw_reads_as_the_parsed_one() -> None:
    message = Message("1.000001", "C1", "T1", "disk", "U1", blocks=BLOCKS, metadata={"n": 1})

    raw = json.loads(answer_of(message.to_api(raw=True)))

    assert raw == message.to_api()
    assert raw["blocks"] == BLOCKS


def test_a_channel_answered_raw_follows_every_change() -> None:
    channel = Channel("C1", "T1", "ops", is_private=False, created=1, creator="U1")
    first = json.loads(answer_of(channel.to_api(viewer="U2", raw=True)))
    assert first == channel.to_api(viewer="U2")
    assert first["is_member"] is False

    channel.add_member("U2")
    channel.rename("ops-alerts")

    again = json.loads(answer_of(channel.to_api(viewer="U2", raw=True)))
    assert again["is_member"] is True
    assert again["name"] == "ops-alerts"
    assert again["previous_names"] == ["ops"]
    assert again == channel.to_api(viewer="U2")


def test_answers_keep_key_order_and_write_utf_8() -> None:
    body = answer_of({"ok": True, "text": "Größe", "a": 1})

    assert body == '{"ok":true,"text":"Größe","a":1}'.encode()


def test_what_orjson_cannot_write_is_written_exactly_all_the_same() -> None:
    big = 2**70

    assert json.loads(jsontext.dumps({"n": big})) == {"n": big}
    assert json.loads(answer_of({"n": big, "price": Decimal("1.50")})) == {
        "n": big,
        "price": "1.50",
    }


def test_a_history_page_shows_what_was_posted(world: World) -> None:
    world.invite_bot(world.general["id"])
    client = world.client()
    client.chat_postMessage(channel=world.general["id"], text="disk", blocks=BLOCKS)

    page = client.conversations_history(channel=world.general["id"])

    assert page["messages"][0]["blocks"] == BLOCKS
