"""Fake Slack's web client in Chromium: the guide's Slack side, by clicks and keys only."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import requests
from playwright.sync_api import Locator, Page, expect

from harness.seed import Person

if TYPE_CHECKING:
    from conftest import Demo

Save = Callable[[str, bytes], Path]

NO_RELOAD = "window.__stillTheSamePage"


def sign_in(page: Page, demo: Demo, person: Person) -> None:
    page.goto(demo.slack_url)
    expect(page.get_by_role("heading", name="Sign in to Fake Slack")).to_be_visible()
    page.get_by_role("button", name=f"Sign in as {person.name}").click()
    expect(page.get_by_role("navigation", name="Channels")).to_be_visible()


def open_channel(page: Page, name: str) -> None:
    sidebar = page.get_by_role("navigation", name="Channels")
    sidebar.locator(f"a[data-channel='{name}']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    # Set after the page loaded: still there later means no reload happened in between.
    page.evaluate(f"{NO_RELOAD} = true")


def composer(page: Page) -> Locator:
    return page.get_by_role("textbox", name=re.compile(r"^Message #"))


def type_command(page: Page, line: str) -> None:
    box = composer(page)
    box.fill(line)
    box.press("Enter")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate(NO_RELOAD) is True, "the page was reloaded"


def last_message(page: Page, text: str) -> Locator:
    return page.locator("#region-messages li.message:not(.reply)", has_text=text).last


def link_source(demo: Demo, person: Person, channel: str, source: str) -> None:
    """Arranged over HTTP: `/ilert` in the channel and the source picked in the menu."""
    slack = demo.slack
    channel_id = demo.world.channel(channel)["id"]
    answer = slack.command(
        team_id=demo.world.team_id, channel_id=channel_id, user_id=person.slack_id, command="/ilert"
    )
    slack.select(
        channel_id=channel_id,
        message_ts=answer["ephemeral"]["ts"],
        user_id=person.slack_id,
        option=str(demo.world.source(source)["id"]),
    )


def test_the_entry_page_lists_the_people_and_tools_still_get_json(page: Page, demo: Demo) -> None:
    page.goto(demo.slack_url)
    for person in demo.world.people.values():
        expect(page.get_by_role("button", name=f"Sign in as {person.name}")).to_be_visible()
    index = requests.get(f"{demo.slack_url}/?format=json", timeout=10).json()
    assert index["service"] == "fake-slack"


def test_ilert_menu_link_a_source_by_picking_it(
    page: Page, demo: Demo, save_screenshot: Save
) -> None:
    admin = demo.world.person("ADMIN")
    source = demo.world.source("New Relic")
    sign_in(page, demo, admin)
    open_channel(page, "ops-alerts")

    type_command(page, "/ilert")

    expect(composer(page)).to_have_value("")
    menu = last_message(page, "Manage the alert sources for this channel.")
    expect(menu).to_contain_text("Only visible to you")
    expect(menu).to_contain_text("0 Alert source(s) configured for this channel")
    menu.get_by_label("Add a new alert source to the channel").select_option(
        label=f"[{source['id']}] New Relic"
    )
    expect(menu).to_contain_text(f"Alert source [{source['id']}] New Relic added to the channel")
    expect(menu).to_contain_text("1 Alert source(s) configured for this channel")
    expect(menu.get_by_role("button", name="Remove")).to_be_visible()
    expect(menu.locator(".mention")).to_have_text(f"@{admin.email.split('@')[0]}")
    assert_not_reloaded(page)
    save_screenshot("slack-ilert-menu.png", menu.screenshot())

    actions = demo.sim.ilert().call("GET", "/alert-actions", key=demo.world.owner_key)
    channel_id = demo.world.channel("ops-alerts")["id"]
    assert any(
        a["params"].get("channelId") == channel_id
        and source["id"] in [s["id"] for s in a["alertSources"]]
        for a in actions
    )


def test_the_menu_is_only_visible_to_whoever_asked(page: Page, demo: Demo) -> None:
    user = demo.world.person("USER")
    slack = demo.slack
    channel_id = demo.world.channel("general")["id"]
    slack.command(
        team_id=demo.world.team_id,
        channel_id=channel_id,
        user_id=demo.world.person("ADMIN").slack_id,
        command="/ilert",
    )
    sign_in(page, demo, user)
    open_channel(page, "general")
    expect(page.locator("#region-messages")).not_to_contain_text("Manage the alert sources")


def test_an_alert_appears_without_reload_and_accept_and_resolve_update_it(
    page: Page, demo: Demo, save_screenshot: Save
) -> None:
    responder = demo.world.person("RESPONDER")
    link_source(demo, demo.world.person("ADMIN"), "incidents", "Grafana")
    sign_in(page, demo, responder)
    open_channel(page, "incidents")

    alert = demo.create_alert("Dies ist ein Test Incident", "Grafana")

    message = last_message(page, "Dies ist ein Test Incident")
    expect(message).to_contain_text("[Pending] Dies ist ein Test Incident", timeout=15_000)
    expect(message).to_contain_text(f"Assigned to {responder.name}")
    expect(message.get_by_role("link", name="[Pending] Dies ist ein Test Incident")).to_be_visible()
    assert_not_reloaded(page)
    save_screenshot("slack-alert-message.png", _message_with_composer(page, message))

    message.get_by_role("button", name="Accept").click()

    expect(message).to_contain_text("[Accepted] Dies ist ein Test Incident")
    expect(message.locator(".edited").first).to_have_text("(edited)")
    expect(message.locator(".thread")).to_contain_text(f"Accepted by {responder.name}")
    expect(message.get_by_role("button", name="Accept")).to_have_count(0)
    assert demo.alert(alert["id"])["status"] == "ACCEPTED"

    message.get_by_role("button", name="Resolve").click()

    expect(message).to_contain_text("[Resolved] Dies ist ein Test Incident")
    expect(message.get_by_role("button")).to_have_count(0)
    assert demo.alert(alert["id"])["status"] == "RESOLVED"
    assert_not_reloaded(page)


def _message_with_composer(page: Page, message: Locator) -> bytes:
    """The message and the message box under it, as in the guide's screenshot."""
    channel = page.locator("main.channel").bounding_box()
    top = message.bounding_box()
    bottom = page.locator("form.composer").bounding_box()
    assert channel and top and bottom
    y = top["y"] - 8
    clip = {
        "x": channel["x"],
        "y": y,
        "width": channel["width"],
        "height": bottom["y"] + bottom["height"] + 12 - y,
    }
    return page.screenshot(clip=clip)  # type: ignore[arg-type]


