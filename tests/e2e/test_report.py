"""The living documentation in Chromium, generated from a run in which a scenario fails on purpose.

The run is the real features against the in-process harness with the connector broken one way
(alert messages lose their Accept and Resolve buttons, tests/sensitivity/breakages.py), limited
to two rules: CHAN-7, whose first scenario then fails, and AUTH-1, which has an Outline.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from harness.living_docs import main as living_docs

ROOT = Path(__file__).resolve().parents[2]
Save = Callable[[str, bytes], Path]
FAILING = "A new alert is posted in the linked channel"
OUTLINE = "Only an Admin may start the integration"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page for a run with one rule broken; `--check` must refuse that run."""
    folder = tmp_path_factory.mktemp("report")
    cucumber = folder / "cucumber.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/bdd",
            "-q",
            "-p",
            "no:randomly",
            "-m",
            "CHAN-7 or AUTH-1",
            "-p",
            "tests.sensitivity.breakages",
            "--break-connector",
            "no-buttons",
            f"--cucumberjson={cucumber}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, run.stdout[-2000:] + run.stderr
    page = folder / "features.html"
    catalogue = ROOT / "features" / "rules.md"
    checked = living_docs(
        [str(cucumber), "--catalogue", str(catalogue), "--html", str(page), "--check"]
    )
    assert checked == 1, "--check accepted a run whose CHAN-7 scenario failed"
    return page


def open_report(page: Page, report: Path) -> None:
    page.goto(report.as_uri())
    # The filter bar stays at the top while scrolling; in a picture of one entry it would cover it.
    page.add_style_tag(content="nav.filters{position:static}")


def rule_block(page: Page, rule: str) -> Locator:
    return page.locator(f"section.rule[data-rule='{rule}']")


def scenario_entry(page: Page, rule: str, title: str) -> Locator:
    return rule_block(page, rule).locator("details.scenario", has_text=title)


def test_a_failed_scenario_shows_its_step_its_message_and_the_channel(
    page: Page, report: Path, save_screenshot: Save
) -> None:
    open_report(page, report)
    entry = scenario_entry(page, "CHAN-7", FAILING)
    expect(entry).to_have_attribute("data-status", "failed")
    expect(entry).to_have_attribute("open", "")
    failed = entry.locator("li.step.failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text('the alert\'s message has the buttons "Accept" and "Resolve"')
    expect(failed.locator("pre.error")).to_contain_text("assert [] == ['Accept', 'Resolve']")
    channel = failed.locator(".slack[data-channel='ops-alerts']")
    expect(channel).to_be_visible()
    message = channel.locator(".s-message", has_text="[Pending] Database primary is down")
    expect(message).to_contain_text("Assigned to")
    expect(message.locator(".s-button")).to_have_count(0)
    expect(failed.locator(".ilert")).to_contain_text("Alert created by")
    save_screenshot("report-failed-scenario.png", entry.screenshot())


def test_each_example_of_an_outline_appears_once_with_its_values(
    page: Page, report: Path, save_screenshot: Save
) -> None:
    open_report(page, report)
    examples = rule_block(page, "AUTH-1").locator("details.scenario", has_text=OUTLINE)
    expect(examples.locator(".example")).to_have_text(
        ["role: User", "role: Responder", "role: Stakeholder", "role: Guest"]
    )
    first = examples.first
    first.locator("> summary").click()
    expect(first.locator("li.step .param", has_text="User").first).to_be_visible()
    save_screenshot("report-outline.png", rule_block(page, "AUTH-1").screenshot())
    first.locator("a.source").click()
    line = page.locator(".src-line:target")
    expect(line).to_be_visible()
    expect(line).to_contain_text(f"Scenario Outline: {OUTLINE}")


def test_the_rule_filter_shows_that_rule_alone(
    page: Page, report: Path, save_screenshot: Save
) -> None:
    open_report(page, report)
    save_screenshot("report-overview.png", page.screenshot())
    page.get_by_label("Rule").select_option("AUTH-1")
    expect(rule_block(page, "AUTH-1")).to_be_visible()
    expect(rule_block(page, "CHAN-7")).to_be_hidden()
    expect(page.locator("section.rule:visible")).to_have_count(1)
    count = rule_block(page, "AUTH-1").locator("details.scenario").count()
    expect(page.locator("#f-count")).to_have_text(f"{count} scenarios shown")
    page.get_by_label("Rule").select_option("")
    page.get_by_label("Status").select_option("failed")
    expect(page.locator("details.scenario:visible")).to_have_count(1)
    expect(page.locator("details.scenario:visible")).to_contain_text(FAILING)
