"""The install page words the scopes an app asks for as Slack does, grouped as Slack groups them."""

from __future__ import annotations

import re

import requests
from slack_sdk.oauth import AuthorizeUrlGenerator

from emulator.slack.consent import questions
from tests.unit.slack.conftest import World

REDIRECT = "http://connector.test/slack/oauth_redirect"


def consent_page(world: World, scopes: list[str], user_scopes: list[str] | None = None) -> str:
    browser = requests.Session()
    url = AuthorizeUrlGenerator(
        client_id=world.app["client_id"],
        scopes=scopes,
        user_scopes=user_scopes,
        redirect_uri=REDIRECT,
        authorization_url=f"{world.url}/oauth/v2/authorize",
    ).generate("s-1")
    sign_in = browser.get(url, timeout=10)
    next_url = re.search(r'name="next" value="([^"]*)"', sign_in.text)
    assert next_url, sign_in.text
    page = browser.post(
        f"{world.url}/login",
        data={"user_id": world.alice["id"], "next": next_url.group(1).replace("&amp;", "&")},
        timeout=10,
    )
    assert page.status_code == 200
    return page.text


def test_the_page_asks_what_the_app_may_view_and_do_in_slacks_words(world: World) -> None:
    page = consent_page(world, ["chat:write", "channels:read", "commands", "users:read.email"])

    assert "What will ilert be able to view?" in page
    assert "What will ilert be able to do?" in page
    assert "Content and info about channels &amp; conversations" in page
    assert "Perform actions in your workspace" in page
    assert "Send messages as @ilert" in page
    assert "View basic information about public channels in a workspace" in page
    assert "Add shortcuts and/or slash commands that people can use" in page
    assert "View email addresses of people in a workspace" in page
    assert "chat:write" not in re.sub(r'<input type="hidden"[^>]*>', "", page)


def test_the_sign_in_page_on_the_way_is_the_person_cards(world: World) -> None:
    browser = requests.Session()
    url = f"{world.url}/login?next=/oauth/v2/authorize"

    page = browser.get(url, timeout=10).text

    assert 'aria-label="Sign in as Alice"' in page and 'aria-label="Sign in as Bob"' in page
    assert "<select" not in page


def test_groups_come_in_slacks_order_and_an_unknown_scope_is_shown_by_name() -> None:
    asked = questions("ilert", ["commands", "chat:write", "users:read", "odd:{0}"], ["chat:write"])

    assert [q.title for q in asked] == [
        "What will ilert be able to view?",
        "What will ilert be able to do?",
    ]
    view, do = asked
    assert [g.title for g in view.groups] == ["Content and info about your workspace"]
    assert [(g.title, g.phrases) for g in do.groups] == [
        ("Perform actions in channels & conversations", ("Send messages as @ilert",)),
        (
            "Perform actions in your workspace",
            ("Add shortcuts and/or slash commands that people can use", "odd:{0}"),
        ),
        ("Perform actions as you", ("Send messages on your behalf",)),
    ]
