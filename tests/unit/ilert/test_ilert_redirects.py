"""Every redirect to a target someone gave (log in's `next`, an install ticket's `returnUrl`)
stays on fake ilert: a browser following the answer never lands on another site."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator.clock import VirtualClock
from emulator.ilert.app import FakeIlert
from emulator.ilert.redirects import same_origin_path
from emulator.ilert.tickets import verify_ticket

PUBLIC_URL = "http://ilert.test:8101"
# Each reads, to a browser (WHATWG URL parsing), as another host or a scheme of its own.
ELSEWHERE = [
    "//evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/\r\n/x",
    "\t//evil.example/x",
    " //evil.example/x",
    "/\x00/evil.example",
    "https://evil.example/x",
    "javascript:alert(1)",
    "evil.example/x",
]
LOCAL = ["/alerts", "/alerts/7?tab=alert-actions", "/alert-sources/3#x", "/a%2F%2Fb"]


@pytest.fixture
def sim() -> Iterator[FakeIlert]:
    made = FakeIlert(clock=VirtualClock(), public_url=PUBLIC_URL)
    yield made
    made.close()


@pytest.fixture
def client(sim: FakeIlert) -> FlaskClient:
    return sim.app.test_client()


def _account(client: FlaskClient) -> dict[str, Any]:
    made = client.post("/_sim/accounts", json={"name": "Acme"})
    assert made.status_code == 201
    return made.get_json()


@pytest.mark.parametrize("target", ELSEWHERE)
def test_login_never_redirects_to_another_site(client: FlaskClient, target: str) -> None:
    owner = _account(client)["owner"]
    answer = client.post("/login", data={"user_id": owner["id"], "next": target})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"


@pytest.mark.parametrize("target", LOCAL)
def test_login_follows_a_path_of_this_site(client: FlaskClient, target: str) -> None:
    owner = _account(client)["owner"]
    answer = client.post("/login", data={"user_id": owner["id"], "next": target})
    assert answer.status_code == 302 and answer.headers["Location"] == target


@pytest.mark.parametrize("target", [*ELSEWHERE, "http://ilert.test:8101.evil.example/x", 7])
def test_an_install_ticket_never_returns_to_another_site(client: FlaskClient, target: Any) -> None:
    owner = _account(client)["owner"]
    body = {"accountId": _account_id(client), "userId": owner["id"], "returnUrl": target}
    answer = client.post("/_sim/tickets", json=body)
    assert answer.status_code == 400
    assert "returnUrl" in answer.get_json()["message"]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/connectors/slack", f"{PUBLIC_URL}/connectors/slack"),
        (f"{PUBLIC_URL}/alerts?x=1", f"{PUBLIC_URL}/alerts?x=1"),
        (None, f"{PUBLIC_URL}/connectors/slack"),
    ],
)
def test_an_install_ticket_returns_to_a_page_of_fake_ilert(
    sim: FakeIlert, client: FlaskClient, given: str | None, kept: str
) -> None:
    owner = _account(client)["owner"]
    body: dict[str, Any] = {"accountId": _account_id(client), "userId": owner["id"]}
    if given is not None:
        body["returnUrl"] = given
    answer = client.post("/_sim/tickets", json=body)
    assert answer.status_code == 201, answer.get_json()
    ticket = verify_ticket(sim.connector_secret, answer.get_json()["ticket"])
    assert ticket.return_url == kept


def _account_id(client: FlaskClient) -> int:
    return client.get("/_sim/accounts").get_json()[-1]["id"]


def test_the_check_reads_targets_as_a_browser_does() -> None:
    assert [t for t in ELSEWHERE if same_origin_path(t) is not None] == []
    assert [same_origin_path(t) for t in LOCAL] == LOCAL
