"""Block Kit checks as a plain module: where the limits come from, the error's shape, and that
what the reference connector builds passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock
from slack_sdk.models.views import View

from connector import blocks as connector_blocks
from emulator.slack import blockkit
from emulator.slack.blockkit import BlockKitError, check_message, check_view
from tests.unit.slack.test_plain_modules import top_level_imports


def test_the_module_is_plain_python() -> None:
    imports = top_level_imports(Path(blockkit.__file__))
    assert imports.isdisjoint({"flask", "werkzeug", "waitress", "requests"})


def test_limits_slack_sdk_encodes_are_read_from_its_models() -> None:
    assert blockkit.LIMITS["section.text"] == SectionBlock.text_max_length == 3000
    assert blockkit.LIMITS["actions.elements"] == ActionsBlock.elements_max_length
    assert blockkit.LIMITS["button.text"] == ButtonElement.text_max_length
    assert blockkit.LIMITS["view.title"] == View.title_max_length == 24
    assert not set(blockkit.SDK_LIMITS) & set(blockkit.OWN_LIMITS)


def test_every_block_type_slack_sdk_knows_has_a_rule() -> None:
    from slack_sdk.models.blocks import Block

    known = {model.type for model in Block.__subclasses__() if isinstance(model.type, str)}
    assert known <= set(blockkit.BLOCKS)


def test_a_message_refusal_carries_errors_and_response_metadata() -> None:
    with pytest.raises(BlockKitError) as caught:
        check_message([{"type": "section", "text": {"type": "mrkdwn", "text": ""}}])
    line = "must be more than 0 characters [json-pointer:/blocks/0/text/text]"
    assert caught.value.body() == {
        "ok": False,
        "error": "invalid_blocks",
        "errors": [line],
        "response_metadata": {"messages": [f"[ERROR] {line}"]},
    }


def test_a_view_refusal_carries_only_response_metadata() -> None:
    with pytest.raises(BlockKitError) as caught:
        check_view({"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}})
    assert caught.value.body() == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {
            "messages": ["[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"]
        },
    }


def _source(n: int, name: str = "") -> dict[str, Any]:
    return {"id": n, "name": name or f"Source {n}", "integrationType": "PROMETHEUS"}


def test_the_connector_s_channel_menu_passes() -> None:
    linked = [
        connector_blocks.LinkedSource(_source(n), f"https://ilert.test/source/{n}", f"aa{n}")
        for n in range(60)
    ]
    offered = [_source(n, "x" * 120) for n in range(100, 250)]
    for page in range(connector_blocks.page_count(len(linked))):
        menu = connector_blocks.channel_menu(
            linked=linked, offered=offered, notice="Done.", page=page
        )
        assert len(menu) <= 50
        check_message(menu)


@pytest.mark.parametrize("status", ["PENDING", "ACCEPTED", "RESOLVED"])
def test_the_connector_s_alert_message_passes(status: str) -> None:
    alert = {
        "id": 7,
        "status": status,
        "summary": "Disk <full> & more " * 20,
        "alertUrl": "https://ilert.test/alert/7",
        "assignedTo": {"firstName": "Ada", "lastName": "Lovelace"},
    }
    content = connector_blocks.alert_message(alert, alert_action_id="aa1")
    check_message(None, content["attachments"])


def test_the_connector_s_create_alert_form_passes() -> None:
    form = connector_blocks.create_alert_form(
        sources=[_source(n, "y" * 90) for n in range(150)],
        policies=[{"id": 1, "name": "Default"}],
        channel_id="C0123456789",
    )
    check_view(form)
