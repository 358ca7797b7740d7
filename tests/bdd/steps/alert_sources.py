"""Steps for the alert source's pages in ilert (CHAN-4, CHAN-5, CHAN-6, FAQ-5)."""

from __future__ import annotations

import re

from pytest_bdd import given, parsers, then, when

from harness.driver import (
    Browser,
    PageReader,
    Services,
    visible_text,
)
from harness.seed import World
from tests.bdd.steps.common import (
    Scene,
    active_installs,
    channel_id,
    menu_of,
    type_ilert,
)


def admin_browser(services: Services, world: World) -> Browser:
    browser = Browser()
    browser.submit(f"{services.ilert_url}/login", {"user_id": world.person("ADMIN").ilert_id})
    return browser


@when(parsers.parse('the Admin follows the link of "{name}" in the channel menu'))
def follow_source_link(services: Services, world: World, scene: Scene, name: str) -> None:
    type_ilert(services, world, scene, "Admin", "#ops-alerts")
    source = world.source(name)
    links = re.findall(r"<([^|>]+)\|\[(\d+)\] ([^>]+)>", visible_text(menu_of(scene)))
    [url] = [url for url, ident, _ in links if ident == str(source["id"])]
    scene.visits.append(admin_browser(services, world).get(url))


@then(parsers.parse('ilert shows the page of the alert source "{name}"'))
def source_page_shown(services: Services, world: World, scene: Scene, name: str) -> None:
    source = world.source(name)
    assert scene.visit.status == 200
    assert scene.visit.url == f"{services.ilert_url}/alert-sources/{source['id']}"
    assert name in scene.visit.text


@when(parsers.parse('the Admin opens the Alert actions of "{name}" in ilert'))
def open_alert_actions(services: Services, world: World, scene: Scene, name: str) -> None:
    url = f"{services.ilert_url}/alert-sources/{world.source(name)['id']}"
    scene.browser = admin_browser(services, world)
    scene.visits.append(scene.browser.get(url))
    assert scene.visit.status == 200


@then(
    parsers.parse(
        'an alert action is listed with the label "{label}", the connector "{connector}", the '
        'trigger mode "{mode}", the status "{status}" and the channel "{channel}"'
    )
)
def alert_action_listed(
    scene: Scene, label: str, connector: str, mode: str, status: str, channel: str
) -> None:
    rows = PageReader(scene.visit.text).rows
    header = rows[0]
    listed = [dict(zip(header, row, strict=False)) for row in rows[1:]]
    matching = [r for r in listed if r.get("Label") == label]
    assert matching, listed
    row = matching[0]
    assert connector in row["Connector"]
    assert (row["Trigger mode"], row["Status"], row["Channel"]) == (mode, status, channel)


@when(parsers.parse('the Admin creates an alert "{summary}" on the page of "{name}"'))
def create_alert_on_page(
    services: Services, world: World, scene: Scene, summary: str, name: str
) -> None:
    source = world.source(name)
    visit = admin_browser(services, world).submit(
        f"{services.ilert_url}/alert-sources/{source['id']}/alerts",
        {"summary": summary, "details": "", "priority": "HIGH"},
    )
    assert visit.status == 200 and "/alerts/" in visit.url, visit.url
    scene.alert = {"id": int(visit.url.rstrip("/").rsplit("/", 1)[1])}


def channel_picker(scene: Scene) -> dict[str, str]:
    """Channel name as shown (e.g. "#sre-private (private)") by option value."""
    return {label: value for value, label in PageReader(scene.visit.text).options["channel"]}


@then(parsers.parse('the channel picker offers "{first}", "{second}" and "{third}"'))
def picker_offers(scene: Scene, first: str, second: str, third: str) -> None:
    offered = channel_picker(scene)
    for name in (first, second, third):
        assert name in offered, offered


@then(parsers.parse('the channel picker does not offer "{name}"'))
def picker_hides(scene: Scene, name: str) -> None:
    assert not [label for label in channel_picker(scene) if label.startswith(name)]


@then(parsers.parse('the channel picker offers "{name}" as a private channel'))
def picker_offers_private(scene: Scene, name: str) -> None:
    assert f"{name} (private)" in channel_picker(scene), channel_picker(scene)


@given(parsers.parse('someone invites the ilert bot into "{channel}"'))
def invite_bot(services: Services, world: World, channel: str) -> None:
    install = active_installs(services, world.team_id)[-1]
    services.slack.invite(channel_id(world, channel), install["bot_user_id"])


@when(
    parsers.parse(
        'the Admin adds a Slack alert action for "{channel}" on the Alert actions of "{name}"'
    )
)
def add_action_on_page(
    services: Services, world: World, scene: Scene, channel: str, name: str
) -> None:
    open_alert_actions(services, world, scene, name)
    offered = channel_picker(scene)
    [value] = [v for label, v in offered.items() if label.split(" ")[0] == channel]
    visit = scene.browser.submit(
        f"{services.ilert_url}/alert-sources/{world.source(name)['id']}/alert-actions",
        {
            "name": f"Slack {channel}",
            "channel": value,
            "triggerMode": "AUTOMATIC",
            "triggerTypes": ["alert-created", "alert-acknowledged", "alert-resolved"],
        },
    )
    assert visit.status == 200, visit.text[:300]
