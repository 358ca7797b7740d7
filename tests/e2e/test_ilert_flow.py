"""The guide's whole flow in Chromium, by clicks: fake ilert's pages and fake Slack's client side
by side, in two tabs of one browser, on a harness where nothing is authorized yet."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, expect

from harness.driver import authorize_workspace
from harness.seed import Person

if TYPE_CHECKING:
    from conftest import Demo

Save = Callable[[str, bytes], Path]

NO_RELOAD = "window.__stillTheSamePage"
SUMMARY = "Houston, we have a problem in PROD"


# --- fake ilert, by clicks ---------------------------------------------------------------------


def log_in_to_ilert(page: Page, demo: Demo, person: Person) -> None:
    page.goto(demo.sim.ilert_url)
    expect(page.get_by_role("heading", name="Log in to fake ilert")).to_be_visible()
    page.get_by_role("button", name=f"Log in as {person.name} ({person.role.title()})").click()
    expect(page.get_by_role("button", name=f"{person.name}, your account")).to_be_visible()


def open_source_tab(page: Page, source: str, tab: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alert sources").click()
    page.get_by_role("link", name=source, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(source)
    page.get_by_role("tab", name=tab).click()
    expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")


def mark_loaded(page: Page) -> None:
    # Set after the page loaded: still there later means no reload happened in between.
    page.evaluate(f"{NO_RELOAD} = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate(NO_RELOAD) is True, "the page was reloaded"


def channel_options(page: Page) -> list[str]:
    dialog = page.get_by_role("dialog", name="Create new alert action")
    return dialog.get_by_label("Channel", exact=True).locator("option").all_inner_texts()


def ensure_linked(demo: Demo) -> None:
    """The workspace authorized over HTTP, unless the guide's test already did it by clicks."""
    connectors = demo.sim.ilert().call("GET", "/connectors", key=demo.world.owner_key)
    if any(c["type"] == "slack" for c in connectors):
        return
    admin = demo.world.person("ADMIN")
    landed = authorize_workspace(
        ilert_url=demo.sim.ilert_url,
        slack_url=demo.slack_url,
        ilert_user_id=admin.ilert_id,
        slack_user_id=admin.slack_id,
    )
    assert "status=success" in landed.url, landed.url


# --- fake Slack, by clicks ---------------------------------------------------------------------


def sign_in_to_slack(page: Page, demo: Demo, person: Person) -> None:
    page.goto(demo.slack_url)
    button = page.get_by_role("button", name=f"Sign in as {person.name}")
    if button.count():
        button.click()
    expect(page.get_by_role("navigation", name="Channels")).to_be_visible()


