"""Steps for the alert source's pages in ilert (CHAN-4, CHAN-5, CHAN-6, FAQ-5)."""

from __future__ import annotations

import re

from pytest_bdd import given, parsers, then, when

from harness.driver import (
    IlertWeb,
    PageReader,
    Services,
    visible_text,
)
from harness.seed import World
from tests.bdd.steps.channels import menu_seen
from tests.bdd.steps.common import (
    Json,
    SlashCommand,
    Tab,
    active_installs,
    channel_id,
    ilert_web,
)


@when(
    parsers.parse('the Admin follows the link of "{name}" in the channel menu'),
    target_fixture="tab",
)
def follow_source_link(services: Services, world: World, command: SlashCommand, name: str) -> Tab:
    source = world.source(name)
    text = visible_text(menu_seen(services, world, command))
    links = re.findall(r"<([^|>]+)\|\[(\d+)\] ([^>]+)>", text)
    [url] = [url for url, ident, _ in links if ident == str(source["id"])]
    web = ilert_web(services, world.person("ADMIN"))
    return Tab(web.browser, web.browser.get(url))


@then(parsers.parse('ilert shows the page of the alert source "{name}"'))
def source_page_shown(services: Services, world: World, tab: Tab, name: str) -> None:
    assert tab.page.status == 200
    expected = IlertWeb(services.ilert_url).alert_source_url(world.source(name)["id"])
    assert tab.page.url == expected, tab.page.url
    assert name in tab.page.text


@when(parsers.parse('the Admin opens the Alert actions of "{name}" in ilert'), target_fixture="tab")
def open_alert_actions(services: Services, world: World, name: str) -> Tab:
    web = ilert_web(services, world.person("ADMIN"))
    page = web.alert_source_page(world.source(name)["id"])
    assert page.status == 200
    return Tab(web.browser, page)


@then("the Alert actions tab lists this alert action:")
def alert_action_listed(tab: Tab, datatable: list[list[str]]) -> None:
    expected = dict(datatable)
    rows = PageReader(tab.page.text).rows
    header = rows[0]
    listed = [dict(zip(header, row, strict=False)) for row in rows[1:]]
    matching = [r for r in listed if r.get("Label") == expected["Label"]]
    assert matching, listed
    shown = {column: matching[0].get(column, "") for column in expected}
    # The page may add words around a value (the connector's icon, its type): each must appear.
    for column, value in expected.items():
        assert value.lower() in shown[column].lower(), shown


@when(
    parsers.parse('the Admin creates an alert "{summary}" on the page of "{name}"'),
    target_fixture="alert",
)
def create_alert_on_page(services: Services, world: World, summary: str, name: str) -> Json:
    web = ilert_web(services, world.person("ADMIN"))
    alert_id = web.create_alert(world.source(name)["id"], summary=summary)
    return services.ilert.alert(world.owner_key, alert_id)


def channel_picker(tab: Tab) -> dict[str, str]:
    """Channel name as shown (e.g. "#sre-private (private)") by option value."""
    return {label: value for value, label in PageReader(tab.page.text).options["channel"]}


@then(parsers.parse('the channel picker offers "{first}", "{second}" and "{third}"'))
def picker_offers(tab: Tab, first: str, second: str, third: str) -> None:
    offered = channel_picker(tab)
    for name in (first, second, third):
        assert name in offered, offered


@then(parsers.parse('the channel picker does not offer "{name}"'))
def picker_hides(tab: Tab, name: str) -> None:
    assert not [label for label in channel_picker(tab) if label.startswith(name)]


@then(parsers.parse('the channel picker offers "{name}" as a private channel'))
def picker_offers_private(tab: Tab, name: str) -> None:
    assert f"{name} (private)" in channel_picker(tab), channel_picker(tab)


@given(parsers.parse('someone invites the ilert bot into "{channel}"'))
def invite_bot(services: Services, world: World, channel: str) -> None:
    install = active_installs(services, world.team_id)[-1]
    services.slack.invite(channel_id(world, channel), install["bot_user_id"])


@given(
    parsers.parse(
        'the Admin has added a Slack alert action for "{channel}" on the Alert actions of "{name}"'
    )
)
def add_action_on_page(services: Services, world: World, channel: str, name: str) -> None:
    tab = open_alert_actions(services, world, name)
    [value] = [v for label, v in channel_picker(tab).items() if label.split(" ")[0] == channel]
    IlertWeb(services.ilert_url, tab.browser).add_alert_action(
        world.source(name)["id"],
        name=f"Slack {channel}",
        channel=value,
        trigger_types=["alert-created", "alert-acknowledged", "alert-resolved"],
    )
