"""Steps for an alert's own Slack channel, made from its page in ilert (ACHAN-1 … ACHAN-6)."""

from __future__ import annotations

import html
import re

from pytest_bdd import given, parsers, then, when

from harness.driver import Services
from harness.seed import World
from tests.bdd.steps.common import Json, Tab, ilert_web, role_of

OFFER = "Create Slack channel"
# What a step's example writes for a name too long to read in a table.
NAMES = {"81 characters": "a" * 81}
_DEFAULT_NAME = re.compile(r'id="slack-channel-name"[^>]*\svalue="([^"]*)"')
_CHANNEL_LINK = re.compile(r'<a href="([^"]+)" class="slack-channel"')


def page_text(tab: Tab) -> str:
    return html.unescape(tab.page.text)


def slack_channel(services: Services, world: World, name: str) -> Json | None:
    """The workspace's channel called `name`, with its members, as fake Slack holds it."""
    channels = services.slack.state()["channels"]
    return next((c for c in channels if c["team_id"] == world.team_id and c["name"] == name), None)


def open_alert_page(services: Services, world: World, role: str, alert: Json) -> Tab:
    web = ilert_web(services, world.person(role_of(role)))
    return Tab(web.browser, web.browser.get(web.alert_url(alert["id"])))


def create_channel(
    services: Services, world: World, role: str, alert: Json, name: str, *, private: bool
) -> Tab:
    """The alert page's Links → Create Slack channel form, sent as the person's browser."""
    web = ilert_web(services, world.person(role_of(role)))
    form = {"name": NAMES.get(name, name)}
    if private:
        form["private"] = "on"
    visit = web.browser.submit(f"{web.alert_url(alert['id'])}/slack-channel", form)
    return Tab(web.browser, visit)


@given(parsers.re(r'an alert "(?P<summary>[^"]+)" on "(?P<source>[^"]+)"$'), target_fixture="alert")
def an_alert(services: Services, world: World, summary: str, source: str) -> Json:
    return services.ilert.create_alert(
        world.owner_key, summary=summary, source_id=world.source(source)["id"]
    )


@given("the alert has been assigned to the User")
def assigned_to_user(services: Services, world: World, alert: Json) -> None:
    user = world.person("USER")
    services.ilert.assign_alert(world.owner_key, alert["id"], user_id=user.ilert_id)


@given("the Responder's e-mail address in ilert is one Slack does not know")
def unknown_email(services: Services, world: World) -> None:
    responder = world.person("RESPONDER")
    services.ilert.update_user(
        world.owner_key, responder.ilert_id, email=f"elsewhere.{responder.ilert_id}@example.org"
    )


@given(parsers.parse("the User's ilert role is Stakeholder"))
def user_is_stakeholder(services: Services, world: World) -> None:
    services.ilert.update_user(world.owner_key, world.person("USER").ilert_id, role="STAKEHOLDER")


@given("the Admin has deleted the Slack Workspace Integration in ilert")
def integration_deleted(services: Services, world: World) -> None:
    [connector] = services.ilert.slack_connectors(world.owner_key)
    services.ilert.call("DELETE", f"/connectors/{connector['id']}", key=world.owner_key)


@when(parsers.parse("the {role} opens the alert's page in ilert"), target_fixture="tab")
def opens_alert_page(services: Services, world: World, alert: Json, role: str) -> Tab:
    tab = open_alert_page(services, world, role, alert)
    assert tab.page.status == 200, tab.page.status
    return tab


@when(
    parsers.parse("the {role} creates the alert's Slack channel with the name offered"),
    target_fixture="tab",
)
def create_with_default(services: Services, world: World, alert: Json, role: str) -> Tab:
    page = open_alert_page(services, world, role, alert)
    offered = _DEFAULT_NAME.search(page.page.text)
    assert offered, "the alert's page offers no channel name"
    return create_channel(
        services, world, role, alert, html.unescape(offered.group(1)), private=False
    )


@when(
    parsers.re(
        r"the (?P<role>\w+) creates the alert's Slack channel \"(?P<name>[^\"]*)\""
        r"(?P<private>, private)?$"
    ),
    target_fixture="tab",
)
def creates(
    services: Services, world: World, alert: Json, role: str, name: str, private: str
) -> Tab:
    return create_channel(services, world, role, alert, name, private=bool(private))


@given(
    parsers.parse('the Admin has created the alert\'s Slack channel "{name}"'),
    target_fixture="tab",
)
def has_created(services: Services, world: World, alert: Json, name: str) -> Tab:
    tab = create_channel(services, world, "Admin", alert, name, private=False)
    assert f"Slack channel #{name} created" in page_text(tab), page_text(tab)[:2000]
    channel = slack_channel(services, world, name)
    assert channel is not None, f"no channel #{name} in Slack"
    # Later steps find the alert's message among the world's channels.
    world.channels[name] = channel
    return tab


