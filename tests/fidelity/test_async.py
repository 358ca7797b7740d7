"""`AsyncWebClient` (aiohttp): GET with query strings for reads, JSON bodies for writes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from tests.fidelity.conftest import BOT_SCOPES, Acme
from tests.fidelity.scenarios import BUTTON_MODAL


def test_an_async_app_reads_writes_and_opens_modals(acme: Acme) -> None:
    channel = acme.general["id"]
    acme.invite_bot(channel)
    trigger_id = acme.trigger_id()

    async def run() -> dict[str, Any]:
        client = acme.sim.async_client(acme.token)
        auth = await client.auth_test()
        posted = await client.chat_postMessage(channel=channel, text="one")
        await client.chat_update(channel=channel, ts=posted["ts"], text="one, edited")
        history = await client.conversations_history(channel=channel)
        info = await client.conversations_info(channel=channel)
        user = await client.users_info(user=acme.alice["id"])
        view = await client.views_open(trigger_id=trigger_id, view=BUTTON_MODAL)
        return {
            "scopes": auth.headers["x-oauth-scopes"],
            "history": [(m["text"], "edited" in m) for m in history["messages"]],
            "member": info["channel"]["is_member"],
            "email": user["user"]["profile"]["email"],
            "view": view["view"]["root_view_id"] == view["view"]["id"],
        }

    assert asyncio.run(run()) == {
        "scopes": ",".join(BOT_SCOPES),
        "history": [("one, edited", True)],
        "member": True,
        "email": "alice@example.com",
        "view": True,
    }


def test_async_errors_carry_slacks_body(acme: Acme) -> None:
    async def run() -> list[dict[str, Any]]:
        narrow = acme.sim.install(acme.app["id"], acme.team["id"], ["chat:write"])
        client = acme.sim.async_client(narrow["access_token"])
        found = []
        for call, kwargs in [
            (client.users_list, {}),
            (client.chat_postMessage, {"channel": acme.general["id"], "text": "x"}),
            (client.conversations_info, {"channel": acme.secret["id"]}),
        ]:
            with pytest.raises(SlackApiError) as caught:
                await call(**kwargs)
            found.append(caught.value.response.data)
        return found

    missing, not_in, hidden = asyncio.run(run())

    assert missing == {
        "ok": False,
        "error": "missing_scope",
        "needed": "users:read",
        "provided": "chat:write",
    }
    assert not_in["error"] == "not_in_channel"
    assert hidden["error"] == "missing_scope" and hidden["needed"].startswith("groups:read")
