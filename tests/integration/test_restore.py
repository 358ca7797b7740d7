"""Export, stop, start again with the export: the demo carries on where it was."""

from __future__ import annotations

import json

from harness.driver import Services, authorize_workspace, button_labels, visible_text
from harness.seed import World, build_world
from harness.simulation import Simulation, SimulationConfig


def services_of(simulation: Simulation) -> Services:
    return Services(simulation.ilert_url, simulation.slack_url, simulation.connector_url)


def link_and_alert(services: Services, world: World) -> tuple[dict, dict]:
    admin = world.person("ADMIN")
    landed = authorize_workspace(
        ilert_url=services.ilert_url,
        slack_url=services.slack_url,
        ilert_user_id=admin.ilert_id,
        slack_user_id=admin.slack_id,
    )
    assert landed.query["status"] == "success"
    channel, source = world.channel("ops-alerts"), world.source("New Relic")
    services.slack.command(
        team_id=world.team_id, channel_id=channel["id"], user_id=admin.slack_id, command="/ilert"
    )
    menu = services.slack.messages(channel["id"], user_id=admin.slack_id)[-1]
    services.slack.select(
        channel_id=channel["id"],
        message_ts=menu["ts"],
        user_id=admin.slack_id,
        option=f"[{source['id']}] New Relic",
    )
    alert = services.ilert.call(
        "POST",
        "/alerts",
        key=world.owner_key,
        json={"summary": "Before the restart", "alertSource": {"id": source["id"]}},
    )
    services.ilert.wait_for_deliveries()
    return channel, alert


def test_a_restored_simulation_keeps_alerts_links_installs_and_messages() -> None:
    config = SimulationConfig(clock="virtual", connector_secret="restore-secret")
    with Simulation(config) as first:
        services = services_of(first)
        world = build_world(services.ilert, services.slack, seed=77)
        channel, alert = link_and_alert(services, world)
        saved = json.loads(json.dumps(first.export_state()))

    restored = Simulation(SimulationConfig(clock="virtual", connector_secret="restore-secret"))
    restored.start(restore=saved)
    try:
        services = services_of(restored)
        [message] = [m for m in services.slack.messages(channel["id"]) if m.get("attachments")]
        assert "[Pending] Before the restart" in visible_text(message)
        responder = world.person("RESPONDER")
        clicked = services.slack.click(
            channel_id=channel["id"],
            message_ts=message["ts"],
            user_id=responder.slack_id,
            label="Accept",
        )
        assert clicked["ok"], clicked
        services.ilert.wait_for_deliveries()
        after = services.ilert.call("GET", f"/alerts/{alert['id']}", key=world.owner_key)
        assert after["status"] == "ACCEPTED"
        [message] = [m for m in services.slack.messages(channel["id"]) if m.get("attachments")]
        assert button_labels(message) == ["Resolve"]
        connectors = services.ilert.call("GET", "/connectors", key=world.owner_key)
        assert [c["params"]["teamId"] for c in connectors] == [world.team_id]
    finally:
        restored.stop()
