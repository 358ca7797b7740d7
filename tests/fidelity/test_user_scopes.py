"""fake Slack issues bot tokens only, so an install that asks for user scopes (`user_scope`) is
refused on the consent page, clearly and before anything is installed, rather than finished as
half an installation: a bot token where Slack would also have given a user token."""

from __future__ import annotations

import html
import re

import requests
from slack_sdk.oauth import AuthorizeUrlGenerator

from tests.fidelity.conftest import Acme
from tests.fidelity.scenarios import REDIRECT, consent


def authorize_url(acme: Acme, user_scopes: list[str]) -> str:
    acme.sim.update_app(acme.app["id"], redirect_urls=[REDIRECT])
    return AuthorizeUrlGenerator(
        client_id=acme.app["client_id"],
        scopes=["chat:write"],
        user_scopes=user_scopes,
        redirect_uri=REDIRECT,
        authorization_url=f"{acme.sim.url}/oauth/v2/authorize",
    ).generate("state-1")


def signed_in(acme: Acme) -> requests.Session:
    browser = requests.Session()
    browser.post(f"{acme.sim.url}/login", data={"user_id": acme.bob["id"]}, timeout=10)
    return browser


def test_the_consent_page_refuses_user_scopes_and_says_why(acme: Acme) -> None:
    installs_before = acme.sim.get("/state")["installs"]

    page = signed_in(acme).get(authorize_url(acme, ["chat:write", "search:read"]), timeout=10)

    text = html.unescape(page.text)
    assert page.status_code == 400
    assert "user_scope_unsupported" in text
    assert "asks for user scopes (chat:write, search:read)" in text
    assert "bot tokens only" in text and "Nothing was installed" in text
    assert 'name="decision"' not in page.text
    assert acme.sim.get("/state")["installs"] == installs_before


def test_allowing_anyway_installs_nothing_and_gives_no_code(acme: Acme) -> None:
    acme.sim.update_app(acme.app["id"], redirect_urls=[REDIRECT])
    decided = signed_in(acme).post(
        f"{acme.sim.url}/oauth/v2/authorize",
        data={
            "client_id": acme.app["client_id"],
            "scope": "chat:write",
            "user_scope": "chat:write",
            "redirect_uri": REDIRECT,
            "state": "state-1",
            "decision": "allow",
        },
        allow_redirects=False,
        timeout=10,
    )

    assert decided.status_code == 400 and "Location" not in decided.headers
    assert "user_scope_unsupported" in decided.text
    installers = [i["installer_user_id"] for i in acme.sim.get("/state")["installs"]]
    assert acme.bob["id"] not in installers


def test_without_user_scopes_the_exchange_names_the_installer_alone(acme: Acme) -> None:
    code = consent(acme, scopes=["commands", "chat:write"])

    answer = acme.sim.client().oauth_v2_access(
        client_id=acme.app["client_id"],
        client_secret=acme.app["client_secret"],
        code=code,
        redirect_uri=REDIRECT,
    )

    assert answer["authed_user"] == {"id": acme.alice["id"]}
    assert answer["token_type"] == "bot" and re.match(r"xoxb-", answer["access_token"])
