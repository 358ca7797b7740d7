"""`ilert-slack-sim up` as a separate process, walked through by HTTP alone as the README shows."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from harness.driver import (
    IlertControl,
    SlackControl,
    authorize_workspace,
    button_labels,
    visible_text,
)

STARTUP_TIMEOUT = 30


@dataclass
class RunningDemo:
    output: list[str]
    urls: dict[str, str]
    keys: dict[str, str]


def _read_banner(process: subprocess.Popen[str], output: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line.rstrip("\n"))
        if line.startswith("  3. "):
            return


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningDemo]:
    command = [
        sys.executable,
        "-m",
        "harness.cli",
        "up",
        "--ilert-port",
        "0",
        "--slack-port",
        "0",
        "--connector-port",
        "0",
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    output: list[str] = []
    reader = threading.Thread(target=_read_banner, args=(process, output), daemon=True)
    reader.start()
    reader.join(STARTUP_TIMEOUT)
    try:
        assert not reader.is_alive(), f"no banner within {STARTUP_TIMEOUT}s: {output}"
        text = "\n".join(output)
        urls = dict(re.findall(r"^  fake (ilert|Slack)\s+(http://\S+)", text, re.M))
        urls["connector"] = re.search(r"^  connector\s+(http://\S+)", text, re.M).group(1)
        keys = dict(re.findall(r"^  (ADMIN|USER|RESPONDER) .* ilert API key (\S+)", text, re.M))
        yield RunningDemo(output, urls, keys)
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=15)
        assert process.returncode == 0, rest


def test_every_service_answers_its_root_page(demo: RunningDemo) -> None:
    import requests

    for url in demo.urls.values():
        assert requests.get(url, timeout=5).status_code == 200


def test_the_guides_main_flow_by_http_alone(demo: RunningDemo) -> None:
    ilert, slack = IlertControl(demo.urls["ilert"]), SlackControl(demo.urls["Slack"])
    admin_key, responder_key = demo.keys["ADMIN"], demo.keys["RESPONDER"]
    admin = ilert.call("GET", "/users/current", key=admin_key)
    responder = ilert.call("GET", "/users/current", key=responder_key)
    users = {u["profile"]["email"]: u for u in slack.state()["users"]}
    channel = next(c for c in slack.state()["channels"] if c["name"] == "ops-alerts")
    slack_admin, slack_responder = users[admin["email"]], users[responder["email"]]

    landed = authorize_workspace(
        ilert_url=demo.urls["ilert"],
        slack_url=demo.urls["Slack"],
        ilert_user_id=admin["id"],
        slack_user_id=slack_admin["id"],
    )
    assert landed.query["status"] == "success"
    assert "Acme" in landed.text

    answer = slack.command(
        team_id=channel["team_id"] if "team_id" in channel else slack_admin["team_id"],
        channel_id=channel["id"],
        user_id=slack_admin["id"],
        command="/ilert",
    )
    assert answer["ok"], answer
    menu = [
        m
        for m in slack.messages(channel["id"], user_id=slack_admin["id"])
        if m.get("ephemeral_to") == slack_admin["id"]
    ][-1]
    source = ilert.call("GET", "/alert-sources", key=admin_key)[0]
    picked = slack.select(
        channel_id=channel["id"],
        message_ts=menu["ts"],
        user_id=slack_admin["id"],
        option=f"[{source['id']}] {source['name']}",
    )
    assert picked["ok"], picked

    alert = ilert.call(
        "POST",
        "/alerts",
        key=admin_key,
        json={"summary": "Walkthrough alert", "alertSource": {"id": source["id"]}},
    )
    ilert.wait_for_deliveries()
    [message] = [m for m in slack.messages(channel["id"]) if m.get("attachments")]
    assert "[Pending] Walkthrough alert" in visible_text(message)
    assert button_labels(message) == ["Accept", "Resolve"]

    clicked = slack.click(
        channel_id=channel["id"],
        message_ts=message["ts"],
        user_id=slack_responder["id"],
        label="Accept",
    )
    assert clicked["ok"], clicked
    ilert.wait_for_deliveries()
    assert ilert.call("GET", f"/alerts/{alert['id']}", key=admin_key)["status"] == "ACCEPTED"
    [message] = [m for m in slack.messages(channel["id"]) if m.get("attachments")]
    assert "[Accepted] Walkthrough alert" in visible_text(message)
    assert button_labels(message) == ["Resolve"]


def _start_up(*extra: str) -> tuple[subprocess.Popen[str], list[str]]:
    command = [
        sys.executable,
        "-m",
        "harness.cli",
        "up",
        "--ilert-port",
        "0",
        "--slack-port",
        "0",
        "--connector-port",
        "0",
        *extra,
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    output: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip("\n"))
            if line.startswith(("  3. ", "Restored from")):
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(STARTUP_TIMEOUT)
    assert not reader.is_alive(), output
    return process, output


def test_up_exports_on_exit_and_imports_on_start(tmp_path) -> None:
    saved = tmp_path / "demo.json"
    first, output = _start_up("--export-on-exit", str(saved))
    ilert_url = re.search(r"fake ilert\s+(\S+)", "\n".join(output)).group(1)
    admin_key = re.search(r"ADMIN .* ilert API key (\S+)", "\n".join(output)).group(1)
    sources = IlertControl(ilert_url).call("GET", "/alert-sources", key=admin_key)
    first.send_signal(signal.SIGTERM)
    rest, _ = first.communicate(timeout=15)
    assert first.returncode == 0 and "saved the simulation" in rest

    again, output = _start_up("--import", str(saved))
    try:
        ilert_url = re.search(r"fake ilert\s+(\S+)", "\n".join(output)).group(1)
        assert IlertControl(ilert_url).call("GET", "/alert-sources", key=admin_key) == sources
    finally:
        again.send_signal(signal.SIGTERM)
        again.communicate(timeout=15)
    assert again.returncode == 0