def test_a_private_channel_shows_its_lock_and_the_bot_can_be_invited(
    page: Page, demo: Demo
) -> None:
    admin = demo.world.person("ADMIN")
    sign_in(page, demo, admin)
    sidebar = page.get_by_role("navigation", name="Channels")
    private = sidebar.locator("a[data-channel='sre-private']")
    expect(private.get_by_role("img", name="private channel")).to_be_visible()
    expect(private.locator("[data-bot-member]")).to_have_count(0)
    expect(sidebar.locator("a[data-channel='ops-alerts'] [data-bot-member]")).to_have_count(0)
    open_channel(page, "sre-private")
    header = page.locator("#region-header")
    expect(header).to_contain_text("Private channel")

    header.get_by_role("button", name="Invite the ilert bot").click()

    expect(header).to_contain_text("ilert is in this channel")
    expect(header.get_by_role("button", name="Invite the ilert bot")).to_have_count(0)
    expect(private.locator("[data-bot-member]")).to_have_count(1)
    assert_not_reloaded(page)
    state = demo.slack.state()
    channel = next(c for c in state["channels"] if c["name"] == "sre-private")
    bot = next(u for u in state["users"] if u.get("is_bot"))
    assert bot["id"] in channel["members"]


def test_create_an_alert_from_the_modal_with_errors_shown_by_the_input(
    page: Page, demo: Demo
) -> None:
    user = demo.world.person("USER")
    sign_in(page, demo, user)
    open_channel(page, "general")

    type_command(page, "/ilert alert")

    dialog = page.get_by_role("dialog", name="Alert on-call team")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Alert source")).to_be_focused()
    dialog.get_by_label("Alert source").select_option(label="Checkout API")
    dialog.get_by_label("Escalation policy").select_option(label="On-call first line")
    dialog.get_by_label("Alert summary").fill("   ")
    dialog.get_by_role("button", name="Submit").click()

    summary = dialog.get_by_label("Alert summary")
    expect(dialog.locator(".input-error")).to_have_text(re.compile("Enter a summary for the alert"))
    expect(summary).to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_label("Alert source")).to_have_value(
        str(demo.world.source("Checkout API")["id"])
    )
    summary.fill("Checkout answers 502")
    dialog.get_by_label("Alert details").fill("Since the last deploy")
    dialog.get_by_role("button", name="Submit").click()

    # Acknowledged at once with a view that says so, then the outcome in the same modal.
    expect(dialog).to_contain_text("Alert Checkout answers 502 created in ilert.")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)
    notice = last_message(page, "created in ilert")
    expect(notice).to_contain_text("Alert Checkout answers 502 created in ilert.")
    expect(notice).to_contain_text("Only visible to you")
    alerts = demo.sim.ilert().call("GET", "/alerts", key=demo.world.owner_key)
    created = next(a for a in alerts if a["summary"] == "Checkout answers 502")
    assert created["alertSource"]["id"] == demo.world.source("Checkout API")["id"]
    assert_not_reloaded(page)


