"""A workspace unlinked in ilert is free again: ilert does not tell the connector, so the
connector confirms an old link with ilert before refusing the workspace to another account."""

from __future__ import annotations

from itertools import count

from harness.driver import Services, authorize_workspace
from harness.seed import World, build_world

_seeds = count(7100)


def authorize(services: Services, ilert_admin: World, slack_admin: World) -> str:
    """`success`, or the error code, of an install by one account's Admin into a workspace
    whose Admin gives consent."""
    landed = authorize_workspace(
        ilert_url=services.ilert_url,
        slack_url=services.slack_url,
        ilert_user_id=ilert_admin.person("ADMIN").ilert_id,
        slack_user_id=slack_admin.person("ADMIN").slack_id,
    )
    return landed.query.get("error") or landed.query.get("status", "")


def another_account(services: Services) -> World:
    return build_world(services.ilert, services.slack, seed=next(_seeds), roles=("ADMIN",))


def test_a_workspace_unlinked_in_ilert_can_be_linked_to_another_account(
    sim_services: Services,
) -> None:
    first = build_world(sim_services.ilert, sim_services.slack, seed=next(_seeds))
    assert authorize(sim_services, first, first) == "success"
    [connector] = sim_services.ilert.call("GET", "/connectors", key=first.owner_key)
    sim_services.ilert.call("DELETE", f"/connectors/{connector['id']}", key=first.owner_key)

    second = another_account(sim_services)
    assert authorize(sim_services, second, first) == "success"
    [linked] = sim_services.ilert.call("GET", "/connectors", key=second.owner_key)
    assert linked["params"]["teamId"] == first.team_id


def test_a_workspace_still_linked_in_ilert_stays_refused_to_another_account(
    sim_services: Services,
) -> None:
    first = build_world(sim_services.ilert, sim_services.slack, seed=next(_seeds))
    assert authorize(sim_services, first, first) == "success"
    second = another_account(sim_services)
    assert authorize(sim_services, second, first) == "workspace_linked_elsewhere"
    assert sim_services.ilert.call("GET", "/connectors", key=second.owner_key) == []
