"""A post's presentation: the text Slack stores for `parse` / `link_names`, the name and icon it
shows, and how an export and the web client keep and draw them."""

from __future__ import annotations

import html
from typing import Any

import pytest
import requests

from emulator.clock import VirtualClock
from emulator.slack import FakeSlack
from emulator.slack.presentation import Presentation, authorship, formatted
from tests.unit.slack.conftest import Sim, World

CHANNELS = {"general": "C1", "ops-team": "C2"}


def _formatted(text: str, *, parse: str = "", link_names: bool = False) -> str:
    return formatted(text, parse=parse, link_names=link_names, channel_id=CHANNELS.get)


@pytest.mark.parametrize(
    ("text", "parse", "link_names", "stored"),
    [
        # The formatting spec's own examples ("Parsing modes").
        (
            "Foo <!everyone> bar http://test.com",
            "full",
            False,
            "Foo &lt;!everyone&gt; bar <http://test.com>",
        ),
        (
            "Foo <!everyone> bar http://test.com",
            "none",
            False,
            "Foo <!everyone> bar http://test.com",
        ),
        ("say hi to @everyone in #general", "", True, "say hi to <!everyone> in <#C1|general>"),
        # Sentence punctuation is not part of a URL; `&` is escaped once.
        ("see https://x.test/a?b=1&c=2.", "full", False, "see <https://x.test/a?b=1&amp;c=2>."),
        ("#ops-team, @here!", "", True, "<#C2|ops-team>, <!here>!"),
        # What names nothing, is part of a word, or sits inside markup stays as it is.
        ("#nowhere a#general me@here", "", True, "#nowhere a#general me@here"),
        ("<https://x.test/#general|@here>", "", True, "<https://x.test/#general|@here>"),
        ("ask @alice", "full", False, "ask @alice"),
        ("http://x.test @here", "", False, "http://x.test @here"),
        ("http://x.test", "", True, "http://x.test"),
    ],
)
def test_the_stored_text(text: str, parse: str, link_names: bool, stored: str) -> None:
    assert _formatted(text, parse=parse, link_names=link_names) == stored


def test_parse_full_of_a_long_text_takes_linear_time() -> None:
    text = "<" * 50_000 + "@here #general http://x.test " * 2_000
    assert _formatted(text, parse="full").count("<!here>") == 2_000


def test_the_custom_name_and_icon_need_the_scope_and_the_emoji_wins() -> None:
    asked = Presentation(username=" Bot ", icon_emoji=":x:", icon_url="https://i.test/a.png")

    assert authorship(asked, customize=False) == {}
    assert authorship(asked, customize=True) == {
        "username": "Bot",
        "icon_emoji": ":x:",
        "icon_url": "",
    }


# --- kept in an export, drawn in the web client -------------------------------------------------


def _post(world: World, **args: Any) -> dict[str, Any]:
    world.invite_bot(world.general["id"])
    client = world.install_with(["chat:write", "channels:history", "chat:write.customize"])
    return client.chat_postMessage(channel=world.general["id"], **args).data


def test_an_export_keeps_the_name_the_icon_and_the_broadcast(world: World, sim: Sim) -> None:
    parent = _post(world, text="incident", username="Pager", icon_emoji=":pager:")["ts"]
    _post(world, text="resolved", thread_ts=parent, reply_broadcast=True, mrkdwn=False)
    exported = sim.get("/export")

    sim.post("/import", exported)

    history = world.client().conversations_history(channel=world.general["id"])["messages"]
    assert [(m["text"], m.get("subtype"), m.get("username")) for m in history] == [
        ("resolved", "thread_broadcast", None),
        ("incident", "bot_message", "Pager"),
    ]
    assert history[0]["mrkdwn"] is False and history[1]["icons"] == {"emoji": ":pager:"}


def _page(world: World, browser: requests.Session) -> str:
    page = browser.get(f"{world.url}/client/{world.team['id']}/{world.general['id']}", timeout=5)
    assert page.ok, page.text
    return html.unescape(page.text)


def test_the_client_shows_the_custom_name_and_emoji(
    world: World, browser: requests.Session
) -> None:
    _post(world, text="deployed", username="Deploy Bot", icon_emoji=":rocket:")

    page = _page(world, browser)

    assert '<span class="author">Deploy Bot</span>' in page
    assert '<span class="avatar icon-emoji">🚀</span>' in page


def test_the_client_shows_a_broadcast_in_the_channel_and_the_thread(
    world: World, browser: requests.Session
) -> None:
    parent = _post(world, text="incident")["ts"]
    _post(world, text="resolved", thread_ts=parent, reply_broadcast=True)

    page = _page(world, browser)

    assert page.count("resolved") == 2
    assert "Replied to a thread" in page and "Also sent to the channel" in page


def test_the_client_draws_mrkdwn_false_text_as_it_is(
    world: World, browser: requests.Session
) -> None:
    _post(world, text="*as is* &lt;tag&gt;", mrkdwn=False)
    _post(world, text="*bold*")

    page = _page(world, browser)

    assert '<div class="plain-text">*as is* <tag></div>' in page
    assert "<strong>bold</strong>" in page


# --- chat.scheduleMessage ----------------------------------------------------------------------


def test_a_scheduled_reply_is_broadcast_and_its_text_parsed(
    world: World, clock: VirtualClock, fake: FakeSlack
) -> None:
    world.invite_bot(world.general["id"])
    client = world.client()
    parent = client.chat_postMessage(channel=world.general["id"], text="incident")["ts"]
    client.chat_scheduleMessage(
        channel=world.general["id"],
        post_at=int(clock.now() + 60),
        text="@here fixed, see #general",
        thread_ts=parent,
        reply_broadcast=True,
        link_names=True,
    )
    clock.advance(60)
    fake.state.post_due(clock.now())

    history = client.conversations_history(channel=world.general["id"])["messages"]
    assert [(m["text"], m.get("subtype")) for m in history] == [
        (f"<!here> fixed, see <#{world.general['id']}|general>", "thread_broadcast"),
        ("incident", "bot_message"),
    ]
