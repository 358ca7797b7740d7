"""`ilert-slack-sim slack`: fake Slack alone in the foreground, stopped cleanly by SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import requests


def test_the_slack_command_serves_until_sigterm() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "slack",
            "--port",
            "0",
            "--rate-limits",
            "--time-scale",
            "0.01",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", banner)
        assert found, banner
        url = found.group(0)

        assert requests.post(f"{url}/api/api.test", timeout=5).json() == {"ok": True}
        limits = requests.get(f"{url}/_sim/rate-limits", timeout=5).json()
        assert limits["enabled"] is True and limits["time_scale"] == 0.01

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
