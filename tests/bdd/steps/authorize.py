"""Steps for authorizing and re-authorizing the workspace (AUTH, REAUTH, FAQ-1, MAP-1)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from pytest_bdd import given, parsers, then, when

from harness.driver import (
    Browser,
    PageVisit,
    Services,
    authorize_workspace,
)
from harness.seed import Person, World, build_world
from tests.bdd.steps.common import (
    Json,
    Scene,
    _worlds,
    active_installs,
    channel_id,
    current_alert,
    role_of,
    slack_actions_for,
    told_alone,
    type_ilert,
)


@given("an ilert account and a Slack workspace with the same people", target_fixture="world")
def a_world(services: Services) -> World:
    return build_world(services.ilert, services.slack, seed=next(_worlds))


def authorize(
    services: Services,
    world: World,
    scene: Scene,
    decision: str = "allow",
    *,
    role: str = "ADMIN",
    slack_user_id: str | None = None,
    withhold_scopes: tuple[str, ...] = (),
) -> PageVisit:
    """A whole authorization in a fresh browser (no Slack session left from earlier steps)."""
    person = world.person(role)
    scene.browser = Browser()
    visit = authorize_workspace(
        ilert_url=services.ilert_url,
        slack_url=services.slack_url,
        ilert_user_id=person.ilert_id,
        slack_user_id=slack_user_id or person.slack_id,
        decision=decision,
        browser=scene.browser,
        withhold_scopes=withhold_scopes,
    )
    scene.visits.append(visit)
    return visit


@given("the workspace is linked to the ilert account")
@given("the Admin has authorized the workspace")
def linked(services: Services, world: World, scene: Scene) -> None:
    visit = authorize(services, world, scene)
    assert visit.query.get("status") == "success", visit.text[:500]


@when("the Admin opens the Connectors page in ilert")
def open_connectors(services: Services, world: World, scene: Scene) -> None:
    scene.browser.submit(f"{services.ilert_url}/login", {"user_id": world.person("ADMIN").ilert_id})
    scene.visits.append(scene.browser.get(f"{services.ilert_url}/connectors"))


@when("the Admin opens the Slack Workspace Integration in ilert")
def open_slack_connector(services: Services, world: World, scene: Scene) -> None:
    scene.browser.submit(f"{services.ilert_url}/login", {"user_id": world.person("ADMIN").ilert_id})
    scene.visits.append(scene.browser.get(f"{services.ilert_url}/connectors/slack"))


@then(parsers.parse('the page lists the "{entry}"'))
def page_lists(scene: Scene, entry: str) -> None:
    assert scene.visit.status == 200
    assert entry in scene.visit.text


@then(parsers.parse('the page offers the button "{label}"'))
def page_offers_button(scene: Scene, label: str) -> None:
    assert re.search(rf"<button[^>]*>\s*{re.escape(label)}\s*</button>", scene.visit.text), (
        f"no button {label!r} on {scene.visit.url}"
    )


def slack_connectors(services: Services, world: World) -> list[Json]:
    connectors = services.ilert.call("GET", "/connectors", key=world.owner_key)
    return [c for c in connectors if c["type"].lower() == "slack"]


@then("no Slack workspace is linked to the ilert account")
def nothing_linked(services: Services, world: World) -> None:
    assert slack_connectors(services, world) == []


@then("the Slack workspace is linked to the ilert account")
def workspace_linked(services: Services, world: World) -> None:
    [connector] = slack_connectors(services, world)
    assert connector["params"]["teamId"] == world.team_id


@when(parsers.parse("the {role} clicks Authorize in ilert"))
def click_authorize(services: Services, world: World, scene: Scene, role: str = "Admin") -> None:
    person = world.person(role_of(role))
    scene.browser.submit(f"{services.ilert_url}/login", {"user_id": person.ilert_id})
    scene.visits.append(
        scene.browser.submit(f"{services.ilert_url}/connectors/slack/authorize", {})
    )


@when("the Admin clicks Authorize in ilert twice")
def click_authorize_twice(services: Services, world: World, scene: Scene) -> None:
    click_authorize(services, world, scene)
    scene.browser = Browser()
    click_authorize(services, world, scene)


def authorize_request(visit: PageVisit) -> dict[str, str]:
    """The query Slack's authorize page was opened with, even behind Slack's log-in page."""
    query = visit.query
    if urlparse(visit.url).path == "/login":
        query = {k: v[0] for k, v in parse_qs(urlparse(query["next"]).query).items()}
    return query


@then("Slack asks the person to log in first")
def slack_login_first(services: Services, scene: Scene) -> None:
    assert scene.visit.url.startswith(f"{services.slack_url}/login"), scene.visit.url
    assert scene.visit.status == 200


@then("after logging in, Slack's consent page names the workspace and the permissions asked for")
def consent_page(services: Services, world: World, scene: Scene) -> None:
    visit = scene.browser.submit(
        f"{services.slack_url}/login",
        {"user_id": world.person("ADMIN").slack_id, "next": scene.visit.query["next"]},
    )
    assert urlparse(visit.url).path == "/oauth/v2/authorize"
    assert world.team_name in visit.text
    for scope in ("chat:write", "commands", "users:read.email"):
        assert scope in visit.text
    assert re.search(r"<button[^>]*>\s*Allow\s*</button>", visit.text)


@then(
    "the request to Slack carries the app's client id, the connector's return address and a state"
)
def authorize_request_shape(services: Services, scene: Scene) -> None:
    query = authorize_request(scene.visit)
    app = next(a for a in services.slack.state()["apps"] if a["name"] == "ilert")
    assert query["client_id"] == app["client_id"]
    assert query["redirect_uri"] == f"{services.connector_url}/slack/oauth_redirect"
    assert set(query["scope"].split(",")) >= {"commands", "chat:write", "users:read.email"}
    assert len(query["state"]) >= 16


@then("the two requests to Slack carry different, unguessable states")
def different_states(scene: Scene) -> None:
    first, second = (authorize_request(v)["state"] for v in scene.visits[-2:])
    assert first != second
    assert len(first) >= 16 and len(second) >= 16


@when("the Admin authorizes the workspace and allows access in Slack")
def allow(services: Services, world: World, scene: Scene) -> None:
    authorize(services, world, scene, "allow")


@when("the Admin authorizes the workspace and cancels in Slack")
def cancel(services: Services, world: World, scene: Scene) -> None:
    authorize(services, world, scene, "deny")


@then("ilert shows a success message naming the workspace's address and team name")
def success_message(services: Services, world: World, scene: Scene) -> None:
    visit = scene.visit
    assert visit.url.startswith(f"{services.ilert_url}/connectors/slack")
    assert visit.query.get("status") == "success"
    assert f"https://{world.team_domain}.slack.com" in visit.text
    assert world.team_name in visit.text


@then("ilert shows an error saying access was not allowed")
def denied_message(services: Services, scene: Scene) -> None:
    visit = scene.visit
    assert visit.url.startswith(f"{services.ilert_url}/connectors/slack")
    assert visit.query.get("status") == "error"
    assert "not allowed" in visit.text


@when("Slack's answer to that authorization arrives a second time")
def replay_callback(services: Services, scene: Scene) -> None:
    callback = next(
        url
        for url in scene.browser.history
        if url.startswith(f"{services.connector_url}/slack/oauth_redirect")
    )
    scene.visits.append(scene.browser.get(callback))


@then("the connector refuses it because the state was already used")
def replay_refused(scene: Scene) -> None:
    assert scene.visit.status == 400
    assert "already used" in scene.visit.text


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
    owner = services.ilert.call("GET", "/users/current", key=world.owner_key)
    slack_user = services.slack.create_user(
        world.team_id, name="owner", email=owner["email"], real_name="Account Owner"
    )
    world.people["OWNER"] = Person(
        "OWNER", "Account Owner", owner["email"], owner["id"], world.owner_key, slack_user["id"]
    )


@when("the account owner authorizes the workspace and allows access in Slack")
def owner_authorizes(services: Services, world: World, scene: Scene) -> None:
    authorize(services, world, scene, role="OWNER")


@then("ilert refuses because only an Admin can authorize the Slack Workspace Integration")
def refused_not_admin(scene: Scene) -> None:
    assert scene.visit.status == 403
    assert "Only an Admin" in scene.visit.text


@then("the browser never reached Slack")
def never_reached_slack(services: Services, scene: Scene) -> None:
    visited = scene.browser.history
    assert not [u for u in visited if u.startswith((services.slack_url, services.connector_url))]


@given("the Admin has clicked Authorize in ilert and reached Slack's consent page")
def at_consent_page(services: Services, world: World, scene: Scene) -> None:
    admin = world.person("ADMIN")
    click_authorize(services, world, scene)
    visit = scene.browser.submit(
        f"{services.slack_url}/login",
        {"user_id": admin.slack_id, "next": scene.visit.query["next"]},
    )
    assert urlparse(visit.url).path == "/oauth/v2/authorize", visit.url
    scene.visits.append(visit)


@given("meanwhile the Admin's ilert role is changed to User")
def demote_admin(services: Services, world: World) -> None:
    admin = world.person("ADMIN")
    services.ilert.call(
        "PUT", f"/users/{admin.ilert_id}", key=world.owner_key, json={"role": "USER"}
    )


@when("the person allows access in Slack")
def allow_on_consent_page(services: Services, scene: Scene) -> None:
    visit = scene.browser.submit(
        f"{services.slack_url}/oauth/v2/authorize", {**scene.visit.query, "decision": "allow"}
    )
    scene.visits.append(visit)


@then("ilert shows an error because only an Admin can authorize the Slack Workspace Integration")
def error_not_admin(services: Services, scene: Scene) -> None:
    assert scene.visit.url.startswith(f"{services.ilert_url}/connectors/slack")
    assert scene.visit.query.get("status") == "error"
    assert "Only an Admin" in scene.visit.text


@then("the ilert app keeps no installation in the Slack workspace")
def no_installation(services: Services, world: World) -> None:
    assert active_installs(services, world.team_id) == []


@given("the ilert app was added to the Slack workspace from Slack, without ilert")
def installed_from_slack(services: Services, world: World) -> None:
    app = next(a for a in services.slack.state()["apps"] if a["name"] == "ilert")
    services.slack.install_app(app["id"], world.team_id, ["commands", "chat:write", "users:read"])


@when(parsers.parse('the {role} runs "{command}" in "{channel}"'))
def run_command(services: Services, world: World, role: str, command: str, channel: str) -> None:
    person = world.person(role_of(role))
    name, _, text = command.partition(" ")
    answer = services.slack.command(
        team_id=world.team_id,
        channel_id=channel_id(world, channel),
        user_id=person.slack_id,
        command=name,
        text=text,
    )
    assert answer["ok"], answer


@then(
    "the Admin alone is told that the workspace is not connected to ilert and how an Admin "
    "connects it"
)
def told_not_connected(services: Services, world: World) -> None:
    told_alone(services, world, "Admin", "not connected to ilert", "Connectors", "Authorize")


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


@when("the Admin authorizes the second workspace and allows access in Slack")
def authorize_second(services: Services, world: World, scene: Scene, other: Json) -> None:
    authorize(services, world, scene, slack_user_id=other["admin"]["id"])


@then("ilert shows an error saying the account is already linked to the first workspace")
def error_already_linked(services: Services, world: World, scene: Scene) -> None:
    assert scene.visit.query.get("status") == "error", scene.visit.url
    assert "already linked" in scene.visit.text
    assert world.team_name in scene.visit.text


@then("the ilert account is still linked to the first workspace")
def still_first(services: Services, world: World) -> None:
    [connector] = slack_connectors(services, world)
    assert connector["params"]["teamId"] == world.team_id


@then("the ilert app keeps no installation in the second Slack workspace")
def none_in_second(services: Services, other: Json) -> None:
    assert active_installs(services, other["workspace"]["id"]) == []


@then(parsers.parse('"/ilert" in the first workspace still opens the menu'))
def first_still_works(services: Services, world: World, scene: Scene) -> None:
    type_ilert(services, world, scene, "Admin", "#ops-alerts")


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


@when("that Admin authorizes the workspace and allows access in Slack")
def other_admin_authorizes(services: Services, scene: Scene, other: Json) -> None:
    scene.browser = Browser()
    visit = authorize_workspace(
        ilert_url=services.ilert_url,
        slack_url=services.slack_url,
        ilert_user_id=other["admin"]["id"],
        slack_user_id=other["slack_admin"]["id"],
        browser=scene.browser,
    )
    scene.visits.append(visit)


@then("ilert shows an error saying the workspace is already linked to another ilert account")
def error_other_account(scene: Scene) -> None:
    assert scene.visit.query.get("status") == "error", scene.visit.url
    assert "another ilert account" in scene.visit.text


@then("the second ilert account has no Slack workspace")
def second_account_unlinked(services: Services, other: Json) -> None:
    connectors = services.ilert.call("GET", "/connectors", key=other["account"]["apiKey"])
    assert [c for c in connectors if c["type"] == "slack"] == []


@given(parsers.parse('the workspace was authorized when the app did not yet ask for "{scope}"'))
def authorized_without(services: Services, world: World, scene: Scene, scope: str) -> None:
    visit = authorize(services, world, scene, withhold_scopes=(scope,))
    assert visit.query.get("status") == "success", visit.text[:300]
    scene.connector_id = slack_connectors(services, world)[0]["id"]


@then("the page says that re-authorization is needed")
def reauthorization_needed(scene: Scene) -> None:
    assert "re-authorization is needed" in scene.visit.text.lower()


@then("the page no longer says that re-authorization is needed")
def reauthorization_done(services: Services, world: World, scene: Scene) -> None:
    open_slack_connector(services, world, scene)
    assert "re-authorization is needed" not in scene.visit.text.lower()


@then(
    parsers.parse(
        'the Admin alone is told that the app lacks "{scope}" and an Admin can re-authorize'
    )
)
def told_missing_scope(services: Services, world: World, scope: str) -> None:
    told_alone(services, world, "Admin", scope, "Re-authorize")


@given(
    parsers.parse('ilert publishes "{name}" to "{channel}" through an alert action made in ilert')
)
def action_made_in_ilert(services: Services, world: World, name: str, channel: str) -> None:
    [connector] = slack_connectors(services, world)
    services.ilert.call(
        "POST",
        "/alert-actions",
        key=world.owner_key,
        json={
            "name": f"Slack {channel}",
            "alertSources": [{"id": world.source(name)["id"]}],
            "connectorId": connector["id"],
            "connectorType": "slack",
            "triggerMode": "AUTOMATIC",
            "triggerTypes": ["alert-created", "alert-acknowledged", "alert-resolved"],
            "params": {"channelId": channel_id(world, channel), "channelName": channel.lstrip("#")},
        },
    )


@when("the Admin re-authorizes Slack and allows access")
@given("the Admin has re-authorized Slack")
def reauthorize(services: Services, world: World, scene: Scene) -> None:
    visit = authorize(services, world, scene)
    assert visit.query.get("status") == "success", visit.text[:300]


@then("the ilert account keeps the same Slack connector")
def same_connector(services: Services, world: World, scene: Scene) -> None:
    [connector] = slack_connectors(services, world)
    assert connector["id"] == scene.connector_id
    assert connector["params"]["missingScopes"] == []


@then(parsers.parse('ilert still publishes "{name}" to "{channel}"'))
def still_publishes(services: Services, world: World, name: str, channel: str) -> None:
    assert len(slack_actions_for(services, world, name, channel)) == 1


@given(
    "an ilert responder and a Slack user with another name share an e-mail address, written "
    "in capitals in Slack"
)
def shared_address(services: Services, world: World, scene: Scene) -> None:
    email = f"pat.doe@{world.team_domain}.example"
    created = services.ilert.create_user(
        world.account_id, firstName="Pat", lastName="Doe", email=email, role="RESPONDER"
    )
    scene.stranger = services.slack.create_user(
        world.team_id, name="night-shift-42", email=email.upper(), real_name="Night Shift"
    )
    services.slack.invite(channel_id(world, scene.alert_channel), scene.stranger["id"])
    scene.mapped_user = created["user"]


@then("the alert is ACCEPTED in ilert by that ilert responder")
def accepted_by_mapped(services: Services, world: World, scene: Scene) -> None:
    alert = current_alert(services, world, scene)
    assert alert["status"] == "ACCEPTED"
    assert alert["acknowledgedBy"]["id"] == scene.mapped_user["id"]
