"""The `/ilert` menu and the create-alert form against whatever ilert holds: clicks at the same
moment, alert actions with several sources, many sources, long texts, people ilert limits."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from harness.driver import (
    Services,
    SlackControl,
    all_blocks,
    authorize_workspace,
    button_labels,
    is_form,
    view_text,
    visible_text,
)
from harness.seed import World, build_world

Json = dict[str, Any]
_seeds = iter(range(7000, 8000))
TRIGGERS = ["alert-created", "alert-acknowledged", "alert-resolved"]


@pytest.fixture
def world(sim_services: Services) -> World:
    world = build_world(
        sim_services.ilert,
        sim_services.slack,
        seed=next(_seeds),
        roles=("ADMIN", "USER", "RESPONDER", "STAKEHOLDER"),
    )
    admin = world.person("ADMIN")
    landed = authorize_workspace(
        ilert_url=sim_services.ilert_url,
        slack_url=sim_services.slack_url,
        ilert_user_id=admin.ilert_id,
        slack_user_id=admin.slack_id,
    )
    assert landed.query.get("status") == "success", landed.text[:300]
    return world


# --- helpers ------------------------------------------------------------------------------------


def ops(world: World) -> str:
    return world.channel("ops-alerts")["id"]


def open_menu(services: Services, world: World, role: str) -> Json:
    person = world.person(role)
    answer = services.slack.command(
        team_id=world.team_id, channel_id=ops(world), user_id=person.slack_id, command="/ilert"
    )
    assert answer["ok"], answer
    return answer["ephemeral"]


def current(services: Services, world: World, role: str, ts: str) -> Json:
    person = world.person(role)
    messages = services.slack.messages(ops(world), user_id=person.slack_id)
    return next(m for m in messages if m["ts"] == ts)


def told(services: Services, world: World, role: str) -> list[str]:
    """The ephemeral messages a person has in #ops-alerts, oldest first."""
    person = world.person(role)
    return [
        visible_text(m)
        for m in services.slack.messages(ops(world), user_id=person.slack_id)
        if m.get("ephemeral_to") == person.slack_id
    ]


def channel_actions(services: Services, world: World) -> list[Json]:
    actions = services.ilert.call("GET", "/alert-actions", key=world.owner_key)
    return [a for a in actions if a["params"].get("channelId") == ops(world)]


def slack_connector_id(services: Services, world: World) -> str:
    connectors = services.ilert.call("GET", "/connectors", key=world.owner_key)
    return next(c["id"] for c in connectors if c["type"].lower() == "slack")


def create_action(services: Services, world: World, source_ids: list[int]) -> Json:
    return services.ilert.call(
        "POST",
        "/alert-actions",
        key=world.owner_key,
        json={
            "name": "Slack #ops-alerts",
            "alertSources": [{"id": s} for s in source_ids],
            "connectorId": slack_connector_id(services, world),
            "connectorType": "slack",
            "triggerMode": "AUTOMATIC",
            "triggerTypes": TRIGGERS,
            "params": {"channelId": ops(world), "channelName": "ops-alerts"},
        },
    )


def create_sources(services: Services, world: World, count: int, *, name: str = "") -> list[Json]:
    return [
        services.ilert.call(
            "POST",
            "/alert-sources",
            key=world.owner_key,
            json={
                "name": name or f"Service {n:03d}",
                "integrationType": "API",
                "escalationPolicy": {"id": world.policy["id"]},
            },
        )
        for n in range(count)
    ]


