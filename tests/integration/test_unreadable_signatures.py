"""Signatures, tickets and form tokens that are not ASCII: each is a refusal in its protocol's
form, never a 500 (`hmac.compare_digest` raises TypeError for a non-ASCII str)."""

from __future__ import annotations

import time

import pytest
import requests

from harness.driver import Services

NOT_ASCII = "v0=\xe9"  # sent as the single byte 0xE9, as HTTP header values are Latin-1
COMMAND = "command=%2Filert&text=&team_id=T1&channel_id=C1&user_id=U1"


def now() -> str:
    return str(int(time.time()))


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [(now(), NOT_ASCII), ("17\xe9", "v0=00"), ("9" * 5000, "v0=00")],
    ids=["signature", "timestamp", "huge-timestamp"],
)
def test_slack_headers_that_are_not_ascii_or_no_number_are_refused_as_unsigned(
    sim_services: Services, timestamp: str, signature: str
) -> None:
    response = requests.post(
        f"{sim_services.connector_url}/slack/events",
        data=COMMAND,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
        },
        timeout=5,
    )
    assert (response.status_code, response.json()) == (401, {"error": "invalid request"})


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/ilert/events"), ("GET", "/ilert/channels?accountId=1")],
)
def test_an_ilert_signature_that_is_not_ascii_is_refused(
    sim_services: Services, method: str, path: str
) -> None:
    response = requests.request(
        method,
        f"{sim_services.connector_url}{path}",
        data=b"{}" if method == "POST" else None,
        headers={
            "Content-Type": "application/json",
            "X-Ilert-Delivery": "d-not-ascii",
            "X-Ilert-Timestamp": now(),
            "X-Ilert-Signature": "v1=\xe9",
        },
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_signature"


def test_an_install_ticket_that_is_not_ascii_is_refused_by_the_connector(
    sim_services: Services,
) -> None:
    response = requests.get(
        f"{sim_services.connector_url}/slack/install?ticket=a.%C3%A9",
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 400
    assert "not signed by ilert" in response.text


@pytest.mark.parametrize("ticket", ["a.é", "é.0123", "a.\ud800"])
def test_an_install_ticket_that_is_not_ascii_is_refused_by_ilert(
    sim_services: Services, ticket: str
) -> None:
    response = requests.post(
        f"{sim_services.ilert_url}/api/connectors/slack/installations",
        json={"ticket": ticket},
        timeout=5,
    )
    assert response.status_code == 400
    # A lone surrogate is no text at all, refused before the ticket is even read.
    why = "lone UTF-16 surrogate" if "\ud800" in ticket else "<payload>.<signature>"
    assert why in response.json()["message"]


def test_a_slack_page_form_token_that_is_not_ascii_is_an_expired_form(
    sim_services: Services,
) -> None:
    browser = requests.Session()
    browser.get(f"{sim_services.slack_url}/login", timeout=5)
    response = browser.post(
        f"{sim_services.slack_url}/client/sign-out", data={"csrf": "é"}, timeout=5
    )
    assert response.status_code == 400
    assert "The form has expired" in response.text
