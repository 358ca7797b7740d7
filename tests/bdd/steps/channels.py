"""Steps for /ilert and its channel menu (CHAN-1, CHAN-2, CHAN-3, FAQ-4)."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from harness.driver import (
    IlertWeb,
    Services,
    button_labels,
    select_options,
    visible_text,
)
from harness.seed import Person, World
from tests.bdd.steps.common import (
    MENU_HEADING,
    Json,
    SlashCommand,
    channel_id,
    latest_menu,
    role_of,
    run_slash_command,
    slack_actions_for,
    told_alone,
)


def menu_seen(services: Services, world: World, command: SlashCommand) -> Json:
    """The channel menu as the person who ran `/ilert` sees it now."""
    return latest_menu(services, world, command.channel, command.person)


def option(world: World, name: str) -> str:
    """How the menu's selector names a source: its id in brackets, then its name."""
    return f"[{world.source(name)['id']}] {name}"


@then(parsers.parse('the Admin alone sees the channel menu of "{channel}"'))
def menu_only_for_admin(services: Services, world: World, channel: str) -> None:
    admin, user = world.person("ADMIN"), world.person("USER")
    assert latest_menu(services, world, channel, admin)
    seen_by_user = services.slack.messages(channel_id(world, channel), user_id=user.slack_id)
    assert not [m for m in seen_by_user if MENU_HEADING in visible_text(m)]


@then(parsers.parse('the channel menu says "{text}"'))
def menu_says(services: Services, world: World, command: SlashCommand, text: str) -> None:
    menu = menu_seen(services, world, command)
    assert text in visible_text(menu), visible_text(menu)


@then(parsers.parse('the channel menu offers to add "{first}", "{second}" and "{third}"'))
def menu_offers(
    services: Services, world: World, command: SlashCommand, first: str, second: str, third: str
) -> None:
    options = select_options(menu_seen(services, world, command))
    for name in (first, second, third):
        assert option(world, name) in options, options


@then(parsers.parse('the channel menu offers "{name}"'))
def menu_has(services: Services, world: World, command: SlashCommand, name: str) -> None:
    options = select_options(menu_seen(services, world, command))
    assert option(world, name) in options, options


@then(parsers.parse('the channel menu no longer offers "{name}"'))
@then(parsers.parse('the channel menu does not offer "{name}"'))
def menu_lacks(services: Services, world: World, command: SlashCommand, name: str) -> None:
    assert option(world, name) not in select_options(menu_seen(services, world, command))


def choose(services: Services, world: World, person: Person, channel: str, name: str) -> None:
    menu = latest_menu(services, world, channel, person)
    answer = services.slack.select(
        channel_id=channel_id(world, channel),
        message_ts=menu["ts"],
        user_id=person.slack_id,
        option=option(world, name),
    )
    assert answer["ok"], answer


@when(parsers.parse('the {role} chooses "{name}" in the channel menu'))
def choose_source(
    services: Services, world: World, command: SlashCommand, role: str, name: str
) -> None:
    choose(services, world, world.person(role_of(role)), command.channel, name)


@when(parsers.parse('the Admin clicks "{label}" in the channel menu'))
def click_in_menu(services: Services, world: World, command: SlashCommand, label: str) -> None:
    answer = services.slack.click(
        channel_id=channel_id(world, command.channel),
        message_ts=menu_seen(services, world, command)["ts"],
        user_id=command.person.slack_id,
        label=label,
    )
    assert answer["ok"], answer


@then(parsers.parse('the channel menu confirms that the Admin added "{name}" to the channel'))
def menu_confirms(services: Services, world: World, command: SlashCommand, name: str) -> None:
    admin = world.person("ADMIN")
    text = visible_text(menu_seen(services, world, command))
    assert f"<@{admin.slack_id}>: Alert source" in text, text
    assert option(world, name) in text and "added to the channel" in text, text


@then(parsers.parse('the channel menu lists "{name}" with a "{label}" button'))
def menu_lists(
    services: Services, world: World, command: SlashCommand, name: str, label: str
) -> None:
    menu = menu_seen(services, world, command)
    page = IlertWeb(services.ilert_url).alert_source_url(world.source(name)["id"])
    assert f"{page}|{option(world, name)}" in visible_text(menu), visible_text(menu)
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


@then(parsers.parse('ilert does not publish "{name}" to "{channel}"'))
def not_published(services: Services, world: World, name: str, channel: str) -> None:
    assert slack_actions_for(services, world, name, channel) == []


@then(parsers.parse("the {role} alone is told that their ilert role may not change alert sources"))
def told_role(services: Services, world: World, command: SlashCommand, role: str) -> None:
    person, admin = world.person(role_of(role)), world.person("ADMIN")
    channel = channel_id(world, command.channel)
    mine = [
        visible_text(m)
        for m in services.slack.messages(channel, user_id=person.slack_id)
        if m.get("ephemeral_to") == person.slack_id
    ]
    assert any("role" in text.lower() for text in mine), mine
    theirs = [visible_text(m) for m in services.slack.messages(channel, user_id=admin.slack_id)]
    assert not any("role" in text.lower() for text in theirs)


@given(parsers.parse('"{name}" is linked to "{channel}"'))
def source_linked(services: Services, world: World, name: str, channel: str) -> None:
    admin = world.person("ADMIN")
    run_slash_command(services, world, "Admin", "/ilert", channel)
    choose(services, world, admin, channel.lstrip("#"), name)
    publishes(services, world, name, channel)


@given(
    parsers.parse(
        'a private team "{team}" with the Admin and the User, owning the alert source "{name}"'
    )
)
def private_team(services: Services, world: World, team: str, name: str) -> None:
    members = [world.person(role).ilert_id for role in ("ADMIN", "USER")]
    created = services.ilert.create_team(
        world.owner_key, name=team, private=True, member_ids=members
    )
    source = services.ilert.create_alert_source(
        world.owner_key, name=name, policy_id=world.policy["id"], team_ids=[created["id"]]
    )
    world.sources.append(source)


@when(
    parsers.parse(
        'the User\'s channel menu sends the choice of "{name}" although it is not offered'
    )
)
def crafted_choice(services: Services, world: World, command: SlashCommand, name: str) -> None:
    answer = services.slack.select(
        channel_id=channel_id(world, command.channel),
        message_ts=menu_seen(services, world, command)["ts"],
        user_id=command.person.slack_id,
        option=str(world.source(name)["id"]),
        unlisted=True,
    )
    assert answer["ok"], answer


@then("the User alone is told that private teams' sources are linked in ilert's web interface")
def told_private(services: Services, world: World, command: SlashCommand) -> None:
    told_alone(
        services, world, world.person("USER"), command.channel, "private team", "Alert actions"
    )