def together(count: int, act: Any) -> list[Json]:
    """`act(n)` for n in range(count), all released at the same moment."""
    start = threading.Barrier(count)

    def run(n: int) -> Json:
        start.wait(30)
        return act(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def post(slack: SlackControl, path: str, body: Json) -> Json:
    """One click, in a session of its own as each person has their own browser; then, as the
    person does, wait until what they see in the channel has changed (the app shows the
    outcome after its ack)."""
    channel, user = body.get("channel_id"), body.get("user_id")
    acts = path in ("/actions/select", "/actions/click")  # typing in a select shows nothing
    before = slack.seen_by(channel, user) if acts and channel and user else None
    answer = requests.post(f"{slack.url}/_sim{path}", json=body, timeout=60).json()
    if before is not None and answer.get("ok"):
        slack.wait_for_change(channel, user, before, message_ts=body.get("message_ts"))
    return answer


# Slack's Block Kit limits (reference: blocks, block elements, composition objects, views).
TEXT_LIMITS = {"section": 3000, "header": 150, "context": 3000}


def limit_violations(blocks: list[Json], *, max_blocks: int) -> list[str]:
    """What in `blocks` Slack would refuse for its length or number."""
    found = [f"{len(blocks)} blocks"] if len(blocks) > max_blocks else []
    for block in blocks:
        kind = block.get("type")
        text = (block.get("text") or {}).get("text", "")
        if kind in TEXT_LIMITS and len(text) > TEXT_LIMITS[kind]:
            found.append(f"{kind} text of {len(text)}")
        for element in block.get("elements") or []:
            found += _element_violations(element, where=kind)
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                found += _element_violations(block[key], where=kind)
        label = (block.get("label") or {}).get("text", "")
        if len(label) > 2000:
            found.append(f"input label of {len(label)}")
    return found


def _element_violations(element: Json, *, where: str) -> list[str]:
    found = []
    text = element.get("text") or ""
    if isinstance(text, dict):
        text = text.get("text", "")
    limit = 75 if element.get("type") == "button" else TEXT_LIMITS.get(where, 3000)
    if len(text) > limit:
        found.append(f"{element.get('type')} text of {len(text)}")
    if element.get("type") == "button" and len(element.get("value", "")) > 2000:
        found.append("button value")
    options = element.get("options") or []
    if len(options) > 100:
        found.append(f"{len(options)} options")
    for option in options:
        if len(option["text"]["text"]) > 75 or len(option["value"]) > 150:
            found.append(f"option {option['value'][:20]!r}")
    return found


# --- linking is idempotent under concurrency (one alert action per source and channel) --------


def test_eight_simultaneous_links_of_one_source_make_one_alert_action(
    sim_services: Services, world: World
) -> None:
    source = world.source("New Relic")
    roles = ["ADMIN", "USER"] * 4
    menus = [open_menu(sim_services, world, role) for role in roles]

    reports = together(
        len(roles),
        lambda n: post(
            sim_services.slack,
            "/actions/select",
            {
                "channel_id": ops(world),
                "message_ts": menus[n]["ts"],
                "user_id": world.person(roles[n]).slack_id,
                "option": f"[{source['id']}] New Relic",
            },
        ),
    )

    assert all(r.get("status", 200) < 500 for r in reports), reports
    linked = [a for a in channel_actions(sim_services, world) if a["alertSources"]]
    assert [[s["id"] for s in a["alertSources"]] for a in linked] == [[source["id"]]]
    for n, role in enumerate(roles):
        menu = visible_text(current(sim_services, world, role, menus[n]["ts"]))
        assert "1 Alert source(s) configured" in menu, menu
        assert "added to the channel" in menu or "already linked" in menu, menu


def test_simultaneous_removes_of_two_sources_of_one_alert_action_keep_the_third(
    sim_services: Services, world: World
) -> None:
    first, second, third = (world.source(n) for n in ("New Relic", "Grafana", "Checkout API"))
    create_action(sim_services, world, [first["id"], second["id"], third["id"]])
    menus = [open_menu(sim_services, world, "ADMIN") for _ in range(6)]

    def remove(n: int) -> Json:
        source = (first, second)[n % 2]
        button = next(
            b["accessory"]
            for b in all_blocks(menus[n])
            if f"[{source['id']}]" in (b.get("text") or {}).get("text", "") and "accessory" in b
        )
        return post(
            sim_services.slack,
            "/actions/click",
            {
                "channel_id": ops(world),
                "message_ts": menus[n]["ts"],
                "user_id": world.person("ADMIN").slack_id,
                "action_id": "remove_alert_source",
                "value": button["value"],
            },
        )

    reports = together(len(menus), remove)

    assert all(r.get("status", 200) < 500 for r in reports), reports
    [left] = channel_actions(sim_services, world)
    assert [s["id"] for s in left["alertSources"]] == [third["id"]]


# --- Remove takes one source off, whatever else its alert action publishes ---------------------


def test_remove_on_one_source_of_a_two_source_alert_action_keeps_the_other(
    sim_services: Services, world: World
) -> None:
    first, second = world.source("New Relic"), world.source("Grafana")
    action = create_action(sim_services, world, [first["id"], second["id"]])
    menu = open_menu(sim_services, world, "ADMIN")
    assert "2 Alert source(s) configured" in visible_text(menu)
    assert button_labels(menu).count("Remove") == 2
    remove_first = next(
        b["accessory"]
        for b in all_blocks(menu)
        if f"[{first['id']}] New Relic" in (b.get("text") or {}).get("text", "")
    )

    answer = post(
        sim_services.slack,
        "/actions/click",
        {
            "channel_id": ops(world),
            "message_ts": menu["ts"],
            "user_id": world.person("ADMIN").slack_id,
            "action_id": "remove_alert_source",
            "value": remove_first["value"],
        },
    )

    assert answer["ok"], answer
    [left] = channel_actions(sim_services, world)
    assert left["id"] == action["id"]
    assert [s["id"] for s in left["alertSources"]] == [second["id"]]
    shown = visible_text(current(sim_services, world, "ADMIN", menu["ts"]))
    assert f"[{first['id']}] New Relic" in shown and "removed from the channel" in shown
    assert "1 Alert source(s) configured" in shown
    assert f"[{second['id']}] Grafana" in shown


# --- every source is offered, past ilert's page and past Slack's 100 options -------------------


def test_with_120_sources_the_menu_searches_them_all_and_links_the_last(
    sim_services: Services, world: World
) -> None:
    created = create_sources(sim_services, world, 120)
    last = created[-1]
    menu = open_menu(sim_services, world, "ADMIN")
    [select] = [b["accessory"] for b in all_blocks(menu) if b.get("block_id") == "add_alert_source"]
    assert select["type"] == "external_select"
    on_menu = {
        "channel_id": ops(world),
        "message_ts": menu["ts"],
        "user_id": world.person("ADMIN").slack_id,
    }

    everything = post(sim_services.slack, "/actions/type", {**on_menu, "query": ""})
    found = post(sim_services.slack, "/actions/type", {**on_menu, "query": "Service 119"})
    picked = post(
        sim_services.slack,
        "/actions/select",
        # Another query than before: the same one within a second would be the same signed
        # request, which the connector refuses as a replay.
        {**on_menu, "query": "Service 11", "option": str(last["id"])},
    )

    assert everything["ok"] and len(everything["options"]) == 100
    assert [o["value"] for o in found["options"]] == [str(last["id"])]
    assert picked["ok"], picked
    [action] = channel_actions(sim_services, world)
    assert [s["id"] for s in action["alertSources"]] == [last["id"]]


def test_with_120_sources_the_create_alert_form_reaches_the_last(
    sim_services: Services, world: World
) -> None:
    last = create_sources(sim_services, world, 120)[-1]
    admin = world.person("ADMIN")
    opened = sim_services.slack.command(
        team_id=world.team_id,
        channel_id=ops(world),
        user_id=admin.slack_id,
        command="/ilert",
        text="alert",
    )
    assert opened["ok"], opened
    view = sim_services.slack.wait_for_view(admin.slack_id, is_form, what="the form")
    source_input = next(b for b in view["blocks"] if b.get("block_id") == "source")
    assert source_input["element"]["type"] == "external_select"

    picked = post(
        sim_services.slack,
        "/actions/select",
        {
            "view_id": view["id"],
            "user_id": admin.slack_id,
            "action_id": "source",
            "query": "Service 119",
            "option": "Service 119",
        },
    )
    submitted = sim_services.slack.submit_view(
        view_id=view["id"],
        user_id=admin.slack_id,
        values={"Escalation policy": world.policy["name"], "Alert summary": "Disk full"},
    ).json()

    assert picked["ok"], picked
    assert submitted["ok"], submitted
    sim_services.slack.wait_for_view(
        admin.slack_id, lambda v: "created in ilert" in view_text(v), what="the alert created"
    )
    alerts = sim_services.ilert.call(
        "GET", "/alerts", key=world.owner_key, params={"sources": last["id"]}
    )
    assert [a["summary"] for a in alerts] == ["Disk full"]


# --- messages Slack accepts, whatever ilert holds ----------------------------------------------


def test_sixty_linked_sources_page_through_menus_slack_accepts(
    sim_services: Services, world: World
) -> None:
    sources = create_sources(sim_services, world, 60)
    create_action(sim_services, world, [s["id"] for s in sources])
    menu = open_menu(sim_services, world, "ADMIN")
    admin = world.person("ADMIN")
    seen: set[str] = set()
    for _ in range(10):
        assert limit_violations(all_blocks(menu), max_blocks=50) == []
        seen |= {f"[{s['id']}]" for s in sources if f"[{s['id']}] " in visible_text(menu)}
        if "Next" not in button_labels(menu):
            break
        answer = sim_services.slack.click(
            channel_id=ops(world), message_ts=menu["ts"], user_id=admin.slack_id, label="Next"
        )
        assert answer["ok"], answer
        menu = current(sim_services, world, "ADMIN", menu["ts"])
    assert "60 Alert source(s) configured" in visible_text(menu)
    assert len(seen) == 60


def test_long_names_and_summaries_are_cut_with_a_marker(
    sim_services: Services, world: World
) -> None:
    # As long as ilert lets them be: names of 255 characters, summaries of 1,024 (each `<&>`
    # three times longer once escaped for Slack, past a section's 3,000).
    [long_source] = create_sources(sim_services, world, 1, name=("Checkout " * 40)[:255])
    create_action(sim_services, world, [long_source["id"]])
    menu = open_menu(sim_services, world, "ADMIN")
    assert limit_violations(all_blocks(menu), max_blocks=50) == []
    assert "…" in visible_text(menu)

    sim_services.ilert.call(
        "POST",
        "/alerts",
        key=world.owner_key,
        json={"summary": "Disk <&> " + "<&>" * 338, "alertSource": {"id": long_source["id"]}},
    )
    sim_services.ilert.wait_for_deliveries()
    [message] = [
        m for m in sim_services.slack.messages(ops(world)) if "[Pending]" in visible_text(m)
    ]
    assert limit_violations(all_blocks(message), max_blocks=50) == []
    title = all_blocks(message)[0]["text"]["text"]
    assert title.endswith("…>*") and "&amp;" in title
    assert len(message["attachments"][0]["fallback"]) <= 3000


# --- person-facing messages name the real reason ------------------------------------------------


def test_a_stakeholder_sees_every_linked_source_and_learns_why_they_cannot_link(
    sim_services: Services, world: World
) -> None:
    for name in ("New Relic", "Grafana"):
        create_action(sim_services, world, [world.source(name)["id"]])
    menu = open_menu(sim_services, world, "STAKEHOLDER")
    assert "2 Alert source(s) configured" in visible_text(menu)

    answer = post(
        sim_services.slack,
        "/actions/click",
        {
            "channel_id": ops(world),
            "message_ts": menu["ts"],
            "user_id": world.person("STAKEHOLDER").slack_id,
            "label": "Remove",
        },
    )

    assert answer["ok"], answer
    [reason] = told(sim_services, world, "STAKEHOLDER")[-1:]
    assert "role" in reason and "not linked" not in reason, reason
    assert len(channel_actions(sim_services, world)) == 2


def test_a_user_outside_a_private_team_learns_why_they_cannot_accept_its_alert(
    sim_services: Services, world: World
) -> None:
    members = [{"user": {"id": world.person("ADMIN").ilert_id}, "role": "USER"}]
    team = sim_services.ilert.call(
        "POST",
        "/teams",
        key=world.owner_key,
        json={"name": "Payments", "visibility": "PRIVATE", "members": members},
    )
    source = sim_services.ilert.call(
        "POST",
        "/alert-sources",
        key=world.owner_key,
        json={
            "name": "Payments Gateway",
            "integrationType": "API",
            "escalationPolicy": {"id": world.policy["id"]},
            "teams": [{"id": team["id"]}],
        },
    )
    create_action(sim_services, world, [source["id"]])
    alert = sim_services.ilert.call(
        "POST",
        "/alerts",
        key=world.owner_key,
        json={"summary": "Card payments failing", "alertSource": {"id": source["id"]}},
    )
    sim_services.ilert.wait_for_deliveries()
    [message] = [
        m for m in sim_services.slack.messages(ops(world)) if "Card payments" in visible_text(m)
    ]

    answer = sim_services.slack.click(
        channel_id=ops(world),
        message_ts=message["ts"],
        user_id=world.person("USER").slack_id,
        label="Accept",
    )

    assert answer["ok"], answer
    [reason] = told(sim_services, world, "USER")[-1:]
    assert f"alert {alert['id']}" in reason and "team" in reason, reason
    assert "not found" not in reason
    status = sim_services.ilert.call("GET", f"/alerts/{alert['id']}", key=world.owner_key)
    assert status["status"] == "PENDING"


def test_someone_who_sees_no_alert_source_is_told_so_instead_of_an_empty_form(
    sim_services: Services, world: World
) -> None:
    stakeholder = world.person("STAKEHOLDER")  # sees only their teams' sources: none here

    answer = sim_services.slack.command(
        team_id=world.team_id,
        channel_id=ops(world),
        user_id=stakeholder.slack_id,
        command="/il-alert",
    )

    assert answer["ok"], answer
    told = sim_services.slack.wait_for_view(
        stakeholder.slack_id, lambda v: "no alert sources" in view_text(v), what="the refusal"
    )
    assert not is_form(told), told


def test_a_slack_user_without_an_email_address_is_told_so(
    sim_services: Services, world: World
) -> None:
    nobody = sim_services.slack.create_user(
        world.team_id, name="build-bot", email="", real_name="Build Bot"
    )
    sim_services.slack.invite(ops(world), nobody["id"])

    answer = sim_services.slack.command(
        team_id=world.team_id, channel_id=ops(world), user_id=nobody["id"], command="/ilert"
    )

    text = visible_text(answer["ephemeral"])
    assert "no e-mail address" in text and "users:read.email" not in text, text
