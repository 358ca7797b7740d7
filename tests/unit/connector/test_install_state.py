"""The OAuth callback tells a person why it refuses: an install left too long is expired (even
though the browser's cookie is gone by then too), one finished elsewhere names the browser."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from connector.app import create_app
from connector.config import ConnectorConfig
from connector.install import STATE_COOKIE, STATE_TTL_SECONDS
from emulator.ilert.tickets import issue_ticket

SECRET = "ilert-secret"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def browser(tmp_path: Path, clock: Clock) -> FlaskClient:
    config = ConnectorConfig(
        slack_url="http://slack.test",
        ilert_url="http://ilert.test",
        public_url="http://connector.test",
        client_id="1.2",
        client_secret="s",
        signing_secret="x",
        ilert_secret=SECRET,
        database_path=str(tmp_path / "connector.sqlite3"),
    )
    return create_app(config, clock=clock).test_client()


def started(browser: FlaskClient, clock: Clock) -> str:
    ticket = issue_ticket(
        SECRET, account_id=1, user_id=2, return_url="http://ilert.test/c", now=clock()
    )
    answer = browser.get(f"/slack/install?ticket={ticket}")
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer.headers["Location"]).query)["state"][0]


def test_an_install_left_too_long_is_told_it_expired(browser: FlaskClient, clock: Clock) -> None:
    state = started(browser, clock)
    clock.now += STATE_TTL_SECONDS + 1
    browser.delete_cookie(STATE_COOKIE, path="/slack")  # the browser let it go, as told

    page = browser.get(f"/slack/oauth_redirect?state={state}&code=c").get_data(as_text=True)

    assert "expired" in page and "10 minutes" in page
    assert "another browser" not in page


def test_a_callback_in_another_browser_says_so(browser: FlaskClient, clock: Clock) -> None:
    state = started(browser, clock)
    browser.delete_cookie(STATE_COOKIE, path="/slack")

    page = browser.get(f"/slack/oauth_redirect?state={state}&code=c").get_data(as_text=True)

    assert "started in another browser" in page
