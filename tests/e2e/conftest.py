"""Browser tests: Playwright for Python driving the system Chromium against an in-process harness.

They run only when asked for by path (`pytest tests/e2e`, or `tox -e browser`): a plain `pytest`
leaves them out, because they need Chromium and the `e2e` extra. Without Chromium the run stops
at once and says how to get it. Every failure leaves a screenshot in `reports/screenshots/`, and
every test fails if the page logged an error to the browser's console.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.driver import SlackControl, authorize_workspace
from harness.seed import World, build_world

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Response

    from harness.simulation import Simulation

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REPORTS = ROOT / "reports" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"
CHROMIUM_ENV = "ILERT_SLACK_SIM_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Headless without a network: no first-run, sync, component or QUIC traffic to wait for.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW_TO_GET_CHROMIUM = """\
The browser tests drive the system Chromium, and there is none at {path}.
Install it (Debian, Ubuntu):

    sudo apt-get update && sudo apt-get install -y chromium

Or set {env} to the path of another Chromium binary. Where the network allows
it, Playwright's own build works too: `python -m playwright install chromium`, then
{env}=playwright."""
HOW_TO_GET_PLAYWRIGHT = """\
The browser tests need Playwright for Python: pip install -e '.[e2e]' (or run `tox -e browser`)."""


def _requested(config: pytest.Config) -> bool:
    """True when the command line names this folder or something in it."""
    for arg in config.args:
        path = Path(str(arg).split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name == "conftest.py" or _requested(config):
        return None
    return True


def _chromium() -> str | None:
    """The Chromium to launch: a path, or None for Playwright's own build."""
    chosen = os.environ.get(CHROMIUM_ENV, DEFAULT_CHROMIUM)
    return None if chosen == "playwright" else chosen


def pytest_configure(config: pytest.Config) -> None:
    if not _requested(config):
        return
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.exit(HOW_TO_GET_PLAYWRIGHT, returncode=pytest.ExitCode.USAGE_ERROR)
    chromium = _chromium()
    if chromium is not None and not (Path(chromium).is_file() or shutil.which(chromium)):
        message = HOW_TO_GET_CHROMIUM.format(path=chromium, env=CHROMIUM_ENV)
        pytest.exit(message, returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- the services ------------------------------------------------------------------------------


@dataclass
class Demo:
    """The harness with the seeded world, the workspace authorized and the drivers."""

    sim: Simulation
    world: World

    @property
    def slack_url(self) -> str:
        return self.sim.slack_url

    @property
    def slack(self) -> SlackControl:
        return self.sim.slack()

    def create_alert(self, summary: str, source: str) -> dict[str, Any]:
        return self.sim.ilert().call(
            "POST",
            "/alerts",
            key=self.world.owner_key,
            json={"summary": summary, "alertSource": {"id": self.world.source(source)["id"]}},
        )

    def alert(self, alert_id: int) -> dict[str, Any]:
        return self.sim.ilert().call("GET", f"/alerts/{alert_id}", key=self.world.owner_key)


@pytest.fixture(scope="session")
def demo() -> Iterator[Demo]:
    from harness.simulation import Simulation, SimulationConfig

    with Simulation(SimulationConfig(clock="virtual", seed=1)) as sim:
        world = build_world(sim.ilert(), sim.slack(), seed=1)
        admin = world.person("ADMIN")
        # The ilert pages get their own browser tests; here the workspace is authorized over HTTP.
        landed = authorize_workspace(
            ilert_url=sim.ilert_url,
            slack_url=sim.slack_url,
            ilert_user_id=admin.ilert_id,
            slack_user_id=admin.slack_id,
        )
        assert "status=success" in landed.url, landed.url
        yield Demo(sim, world)


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = _chromium()
    launched = playwright.chromium.launch(
        executable_path=chromium, args=CHROMIUM_ARGS, headless=True
    )
    yield launched
    launched.close()


def shot_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("/")[-1]).strip("_")


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) whose console must stay free of errors."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, device_scale_factor=2, locale="en-US"
    )
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console.{message.type}: {message.text}")

    def response(answer: Response) -> None:
        # The console names no URL for a failed load; this says which one it was.
        if answer.status >= 400:
            errors.append(f"HTTP {answer.status}: {answer.url}")

    opened.on("console", console)
    opened.on("response", response)
    opened.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    yield opened
    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        REPORTS.mkdir(parents=True, exist_ok=True)
        path = REPORTS / f"FAILED-{shot_name(request.node.nodeid)}.png"
        opened.screenshot(path=str(path), full_page=True)
        print(f"screenshot of the failure: {path}")
    context.close()
    if not failed:
        assert not errors, "the browser's console logged errors:\n" + "\n".join(errors)


def _save_screenshot(name: str, data: bytes) -> Path:
    """Every run keeps it under reports/; UPDATE_SCREENSHOTS=1 also puts it in docs/."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / name
    path.write_bytes(data)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        (DOCS / name).write_bytes(data)
    return path


@pytest.fixture
def save_screenshot() -> Callable[[str, bytes], Path]:
    return _save_screenshot


# --- fake ilert's pages (tests/e2e/test_ilert_flow.py) ------------------------------------------


@pytest.fixture(scope="session")
def unlinked_demo() -> Iterator[Demo]:
    """A harness of its own with the seeded world and nothing authorized: the guide's start."""
    from harness.simulation import Simulation, SimulationConfig

    with Simulation(SimulationConfig(clock="virtual", seed=2)) as sim:
        yield Demo(sim, build_world(sim.ilert(), sim.slack(), seed=2))


def _watch(opened: Page) -> list[str]:
    """The console errors, failed loads and page errors of `opened`, as they happen."""
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console.{message.type}: {message.text}")

    def response(answer: Response) -> None:
        if answer.status >= 400:
            errors.append(f"HTTP {answer.status}: {answer.url}")

    opened.on("console", console)
    opened.on("response", response)
    opened.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return errors


@pytest.fixture
def second_page(page: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    """Another tab of `page`'s browser (the same cookies), held to the same console rule."""
    opened = page.context.new_page()
    errors = _watch(opened)
    yield opened
    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        REPORTS.mkdir(parents=True, exist_ok=True)
        path = REPORTS / f"FAILED-{shot_name(request.node.nodeid)}-second-tab.png"
        opened.screenshot(path=str(path), full_page=True)
        print(f"screenshot of the failure (second tab): {path}")
    opened.close()
    if not failed:
        assert not errors, "the second tab's console logged errors:\n" + "\n".join(errors)
