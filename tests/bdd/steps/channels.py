"""Steps for /ilert and its channel menu (CHAN-1, CHAN-2, CHAN-3, FAQ-4)."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from harness.driver import (
    Services,
    button_labels,
    select_options,
    visible_text,
)
from harness.seed import World
from tests.bdd.steps.common import (
    Json,
    Scene,
    channel_id,
    latest_menu,
    menu_of,
    role_of,
    slack_actions_for,
    told_alone,
    type_ilert,
)


def refresh_menu(services: Services, world: World, scene: Scene, role: str) -> Json:
    person = world.person(role)
    scene.menu[role] = latest_menu(services, world, "ops-alerts", person.slack_id)
    return scene.menu[role]


@then(parsers.parse('the Admin alone sees the configuration menu of "{channel}"'))
def menu_only_for_admin(services: Services, world: World, channel: str) -> None:
    admin, user = world.person("ADMIN"), world.person("USER")
    assert latest_menu(services, world, channel, admin.slack_id)
    seen_by_user = services.slack.messages(channel_id(world, channel), user_id=user.slack_id)
    assert not [m for m in seen_by_user if "Manage the alert sources" in visible_text(m)]


@then(parsers.parse('the menu says "{text}"'))
def menu_says(services: Services, world: World, scene: Scene, text: str) -> None:
    menu = refresh_menu(services, world, scene, "ADMIN")
    assert text in visible_text(menu), visible_text(menu)


@then(parsers.parse('the menu offers to add "{first}", "{second}" and "{third}"'))
def menu_offers(scene: Scene, world: World, first: str, second: str, third: str) -> None:
    options = select_options(menu_of(scene))
    for name in (first, second, third):
        source = world.source(name)
        assert f"[{source['id']}] {name}" in options, options


@then(parsers.parse('the menu no longer offers "{name}"'))
def menu_does_not_offer(scene: Scene, world: World, name: str) -> None:
    source = world.source(name)
    assert f"[{source['id']}] {name}" not in select_options(menu_of(scene))


@when(parsers.parse('the {role} chooses "{name}" in the menu'))
def choose_source(services: Services, world: World, scene: Scene, role: str, name: str) -> None:
    person, source = world.person(role_of(role)), world.source(name)
    menu = menu_of(scene, role_of(role))
    answer = services.slack.select(
        channel_id=channel_id(world, "ops-alerts"),
        message_ts=menu["ts"],
        user_id=person.slack_id,
        option=f"[{source['id']}] {name}",
    )
    assert answer["ok"], answer


@when(parsers.parse('the Admin clicks "{label}" in the menu'))
def click_in_menu(services: Services, world: World, scene: Scene, label: str) -> None:
    admin = world.person("ADMIN")
    answer = services.slack.click(
        channel_id=channel_id(world, "ops-alerts"),
        message_ts=menu_of(scene)["ts"],
        user_id=admin.slack_id,
        label=label,
    )
    assert answer["ok"], answer


@then(parsers.parse('the menu confirms that the Admin added "{name}" to the channel'))
def menu_confirms(services: Services, world: World, scene: Scene, name: str) -> None:
    admin, source = world.person("ADMIN"), world.source(name)
    text = visible_text(refresh_menu(services, world, scene, "ADMIN"))
    assert f"<@{admin.slack_id}>: Alert source" in text
    assert f"[{source['id']}] {name}" in text and "added to the channel" in text


@then(parsers.parse('the menu lists "{name}" with a "{label}" button'))
def menu_lists(services: Services, world: World, scene: Scene, name: str, label: str) -> None:
    menu = refresh_menu(services, world, scene, "ADMIN")
    source = world.source(name)
    assert f"{services.ilert_url}/alert-sources/{source['id']}|[{source['id']}] {name}" in (
        visible_text(menu)
    )
    assert label in button_labels(menu)


@then(
    parsers.parse('ilert publishes "{name}" automatically to "{channel}" of the linked workspace')
)
def publishes(services: Services, world: World, name: str, channel: str) -> None:
    [action] = slack_actions_for(services, world, name, channel)
    assert action["triggerMode"] == "AUTOMATIC"
    assert "alert-created" in action["triggerTypes"]
    assert action["params"] == {
        "channelId": channel_id(world, channel),
        "channelName": channel.lstrip("#"),
        "teamId": world.team_id,
        "teamDomain": world.team_domain,
    }


@then(parsers.parse('ilert has exactly one alert action for "{name}" and "{channel}"'))
def exactly_one(services: Services, world: World, name: str, channel: str) -> None:
    assert len(slack_actions_for(services, world, name, channel)) == 1


@then(parsers.parse('ilert no longer publishes "{name}" to "{channel}"'))
@then(parsers.parse('ilert does not publish "{name}" to "{channel}"'))
def not_published(services: Services, world: World, name: str, channel: str) -> None:
    assert slack_actions_for(services, world, name, channel) == []


@then(parsers.parse("the {role} alone is told that their ilert role may not change alert sources"))
def told_role(services: Services, world: World, role: str) -> None:
    person, admin = world.person(role_of(role)), world.person("ADMIN")
    channel = channel_id(world, "ops-alerts")
    mine = [
        visible_text(m)
        for m in services.slack.messages(channel, user_id=person.slack_id)
        if m.get("ephemeral_to") == person.slack_id
    ]
    assert any("role" in text.lower() for text in mine), mine
    theirs = [visible_text(m) for m in services.slack.messages(channel, user_id=admin.slack_id)]
    assert not any("role" in text.lower() for text in theirs)


@given(parsers.parse('"{name}" is linked to "{channel}"'))
def source_linked(services: Services, world: World, scene: Scene, name: str, channel: str) -> None:
    type_ilert(services, world, scene, "Admin", channel)
    choose_source(services, world, scene, "Admin", name)
    publishes(services, world, name, channel)


@given(
    parsers.parse(
        'a private team "{team}" with the Admin and the User, owning the alert source "{name}"'
    )
)
def private_team(services: Services, world: World, team: str, name: str) -> None:
    members = [
        {"user": {"id": world.person(r).ilert_id}, "role": "USER"} for r in ("ADMIN", "USER")
    ]
    created = services.ilert.call(
        "POST",
        "/teams",
        key=world.owner_key,
        json={"name": team, "visibility": "PRIVATE", "members": members},
    )
    source = services.ilert.call(
        "POST",
        "/alert-sources",
        key=world.owner_key,
        json={
            "name": name,
            "integrationType": "API",
            "escalationPolicy": {"id": world.policy["id"]},
            "teams": [{"id": created["id"]}],
        },
    )
    world.sources.append(source)


@then(parsers.parse('the menu does not offer "{name}"'))
def menu_lacks(scene: Scene, world: World, name: str) -> None:
    source = world.source(name)
    assert f"[{source['id']}] {name}" not in select_options(scene.menu["USER"])


@then(parsers.parse('the menu offers "{name}"'))
def menu_has(scene: Scene, world: World, name: str) -> None:
    source = world.source(name)
    assert f"[{source['id']}] {name}" in select_options(scene.menu["USER"])


@when(parsers.parse('the User\'s menu sends the choice of "{name}" although it is not offered'))
def crafted_choice(services: Services, world: World, scene: Scene, name: str) -> None:
    source, user = world.source(name), world.person("USER")
    answer = services.slack.select(
        channel_id=channel_id(world, "ops-alerts"),
        message_ts=menu_of(scene, "USER")["ts"],
        user_id=user.slack_id,
        option=str(source["id"]),
        unlisted=True,
    )
    assert answer["ok"], answer


@then("the User alone is told that private teams' sources are linked in ilert's web interface")
def told_private(services: Services, world: World) -> None:
    told_alone(services, world, "User", "private team", "Alert actions")
