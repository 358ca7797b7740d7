"""Steps for authorizing and re-authorizing the workspace (AUTH, REAUTH, FAQ-1, MAP-1)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from pytest_bdd import given, parsers, then, when

from harness.driver import (
    Browser,
    IlertWeb,
    PageVisit,
    Services,
    SlackWeb,
    authorize_workspace,
)
from harness.seed import Person, World, build_world
from tests.bdd.steps.common import (
    Json,
    SlashCommand,
    Tab,
    _worlds,
    active_installs,
    channel_id,
    ilert_web,
    role_of,
    slack_actions_for,
    told_alone,
)

REQUIRED_SCOPES = {"commands", "chat:write", "users:read.email"}


@given("an ilert account and a Slack workspace with the same people", target_fixture="world")
def a_world(services: Services) -> World:
    return build_world(services.ilert, services.slack, seed=next(_worlds))


def authorize(
    services: Services,
    person: Person,
    decision: str = "allow",
    *,
    slack_user_id: str | None = None,
    withhold_scopes: tuple[str, ...] = (),
) -> Tab:
    """A whole authorization in a fresh browser (no Slack session left from earlier steps)."""
    browser = Browser()
    page = authorize_workspace(
        ilert_url=services.ilert_url,
        slack_url=services.slack_url,
        ilert_user_id=person.ilert_id,
        slack_user_id=slack_user_id or person.slack_id,
        decision=decision,
        browser=browser,
        withhold_scopes=withhold_scopes,
    )
    return Tab(browser, page)


@given("the workspace is linked to the ilert account", target_fixture="tab")
@given("the Admin has re-authorized Slack", target_fixture="tab")
def linked(services: Services, world: World) -> Tab:
    tab = authorize(services, world.person("ADMIN"))
    assert tab.page.query.get("status") == "success", tab.page.text[:500]
    return tab


@when("the Admin opens the Connectors page in ilert", target_fixture="tab")
def open_connectors(services: Services, world: World) -> Tab:
    web = ilert_web(services, world.person("ADMIN"))
    return Tab(web.browser, web.connectors_page())


@when("the Admin opens the Slack Workspace Integration in ilert", target_fixture="tab")
def open_slack_integration(services: Services, world: World) -> Tab:
    web = ilert_web(services, world.person("ADMIN"))
    return Tab(web.browser, web.slack_integration_page())


@then(parsers.parse('the page lists the "{entry}"'))
def page_lists(tab: Tab, entry: str) -> None:
    assert tab.page.status == 200
    assert entry in tab.page.text


@then(parsers.parse('the page offers the button "{label}"'))
def page_offers_button(tab: Tab, label: str) -> None:
    assert re.search(rf"<button[^>]*>\s*{re.escape(label)}\s*</button>", tab.page.text), (
        f"no button {label!r} on {tab.page.url}"
    )


@then("no Slack workspace is linked to the ilert account")
def nothing_linked(services: Services, world: World) -> None:
    assert services.ilert.slack_connectors(world.owner_key) == []


@then("the Slack workspace is linked to the ilert account")
@then("the ilert account is still linked to the first workspace")
def workspace_linked(services: Services, world: World) -> None:
    [connector] = services.ilert.slack_connectors(world.owner_key)
    assert connector["params"]["teamId"] == world.team_id


def click_authorize(services: Services, person: Person) -> Tab:
    web = ilert_web(services, person)
    return Tab(web.browser, web.click_authorize())


@when(parsers.parse("the {role} clicks Authorize in ilert"), target_fixture="tab")
@given(parsers.parse("the {role} has clicked Authorize in ilert"), target_fixture="tab")
def clicks_authorize(services: Services, world: World, role: str) -> Tab:
    return click_authorize(services, world.person(role_of(role)))


@when("the Admin clicks Authorize in ilert twice", target_fixture="trips")
def click_authorize_twice(services: Services, world: World) -> list[PageVisit]:
    admin = world.person("ADMIN")
    return [click_authorize(services, admin).page for _ in range(2)]


def authorize_request(page: PageVisit) -> dict[str, str]:
    """The query Slack's authorize page was opened with, even behind Slack's log-in page."""
    query = page.query
    if urlparse(page.url).path == "/login":
        query = {k: v[0] for k, v in parse_qs(urlparse(query["next"]).query).items()}
    return query


@then("Slack asks the person to log in")
def slack_login_first(services: Services, tab: Tab) -> None:
    assert SlackWeb(services.slack_url).is_login_page(tab.page), tab.page.url
    assert tab.page.status == 200


def log_in_to_slack(services: Services, tab: Tab, person: Person) -> Tab:
    page = SlackWeb(services.slack_url, tab.browser).log_in(person.slack_id, after=tab.page)
    return Tab(tab.browser, page)


@when("the Admin logs in to Slack", target_fixture="tab")
def admin_logs_in(services: Services, world: World, tab: Tab) -> Tab:
    return log_in_to_slack(services, tab, world.person("ADMIN"))


@then("Slack's consent page names the workspace and the permissions asked for")
def consent_page(services: Services, world: World, tab: Tab) -> None:
    assert SlackWeb(services.slack_url).is_consent_page(tab.page), tab.page.url
    assert world.team_name in tab.page.text
    for scope in REQUIRED_SCOPES:
        assert scope in tab.page.text
    assert re.search(r"<button[^>]*>\s*Allow\s*</button>", tab.page.text)


@then("Slack is asked on behalf of the ilert app to send the person back to the connector")
def asked_for_the_app(services: Services, tab: Tab) -> None:
    query = authorize_request(tab.page)
    app = next(a for a in services.slack.state()["apps"] if a["name"] == "ilert")
    assert query["client_id"] == app["client_id"]
    assert query["redirect_uri"] == f"{services.connector_url}/slack/oauth_redirect"
    assert set(query["scope"].split(",")) >= REQUIRED_SCOPES


@then("each trip to Slack carries its own unguessable one-time key")
def different_states(trips: list[PageVisit]) -> None:
    first, second = (authorize_request(page)["state"] for page in trips)
    assert first != second
    assert len(first) >= 16 and len(second) >= 16


@when("the Admin authorizes the workspace and allows access in Slack", target_fixture="tab")
def allow(services: Services, world: World) -> Tab:
    return authorize(services, world.person("ADMIN"), "allow")


@when("the Admin authorizes the workspace and cancels in Slack", target_fixture="tab")
def cancel(services: Services, world: World) -> Tab:
    return authorize(services, world.person("ADMIN"), "deny")


@then("ilert shows a success message naming the workspace's address and team name")
def success_message(services: Services, world: World, tab: Tab) -> None:
    page = tab.page
    assert page.url.startswith(IlertWeb(services.ilert_url).slack_integration_url()), page.url
    assert page.query.get("status") == "success"
    assert f"https://{world.team_domain}.slack.com" in page.text
    assert world.team_name in page.text


@then("ilert shows an error saying access was not allowed")
def denied_message(services: Services, tab: Tab) -> None:
    assert tab.page.url.startswith(IlertWeb(services.ilert_url).slack_integration_url())
    assert tab.page.query.get("status") == "error"
    assert "not allowed" in tab.page.text


@when("Slack's answer that linked it arrives a second time", target_fixture="tab")
def replay_callback(services: Services, tab: Tab) -> Tab:
    callback = next(
        url
        for url in tab.browser.history
        if url.startswith(f"{services.connector_url}/slack/oauth_redirect")
    )
    return Tab(tab.browser, tab.browser.get(callback))


@then("the connector refuses it as already used")
def replay_refused(tab: Tab) -> None:
    assert tab.page.status == 400
    assert "already used" in tab.page.text


def add_person(services: Services, world: World, role: str, *, first: str, last: str) -> Person:
    email = f"{first}.{last}@{world.team_domain}.example".lower()
    created = services.ilert.create_user(
        world.account_id, firstName=first, lastName=last, email=email, role=role
    )
    slack_user = services.slack.create_user(
        world.team_id, name=f"{first}.{last}".lower(), email=email, real_name=f"{first} {last}"
    )
    person = Person(
        role, f"{first} {last}", email, created["user"]["id"], created["apiKey"], slack_user["id"]
    )
    world.people[role] = person
    return person


@given(parsers.parse("an ilert {role} who is also in the Slack workspace"))
def another_role(services: Services, world: World, role: str) -> None:
    add_person(services, world, role_of(role), first=role.capitalize(), last="Person")


@given("the account owner is also in the Slack workspace")
def owner_in_slack(services: Services, world: World) -> None:
    owner = services.ilert.current_user(world.owner_key)
    slack_user = services.slack.create_user(
        world.team_id, name="owner", email=owner["email"], real_name="Account Owner"
    )
    world.people["OWNER"] = Person(
        "OWNER", "Account Owner", owner["email"], owner["id"], world.owner_key, slack_user["id"]
    )


@when("the account owner authorizes the workspace and allows access in Slack", target_fixture="tab")
def owner_authorizes(services: Services, world: World) -> Tab:
    return authorize(services, world.person("OWNER"))


@then("ilert refuses because only an Admin can authorize the Slack Workspace Integration")
def refused_not_admin(tab: Tab) -> None:
    assert tab.page.status == 403
    assert "Only an Admin" in tab.page.text


@then("the browser never reached Slack")
def never_reached_slack(services: Services, tab: Tab) -> None:
    visited = tab.browser.history
    assert not [u for u in visited if u.startswith((services.slack_url, services.connector_url))]


@given(
    "the Admin has clicked Authorize in ilert and reached Slack's consent page",
    target_fixture="tab",
)
def at_consent_page(services: Services, world: World) -> Tab:
    admin = world.person("ADMIN")
    tab = log_in_to_slack(services, click_authorize(services, admin), admin)
    assert SlackWeb(services.slack_url).is_consent_page(tab.page), tab.page.url
    return tab


@given("meanwhile the Admin's ilert role is changed to User")
def demote_admin(services: Services, world: World) -> None:
    services.ilert.update_user(world.owner_key, world.person("ADMIN").ilert_id, role="USER")


@when("the person allows access in Slack", target_fixture="tab")
def allow_on_consent_page(services: Services, tab: Tab) -> Tab:
    page = SlackWeb(services.slack_url, tab.browser).answer_consent(tab.page, "allow")
    return Tab(tab.browser, page)


@then("ilert shows an error because only an Admin can authorize the Slack Workspace Integration")
def error_not_admin(services: Services, tab: Tab) -> None:
    assert tab.page.url.startswith(IlertWeb(services.ilert_url).slack_integration_url())
    assert tab.page.query.get("status") == "error"
    assert "Only an Admin" in tab.page.text


@then("the ilert app keeps no installation in the Slack workspace")
def no_installation(services: Services, world: World) -> None:
    assert active_installs(services, world.team_id) == []


@given("the ilert app was added to the Slack workspace from Slack, without ilert")
def installed_from_slack(services: Services, world: World) -> None:
    app = next(a for a in services.slack.state()["apps"] if a["name"] == "ilert")
    services.slack.install_app(app["id"], world.team_id, ["commands", "chat:write", "users:read"])


@then(
    "the Admin alone is told that the workspace is not connected to ilert and how an Admin "
    "connects it"
)
def told_not_connected(services: Services, world: World, command: SlashCommand) -> None:
    told_alone(
        services,
        world,
        command.person,
        command.channel,
        "not connected to ilert",
        "Connectors",
        "Authorize",
    )


@given("a second Slack workspace where the Admin is a member too", target_fixture="other")
def second_workspace_with_admin(services: Services, world: World) -> Json:
    admin = world.person("ADMIN")
    workspace = services.slack.create_workspace(
        f"{world.team_name} Labs", f"{world.team_domain}-labs"
    )
    member = services.slack.create_user(
        workspace["id"], name="admin", email=admin.email, real_name=admin.name
    )
    return {"workspace": workspace, "admin": member}


@when("the Admin authorizes the second workspace and allows access in Slack", target_fixture="tab")
@given("the Admin has tried to link the second workspace", target_fixture="tab")
def authorize_second(services: Services, world: World, other: Json) -> Tab:
    return authorize(services, world.person("ADMIN"), slack_user_id=other["admin"]["id"])


@then("ilert shows an error saying the account is already linked to the first workspace")
def error_already_linked(world: World, tab: Tab) -> None:
    assert tab.page.query.get("status") == "error", tab.page.url
    assert "already linked" in tab.page.text
    assert world.team_name in tab.page.text


@then("the ilert app keeps no installation in the second Slack workspace")
def none_in_second(services: Services, other: Json) -> None:
    assert active_installs(services, other["workspace"]["id"]) == []


@given(
    "a second ilert account whose Admin is a member of the same workspace", target_fixture="other"
)
def second_account_same_workspace(services: Services, world: World) -> Json:
    account = services.ilert.create_account(f"{world.team_name} Spin-off")
    email = f"spinoff.admin@{world.team_domain}.example"
    created = services.ilert.create_user(
        account["id"], firstName="Spin", lastName="Off", email=email, role="ADMIN"
    )
    member = services.slack.create_user(
        world.team_id, name="spinoff", email=email, real_name="Spin Off"
    )
    return {"account": account, "admin": created["user"], "slack_admin": member}


@when("that Admin authorizes the workspace and allows access in Slack", target_fixture="tab")
def other_admin_authorizes(services: Services, other: Json) -> Tab:
    browser = Browser()
    page = authorize_workspace(
        ilert_url=services.ilert_url,
        slack_url=services.slack_url,
        ilert_user_id=other["admin"]["id"],
        slack_user_id=other["slack_admin"]["id"],
        browser=browser,
    )
    return Tab(browser, page)


@then("ilert shows an error saying the workspace is already linked to another ilert account")
def error_other_account(tab: Tab) -> None:
    assert tab.page.query.get("status") == "error", tab.page.url
    assert "another ilert account" in tab.page.text


@then("the second ilert account has no Slack workspace")
def second_account_unlinked(services: Services, other: Json) -> None:
    assert services.ilert.slack_connectors(other["account"]["apiKey"]) == []


@given(
    parsers.parse('the workspace was linked when the app did not yet ask for "{scope}"'),
    target_fixture="slack_connector",
)
def authorized_without(services: Services, world: World, scope: str) -> Json:
    tab = authorize(services, world.person("ADMIN"), withhold_scopes=(scope,))
    assert tab.page.query.get("status") == "success", tab.page.text[:300]
    [connector] = services.ilert.slack_connectors(world.owner_key)
    return connector


@then("the page says that re-authorization is needed")
def reauthorization_needed(tab: Tab) -> None:
    assert "re-authorization is needed" in tab.page.text.lower()


@then("the page does not say that re-authorization is needed")
def reauthorization_done(tab: Tab) -> None:
    assert tab.page.status == 200
    assert "re-authorization is needed" not in tab.page.text.lower()


@then(
    parsers.parse(
        'the Admin alone is told that the app lacks "{scope}" and an Admin can re-authorize'
    )
)
def told_missing_scope(services: Services, world: World, command: SlashCommand, scope: str) -> None:
    told_alone(services, world, command.person, command.channel, scope, "Re-authorize")


@given(
    parsers.parse('ilert publishes "{name}" to "{channel}" through an alert action made in ilert')
)
def action_made_in_ilert(services: Services, world: World, name: str, channel: str) -> None:
    [connector] = services.ilert.slack_connectors(world.owner_key)
    services.ilert.create_alert_action(
        world.owner_key,
        name=f"Slack {channel}",
        alertSources=[{"id": world.source(name)["id"]}],
        connectorId=connector["id"],
        connectorType="slack",
        triggerMode="AUTOMATIC",
        triggerTypes=["alert-created", "alert-acknowledged", "alert-resolved"],
        params={"channelId": channel_id(world, channel), "channelName": channel.lstrip("#")},
    )


@when("the Admin re-authorizes Slack and allows access", target_fixture="tab")
def reauthorize(services: Services, world: World) -> Tab:
    return linked(services, world)


@then("the ilert account keeps the same Slack connector, now with every permission")
def same_connector(services: Services, world: World, slack_connector: Json) -> None:
    [connector] = services.ilert.slack_connectors(world.owner_key)
    assert connector["id"] == slack_connector["id"]
    assert connector["params"]["missingScopes"] == []


@then(parsers.parse('ilert still publishes "{name}" to "{channel}"'))
def still_publishes(services: Services, world: World, name: str, channel: str) -> None:
    assert len(slack_actions_for(services, world, name, channel)) == 1