def open_channel(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Channels").locator(f"a[data-channel='{name}']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def type_command(page: Page, line: str) -> None:
    box = page.get_by_role("textbox", name=re.compile(r"^Message #"))
    box.fill(line)
    box.press("Enter")


def last_message(page: Page, text: str) -> Locator:
    return page.locator("#region-messages li.message:not(.reply)", has_text=text).last


# --- the tests ---------------------------------------------------------------------------------


def test_the_guide_by_clicks(
    page: Page, second_page: Page, unlinked_demo: Demo, save_screenshot: Save
) -> None:
    """Authorize, link a source from Slack, Create Alert in ilert, Accept and Resolve in Slack:
    ilert's alert page follows without a reload."""
    demo, world = unlinked_demo, unlinked_demo.world
    admin, ilert, slack = world.person("ADMIN"), page, second_page

    # ilert: log in as the Admin, gear → Connectors → Slack Workspace Integration → Authorize
    log_in_to_ilert(ilert, demo, admin)
    ilert.get_by_role("button", name="Settings").click()
    ilert.get_by_role("link", name="Connectors").click()
    expect(ilert.get_by_role("heading", name="Connectors")).to_be_visible()
    ilert.get_by_role("link", name="Slack Workspace Integration").click()
    expect(ilert.get_by_role("heading", name="Slack Workspace Integration")).to_be_visible()
    ilert.get_by_role("button", name="Authorize", exact=True).click()

    # Slack: log in, then Allow on the consent page
    expect(ilert.get_by_role("heading", name="Sign in to Fake Slack")).to_be_visible()
    save_screenshot("slack-sign-in.png", ilert.locator("main.signin").screenshot())
    ilert.get_by_role("button", name=f"Sign in as {admin.name}").click()
    expect(
        ilert.get_by_role("heading", name=re.compile("is requesting permission"))
    ).to_contain_text(world.team_name)
    expect(ilert.get_by_role("heading", name="What will ilert be able to do?")).to_be_visible()
    expect(ilert.get_by_text("Send messages as @ilert", exact=True)).to_be_visible()
    save_screenshot("slack-consent.png", ilert.screenshot(full_page=True))
    ilert.get_by_role("button", name="Allow").click()

    # back in ilert: the success box names the workspace's address and team
    expect(ilert).to_have_url(re.compile(r"/connectors/slack\?status=success"))
    linked = ilert.locator("#slack-linked")
    expect(linked).to_contain_text(f"https://{world.team_domain}.slack.com/")
    expect(linked).to_contain_text(f"(Team {world.team_name})")
    expect(linked.get_by_role("button", name="Re-authorize Slack")).to_be_visible()
    expect(ilert.get_by_role("status")).to_contain_text(f"Slack workspace {world.team_name} linked")
    save_screenshot(
        "ilert-connector-success.png", _from_heading_to(ilert, "Slack Integration", linked)
    )

    # Slack: /ilert in #ops-alerts, then pick New Relic in the menu
    source = world.source("New Relic")
    sign_in_to_slack(slack, demo, admin)
    open_channel(slack, "ops-alerts")
    type_command(slack, "/ilert")
    menu = last_message(slack, "Manage the alert sources for this channel.")
    menu.get_by_label("Add a new alert source to the channel").select_option(
        label=f"[{source['id']}] New Relic"
    )
    expect(menu).to_contain_text(f"Alert source [{source['id']}] New Relic added to the channel")

    # ilert: the source's Alert actions tab lists the channel's alert action
    open_source_tab(ilert, "New Relic", "Alert actions")
    row = ilert.locator("#alert-actions tr.alert-action", has_text="Slack #ops-alerts")
    expect(row).to_contain_text("Slack Workspace Integration (Slack)")
    expect(row).to_contain_text("AUTOMATIC")
    expect(row).to_contain_text("OKAY")
    expect(row).to_contain_text("#ops-alerts")
    save_screenshot("ilert-alert-actions-tab.png", _page_top_through(ilert, row))

    # ilert: Create Alert on the source's page
    ilert.get_by_role("button", name="Create Alert").click()
    dialog = ilert.get_by_role("dialog", name="Create alert")
    expect(dialog.get_by_label("Summary")).to_be_focused()
    dialog.get_by_label("Summary").fill(SUMMARY)
    dialog.get_by_label("Details").fill("CPU at 99 % on checkout-1")
    dialog.get_by_role("button", name="Create alert").click()
    expect(ilert.get_by_role("heading", level=1)).to_have_text(SUMMARY)
    status = ilert.locator("#alert-status")
    responder, user = world.person("RESPONDER"), world.person("USER")
    expect(status).to_contain_text("PENDING")
    expect(status).to_contain_text(f"escalated in 15 minutes to {user.name}")
    expect(ilert.locator("#responders")).to_contain_text(responder.name)
    mark_loaded(ilert)

    # Slack: the alert's message arrives; Accept
    message = last_message(slack, SUMMARY)
    expect(message).to_contain_text(f"[Pending] {SUMMARY}", timeout=15_000)
    message.get_by_role("button", name="Accept").click()
    expect(message).to_contain_text(f"[Accepted] {SUMMARY}")

    # ilert's alert page follows without a reload, the Slack notifications in its timeline
    expect(status).to_contain_text("ACCEPTED")
    expect(status).to_contain_text(f"Accepted by {admin.name}")
    timeline = ilert.locator("[data-region=timeline]")
    expect(timeline).to_contain_text(f"Alert accepted by {admin.name} via Slack")
    expect(timeline).to_contain_text("Slack connector notified #ops-alerts (alert-created)")
    expect(timeline).to_contain_text("Slack connector notified #ops-alerts (alert-acknowledged)")
    expect(ilert.get_by_role("button", name="Accept")).to_have_count(0)
    expect(ilert).to_have_title(re.compile(r"^\[Accepted\] "))

    # Slack: Resolve; ilert follows again
    message.get_by_role("button", name="Resolve").click()
    expect(message).to_contain_text(f"[Resolved] {SUMMARY}")
    expect(status).to_contain_text("RESOLVED")
    expect(status).to_contain_text(f"Resolved by {admin.name}")
    expect(timeline).to_contain_text("Slack connector notified #ops-alerts (alert-resolved)")
    expect(ilert.get_by_role("button", name="Resolve")).to_have_count(0)
    assert_not_reloaded(ilert)


def test_a_private_channel_is_offered_once_the_bot_is_invited(
    page: Page, second_page: Page, unlinked_demo: Demo
) -> None:
    """FAQ-5: the channel picker shows #sre-private only after the bot was invited in Slack
    and ilert's page was loaded again."""
    demo, world = unlinked_demo, unlinked_demo.world
    ensure_linked(demo)
    admin, ilert, slack = world.person("ADMIN"), page, second_page
    log_in_to_ilert(ilert, demo, admin)
    open_source_tab(ilert, "Grafana", "Alert actions")
    ilert.get_by_role("button", name="Create new alert action").click()
    offered = channel_options(ilert)
    assert {"#ops-alerts", "#incidents", "#general"} <= set(offered), offered
    assert not [o for o in offered if o.startswith("#sre-private")], offered
    ilert.get_by_role("dialog", name="Create new alert action").get_by_role(
        "button", name="Cancel"
    ).click()

    sign_in_to_slack(slack, demo, admin)
    open_channel(slack, "sre-private")
    header = slack.locator("#region-header")
    header.get_by_role("button", name="Invite the ilert bot").click()
    expect(header).to_contain_text("ilert is in this channel")

    ilert.reload()
    expect(ilert.get_by_role("tab", name="Alert actions")).to_have_attribute(
        "aria-selected", "true"
    )
    ilert.get_by_role("button", name="Create new alert action").click()
    assert "#sre-private (private)" in channel_options(ilert)
    dialog = ilert.get_by_role("dialog", name="Create new alert action")
    dialog.get_by_label("Label").fill("SRE private")
    dialog.get_by_label("Channel", exact=True).select_option(label="#sre-private (private)")
    dialog.get_by_label("alert-assigned").uncheck()
    dialog.get_by_role("button", name="Create alert action").click()

    expect(ilert.get_by_role("status")).to_contain_text("Alert action SRE private created")
    row = ilert.locator("#alert-actions tr.alert-action", has_text="SRE private")
    expect(row).to_contain_text("#sre-private")
    expect(row).not_to_contain_text("alert-assigned")

    # An alert of the source now reaches the private channel.
    ilert.get_by_role("button", name="Create Alert").click()
    create = ilert.get_by_role("dialog", name="Create alert")
    create.get_by_label("Summary").fill("Disk almost full")
    create.get_by_role("button", name="Create alert").click()
    expect(ilert.locator("#alert-status")).to_contain_text("PENDING")
    expect(last_message(slack, "Disk almost full")).to_contain_text(
        "[Pending] Disk almost full", timeout=15_000
    )


def test_the_alert_page_counts_down_and_assigns(page: Page, unlinked_demo: Demo) -> None:
    """The escalation countdown follows ilert's clock without a reload; Assign stops it."""
    demo, world = unlinked_demo, unlinked_demo.world
    admin, user = world.person("ADMIN"), world.person("USER")
    log_in_to_ilert(page, demo, admin)
    open_source_tab(page, "Checkout API", "Alerts")
    page.get_by_role("button", name="Create Alert").click()
    dialog = page.get_by_role("dialog", name="Create alert")
    dialog.get_by_label("Summary").fill("Checkout answers 502")
    dialog.get_by_role("button", name="Create alert").click()
    status = page.locator("#alert-status")
    expect(status).to_contain_text("escalated in 15 minutes to")
    mark_loaded(page)

    demo.sim.ilert().advance_clock(5 * 60 + 30)

    expect(status).to_contain_text("escalated in 9 minutes and 30 seconds to")
    page.get_by_role("button", name="Assign…").click()
    assign = page.get_by_role("dialog", name="Assign the alert")
    assign.get_by_label("Assign to").select_option(label=user.name)
    assign.get_by_role("button", name="Assign").click()

    expect(page.locator("#responders")).to_have_text(re.compile(rf"^\s*{re.escape(user.name)}\s*$"))
    expect(status).to_contain_text("No escalation is scheduled")
    timeline = page.locator("[data-region=timeline]")
    expect(timeline).to_contain_text(f"Alert assigned to {user.name} by {admin.name}")

    # The Alerts tab of the source lists it, newest first.
    page.get_by_role("link", name="Checkout API").click()
    page.get_by_role("tab", name="Alerts").click()
    first = page.locator("#panel-alerts tbody tr").first
    expect(first).to_contain_text("Checkout answers 502")
    expect(first).to_contain_text(user.name)


def test_a_responder_sees_no_configuration_and_keys_work(page: Page, unlinked_demo: Demo) -> None:
    """What a role may not do is not offered; tabs and menus answer to the keyboard."""
    demo, world = unlinked_demo, unlinked_demo.world
    ensure_linked(demo)
    log_in_to_ilert(page, demo, world.person("RESPONDER"))
    open_source_tab(page, "New Relic", "Alert actions")
    expect(page.locator("#alert-actions")).to_be_visible()
    expect(page.get_by_role("button", name="Create new alert action")).to_have_count(0)
    expect(page.locator("#alert-actions").get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("button", name="Create Alert")).to_be_visible()

    tab = page.get_by_role("tab", name="Alert actions")
    tab.focus()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("tab", name="Alerts")).to_be_focused()
    expect(page.get_by_role("tab", name="Alerts")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-alerts")).to_be_visible()
    expect(page.locator("#panel-alert-actions")).to_be_hidden()
    page.keyboard.press("Home")
    expect(page.locator("#panel-settings")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?tab=settings$"))

    gear = page.get_by_role("button", name="Settings")
    gear.focus()
    page.keyboard.press("Enter")
    expect(gear).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Connectors")).to_be_focused()
    page.keyboard.press("Escape")
    expect(gear).to_have_attribute("aria-expanded", "false")
    expect(gear).to_be_focused()


# --- screenshots -------------------------------------------------------------------------------


def _from_heading_to(page: Page, heading: str, box: Locator) -> bytes:
    """From a section's heading to the bottom of `box`, the width of the content."""
    top = page.get_by_role("heading", name=heading, exact=True).bounding_box()
    bottom = box.bounding_box()
    main = page.locator("main").bounding_box()
    assert top and bottom and main
    y = top["y"] - 16
    clip = {
        "x": main["x"],
        "y": y,
        "width": main["width"],
        "height": bottom["y"] + bottom["height"] + 16 - y,
    }
    return page.screenshot(clip=clip)  # type: ignore[arg-type]


def _page_top_through(page: Page, element: Locator) -> bytes:
    """The page from its top bar down to `element`, as the guide's screenshot shows a tab."""
    bottom = element.bounding_box()
    assert bottom
    clip = {"x": 0, "y": 0, "width": 1280, "height": bottom["y"] + bottom["height"] + 24}
    return page.screenshot(clip=clip)  # type: ignore[arg-type]
