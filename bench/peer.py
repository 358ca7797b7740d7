"""fake Slack beside a Python peer, ygalblum/slack-server-mock, under wrk: `chat.postMessage`.

    python -m bench.peer --peer PATH [--peer-python PYTHON] [--seconds 3] [--rounds 3]

The peer is a stateless Tornado server with canned answers: it stores nothing, checks only that
the token starts with `xoxb-` and that the user agent names slack_sdk, and closes the connection
after each answer. Fake Slack does Slack's work: token, scopes, arguments, Block Kit checks, the
message stored, the journal. The load is the same for all three, as wrk sends it: `wrk -t1 -c8`,
a JSON `chat.postMessage` (a text and one section block) with a bot token and slack_sdk's user
agent, `--seconds` a figure, one figure each of fake Slack, the peer and a bare Flask endpoint
on fake Slack's server stack (ServedApp, waitress; it answers fake Slack's own answer, captured
first) in turn, `--rounds` times; the best round of each counts.

`PATH` is a checkout of https://github.com/ygalblum/slack-server-mock; `--peer-python` an
interpreter with its dependencies (tornado, injector, pydantic, envyaml; by default this one).
Without wrk on the PATH or without the checkout the benchmark says so and skips (exit status 0).
Target: fake Slack / peer >= 1.0. Exit status 1 if it is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Verdicts, machine
from bench.slack_webapi import bare_app, sample, workspace
from emulator.serving import ServedApp, quiet_waitress

TARGET = 1.0
USER_AGENT = "Python/3.11.7 slackclient/3.33.0 Linux/6.1"  # as slack_sdk sends it
PEER_TOKEN = "xoxb-peer"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


class Peer:
    """The peer as its README runs it (`python -m slack_server_mock`), on free ports."""

    def __init__(self, checkout: Path, python: str) -> None:
        self.settings = tempfile.mkdtemp(prefix="peer-settings-")
        self.port = free_port()
        Path(self.settings, "settings.yaml").write_text(
            "slack_server:\n"
            f"  http_port: {self.port}\n"
            f"  websocket_port: {free_port()}\n"
            f"  response_data_path: {self.settings}\n"
            "actor:\n"
            f"  port: {free_port()}\n"
        )
        env = {**os.environ, "SLACK_MOCK_SERVER_SETTINGS_FOLDER": self.settings}
        self.log = open(Path(self.settings, "peer.log"), "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [python, "-m", "slack_server_mock"],
            cwd=checkout,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_listening(self.port, 30)
        except RuntimeError:
            self.stop()
            raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()
        shutil.rmtree(self.settings, ignore_errors=True)


def wrk_script(body: bytes, token: str, folder: str) -> str:
    """A wrk Lua script that POSTs `body` as JSON with a bot token and slack_sdk's agent."""
    path = Path(folder, f"post-{token}.lua")
    path.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body.decode())}\n"
        'wrk.headers["Content-Type"] = "application/json; charset=utf-8"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        f'wrk.headers["User-Agent"] = "{USER_AGENT}"\n'
    )
    return str(path)


def run_wrk(url: str, script: str, seconds: float) -> float:
    """Requests per second as wrk -t1 -c8 reports them; refuses a run with errors."""
    out = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{seconds:g}s", "-s", script, url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"wrk saw failed answers from {url}:\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if found is None:
        raise RuntimeError(f"no Requests/sec in wrk's output:\n{out}")
    return float(found[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", type=Path, help="a checkout of ygalblum/slack-server-mock")
    parser.add_argument("--peer-python", default=sys.executable, help="runs the peer")
    parser.add_argument("--seconds", type=float, default=3.0, help="per figure")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; best counts")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("skipped: no wrk on the PATH (Debian: apt-get install wrk)")
        return 0
    if args.peer is None or not Path(args.peer, "slack_server_mock", "__main__.py").is_file():
        print(
            f"skipped: no checkout of ygalblum/slack-server-mock at {args.peer} "
            "(give one with --peer PATH)"
        )
        return 0
    quiet_waitress()
    print(f"fake Slack beside slack-server-mock under wrk -t1 -c8; {machine()}")
    servers: list[ServedApp] = []
    peer = Peer(args.peer, args.peer_python)
    folder = tempfile.mkdtemp(prefix="wrk-")
    try:
        return run(args, servers, peer, folder)
    finally:
        peer.stop()
        for server in reversed(servers):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def run(args: argparse.Namespace, servers: list[ServedApp], peer: Peer, folder: str) -> int:
    fake, _ = workspace(servers, "fake", 0)
    body = message_body(fake.channel)
    answer = sample(fake, "POST", "/api/chat.postMessage", body)
    bare = ServedApp(bare_app(answer, {}, {}), name="bare").start()
    servers.append(bare)
    targets = {
        "fake Slack": (f"{fake.url}/api/chat.postMessage", wrk_script(body, fake.token, folder)),
        "slack-server-mock": (
            f"{peer.url}/chat.postMessage",
            wrk_script(body, PEER_TOKEN, folder),
        ),
        "bare Flask endpoint": (
            f"{bare.url}/bare/chat.postMessage",
            wrk_script(body, PEER_TOKEN, folder),
        ),
    }
    best: dict[str, float] = {}
    for url, script in targets.values():  # warm-up
        run_wrk(url, script, 1)
    for _ in range(args.rounds):
        for name, (url, script) in targets.items():
            rps = run_wrk(url, script, args.seconds)
            best[name] = max(best.get(name, 0.0), rps)
    print(f"\n{'server':<24} {'req/s':>8}")
    for name, rps in best.items():
        print(f"{name:<24} {rps:>8.0f}")
    print()
    verdicts = Verdicts()
    verdicts.ratio(
        "ratio fake Slack / bare endpoint", best["fake Slack"] / best["bare Flask endpoint"]
    )
    verdicts.ratio(
        "ratio slack-server-mock / bare endpoint",
        best["slack-server-mock"] / best["bare Flask endpoint"],
    )
    verdicts.check(
        "ratio fake Slack / slack-server-mock",
        best["fake Slack"] / best["slack-server-mock"],
        TARGET,
        "high",
    )
    return 0 if verdicts.ok else 1


def message_body(channel: str) -> bytes:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": "*Checkout*"}}
    return json.dumps({"channel": channel, "text": "Checkout latency", "blocks": [block]}).encode()


if __name__ == "__main__":
    sys.exit(main())
