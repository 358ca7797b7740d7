"""Links → Create Slack channel on fake ilert's alert page, in Chromium: the form as the guide's
screenshot shows it, Slack's refusal of a name shown on the page, and the channel it makes, opened
from the alert's link in fake Slack's client with the alert's message in it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from conftest import Demo

Save = Callable[[str, bytes], Path]
SUMMARY = "Houston, we have a problem in PROD"


def test_create_a_slack_channel_from_the_alert_page(
    page: Page, demo: Demo, save_screenshot: Save
) -> None:
    admin = demo.world.person("ADMIN")
    responder = demo.world.person("RESPONDER")
    alert_id = demo.create_alert(SUMMARY, "Grafana")["id"]
    page.goto(demo.sim.ilert_url)
    page.get_by_role("button", name=f"Log in as {admin.name} (Admin)").click()
    page.goto(f"{demo.sim.ilert_url}/alerts/{alert_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(SUMMARY)

    # A name Slack refuses: nothing is created, and the page says why in Slack's words.
    page.get_by_role("button", name="Create Slack channel").click()
    dialog = page.get_by_role("dialog", name="Create Slack channel")
    name = dialog.get_by_label("Channel name")
    expect(name).to_have_value(f"grafana_alert_{alert_id}")
    expect(dialog).to_contain_text("All current and future responders on this alert")
    name.fill("Grafana Alert")
    dialog.get_by_role("button", name="Create Slack channel").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("characters Slack does not allow")
    expect(refusal).to_contain_text("invalid_name_specials")
    expect(page.locator("#alert-links")).to_contain_text("Create Slack channel")

    # The offered name, private.
    page.get_by_role("button", name="Create Slack channel").click()
    dialog = page.get_by_role("dialog", name="Create Slack channel")
    expect(dialog.get_by_label("Channel name")).to_have_value(f"grafana_alert_{alert_id}")
    dialog.get_by_label("Make the channel private").check()
    save_screenshot("ilert-alert-create-slack-channel.png", dialog.screenshot())
    dialog.get_by_role("button", name="Create Slack channel").click()
    expect(page.get_by_role("status")).to_contain_text(f"Slack channel #grafana_alert_{alert_id}")
    links = page.locator("#alert-links")
    channel = links.get_by_role("link", name=f"#grafana_alert_{alert_id}")
    expect(channel).to_be_visible()
    expect(links.get_by_role("img", name="private channel")).to_be_visible()
    expect(page.get_by_role("button", name="Create Slack channel")).to_have_count(0)
    expect(page.locator("[data-region=timeline]")).to_contain_text(
        f"Slack channel #grafana_alert_{alert_id} created"
    )

    save_screenshot("ilert-alert-slack-channel-link.png", page.screenshot())

    # The link opens the channel in fake Slack, where the alert's message is.
    href = channel.get_attribute("href")
    assert href and href.startswith(f"{demo.slack_url}/client/"), href
    page.goto(href)
    page.get_by_role("button", name=f"Sign in as {admin.name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"grafana_alert_{alert_id}")
    message = page.locator("#region-messages li.message:not(.reply)", has_text=SUMMARY).last
    expect(message).to_contain_text(f"[Pending] {SUMMARY}", timeout=15_000)
    expect(message.get_by_role("button", name="Accept")).to_be_visible()
    members = demo.slack.state()["channels"]
    [made] = [c for c in members if c["name"] == f"grafana_alert_{alert_id}"]
    assert {admin.slack_id, responder.slack_id} <= set(made["members"]), made["members"]
    assert made["is_private"] is True
    assert re.fullmatch(r"C[A-Z0-9]+", href.rsplit("/", 1)[1])