@then(parsers.parse('the page offers "{label}" with the name "{prefix}" and the alert\'s id'))
def offers_default(tab: Tab, alert: Json, label: str, prefix: str) -> None:
    text = tab.page.text
    assert label in text, "the page offers no " + label
    offered = _DEFAULT_NAME.search(text)
    assert offered and offered.group(1) == f"{prefix}{alert['id']}", offered


@then("the page offers to make the channel private")
def offers_private(tab: Tab) -> None:
    assert 'name="private"' in tab.page.text and "Make the channel private" in tab.page.text


@then(parsers.parse('the workspace has a {kind} channel named "{prefix}" and the alert\'s id'))
def has_named_channel(
    services: Services, world: World, alert: Json, kind: str, prefix: str
) -> None:
    has_channel(services, world, kind, f"{prefix}{alert['id']}")


@then(parsers.parse('the workspace has a {kind} channel "{name}"'))
def has_channel(services: Services, world: World, kind: str, name: str) -> None:
    channel = slack_channel(services, world, name)
    assert channel is not None, f"no channel #{name} in the workspace"
    assert channel["is_private"] == (kind == "private"), channel


@then(parsers.parse('the workspace has no channel "{name}"'))
def no_channel(services: Services, world: World, name: str) -> None:
    assert slack_channel(services, world, name) is None


@then("the alert's page links to that channel in Slack")
def links_channel(services: Services, world: World, tab: Tab) -> None:
    link = _CHANNEL_LINK.search(tab.page.text)
    assert link, "the alert's page links no Slack channel"
    url = html.unescape(link.group(1))
    # Fake Slack's web client shows a channel at /client/<team>/<channel>, as app.slack.com does.
    assert url.startswith(f"{services.slack_url}/client/{world.team_id}/"), url
    channel_id = url.rstrip("/").rsplit("/", 1)[1]
    channels = services.slack.state()["channels"]
    assert any(c["id"] == channel_id and c["team_id"] == world.team_id for c in channels), url


@then(parsers.parse("the alert's timeline tells \"{text}\" and the alert's id"))
def timeline_tells(services: Services, world: World, alert: Json, text: str) -> None:
    entries = [e["text"] for e in services.ilert.alert_log(world.owner_key, alert["id"])]
    assert any(f"{text}{alert['id']}" in e for e in entries), entries


@then(parsers.parse('the alert\'s page no longer offers "{label}"'))
@then(parsers.parse('the alert\'s page does not offer "{label}"'))
def not_offered(services: Services, world: World, alert: Json, tab: Tab, label: str) -> None:
    page = tab.browser.get(tab.page.url.split("?")[0])
    assert label not in page.text, f"the page still offers {label}"


@then(parsers.parse('the alert\'s page says "{first}" and "{second}"'))
def page_says_both(tab: Tab, first: str, second: str) -> None:
    text = page_text(tab)
    assert first in text and second in text, visible_flash(text)


@then(parsers.re(r'the alert\'s page says "(?P<words>[^"]+)"$'))
def page_says(tab: Tab, words: str) -> None:
    text = page_text(tab)
    assert words in text, visible_flash(text)


def visible_flash(text: str) -> str:
    found = re.search(r'class="flash[^"]*"[^>]*>([^<]*)<', text)
    return found.group(1) if found else text[:1500]


@then("the alert has no Slack channel")
def no_alert_channel(services: Services, world: World, tab: Tab, alert: Json) -> None:
    page = tab.browser.get(tab.page.url.split("?")[0])
    assert OFFER in page.text and not _CHANNEL_LINK.search(page.text)


@then(parsers.parse("ilert refuses with {status:d}"))
def refuses(tab: Tab, status: int) -> None:
    assert tab.page.status == status, (tab.page.status, page_text(tab)[:500])


def members(services: Services, world: World, name: str) -> list[str]:
    services.ilert.wait_for_deliveries()
    channel = slack_channel(services, world, name)
    assert channel is not None, f"no channel #{name}"
    return channel["members"]


@then(parsers.parse('the {first} and the {second} are members of "{name}"'))
def both_members(services: Services, world: World, first: str, second: str, name: str) -> None:
    for role in (first, second):
        is_member(services, world, role, name)


@then(parsers.parse('the {role} is a member of "{name}"'))
def is_member(services: Services, world: World, role: str, name: str) -> None:
    person = world.person(role_of(role))
    assert person.slack_id in members(services, world, name), f"{person.name} is not in #{name}"


@then(parsers.parse('the {role} is not a member of "{name}"'))
def not_member(services: Services, world: World, role: str, name: str) -> None:
    person = world.person(role_of(role))
    assert person.slack_id not in members(services, world, name), f"{person.name} is in #{name}"
