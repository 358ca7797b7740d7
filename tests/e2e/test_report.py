"""The living documentation in Chromium, generated from a run in which a scenario fails on purpose.

The run is the real features against the in-process harness with the connector broken one way
(updates change the alert's message but say nothing in its thread, tests/sensitivity/
breakages.py), limited to three rules: FAQ-2, whose scenarios then fail, CHAN-7, which still
passes, and AUTH-1, which has an Outline. The state is recorded after every step
(ILERT_SLACK_SIM_SNAPSHOTS=every), so the page shows what Slack and ilert looked like at each step
of the passing scenarios too.
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
FAILING = "A manual assignment is published"
PASSING = "A new alert is posted in the linked channel"
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
            "FAQ-2 or CHAN-7 or AUTH-1",
            "-p",
            "tests.sensitivity.breakages",
            "--break-connector",
            "no-thread-replies",
            f"--cucumberjson={cucumber}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "ILERT_SLACK_SIM_SNAPSHOTS": "every"},
    )
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, run.stdout[-2000:] + run.stderr
    page = folder / "features.html"
    catalogue = ROOT / "features" / "rules.md"
    checked = living_docs(
        [str(cucumber), "--catalogue", str(catalogue), "--html", str(page), "--check"]
    )
    assert checked == 1, "--check accepted a run whose FAQ-2 scenarios failed"
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
    entry = scenario_entry(page, "FAQ-2", FAILING)
    expect(entry).to_have_attribute("data-status", "failed")
    expect(entry).to_have_attribute("open", "")
    failed = entry.locator("li.step.failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text('the alert\'s thread tells "Assigned to" the User')
    expect(failed.locator("pre.error")).to_contain_text("assert []")
    channel = failed.locator(".slack[data-channel='ops-alerts']")
    expect(channel).to_be_visible()
    # The message was updated in place, with its buttons, but nothing was said in its thread.
    message = channel.locator(".s-message", has_text="[Pending] Checkout errors")
    expect(message).to_contain_text("Assigned to")
    expect(message.locator(".s-button")).to_have_text(["Accept", "Resolve"])
    expect(message.locator(".s-thread")).to_have_count(0)
    expect(failed.locator(".ilert")).to_contain_text("Alert assigned to")
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
    expect(rule_block(page, "FAQ-2")).to_be_hidden()
    expect(page.locator("section.rule:visible")).to_have_count(1)
    count = rule_block(page, "AUTH-1").locator("details.scenario").count()
    expect(page.locator("#f-count")).to_have_text(f"{count} scenarios shown")
    page.get_by_label("Rule").select_option("")
    page.get_by_label("Status").select_option("failed")
    shown = page.locator("details.scenario:visible")
    expect(shown.filter(has_text=FAILING)).to_have_count(1)
    for status in shown.evaluate_all("(all) => all.map((s) => s.dataset.status)"):
        assert status == "failed"
    expect(page.locator("section.rule:visible")).to_have_count(1)


def test_a_passing_step_shows_slack_and_ilert_as_they_were_after_it(
    page: Page, report: Path, save_screenshot: Save
) -> None:
    open_report(page, report)
    entry = scenario_entry(page, "CHAN-7", PASSING)
    expect(entry).to_have_attribute("data-status", "passed")
    entry.locator("> summary").click()
    last = entry.locator("li.step").last
    last.locator("details.after-step > summary").click()
    expect(last).to_contain_text('has the buttons "Accept" and "Resolve"')
    message = last.locator(".slack .s-message", has_text="[Pending] Database primary is down")
    expect(message.locator(".s-button")).to_have_text(["Accept", "Resolve"])
    expect(last.locator(".ilert")).to_contain_text("Database primary is down")
    save_screenshot("report-passing-scenario.png", entry.screenshot())
