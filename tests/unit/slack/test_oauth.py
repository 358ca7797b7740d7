"""The OAuth v2 install flow, driven like a browser with `requests` and finished by `slack_sdk`."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import AuthorizeUrlGenerator

from tests.unit.slack.conftest import World

REDIRECT = "http://connector.test/slack/oauth_redirect"
SCOPES = ["commands", "chat:write", "channels:read"]


def authorize_url(world: World, state: str = "s-1", redirect_uri: str = REDIRECT) -> str:
    generator = AuthorizeUrlGenerator(
        client_id=world.app["client_id"],
        scopes=SCOPES,
        redirect_uri=redirect_uri,
        authorization_url=f"{world.url}/oauth/v2/authorize",
    )
    return generator.generate(state)


def hidden_fields(html: str) -> dict[str, str]:
    pattern = r'<input type="hidden" name="(\w+)" value="([^"]*)">'
    return dict(re.findall(pattern, html))


def sign_in_and_consent(world: World, browser: requests.Session, url: str) -> dict[str, str]:
    page = browser.get(url, timeout=10)
    assert urlsplit(page.url).path == "/login"
    assert 'name="user_id"' in page.text
    next_url = parse_qs(urlsplit(page.url).query)["next"][0]
    consent = browser.post(
        f"{world.url}/login", data={"user_id": world.alice["id"], "next": next_url}, timeout=10
    )
    assert "Acme" in consent.text and "https://acme.slack.com/" in consent.text
    assert ">Allow<" in consent.text and ">Cancel<" in consent.text
    fields = hidden_fields(consent.text)
    assert fields["scope"] == ",".join(SCOPES)
    return fields


def decide(world: World, browser: requests.Session, fields: dict[str, str], decision: str):
    response = browser.post(
        f"{world.url}/oauth/v2/authorize",
        data={**fields, "decision": decision},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_allow_installs_and_the_code_works_once(world: World) -> None:
    browser = requests.Session()
    fields = sign_in_and_consent(world, browser, authorize_url(world))

    query = decide(world, browser, fields, "allow")

    assert query["state"] == "s-1"
    client = WebClient(base_url=f"{world.url}/api/")
    creds = {"client_id": world.app["client_id"], "client_secret": world.app["client_secret"]}
    result = client.oauth_v2_access(**creds, code=query["code"], redirect_uri=REDIRECT)
    assert result["access_token"] == world.install["access_token"]  # kept across re-installs
    assert result["scope"] == ",".join(SCOPES)  # replaced by the new request
    assert result["team"] == {"id": world.team["id"], "name": "Acme"}
    assert result["authed_user"]["id"] == world.alice["id"]
    assert result["token_type"] == "bot" and result["enterprise"] is None
    with pytest.raises(SlackApiError) as again:
        client.oauth_v2_access(**creds, code=query["code"])
    assert again.value.response["error"] == "invalid_code"


def test_a_first_install_creates_the_bot_user(world: World) -> None:
    app = world.sim.app(name="Pager Bot", redirect_urls=[REDIRECT])
    world.app = app
    browser = requests.Session()
    query = decide(
        world, browser, sign_in_and_consent(world, browser, authorize_url(world)), "allow"
    )

    result = WebClient(base_url=f"{world.url}/api/").oauth_v2_access(
        client_id=app["client_id"], client_secret=app["client_secret"], code=query["code"]
    )

    bot = WebClient(token=result["access_token"], base_url=f"{world.url}/api/")
    assert bot.auth_test()["user_id"] == result["bot_user_id"]
    installed = world.install_with(["users:read"]).users_info(user=result["bot_user_id"])
    assert installed["user"]["is_bot"] is True and installed["user"]["real_name"] == "Pager Bot"


def test_code_exchange_checks_the_client(world: World) -> None:
    browser = requests.Session()
    query = decide(
        world, browser, sign_in_and_consent(world, browser, authorize_url(world)), "allow"
    )
    client = WebClient(base_url=f"{world.url}/api/")
    cases = [
        ({"client_id": "nope", "client_secret": "x"}, "invalid_client_id"),
        ({"client_id": world.app["client_id"], "client_secret": "x"}, "bad_client_secret"),
        (
            {
                "client_id": world.app["client_id"],
                "client_secret": world.app["client_secret"],
                "redirect_uri": "http://elsewhere.test/cb",
            },
            "bad_redirect_uri",
        ),
    ]
    for args, error in cases:
        with pytest.raises(SlackApiError) as caught:
            client.oauth_v2_access(**args, code=query["code"])
        assert caught.value.response["error"] == error


def test_cancel_redirects_with_access_denied(world: World) -> None:
    browser = requests.Session()
    fields = sign_in_and_consent(world, browser, authorize_url(world, state="s-2"))

    assert decide(world, browser, fields, "deny") == {"error": "access_denied", "state": "s-2"}


def test_authorize_refuses_unknown_clients_and_redirects(world: World) -> None:
    unknown = requests.get(f"{world.url}/oauth/v2/authorize?client_id=1.2&scope=a", timeout=10)
    bad_redirect = requests.get(authorize_url(world, redirect_uri="http://evil.test/"), timeout=10)

    assert unknown.status_code == 400 and "invalid_client_id" in unknown.text
    assert bad_redirect.status_code == 400 and "bad_redirect_uri" in bad_redirect.text


def test_login_only_follows_local_next(world: World) -> None:
    response = requests.post(
        f"{world.url}/login",
        data={"user_id": world.bob["id"], "next": "http://evil.test/"},
        allow_redirects=False,
        timeout=10,
    )

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).netloc in ("", urlsplit(world.url).netloc)
    assert "fakeslack_session" in response.cookies