def test_a_form_that_opens_while_ilert_is_slow_takes_the_focus_once_loaded(
    page: Page, demo: Demo
) -> None:
    """The app acks at once with a modal that says it is loading, then fills it in."""
    sign_in(page, demo, demo.world.person("USER"))
    open_channel(page, "general")
    ilert = demo.sim.ilert()
    ilert.add_fault(path="*", latency_ms=800)
    try:
        type_command(page, "/ilert alert")
        dialog = page.get_by_role("dialog", name="Alert on-call team")
        expect(dialog).to_contain_text("Loading your alert sources")
        expect(dialog.get_by_label("Alert source")).to_be_focused(timeout=15_000)
    finally:
        ilert.clear_faults()


def test_escape_closes_a_modal(page: Page, demo: Demo) -> None:
    sign_in(page, demo, demo.world.person("ADMIN"))
    open_channel(page, "general")
    type_command(page, "/il-alert")
    dialog = page.get_by_role("dialog", name="Alert on-call team")
    expect(dialog).to_be_visible()

    page.keyboard.press("Escape")

    expect(dialog).to_have_count(0)
    expect(composer(page)).to_be_focused()


def test_a_reload_closes_the_modal_and_forgets_the_ephemeral_messages(
    page: Page, demo: Demo
) -> None:
    """On Slack both live in the client they arrived in; the model may keep them, the page not."""
    admin = demo.world.person("ADMIN")
    sign_in(page, demo, admin)
    open_channel(page, "general")
    type_command(page, "/ilert")
    menu = last_message(page, "Manage the alert sources for this channel.")
    expect(menu).to_contain_text("Only visible to you")
    type_command(page, "/ilert alert")
    dialog = page.get_by_role("dialog", name="Alert on-call team")
    expect(dialog).to_be_visible()

    page.reload()

    expect(page.get_by_role("heading", level=1)).to_contain_text("general")
    expect(dialog).to_have_count(0)
    expect(page.locator("#region-messages .message.ephemeral")).to_have_count(0)
    assert demo.slack.open_views(admin.slack_id) == []


