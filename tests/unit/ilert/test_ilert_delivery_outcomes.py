"""What the connector's answer to a webhook means (docs/contract.md §4), and what people see of
it: the alert's timeline names Slack's error code and message, a permanent refusal is not
retried, Retry-After is the least wait, and each alert action carries a delivery status (API,
Alert actions tab, export). Never sleeps: waits on /_sim/deliveries/wait."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from emulator.ilert.outcomes import from_answer, retry_after

CHANNEL_NOT_FOUND = {
    "ok": False,
    "error": "channel_not_found",
    "message": "The channel C100 does not exist or the app cannot see it.",
}


def _wait_idle(world: Any) -> dict[str, Any]:
    result = world.sim("/deliveries/wait", {"timeout": 10})
    assert result["idle"] is True, result
    return result


def _advance(world: Any, seconds: float) -> None:
    world.sim("/clock/advance", {"seconds": seconds})
    _wait_idle(world)


def _action(world: Any, linked: dict[str, Any]) -> dict[str, Any]:
    body = {
        "connectorType": "slack",
        "connectorId": linked["connector"]["id"],
        "alertSources": [{"id": world.source["id"]}],
        "triggerTypes": ["alert-created", "alert-acknowledged"],
        "params": {"channelId": "C100", "channelName": "ops-alerts"},
    }
    return world.owner.ok("POST", "/alert-actions", 201, json=body)


def _alert(world: Any) -> dict[str, Any]:
    body = {"summary": "Disk full", "alertSource": {"id": world.source["id"]}}
    return world.owner.ok("POST", "/alerts", 201, json=body)


def _timeline(world: Any, alert: dict[str, Any]) -> list[str]:
    entries = world.owner.ok("GET", f"/alerts/{alert['id']}/log-entries")
    return [e["text"] for e in entries if e["logEntryType"].startswith("AlertAction")]


def _status(world: Any, action: dict[str, Any]) -> dict[str, Any]:
    return world.owner.ok("GET", f"/alert-actions/{action['id']}")["deliveryStatus"]


def _actions_tab(world: Any) -> str:
    with requests.Session() as session:
        session.post(f"{world.url}/login", data={"user_id": world.owner_id}, timeout=5)
        page = session.get(
            f"{world.url}/alert-sources/{world.source['id']}?tab=alert-actions", timeout=5
        ).text
    row = re.search(r'<tr class="alert-action".*?</tr>', page, re.S)
    assert row is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0))).replace("&#39;", "'")


def _status_cell(world: Any) -> str:
    """The Status cell's HTML (what the BDD scenario reads as its text is only the badge)."""
    with requests.Session() as session:
        session.post(f"{world.url}/login", data={"user_id": world.owner_id}, timeout=5)
        page = session.get(f"{world.url}/alert-sources/{world.source['id']}", timeout=5).text
    cell = re.search(r'<td class="delivery-status">(.*?)</td>', page, re.S)
    assert cell is not None
    return cell.group(1).strip()


