"""Run the README's commands as a newcomer would, so that CI keeps them true.

`python3 .ci/readme_commands.py run`: the README's "Run it" block in an empty temporary
directory, with `REPO` this checkout (so it clones its HEAD afresh) and `up` given free ports,
until `up` prints its ready line; the three addresses must answer, and SIGTERM must stop it
cleanly. `python3 .ci/readme_commands.py test`: the "Test it" block here.
`python3 .ci/readme_commands.py show`: both blocks as the README has them.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY = "ilert-slack-sim is running"
STARTUP_SECONDS = 300  # pip install from the registry comes first
_URL = re.compile(r"^\s+(fake ilert|fake Slack|connector)\s+(http://\S+)")


def fenced_block(readme: str, heading: str) -> str:
    """The first fenced `sh` block after the line that starts with `heading`."""
    start = readme.index(heading)
    found = re.search(r"```sh\n(.*?)```", readme[start:], re.DOTALL)
    if found is None:
        raise SystemExit(f"README.md: no ```sh block after {heading!r}")
    return found.group(1).strip()


def blocks() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    return {"run": fenced_block(readme, "**Run it**"), "test": fenced_block(readme, "**Test it**")}


def with_free_ports(run_block: str) -> str:
    """The "Run it" block with `up` on free ports, which a shared CI machine may need."""
    if not run_block.endswith("ilert-slack-sim up"):
        raise SystemExit("README.md: the Run it block no longer ends with `ilert-slack-sim up`")
    return run_block + " --ilert-port 0 --slack-port 0 --connector-port 0"


def check_run() -> None:
    with tempfile.TemporaryDirectory(prefix="readme-run-") as home:
        script = with_free_ports(blocks()["run"])
        print(f"$ {script}", flush=True)
        started = time.monotonic()
        process = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=home,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={
                **os.environ,
                "REPO": str(ROOT),
                "PYTHONUNBUFFERED": "1",
                "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            },
            start_new_session=True,
        )
        try:
            urls = wait_for_ready(process)
            print(f"ready after {time.monotonic() - started:.0f} s: {urls}", flush=True)
            for name, url in urls.items():
                with urllib.request.urlopen(url, timeout=10) as answer:
                    if answer.status != 200:
                        raise SystemExit(f"{name} at {url} answered {answer.status}")
            os.killpg(process.pid, signal.SIGTERM)
            if process.wait(timeout=30) != 0:
                raise SystemExit(f"`up` ended with status {process.returncode} after SIGTERM")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    print("README's Run it: fine", flush=True)


def wait_for_ready(process: subprocess.Popen[str]) -> dict[str, str]:
    """Echo the output until the banner's three addresses; fail if the commands end first."""
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_SECONDS
    urls: dict[str, str] = {}
    ready = False
    for line in process.stdout:
        print(line, end="", flush=True)
        ready = ready or READY in line
        match = _URL.match(line)
        if ready and match:
            urls[match.group(1)] = match.group(2)
        if len(urls) == 3:
            return urls
        if time.monotonic() > deadline:
            break
    raise SystemExit(f"the README's Run it block did not print {READY!r} with three addresses")


def check_test() -> int:
    script = blocks()["test"]
    print(f"$ {script}", flush=True)
    return subprocess.call(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command == "run":
        check_run()
        return 0
    if command == "test":
        return check_test()
    if command == "show":
        print("\n\n".join(blocks().values()))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