def test_a_plain_message_is_posted_as_the_person(page: Page, demo: Demo) -> None:
    admin = demo.world.person("ADMIN")
    sign_in(page, demo, admin)
    open_channel(page, "general")
    type_command(page, "hello there")
    expect(page.locator("#region-messages")).to_contain_text("hello there")
    general = demo.world.channel("general")["id"]
    posted = [m for m in demo.slack.messages(general) if m["text"] == "hello there"]
    assert [m["user"] for m in posted] == [admin.slack_id]


GALLERY_BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "Weekly report :tada:"}},
    {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": "*bold* _italic_ ~gone~ `code` <https://example.test/a?b=1&amp;c=2|a link> "
            "<@{user}> :white_check_mark: &lt;b&gt;not bold&lt;/b&gt; <javascript:alert(1)|no>",
        },
        "fields": [
            {"type": "mrkdwn", "text": "*Source*\nGrafana"},
            {"type": "plain_text", "text": "<script>window.__xss = 1</script>"},
        ],
    },
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "ilert Slack Bot v1.0.0"}]},
    {"type": "divider"},
    {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Go"},
                "style": "primary",
                "action_id": "go",
            },
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Stop"},
                "style": "danger",
                "action_id": "stop",
            },
            {
                "type": "static_select",
                "action_id": "pick",
                "placeholder": {"type": "plain_text", "text": "Pick one"},
                "options": [
                    {"text": {"type": "plain_text", "text": "One"}, "value": "1"},
                    {"text": {"type": "plain_text", "text": "Two"}, "value": "2"},
                ],
            },
        ],
    },
    {"type": "image", "image_url": "https://example.test/chart.png", "alt_text": "a chart"},
]


def test_block_kit_is_drawn_as_slack_draws_it(page: Page, demo: Demo) -> None:
    """Every block the guide's messages use, mrkdwn's marks, a colour bar, a thread, an edit,
    and text that must stay text."""
    admin = demo.world.person("ADMIN")
    slack = demo.slack
    state = slack.state()
    install = next(i for i in state["installs"] if not i["revoked"])
    members = [p.slack_id for p in demo.world.people.values()] + [install["bot_user_id"]]
    channel = slack.create_channel(demo.world.team_id, "gallery", members=members)
    token = install["access_token"]
    blocks = json.loads(json.dumps(GALLERY_BLOCKS).replace("{user}", admin.slack_id))
    attachments = [
        {
            "color": "good",
            "title": "Legacy attachment",
            "text": "_with_ a field",
            "fields": [{"title": "Priority", "value": "HIGH", "short": True}],
            "footer": "footer words",
        }
    ]
    posted = slack.web_api(
        "chat.postMessage",
        token,
        channel=channel["id"],
        text="Weekly report",
        blocks=json.dumps(blocks),
        attachments=json.dumps(attachments),
    )
    assert posted["ok"], posted
    sign_in(page, demo, admin)
    open_channel(page, "gallery")
    message = last_message(page, "Weekly report")

    expect(message.locator(".b-header")).to_have_text("Weekly report 🎉")
    expect(message.locator("strong", has_text="bold").first).to_be_visible()
    expect(message.locator("em", has_text="italic")).to_be_visible()
    expect(message.locator("del", has_text="gone")).to_be_visible()
    expect(message.locator("code", has_text="code")).to_be_visible()
    link = message.get_by_role("link", name="a link")
    expect(link).to_have_attribute("href", "https://example.test/a?b=1&c=2")
    expect(message.locator(".mention", has_text=f"@{admin.email.split('@')[0]}")).to_be_visible()
    expect(message).to_contain_text("✅ <b>not bold</b>")
    expect(message.get_by_role("link", name="no")).to_have_count(0)
    expect(message).to_contain_text("<script>window.__xss = 1</script>")
    assert page.evaluate("window.__xss") is None
    expect(message.locator(".b-context").first).to_have_text("ilert Slack Bot v1.0.0")
    expect(message.locator("hr.b-divider")).to_have_count(1)
    expect(message.get_by_role("button", name="Go")).to_have_class(re.compile("btn-primary"))
    expect(message.get_by_role("button", name="Stop")).to_have_class(re.compile("btn-danger"))
    expect(message.get_by_role("combobox").locator("option")).to_have_text(
        ["Pick one", "One", "Two"]
    )
    expect(message.get_by_role("img", name="a chart")).to_be_visible()
    attachment = message.locator(".attachment")
    expect(attachment).to_have_attribute("style", "--bar: #2eb886")
    expect(attachment.locator("em", has_text="with")).to_be_visible()
    expect(attachment).to_contain_text("Priority")
    expect(attachment).to_contain_text("footer words")
    expect(message.locator(".edited")).to_have_count(0)

    reply = slack.web_api(
        "chat.postMessage", token, channel=channel["id"], thread_ts=posted["ts"], text="In a thread"
    )
    slack.web_api("chat.update", token, channel=channel["id"], ts=posted["ts"], text="Changed")

    expect(message.locator(".thread")).to_contain_text("1 reply")
    expect(message.locator(".thread")).to_contain_text("In a thread")
    expect(message.locator(".edited")).to_have_text("(edited)")
    assert reply["ok"]
    assert_not_reloaded(page)


