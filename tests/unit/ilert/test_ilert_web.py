"""The alert source page: its Alert actions tab (with the connector's channel list), Create Alert,
and the alert page's Accept and Resolve."""

from __future__ import annotations

import re
import threading
from typing import Any

import requests

from emulator.clock import VirtualClock
from emulator.ilert.app import FakeIlert


def _login(world: Any, role: str) -> requests.Session:
    session = requests.Session()
    session.post(f"{world.url}/login", data={"user_id": world.users[role]["id"]}, timeout=5)
    return session


def test_alert_actions_tab_lists_and_creates_slack_actions(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    connector.channels = [
        {"id": "C1", "name": "general", "isPrivate": False},
        {"id": "G9", "name": "secret-ops", "isPrivate": True},
    ]
    with _login(world, "USER") as session:
        page = session.get(f"{world.url}/alert-sources/{world.source['id']}", timeout=5).text
        assert "No alert actions." in page and "#secret-ops (private)" in page
        created = session.post(
            f"{world.url}/alert-sources/{world.source['id']}/alert-actions",
            timeout=5,
            data={
                "name": "In Slack posten",
                "channel": "G9|secret-ops",
                "triggerMode": "AUTOMATIC",
                "triggerTypes": ["alert-created", "alert-resolved"],
            },
        )
        assert created.status_code == 200
        assert "In Slack posten" in created.text
        assert "Slack Workspace Integration (Slack)" in created.text
        assert "AUTOMATIC" in created.text and "#secret-ops" in created.text
    [action] = world.owner.ok("GET", "/alert-actions")
    assert action["params"]["channelId"] == "G9"
    assert action["triggerTypes"] == ["alert-created", "alert-resolved"]
    assert action["createdBy"]["id"] == world.users["USER"]["id"]


def test_create_alert_form_and_alert_page(world: Any) -> None:
    with _login(world, "RESPONDER") as session:
        response = session.post(
            f"{world.url}/alert-sources/{world.source['id']}/alerts",
            data={"summary": "Test alert", "details": "from the page"},
            timeout=5,
        )
        assert response.status_code == 200 and "[Pending] Test alert" in response.text
        alert_path = response.url.removeprefix(world.url)
        accepted = session.post(f"{world.url}{alert_path}/accept", timeout=5)
        assert "[Accepted] Test alert" in accepted.text
    with _login(world, "STAKEHOLDER") as session:
        refused = session.post(f"{world.url}{alert_path}/resolve", timeout=5)
        assert refused.status_code == 403 and "Responder" in refused.text
    [alert] = world.owner.ok("GET", "/alerts")
    assert alert["status"] == "ACCEPTED" and alert["summary"] == "Test alert"


def test_close_leaves_no_threads_behind() -> None:
    before = {t.name for t in threading.enumerate()}
    sim = FakeIlert(clock=VirtualClock())
    system = FakeIlert()
    sim.close()
    system.close()
    after = {t.name for t in threading.enumerate()}
    assert not {n for n in after - before if n.startswith("fakeilert")}


# --- the pages for people: tabs, permissions, live updates, lists a page at a time -------------

POLL = {"X-Fake-Ilert-Page": "1"}


def _text(html: str) -> str:
    """What a person reads: the HTML without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _version(html: str) -> str:
    found = re.search(r'data-version="([0-9a-f]+)"', html)
    assert found, "the page is not live"
    return found.group(1)


def _updates(session: requests.Session, url: str, version: str) -> requests.Response:
    return session.get(f"{url}/updates", params={"v": version}, headers=POLL, timeout=5)


def test_the_source_page_holds_every_tab_and_opens_the_one_asked_for(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    with _login(world, "ADMIN") as session:
        url = f"{world.url}/alert-sources/{world.source['id']}"
        page = session.get(url, params={"tab": "alert-actions"}, timeout=5).text
        for key in ("settings", "alerts", "alert-actions"):
            assert f'id="panel-{key}"' in page
        assert re.search(r'id="tab-alert-actions"[^>]*aria-selected="true"', page)
        assert re.search(r'id="panel-settings"[^>]*hidden', page)
        assert not re.search(r'id="panel-alert-actions"[^>]*hidden', page)
        # The Alert actions table is the page's first: readers take its first row as the header.
        first_row = re.search(r"<tr>(.*?)</tr>", page, re.S)
        assert first_row and "<th" in first_row.group(1) and ">Label<" in first_row.group(1)
        assert world.source["integrationKey"] in page  # the Settings tab
        default = session.get(url, timeout=5).text
        assert re.search(r'id="tab-settings"[^>]*aria-selected="true"', default)


def test_a_responder_is_offered_no_alert_action_form_and_is_refused_on_post(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    connector.channels = [{"id": "C1", "name": "general", "isPrivate": False}]
    with _login(world, "RESPONDER") as session:
        url = f"{world.url}/alert-sources/{world.source['id']}"
        page = session.get(url, timeout=5).text
        assert "Create new alert action" not in page and 'name="channel"' not in page
        assert 'action="/alert-sources/' in page  # Create Alert is offered: responders may
        refused = session.post(
            f"{url}/alert-actions",
            data={
                "channel": "C1|general",
                "triggerMode": "AUTOMATIC",
                "triggerTypes": "alert-created",
            },
            timeout=5,
        )
        assert refused.status_code == 403 and "Only an Admin" not in refused.text
        assert "needs the User or Admin role" in refused.text
    assert world.owner.ok("GET", "/alert-actions") == []
    with _login(world, "STAKEHOLDER") as session:
        page = session.get(f"{world.url}/alert-sources/{world.source['id']}", timeout=5).text
        assert "Create Alert" not in page
        refused = session.post(
            f"{world.url}/alert-sources/{world.source['id']}/alerts",
            data={"summary": "Nope"},
            timeout=5,
        )
        assert refused.status_code == 403


def test_a_refused_form_comes_back_with_the_reason(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    with _login(world, "USER") as session:
        url = f"{world.url}/alert-sources/{world.source['id']}"
        answer = session.post(
            f"{url}/alert-actions",
            data={"channel": "C1|general", "triggerMode": "AUTOMATIC"},
            timeout=5,
        )
        assert answer.status_code == 200 and answer.url.endswith("?tab=alert-actions")
        assert "triggerTypes" in answer.text and "was not created" in answer.text
        blank = session.post(f"{url}/alerts", data={"summary": "  "}, timeout=5)
        assert blank.url.endswith("?tab=alerts") and "The alert was not created" in blank.text
        # Shown once: the next page is clean.
        assert "was not created" not in session.get(url, timeout=5).text


def test_the_alert_page_polls_and_gets_204_until_something_changes(
    world: Any, clock: Any, sim: FakeIlert
) -> None:
    alert = world.owner.ok(
        "POST",
        "/alerts",
        201,
        json={"summary": "Disk full", "alertSource": {"id": world.source["id"]}},
    )
    url = f"{world.url}/alerts/{alert['id']}"
    with _login(world, "ADMIN") as session:
        page = session.get(url, timeout=5).text
        assert "escalated in 15 minutes to User Person" in _text(page)
        assert 'data-ticking="false"' in page  # a virtual clock: the server redraws the countdown
        version = _version(page)
        same = _updates(session, url, version)
        assert same.status_code == 204 and same.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in same.headers

        clock.advance(60)
        moved = _updates(session, url, version).json()
        assert "in 14 minutes to User Person" in _text(moved["html"]["details"])
        version = moved["version"]

        world.api("RESPONDER").ok("PUT", f"/alerts/{alert['id']}/accept")
        changed = _updates(session, url, version).json()
        assert set(changed["html"]) == {"head", "details", "timeline"}
        assert "ACCEPTED" in changed["html"]["details"]
        assert "Accepted by Responder Person" in _text(changed["html"]["details"])
        assert "Alert accepted by Responder Person" in changed["html"]["timeline"]
        assert ">Accept<" not in changed["html"]["head"]
        assert _updates(session, url, changed["version"]).status_code == 204

    gone = requests.get(f"{url}/updates", params={"v": version}, headers=POLL, timeout=5)
    assert gone.status_code == 200 and gone.json() == {"loggedOut": True}
    with _login(world, "GUEST") as session:
        hidden = _updates(session, url, version)
        assert hidden.status_code == 200 and "not found" in hidden.json()["gone"]


def test_assign_from_the_alert_page_stops_the_escalation(world: Any) -> None:
    alert = world.owner.ok(
        "POST", "/alerts", 201, json={"summary": "Slow", "alertSource": {"id": world.source["id"]}}
    )
    with _login(world, "USER") as session:
        page = session.get(f"{world.url}/alerts/{alert['id']}", timeout=5).text
        options = re.findall(r'<option value="(\d+)"', page)
        assert str(world.users["RESPONDER"]["id"]) in options
        assert str(world.users["STAKEHOLDER"]["id"]) not in options  # may not respond
        answer = session.post(
            f"{world.url}/alerts/{alert['id']}/assign",
            data={"user_id": world.users["ADMIN"]["id"]},
            timeout=5,
        )
        assert answer.status_code == 200 and "No escalation is scheduled" in _text(answer.text)
    after = world.owner.ok("GET", f"/alerts/{alert['id']}")
    assert [r["user"]["id"] for r in after["responders"]] == [world.users["ADMIN"]["id"]]
    assert after.get("nextEscalation") is None


def test_lists_show_a_page_at_a_time(world: Any, sim: FakeIlert) -> None:
    for number in range(1, 61):
        world.owner.ok(
            "POST",
            "/alerts",
            201,
            json={"summary": f"Alert {number}", "alertSource": {"id": world.source["id"]}},
        )
    with _login(world, "ADMIN") as session:
        first = session.get(f"{world.url}/alerts", timeout=5).text
        assert first.count("<tr><td>") == 25
        assert ">Alert 60<" in first and ">Alert 35<" not in first
        assert "1\u201325 of 60 alerts" in _text(first) and "Page 1 of 3" in first
        last = session.get(f"{world.url}/alerts", params={"page": 3}, timeout=5).text
        assert ">Alert 10<" in last and ">Alert 1<" in last and last.count("<tr><td>") == 10
        beyond = session.get(f"{world.url}/alerts", params={"page": 99}, timeout=5).text
        assert "Page 3 of 3" in beyond
        resolved = session.get(f"{world.url}/alerts", params={"show": "resolved"}, timeout=5).text
        assert "No alerts here." in resolved
        source = f"{world.url}/alert-sources/{world.source['id']}"
        tab = session.get(source, params={"tab": "alerts", "page": 2}, timeout=5).text
        assert (
            ">Alert 35<" in tab
            and f'href="/alert-sources/{world.source["id"]}?tab=alerts&amp;page=3"' in tab
        )
        updates = session.get(
            f"{source}/updates", params={"page": 2}, headers=POLL, timeout=5
        ).json()
        assert ">Alert 35<" in updates["html"]["alerts"]
        # Links drawn by a poll point at the page, not at its `…/updates`.
        assert "/updates" not in updates["html"]["alerts"]


def test_a_form_from_another_site_is_refused(world: Any) -> None:
    with _login(world, "ADMIN") as session:
        foreign = session.post(
            f"{world.url}/alert-sources/{world.source['id']}/alerts",
            data={"summary": "CSRF"},
            headers={"Origin": "http://evil.example"},
            timeout=5,
        )
        assert foreign.status_code == 403
        own = session.post(
            f"{world.url}/alert-sources/{world.source['id']}/alerts",
            data={"summary": "Mine"},
            headers={"Origin": world.url},
            timeout=5,
        )
        assert own.status_code == 200
    assert [a["summary"] for a in world.owner.ok("GET", "/alerts")] == ["Mine"]


def test_the_connector_pages_follow_the_link_and_the_home_page_leads_on(
    world: Any, connector: Any
) -> None:
    start = requests.get(f"{world.url}/", timeout=5)
    assert start.status_code == 200 and "Log in to fake ilert" in start.text
    index = requests.get(f"{world.url}/", headers={"Accept": "application/json"}, timeout=5)
    assert "/alerts" in index.json()["pages"]
    with _login(world, "ADMIN") as session:
        assert session.get(f"{world.url}/", timeout=5).url.endswith("/alerts")
        url = f"{world.url}/connectors/slack"
        page = session.get(url, timeout=5).text
        assert ">Authorize<" in page and "Only an Admin" not in page
        version = _version(page)
        assert _updates(session, url, version).status_code == 204
        assert world.link_slack().status_code == 200
        linked = _updates(session, url, version).json()["html"]["setup"]
        assert "https://t0acme.slack.com/" in linked and "Re-authorize Slack" in linked
        assert "re-authorization is needed" not in linked.lower()
        listing = session.get(f"{world.url}/connectors", timeout=5).text
        assert "to team Team T0ACME" in _text(listing)