def test_a_permanent_refusal_is_explained_and_not_retried(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    action = _action(world, linked)
    connector.answers = [(422, CHANNEL_NOT_FOUND, {})]
    alert = _alert(world)
    _wait_idle(world)
    for _ in range(5):
        _advance(world, 60)
    assert len(connector.received) == 1
    assert _timeline(world, alert) == [
        "Slack connector could not notify #ops-alerts (alert-created): channel_not_found — "
        "The channel C100 does not exist or the app cannot see it.; not retried"
    ]
    stats = requests.get(f"{world.url}/_sim/deliveries", timeout=5).json()
    assert (stats["failed"], stats["pending"]) == (1, 0)
    status = _status(world, action)
    assert status["status"] == "FAILING" and status["error"] == "channel_not_found"
    assert status["reason"].startswith("channel_not_found — The channel C100 does not exist")
    assert status["nextAttemptAt"] is None and status["lastAttemptAt"].endswith("Z")
    row = _actions_tab(world)
    assert "FAILING" in row and "OKAY" not in row
    assert "channel_not_found — The channel C100 does not exist" in row


@pytest.mark.parametrize(
    ("status", "retried"),
    [
        *[(status, False) for status in (400, 401, 403, 404, 410, 422)],
        *[(status, True) for status in (408, 429, 500, 502, 503)],
    ],
)
def test_only_4xx_other_than_408_and_429_are_permanent(
    world: Any, linked: dict[str, Any], connector: Any, status: int, retried: bool
) -> None:
    action = _action(world, linked)
    body = {"ok": False, "error": "not_in_channel", "message": "The bot is not in the channel."}
    connector.answers = [(status, body, {})]
    alert = _alert(world)
    _wait_idle(world)
    assert _status(world, action)["status"] == ("RETRYING" if retried else "FAILING")
    _advance(world, 1)
    assert len(connector.received) == (2 if retried else 1)
    [first, *_] = _timeline(world, alert)
    assert "not_in_channel — The bot is not in the channel." in first
    assert first.endswith("retrying in 1 s" if retried else "not retried")
    assert _status(world, action)["status"] == ("OKAY" if retried else "FAILING")


def test_retry_after_is_the_least_wait(world: Any, linked: dict[str, Any], connector: Any) -> None:
    action = _action(world, linked)
    limited = {"ok": False, "error": "ratelimited", "message": "Slack asks to wait."}
    connector.answers = [(429, limited, {"Retry-After": "30"})]
    alert = _alert(world)
    _wait_idle(world)
    status = _status(world, action)
    assert status["status"] == "RETRYING" and status["error"] == "ratelimited"
    assert status["nextAttemptAt"] is not None
    _advance(world, 29)
    assert len(connector.received) == 1
    _advance(world, 1)
    assert len(connector.received) == 2 and connector.received[1]["answered"] == 200
    assert _timeline(world, alert) == [
        "Slack connector could not notify #ops-alerts (alert-created): ratelimited — "
        "Slack asks to wait.; attempt 1 of 10, retrying in 30 s",
        "Slack connector notified #ops-alerts (alert-created)",
    ]
    assert _status(world, action)["status"] == "OKAY"


@pytest.mark.parametrize(
    ("status", "body", "headers", "reason"),
    [
        (502, "upstream\nunavailable", {}, "HTTP 502 Bad Gateway: upstream unavailable"),
        (
            500,
            "<html><body>Traceback</body></html>",
            {"Content-Type": "text/html"},
            "HTTP 500 Internal Server Error, an HTML page",
        ),
        (422, "", {}, "HTTP 422 Unprocessable Entity, no body"),
        (404, {"ok": False, "error": "Not A Code!"}, {}, "HTTP 404 Not Found: "),
        (403, {"ok": False, "error": "missing_scope"}, {}, "missing_scope"),
    ],
)
def test_a_body_not_in_the_contract_still_gives_a_readable_reason(
    world: Any,
    linked: dict[str, Any],
    connector: Any,
    status: int,
    body: Any,
    headers: dict[str, str],
    reason: str,
) -> None:
    action = _action(world, linked)
    connector.answers = [(status, body, headers)]
    alert = _alert(world)
    _wait_idle(world)
    [entry] = _timeline(world, alert)
    assert f"(alert-created): {reason}" in entry
    assert "HTTP 422;" not in entry and _status(world, action)["reason"].startswith(reason)


def test_exhausted_retries_leave_the_action_failing(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    action = _action(world, linked)
    connector.fail_next = 100
    alert = _alert(world)
    _wait_idle(world)
    for _ in range(9):  # the first attempt failed; nine more, a minute apart
        assert _status(world, action)["status"] == "RETRYING"
        _advance(world, 60)
    assert len(connector.received) == 10
    assert _timeline(world, alert)[-1].endswith("; gave up after 10 attempts")
    status = _status(world, action)
    assert status["status"] == "FAILING"
    assert status["reason"] == 'HTTP 500 Internal Server Error: {"ok":false}'
    assert "FAILING" in _actions_tab(world)


def test_a_new_action_is_okay_and_says_nothing_was_sent(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    action = _action(world, linked)
    assert _status(world, action) == {
        "status": "OKAY",
        "error": None,
        "reason": None,
        "lastAttemptAt": None,
        "nextAttemptAt": None,
    }
    assert _status_cell(world) == '<span class="badge okay" title="No event sent yet">OKAY</span>'
    _alert(world)
    _wait_idle(world)
    delivered = _status(world, action)
    assert delivered["status"] == "OKAY" and delivered["lastAttemptAt"] is not None
    assert _status_cell(world) == '<span class="badge okay">OKAY</span>'
    [event] = connector.events()
    assert "deliveryStatus" not in event["json"]["alertAction"]


def test_export_and_import_carry_the_delivery_status(
    world: Any, linked: dict[str, Any], connector: Any
) -> None:
    action = _action(world, linked)
    connector.answers = [(404, CHANNEL_NOT_FOUND, {})]
    _alert(world)
    _wait_idle(world)
    before = _status(world, action)
    exported = requests.get(f"{world.url}/_sim/export", timeout=5).json()
    world.sim("/reset")
    world.sim("/import", exported)
    assert _status(world, action) == before and before["status"] == "FAILING"
    broken = requests.get(f"{world.url}/_sim/export", timeout=5).json()
    broken["accounts"][0]["actions"][0]["delivery"]["state"] = "FINE"
    refused = requests.post(f"{world.url}/_sim/import", json=broken, timeout=5)
    assert refused.status_code == 400 and "delivery.state" in refused.json()["message"]


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("12") == 12.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert retry_after("999999") == 3600.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_an_answer_is_classified_by_its_status() -> None:
    assert from_answer(204, {}, b"").delivered
    refused = from_answer(400, {"retry-after": "5"}, b'{"ok": false, "error": "invalid_blocks"}')
    assert refused.permanent and refused.retry_after is None and refused.error == "invalid_blocks"
    moved = from_answer(302, {}, b"")
    assert moved.retried and moved.reason == "HTTP 302 Found, no body"
