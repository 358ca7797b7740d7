"""The connector's route for an alert's own channel (docs/contract.md, point 7), asked as fake
ilert asks it: signed with the simulation's connector secret, every answer read as ilert reads it.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest
import requests

from harness.driver import Browser, IlertControl, IlertWeb, SlackControl, authorize_workspace
from harness.seed import World, build_world
from harness.simulation import Simulation, SimulationConfig

Json = dict[str, Any]
SECRET = "alert-channel-secret"
_names = count(1)


@dataclass
class Linked:
    sim: Simulation
    ilert: IlertControl
    slack: SlackControl
    world: World

    def alert(self) -> Json:
        source = self.world.source("Grafana")
        created = self.ilert.create_alert(
            self.world.owner_key, summary="Checkout errors", source_id=source["id"]
        )
        return self.ilert.alert(self.world.owner_key, created["id"])

    def request(self, alert: Json, **changes: Any) -> Json:
        return {
            "accountId": self.world.account_id,
            "alert": alert,
            "name": f"war-room-{next(_names)}",
            "isPrivate": False,
            "actor": None,
            **changes,
        }

    def ask(self, body: Any, *, signed: bool = True) -> requests.Response:
        text = body if isinstance(body, str) else json.dumps(body)
        headers = signed_headers(text) if signed else {"Content-Type": "application/json"}
        return requests.post(
            f"{self.sim.connector_url}/ilert/alert-channels",
            data=text.encode("utf-8", "surrogatepass"),
            headers=headers,
            timeout=10,
        )

    def channel(self, channel_id: str) -> Json:
        return next(c for c in self.slack.state()["channels"] if c["id"] == channel_id)


def signed_headers(message: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    signed = f"v1:{timestamp}:{message}".encode("utf-8", "surrogatepass")
    digest = hmac.new(SECRET.encode(), signed, hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "X-Ilert-Timestamp": timestamp,
        "X-Ilert-Signature": "v1=" + digest.hexdigest(),
    }


@pytest.fixture(scope="module")
def linked() -> Iterator[Linked]:
    config = SimulationConfig(clock="virtual", connector_secret=SECRET, slack_time_scale=0.01)
    with Simulation(config) as sim:
        ilert, slack = sim.ilert(), sim.slack()
        world = build_world(ilert, slack, seed=4343)
        admin = world.person("ADMIN")
        landed = authorize_workspace(
            ilert_url=sim.ilert_url,
            slack_url=sim.slack_url,
            ilert_user_id=admin.ilert_id,
            slack_user_id=admin.slack_id,
        )
        assert landed.query.get("status") == "success", landed.text[:300]
        yield Linked(sim, ilert, slack, world)


@pytest.fixture(autouse=True)
def settled_and_no_faults_left(linked: Linked) -> Iterator[None]:
    """Each test starts once the earlier tests' webhooks are answered: an alert with its own
    channel invites before each of its events is published, and such a late invite would take
    the fault rule a test sets for its own invite."""
    linked.ilert.wait_for_deliveries()
    yield
    linked.slack.clear_faults()


def refusal(response: requests.Response) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False and body["message"], body
    return response.status_code, body["error"]


def test_a_channel_is_created_with_the_responders_found_in_slack(linked: Linked) -> None:
    alert = linked.alert()
    admin, responder = linked.world.person("ADMIN"), linked.world.person("RESPONDER")
    stranger = {"user": {"id": 1, "email": "nobody@elsewhere.example"}, "status": "PENDING"}
    alert["responders"].append(stranger)
    body = linked.request(alert, actor={"id": admin.ilert_id, "email": admin.email})
    response = linked.ask(body)
    assert response.status_code == 200, response.text
    answer = response.json()
    channel = answer["channel"]
    assert channel["name"] == body["name"] and channel["isPrivate"] is False
    assert channel["url"] == f"{linked.sim.slack_url}/client/{linked.world.team_id}/{channel['id']}"
    assert answer["invited"] == [responder.slack_id, admin.slack_id]
    assert answer["notInSlack"] == ["nobody@elsewhere.example"]
    assert answer["inviteError"] is None
    members = linked.channel(channel["id"])["members"]
    assert responder.slack_id in members and admin.slack_id in members


def test_a_private_channel_is_private(linked: Linked) -> None:
    response = linked.ask(linked.request(linked.alert(), isPrivate=True))
    assert response.status_code == 200, response.text
    assert linked.channel(response.json()["channel"]["id"])["is_private"] is True


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("general", "name_taken"),
        ("War-Room", "invalid_name_specials"),
        ("war room", "invalid_name_specials"),
        ("w" * 81, "invalid_name_maxlength"),
        ("-_-", "invalid_name_punctuation"),
    ],
)
def test_a_name_slack_refuses_is_a_422_with_slacks_code(
    linked: Linked, name: str, error: str
) -> None:
    before = len(linked.slack.state()["channels"])
    assert refusal(linked.ask(linked.request(linked.alert(), name=name))) == (422, error)
    assert len(linked.slack.state()["channels"]) == before


@pytest.mark.parametrize(
    ("fault", "answer"),
    [
        ({"error": "internal_error"}, (503, "internal_error")),
        ({"error": "ratelimited"}, (429, "ratelimited")),
        ({"error": "restricted_action"}, (422, "restricted_action")),
    ],
)
def test_slacks_failures_of_the_create_keep_slacks_reason(
    linked: Linked, fault: Json, answer: tuple[int, str]
) -> None:
    linked.slack.add_fault(method="conversations.create", count=1, **fault)
    response = linked.ask(linked.request(linked.alert()))
    assert refusal(response) == answer
    if answer[0] != 422:  # nobody retries a person's click: the person is told to
        assert "try again" in response.json()["message"]
        assert "ilert will" not in response.json()["message"]


def test_failed_invitations_still_answer_the_channel(linked: Linked) -> None:
    linked.slack.add_fault(method="conversations.invite", count=1, error="internal_error")
    response = linked.ask(linked.request(linked.alert()))
    assert response.status_code == 200, response.text
    assert response.json()["inviteError"] == "internal_error"


def test_an_unsigned_request_is_refused(linked: Linked) -> None:
    response = linked.ask(linked.request(linked.alert()), signed=False)
    assert refusal(response) == (401, "invalid_signature")


def test_an_account_without_a_workspace_is_not_linked(linked: Linked) -> None:
    body = linked.request(linked.alert(), accountId=987654321)
    assert refusal(linked.ask(body)) == (404, "account_not_linked")


@pytest.mark.parametrize(
    "change",
    [
        {"accountId": "1"},
        {"accountId": True},
        {"accountId": 0},
        {"accountId": 2**63},
        {"alert": None},
        {"alert": {"id": "7"}},
        {"name": None},
        {"name": "\ud800"},
        {"isPrivate": "yes"},
        {"actor": "admin"},
    ],
)
def test_a_malformed_request_is_a_400(linked: Linked, change: Json) -> None:
    body = {**linked.request({"id": 1}), **change}
    assert refusal(linked.ask(body)) == (400, "malformed_request")


@pytest.mark.parametrize("text", ["[]", "null", "{", '"x"', "[" * 100_000])
def test_a_body_that_is_no_request_is_a_400(linked: Linked, text: str) -> None:
    assert refusal(linked.ask(text)) == (400, "malformed_request")


def test_an_alerts_channel_survives_export_and_import(linked: Linked) -> None:
    alert = linked.alert()
    web = IlertWeb(linked.sim.ilert_url, Browser())
    web.log_in(linked.world.person("ADMIN").ilert_id)
    page = web.browser.submit(f"{web.alert_url(alert['id'])}/slack-channel", {"name": "kept"})
    assert "Slack channel #kept created" in page.text, page.text[:500]
    exported = linked.ilert.export_state()
    assert [c["name"] for c in exported["alertChannels"]][-1:] == ["kept"]
    linked.ilert.import_state(exported)
    assert 'class="slack-channel"' in web.browser.get(web.alert_url(alert["id"])).text
    broken = {**exported, "alertChannels": [{"name": "kept"}]}
    with pytest.raises(Exception, match="alertChannels"):
        linked.ilert.import_state(broken)


def test_two_people_creating_an_alerts_channel_at_once_make_one(linked: Linked) -> None:
    alert = linked.alert()
    pages = []
    for role in ("ADMIN", "USER"):
        web = IlertWeb(linked.sim.ilert_url, Browser())
        web.log_in(linked.world.person(role).ilert_id)
        pages.append(web)
    url = f"{pages[0].alert_url(alert['id'])}/slack-channel"
    names = [f"race-{alert['id']}-{n}" for n in (1, 2)]
    # Slack takes its time, so the second click comes while the first is still being made.
    linked.slack.add_fault(method="conversations.create", count=2, latency_ms=400)
    with ThreadPoolExecutor(2) as pool:
        visits = list(
            pool.map(
                lambda pair: pair[0].browser.submit(url, {"name": pair[1]}),
                zip(pages, names, strict=True),
            )
        )
    assert any("is being created" in html.unescape(v.text) for v in visits)
    created = [n for n, v in zip(names, visits, strict=True) if f"#{n} created" in v.text]
    assert len(created) == 1, [v.text[:300] for v in visits]
    in_slack = {c["name"] for c in linked.slack.state()["channels"]}
    assert [n for n in names if n in in_slack] == created


def _flash(page: str) -> str:
    """The page's notices, for an assertion's message."""
    return " | ".join(re.findall(r'class="flash[^"]*"[^>]*>(.*?)</', page, re.S)) or page[:800]


def test_the_page_says_when_nobody_could_be_invited(linked: Linked) -> None:
    alert = linked.alert()
    web = IlertWeb(linked.sim.ilert_url, Browser())
    web.log_in(linked.world.person("ADMIN").ilert_id)
    linked.slack.add_fault(method="conversations.invite", count=1, error="internal_error")
    name = f"uninvited-{alert['id']}"
    page = web.browser.submit(f"{web.alert_url(alert['id'])}/slack-channel", {"name": name})
    text = html.unescape(page.text)
    assert f"Slack channel #{name} created; nobody could be invited yet" in text, _flash(text)
    assert "(Slack: internal_error)" in text


def test_a_failed_invitation_of_someone_who_joins_later_is_retried(linked: Linked) -> None:
    alert = linked.alert()
    admin, user = linked.world.person("ADMIN"), linked.world.person("USER")
    web = IlertWeb(linked.sim.ilert_url, Browser())
    web.log_in(admin.ilert_id)
    name = f"retried-{alert['id']}"
    web.browser.submit(f"{web.alert_url(alert['id'])}/slack-channel", {"name": name})
    linked.ilert.wait_for_deliveries()
    [channel] = [c for c in linked.slack.state()["channels"] if c["name"] == name]
    assert user.slack_id not in channel["members"]
    linked.slack.add_fault(method="conversations.invite", count=1, error="internal_error")
    linked.ilert.assign_alert(admin.api_key, alert["id"], user_id=user.ilert_id)
    linked.ilert.settle_deliveries(step=2)
    assert user.slack_id in linked.channel(channel["id"])["members"]
    log = [e["text"] for e in linked.ilert.alert_log(linked.world.owner_key, alert["id"])]
    assert any(f"could not notify #{name} (alert-assigned): internal_error" in e for e in log), log
    assert any(f"notified #{name} (alert-assigned)" in e for e in log), log