def test_a_long_channel_shows_its_latest_page_and_loads_older_ones(page: Page, demo: Demo) -> None:
    slack = demo.slack
    install = next(i for i in slack.state()["installs"] if not i["revoked"])
    members = [p.slack_id for p in demo.world.people.values()] + [install["bot_user_id"]]
    channel = slack.create_channel(demo.world.team_id, "busy", members=members)
    for number in range(1, 106):
        answer = slack.web_api(
            "chat.postMessage",
            install["access_token"],
            channel=channel["id"],
            text=f"Note {number}",
        )
        assert answer["ok"], answer
    sign_in(page, demo, demo.world.person("USER"))
    open_channel(page, "busy")
    shown = page.locator("#region-messages li.message")
    expect(shown).to_have_count(100)
    expect(shown.first).to_contain_text("Note 6")
    expect(shown.last).to_contain_text("Note 105")

    page.get_by_role("link", name="Load older messages").click()

    expect(shown).to_have_count(5)
    expect(shown.first).to_contain_text("Note 1")
    expect(page.locator("#region-messages")).to_contain_text("This is the very beginning")
    page.get_by_role("link", name="Jump to the latest messages").click()
    expect(shown.last).to_contain_text("Note 105")


def test_ilert_menu_with_more_sources_than_a_select_holds_types_ahead(
    page: Page, demo: Demo
) -> None:
    ilert, key = demo.sim.ilert(), demo.world.owner_key
    policy = {"id": demo.world.policy["id"]}
    made = [
        ilert.call(
            "POST",
            "/alert-sources",
            key=key,
            json={"name": f"Service {n:03d}", "integrationType": "API", "escalationPolicy": policy},
        )
        for n in range(120)
    ]
    channel_id = demo.world.channel("sre-private")["id"]
    try:
        sign_in(page, demo, demo.world.person("ADMIN"))
        open_channel(page, "sre-private")
        type_command(page, "/ilert")
        menu = last_message(page, "Manage the alert sources for this channel.")
        search = menu.get_by_label("Add a new alert source to the channel")

        search.fill("Service 11")
        suggestions = menu.locator("datalist option")
        expect(suggestions).to_have_count(10)  # Service 110 to 119
        search.fill(f"[{made[-1]['id']}] Service 119")
        menu.get_by_role("button", name="Choose").click()

        expect(menu).to_contain_text(f"[{made[-1]['id']}] Service 119 added to the channel")
        assert_not_reloaded(page)
    finally:
        for action in ilert.call("GET", "/alert-actions", key=key):
            if action["params"].get("channelId") == channel_id:
                ilert.call("DELETE", f"/alert-actions/{action['id']}", key=key)
        for source in made:
            ilert.call("DELETE", f"/alert-sources/{source['id']}", key=key)
