"""The web client's pages over HTTP, as a browser without JavaScript sees them."""

from __future__ import annotations

import html
import json
import re

import pytest
import requests

from tests.unit.slack.conftest import Sim, World


def channel_page(world: World, browser: requests.Session) -> requests.Response:
    # A short timeout: a renderer that loops must fail this test, not hang the run.
    return browser.get(f"{world.url}/client/{world.team['id']}/{world.general['id']}", timeout=5)


def post(world: World, **args: str) -> None:
    world.invite_bot(world.general["id"])
    answer = requests.post(
        f"{world.url}/api/chat.postMessage",
        headers={"Authorization": f"Bearer {world.install['access_token']}"},
        json={"channel": world.general["id"], **args},
        timeout=10,
    ).json()
    assert answer["ok"], answer


def test_a_message_with_a_nul_is_shown_with_a_visible_stand_in(
    world: World, browser: requests.Session
) -> None:
    post(world, text="a\u0000b")

    page = channel_page(world, browser)

    assert page.status_code == 200
    assert "a\u2400b" in page.text


def test_a_message_that_looks_like_a_placeholder_is_shown(
    world: World, browser: requests.Session
) -> None:
    post(world, text="\u00007\u0000")

    page = channel_page(world, browser)

    assert page.status_code == 200
    assert "\u24007\u2400" in page.text


def test_control_characters_in_any_field_are_shown(world: World, browser: requests.Session) -> None:
    attachment = {"title": "title\x00", "author_name": "by\x1b[31m", "fallback": "x"}
    post(world, text="words", attachments=json.dumps([attachment]))

    page = channel_page(world, browser)

    assert page.status_code == 200
    assert "title\u2400" in page.text
    assert "by\u241b[31m" in page.text


def test_a_lone_surrogate_never_reaches_a_page(world: World) -> None:
    # JSON can spell one; Slack's parser refuses it, and so does fake Slack's.
    attachment = {"title": "title\ud800", "fallback": "x"}
    world.invite_bot(world.general["id"])
    answer = requests.post(
        f"{world.url}/api/chat.postMessage",
        headers={"Authorization": f"Bearer {world.install['access_token']}"},
        json={"channel": world.general["id"], "attachments": json.dumps([attachment])},
        timeout=10,
    ).json()
    assert answer == {"ok": False, "error": "invalid_attachments"}


# --- what browsers ask for besides the pages ----------------------------------------------------


def test_the_favicon_is_served_and_kept_out_of_the_web_api_journal(world: World, sim: Sim) -> None:
    icon = requests.get(f"{world.url}/favicon.ico", timeout=10)

    assert icon.status_code == 200
    assert icon.headers["Content-Type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")
    assert sim.get("/journal", method="favicon.ico")["entries"] == []


@pytest.mark.parametrize("path", ["robots.txt", "favicon.png", "sitemap.xml", "index.html"])
def test_files_browsers_ask_for_are_not_found_and_not_web_api_calls(
    world: World, sim: Sim, path: str
) -> None:
    answer = requests.get(f"{world.url}/{path}", timeout=10)

    assert answer.status_code == 404
    assert sim.get("/journal")["entries"] == []


def test_method_names_at_the_root_are_still_web_api_calls(world: World, sim: Sim) -> None:
    answer = requests.post(f"{world.url}/users.list", timeout=10).json()

    assert answer == {"ok": False, "error": "not_authed"}
    assert [e["method"] for e in sim.get("/journal")["entries"]] == ["users.list"]


def test_every_page_names_its_icon(world: World, browser: requests.Session) -> None:
    pages = [
        channel_page(world, browser),
        requests.get(f"{world.url}/login", timeout=10),
        requests.get(world.url, headers={"Accept": "text/html"}, timeout=10),
    ]

    for page in pages:
        assert '<link rel="icon" href="/client/static/favicon.svg"' in page.text, page.url


# --- times --------------------------------------------------------------------------------------


def test_a_message_time_is_shown_in_the_viewers_zone_and_named(
    world: World, browser: requests.Session
) -> None:
    post(world, text="when?")  # the virtual clock stands at 2023-11-14 22:13:20 UTC

    page = channel_page(world, browser).text

    # Alice's profile zone is Slack's default here, Europe/Berlin: fake ilert's default too.
    assert '<time datetime="2023-11-14T22:13:20+00:00"' in page
    assert 'title="14 Nov 2023, 23:13:20 CET">11:13 PM CET</time>' in page


def test_an_unknown_zone_shows_utc_and_says_so() -> None:
    from emulator.slack.pages import _time_filter

    assert _time_filter("1700000000.000100", "Not/AZone").endswith(">10:13 PM UTC</time>")


# --- what lives only in the client: ephemeral messages ------------------------------------------


def whisper(world: World, text: str) -> None:
    world.invite_bot(world.general["id"])
    answer = world.client().chat_postEphemeral(
        channel=world.general["id"], user=world.alice["id"], text=text
    )
    assert answer["ok"]


def updates_of(world: World, browser: requests.Session, page: str) -> str:
    """What the page's script fetches next: the changed regions' HTML."""
    url = re.search(r'data-updates="([^"]+)"', page)
    assert url, page
    answer = browser.get(f"{world.url}{html.unescape(url.group(1))}", timeout=5)
    assert answer.status_code == 200, answer.status_code
    return json.dumps(answer.json()["html"], ensure_ascii=False)


def test_an_ephemeral_message_shows_in_the_open_page_and_is_gone_after_a_reload(
    world: World, browser: requests.Session
) -> None:
    opened = channel_page(world, browser).text
    whisper(world, "only for you, now")

    assert "only for you, now" in updates_of(world, browser, opened)
    assert "only for you, now" not in channel_page(world, browser).text


def test_without_javascript_the_page_after_an_action_shows_what_it_brought(
    world: World, browser: requests.Session
) -> None:
    whisper(world, "from before")
    page = channel_page(world, browser).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf

    answer = browser.post(
        f"{world.url}/client/{world.team['id']}/{world.general['id']}/command",
        data={"csrf": csrf.group(1), "text": "/ilert"},
        allow_redirects=False,
        timeout=5,
    )
    whisper(world, "what the command brought")
    after = browser.get(f"{world.url}{answer.headers['Location']}", timeout=5).text
    reloaded = channel_page(world, browser).text

    assert answer.status_code == 302
    assert "what the command brought" in after and "from before" not in after
    assert "what the command brought" not in reloaded
