"""Run the features against a simulation started as a separate process, as QA would run them
against a connector that is not ours: `python -m harness.external_run [pytest args]`.

It starts `ilert-slack-sim up --clock virtual` on free ports, passes the three URLs to pytest
(`--ilert-url`, `--slack-url`, `--connector-url`), and stops the services afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence

STARTUP_TIMEOUT = 60
_URL = re.compile(r"^\s+(fake ilert|fake Slack|connector)\s+(http://\S+)")


def start_services() -> tuple[subprocess.Popen[str], dict[str, str]]:
    command = [
        sys.executable,
        "-m",
        "harness.cli",
        "up",
        "--clock",
        "virtual",
        "--no-demo",
        "--ilert-port",
        "0",
        "--slack-port",
        "0",
        "--connector-port",
        "0",
        "--slack-time-scale",
        "0.01",
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    urls: dict[str, str] = {}

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            match = _URL.match(line)
            if match:
                urls[match.group(1)] = match.group(2)
            if len(urls) == 3:
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(STARTUP_TIMEOUT)
    if len(urls) != 3:
        process.kill()
        raise SystemExit(f"ilert-slack-sim up did not print its URLs within {STARTUP_TIMEOUT}s")
    return process, urls


def main(argv: Sequence[str] | None = None) -> int:
    process, urls = start_services()
    try:
        print(f"external run against {urls}", flush=True)
        return subprocess.call(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/bdd",
                "--ilert-url",
                urls["fake ilert"],
                "--slack-url",
                urls["fake Slack"],
                "--connector-url",
                urls["connector"],
                *(argv if argv is not None else sys.argv[1:]),
            ]
        )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    sys.exit(main())
