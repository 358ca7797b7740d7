"""Block Kit refused as Slack refuses it, through slack_sdk's WebClient: blocks and elements in
messages (invalid_blocks, with `errors` and a `response_metadata.messages` line naming the field)
and modal views (invalid_arguments)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fidelity.conftest import Acme, error_of

Blocks = list[dict[str, Any]]


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(**fields: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn("x"), **fields}


def button(**fields: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain("Go"), "action_id": "go", **fields}


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain(label), "value": value}


def select(**fields: Any) -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": "pick",
        "options": [option("One", "1"), option("Two", "2")],
        **fields,
    }


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def accessory(element: dict[str, Any]) -> Blocks:
    return [section(accessory=element)]


def input_block(element: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"type": "input", "label": plain("Name"), "element": element, **fields}


# (what is wrong, blocks, Slack's message and pointer)
MESSAGE_CASES: list[tuple[str, Blocks, str]] = [
    # the message
    (
        "51 blocks",
        [{"type": "divider"}] * 51,
        "no more than 50 items allowed [json-pointer:/blocks]",
    ),
    ("a block not an object", ["divider"], "must provide an object [json-pointer:/blocks/0]"),
    ("no type", [{"text": mrkdwn("x")}], "missing required field: type [json-pointer:/blocks/0]"),
    (
        "unknown type",
        [{"type": "sections"}],
        "unsupported type: sections [json-pointer:/blocks/0/type]",
    ),
    # section
    (
        "section with neither text nor fields",
        [{"type": "section"}],
        "must define either `text` or `fields` [json-pointer:/blocks/0/type]",
    ),
    (
        "section with empty text",
        [section(text=mrkdwn(""))],
        "must be more than 0 characters [json-pointer:/blocks/0/text/text]",
    ),
    (
        "section with 3,001 characters",
        [section(text=mrkdwn("x" * 3001))],
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
    ),
    (
        "section text of an unknown type",
        [section(text={"type": "html", "text": "x"})],
        "unsupported type: html [json-pointer:/blocks/0/text/type]",
    ),
    (
        "section with 11 fields",
        [section(fields=[mrkdwn("f")] * 11)],
        "no more than 10 items allowed [json-pointer:/blocks/0/fields]",
    ),
    (
        "section field of 2,001 characters",
        [section(fields=[mrkdwn("f" * 2001)])],
        "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
    ),
    (
        "section accessory a text input",
        accessory({"type": "plain_text_input", "action_id": "t"}),
        "unsupported type: plain_text_input [json-pointer:/blocks/0/accessory/type]",
    ),
    # divider (and any block's block_id)
    (
        "divider block_id of 256 characters",
        [{"type": "divider", "block_id": "b" * 256}],
        "must be less than 256 characters [json-pointer:/blocks/0/block_id]",
    ),
    (
        "divider block_id a number",
        [{"type": "divider", "block_id": 7}],
        "must be a string [json-pointer:/blocks/0/block_id]",
    ),
    (
        "two dividers with one block_id",
        [{"type": "divider", "block_id": "d"}] * 2,
        "duplicate block_id: d [json-pointer:/blocks/1/block_id]",
    ),
    # header
    (
        "header with mrkdwn text",
        [{"type": "header", "text": mrkdwn("*Hi*")}],
        "unsupported type: mrkdwn [json-pointer:/blocks/0/text/type]",
    ),
    (
        "header of 151 characters",
        [{"type": "header", "text": plain("h" * 151)}],
        "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
    ),
    (
        "header without text",
        [{"type": "header"}],
        "missing required field: text [json-pointer:/blocks/0]",
    ),
    # image
    (
        "image without alt_text",
        [{"type": "image", "image_url": "https://x.test/a.png"}],
        "missing required field: alt_text [json-pointer:/blocks/0]",
    ),
    (
        "image without a source",
        [{"type": "image", "alt_text": "a"}],
        "must define either `image_url` or `slack_file` [json-pointer:/blocks/0]",
    ),
    (
        "image url not a URL",
        [{"type": "image", "image_url": "a.png", "alt_text": "a"}],
        "must be a valid URL [json-pointer:/blocks/0/image_url]",
    ),
    (
        "image with a mrkdwn title",
        [
            {
                "type": "image",
                "image_url": "https://x.test/a.png",
                "alt_text": "a",
                "title": mrkdwn("t"),
            }
        ],
        "unsupported type: mrkdwn [json-pointer:/blocks/0/title/type]",
    ),
    # actions
    (
        "actions without elements",
        [{"type": "actions"}],
        "missing required field: elements [json-pointer:/blocks/0]",
    ),
    (
        "actions with 26 elements",
        [actions(*[button(action_id=f"b{n}") for n in range(26)])],
        "no more than 25 items allowed [json-pointer:/blocks/0/elements]",
    ),
    (
        "actions holding an image",
        [actions({"type": "image", "image_url": "https://x.test/a", "alt_text": "a"})],
        "unsupported type: image [json-pointer:/blocks/0/elements/0/type]",
    ),
    (
        "two buttons with one action_id",
        [actions(button(), button())],
        "duplicate action_id: go [json-pointer:/blocks/0/elements/1/action_id]",
    ),
    # context
    (
        "context without elements",
        [{"type": "context"}],
        "missing required field: elements [json-pointer:/blocks/0]",
    ),
    (
        "context with 11 elements",
        [{"type": "context", "elements": [mrkdwn("c")] * 11}],
        "no more than 10 items allowed [json-pointer:/blocks/0/elements]",
    ),
    (
        "context holding a button",
        [{"type": "context", "elements": [button()]}],
        "unsupported type: button [json-pointer:/blocks/0/elements/0/type]",
    ),
    # input
    (
        "input without label",
        [{"type": "input", "element": {"type": "plain_text_input"}}],
        "missing required field: label [json-pointer:/blocks/0]",
    ),
    (
        "input without element",
        [{"type": "input", "label": plain("Name")}],
        "missing required field: element [json-pointer:/blocks/0]",
    ),
    (
        "input with a button",
        [input_block(button())],
        "unsupported type: button [json-pointer:/blocks/0/element/type]",
    ),
    (
        "input with a mrkdwn label",
        [input_block({"type": "plain_text_input"}, label=mrkdwn("x"))],
        "unsupported type: mrkdwn [json-pointer:/blocks/0/label/type]",
    ),
    # markdown
    (
        "markdown without text",
        [{"type": "markdown"}],
        "missing required field: text [json-pointer:/blocks/0]",
    ),
    (
        "markdown of 12,001 characters",
        [{"type": "markdown", "text": "m" * 12_001}],
        "must be less than 12001 characters [json-pointer:/blocks/0/text]",
    ),
    (
        "markdown text an object",
        [{"type": "markdown", "text": mrkdwn("m")}],
        "must be a string [json-pointer:/blocks/0/text]",
    ),
    # rich_text
    (
        "rich_text without elements",
        [{"type": "rich_text"}],
        "missing required field: elements [json-pointer:/blocks/0]",
    ),
    (
        "rich_text elements an object",
        [{"type": "rich_text", "elements": {}}],
        "must be an array [json-pointer:/blocks/0/elements]",
    ),
    (
        "rich_text block_id too long",
        [{"type": "rich_text", "elements": [], "block_id": "r" * 256}],
        "must be less than 256 characters [json-pointer:/blocks/0/block_id]",
    ),
    # file
    (
        "file without external_id",
        [{"type": "file", "source": "remote"}],
        "missing required field: external_id [json-pointer:/blocks/0]",
    ),
    (
        "file without source",
        [{"type": "file", "external_id": "F1"}],
        "missing required field: source [json-pointer:/blocks/0]",
    ),
    (
        "file from a local source",
        [{"type": "file", "external_id": "F1", "source": "local"}],
        "unsupported source [json-pointer:/blocks/0/source]",
    ),
    # video
    (
        "video without title",
        [
            {
                "type": "video",
                "alt_text": "v",
                "video_url": "https://v.test",
                "thumbnail_url": "https://v.test/t.png",
            }
        ],
        "missing required field: title [json-pointer:/blocks/0]",
    ),
    (
        "video without video_url",
        [
            {
                "type": "video",
                "alt_text": "v",
                "title": plain("V"),
                "thumbnail_url": "https://v.test/t.png",
            }
        ],
        "missing required field: video_url [json-pointer:/blocks/0]",
    ),
    (
        "video with a mrkdwn title",
        [
            {
                "type": "video",
                "alt_text": "v",
                "title": mrkdwn("V"),
                "video_url": "https://v.test",
                "thumbnail_url": "https://v.test/t.png",
            }
        ],
        "unsupported type: mrkdwn [json-pointer:/blocks/0/title/type]",
    ),
    # button
    (
        "button without text",
        accessory({"type": "button", "action_id": "go"}),
        "missing required field: text [json-pointer:/blocks/0/accessory]",
    ),
    (
        "button with mrkdwn text",
        accessory(button(text=mrkdwn("*Go*"))),
        "unsupported type: mrkdwn [json-pointer:/blocks/0/accessory/text/type]",
    ),
    (
        "button text of 76 characters",
        accessory(button(text=plain("g" * 76))),
        "must be less than 76 characters [json-pointer:/blocks/0/accessory/text/text]",
    ),
    (
        "button value of 2,001 characters",
        accessory(button(value="v" * 2001)),
        "must be less than 2001 characters [json-pointer:/blocks/0/accessory/value]",
    ),
    (
        "button url not a URL",
        accessory(button(url="not a url")),
        "must be a valid URL [json-pointer:/blocks/0/accessory/url]",
    ),
    (
        "button of an unknown style",
        accessory(button(style="warning")),
        "unsupported style: warning [json-pointer:/blocks/0/accessory/style]",
    ),
    (
        "button action_id of 256 characters",
        accessory(button(action_id="a" * 256)),
        "must be less than 256 characters [json-pointer:/blocks/0/accessory/action_id]",
    ),
    # static_select
    (
        "select without options",
        accessory({"type": "static_select", "action_id": "pick"}),
        "must define either `options` or `option_groups` [json-pointer:/blocks/0/accessory]",
    ),
    (
        "select with 101 options",
        accessory(select(options=[option("o", str(n)) for n in range(101)])),
        "no more than 100 items allowed [json-pointer:/blocks/0/accessory/options]",
    ),
    (
        "select option of 76 characters",
        accessory(select(options=[option("o" * 76, "1")])),
        "must be less than 76 characters [json-pointer:/blocks/0/accessory/options/0/text/text]",
    ),
    (
        "select option value of 151 characters",
        accessory(select(options=[option("o", "v" * 151)])),
        "must be less than 151 characters [json-pointer:/blocks/0/accessory/options/0/value]",
    ),
    (
        "select option with mrkdwn text",
        accessory(select(options=[{"text": mrkdwn("o"), "value": "1"}])),
        "unsupported type: mrkdwn [json-pointer:/blocks/0/accessory/options/0/text/type]",
    ),
    (
        "select initial option not offered",
        accessory(select(initial_option=option("Three", "3"))),
        "must match one of the options [json-pointer:/blocks/0/accessory/initial_option]",
    ),
    (
        "select placeholder of 151 characters",
        accessory(select(placeholder=plain("p" * 151))),
        "must be less than 151 characters [json-pointer:/blocks/0/accessory/placeholder/text]",
    ),
    # overflow, checkboxes, radio buttons
    (
        "overflow without options",
        accessory({"type": "overflow", "options": []}),
        "must have at least 1 items [json-pointer:/blocks/0/accessory/options]",
    ),
    (
        "overflow with 6 options",
        accessory({"type": "overflow", "options": [option("o", str(n)) for n in range(6)]}),
        "no more than 5 items allowed [json-pointer:/blocks/0/accessory/options]",
    ),
    (
        "checkboxes with 11 options",
        accessory({"type": "checkboxes", "options": [option("o", str(n)) for n in range(11)]}),
        "no more than 10 items allowed [json-pointer:/blocks/0/accessory/options]",
    ),
    (
        "radio initial option not offered",
        accessory(
            {
                "type": "radio_buttons",
                "options": [option("A", "a")],
                "initial_option": option("B", "b"),
            }
        ),
        "must match one of the options [json-pointer:/blocks/0/accessory/initial_option]",
    ),
    # pickers and inputs
    (
        "datepicker initial date 2024-13-01",
        accessory({"type": "datepicker", "initial_date": "2024-13-01"}),
        "must be in format YYYY-MM-DD [json-pointer:/blocks/0/accessory/initial_date]",
    ),
    (
        "timepicker initial time 25:00",
        accessory({"type": "timepicker", "initial_time": "25:00"}),
        "must be in format HH:mm [json-pointer:/blocks/0/accessory/initial_time]",
    ),
    (
        "text input max_length 3,001",
        [input_block({"type": "plain_text_input", "max_length": 3001})],
        "must be between 1 and 3000 [json-pointer:/blocks/0/element/max_length]",
    ),
    # confirm dialogs
    (
        "confirm without deny",
        accessory(
            button(
                confirm={"title": plain("Sure?"), "text": plain("Really"), "confirm": plain("Yes")}
            )
        ),
        "missing required field: deny [json-pointer:/blocks/0/accessory/confirm]",
    ),
]


@pytest.mark.parametrize(
    ("blocks", "line"), [c[1:] for c in MESSAGE_CASES], ids=[c[0] for c in MESSAGE_CASES]
)
def test_chat_post_message_refuses_blocks_slack_refuses(
    acme: Acme, blocks: Blocks, line: str
) -> None:
    acme.invite_bot(acme.general["id"])
    body = error_of(
        acme.client().chat_postMessage, channel=acme.general["id"], text="x", blocks=blocks
    )
    assert body["error"] == "invalid_blocks"
    assert body["errors"] == [line]
    assert body["response_metadata"]["messages"] == [f"[ERROR] {line}"]
    assert acme.sim.messages(acme.general["id"]) == []


def test_the_blocks_of_attachments_are_checked_as_a_message_s(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    long = [{"color": "#D0021B", "blocks": [section(text=mrkdwn("x" * 3001))]}]
    many = [{"blocks": [section(text=mrkdwn("x"), block_id=f"b{n}") for n in range(51)]}]
    client, channel = acme.client(), acme.general["id"]
    first = error_of(client.chat_postMessage, channel=channel, text="x", attachments=long)
    second = error_of(client.chat_postMessage, channel=channel, text="x", attachments=many)
    assert first["errors"] == [
        "must be less than 3001 characters [json-pointer:/attachments/0/blocks/0/text/text]"
    ]
    assert second["errors"] == [
        "no more than 50 items allowed [json-pointer:/attachments/0/blocks]"
    ]
    assert acme.sim.messages(channel) == []


def test_every_message_method_refuses_the_same_blocks(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    client, channel = acme.client(), acme.general["id"]
    ts = client.chat_postMessage(channel=channel, text="x")["ts"]
    header = [{"type": "header", "text": mrkdwn("x")}]
    line = "unsupported type: mrkdwn [json-pointer:/blocks/0/text/type]"
    update = error_of(client.chat_update, channel=channel, ts=ts, text="x", blocks=header)
    ephemeral = error_of(
        client.chat_postEphemeral, channel=channel, user=acme.alice["id"], text="x", blocks=header
    )
    assert update["error"] == ephemeral["error"] == "invalid_blocks"
    assert update["errors"] == ephemeral["errors"] == [line]


def test_what_slack_accepts_is_accepted(acme: Acme) -> None:
    acme.invite_bot(acme.general["id"])
    blocks = [
        {"type": "header", "text": plain("Incident")},
        section(
            fields=[mrkdwn("*a*"), plain("b")],
            accessory=select(initial_option=option("Two", "2"), placeholder=plain("Pick")),
        ),
        actions(
            button(style="primary", url="https://ilert.test/a/1"),
            button(action_id="b2"),
            {"type": "overflow", "options": [option("x", "x")]},
        ),
        {
            "type": "context",
            "elements": [
                mrkdwn("c"),
                {"type": "image", "alt_text": "i", "image_url": "https://x.test/i.png"},
            ],
        },
        input_block({"type": "plain_text_input", "action_id": "t", "max_length": 3000}),
        {"type": "divider", "block_id": ""},
        {"type": "markdown", "text": "**bold**"},
        {"type": "rich_text", "elements": []},
    ]
    answer = acme.client().chat_postMessage(channel=acme.general["id"], text="x", blocks=blocks)
    assert answer["ok"] and answer["message"]["blocks"] == blocks


# --- modal views -------------------------------------------------------------------------------


def modal(**fields: Any) -> dict[str, Any]:
    view = {
        "type": "modal",
        "title": plain("Create alert"),
        "submit": plain("Submit"),
        "blocks": [input_block({"type": "plain_text_input", "action_id": "t"}, block_id="name")],
    }
    return {k: v for k, v in {**view, **fields}.items() if v is not None}


# (what is wrong, the view, Slack's message and pointer)
VIEW_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "a title of 25 characters",
        modal(title=plain("t" * 25)),
        "must be less than 25 characters [json-pointer:/view/title/text]",
    ),
    ("no title", modal(title=None), "missing required field: title [json-pointer:/view]"),
    (
        "a mrkdwn title",
        modal(title=mrkdwn("t")),
        "unsupported type: mrkdwn [json-pointer:/view/title/type]",
    ),
    (
        "input blocks and no submit button",
        modal(submit=None),
        "must define `submit` to use `input` block [json-pointer:/view/blocks/0/input]",
    ),
    (
        "a submit of 25 characters",
        modal(submit=plain("s" * 25)),
        "must be less than 25 characters [json-pointer:/view/submit/text]",
    ),
    (
        "a mrkdwn submit",
        modal(submit=mrkdwn("s")),
        "unsupported type: mrkdwn [json-pointer:/view/submit/type]",
    ),
    (
        "a close of 25 characters",
        modal(close=plain("c" * 25)),
        "must be less than 25 characters [json-pointer:/view/close/text]",
    ),
    (
        "a close with empty text",
        modal(close=plain("")),
        "must be more than 0 characters [json-pointer:/view/close/text]",
    ),
    (
        "a close that is a string",
        modal(close="Close"),
        "must provide an object [json-pointer:/view/close]",
    ),
    (
        "101 blocks",
        modal(blocks=[{"type": "divider"}] * 101),
        "no more than 100 items allowed [json-pointer:/view/blocks]",
    ),
    ("no blocks", modal(blocks=None), "missing required field: blocks [json-pointer:/view]"),
    (
        "a markdown block, for messages only",
        modal(blocks=[{"type": "markdown", "text": "m"}]),
        "unsupported type: markdown [json-pointer:/view/blocks/0/type]",
    ),
    ("a home view", modal(type="home"), "unsupported type: home [json-pointer:/view/type]"),
    ("no type", modal(type=None), "missing required field: type [json-pointer:/view]"),
    (
        "private_metadata of 3,001 characters",
        modal(private_metadata="m" * 3001),
        "must be less than 3001 characters [json-pointer:/view/private_metadata]",
    ),
    (
        "callback_id of 256 characters",
        modal(callback_id="c" * 256),
        "must be less than 256 characters [json-pointer:/view/callback_id]",
    ),
    (
        "callback_id a number",
        modal(callback_id=1),
        "must be a string [json-pointer:/view/callback_id]",
    ),
    (
        "external_id of 256 characters",
        modal(external_id="e" * 256),
        "must be less than 256 characters [json-pointer:/view/external_id]",
    ),
    (
        "two inputs with one block_id",
        modal(blocks=[input_block({"type": "plain_text_input"}, block_id="x")] * 2),
        "duplicate block_id: x [json-pointer:/view/blocks/1/block_id]",
    ),
    (
        "notify_on_close a string",
        modal(notify_on_close="yes"),
        "must be a boolean [json-pointer:/view/notify_on_close]",
    ),
]


@pytest.mark.parametrize(
    ("view", "line"), [c[1:] for c in VIEW_CASES], ids=[c[0] for c in VIEW_CASES]
)
def test_views_open_refuses_views_slack_refuses(
    acme: Acme, view: dict[str, Any], line: str
) -> None:
    body = error_of(acme.client().views_open, trigger_id=acme.trigger_id(), view=view)
    assert body["error"] == "invalid_arguments"
    assert body["response_metadata"]["messages"] == [f"[ERROR] {line}"]
    assert acme.sim.views() == []


def test_views_push_and_update_refuse_the_same_views(acme: Acme) -> None:
    client = acme.client()
    opened = client.views_open(trigger_id=acme.trigger_id(), view=modal())["view"]
    bad = modal(title=plain("t" * 25))
    pushed = error_of(client.views_push, trigger_id=acme.trigger_id(), view=bad)
    updated = error_of(client.views_update, view_id=opened["id"], view=bad)
    line = "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    assert pushed["error"] == updated["error"] == "invalid_arguments"
    assert pushed["response_metadata"]["messages"] == [line]
    assert updated["response_metadata"]["messages"] == [line]
    assert [v["title"]["text"] for v in acme.sim.views()[0]["views"]] == ["Create alert"]
