"""The alert source page: its Alert actions tab (with the connector's channel list), Create Alert,
and the alert page's Accept and Resolve."""

from __future__ import annotations

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
