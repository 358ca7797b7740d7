"""Steps for the "Alert on-call team" form (CREATE-1)."""

from __future__ import annotations

from pytest_bdd import parsers, then, when

from harness.driver import (
    Services,
)
from harness.seed import World
from tests.bdd.steps.common import Json, Scene, role_of


def top_view(services: Services, world: World, role: str) -> Json:
    views = services.slack.open_views(world.person(role_of(role)).slack_id)
    assert views, f"no form is open for the {role}"
    return views[-1]


def view_inputs(view: Json) -> dict[str, Json]:
    return {b["label"]["text"]: b for b in view["blocks"] if b["type"] == "input"}


@then(parsers.parse('the {role} sees the form "{title}" asking for "{a}", "{b}", "{c}" and "{d}"'))
def sees_form(
    services: Services, world: World, role: str, title: str, a: str, b: str, c: str, d: str
) -> None:
    view = top_view(services, world, role)
    assert view["title"]["text"] == title
    inputs = view_inputs(view)
    assert list(inputs) == [a, b, c, d]
    assert inputs[d].get("optional") is True


def submit_form(services: Services, world: World, scene: Scene, role: str, values: Json) -> None:
    view = top_view(services, world, role)
    scene.response = services.slack.submit_view(
        view_id=view["id"], user_id=world.person(role_of(role)).slack_id, values=values
    )
    scene.slack_answer = scene.response.json()


@when(
    parsers.parse(
        'the {role} submits the form with the source "{source}", the policy "{policy}" and the '
        'summary "{summary}"'
    )
)
def submit_alert_form(
    services: Services,
    world: World,
    scene: Scene,
    role: str,
    source: str,
    policy: str,
    summary: str,
) -> None:
    submit_form(
        services,
        world,
        scene,
        role,
        {"Alert source": source, "Escalation policy": policy, "Alert summary": summary},
    )
    assert scene.response is not None and scene.response.status_code == 200, scene.slack_answer


@when(
    parsers.parse(
        'the {role} tries to submit the form with the source "{source}", the policy "{policy}" '
        "and no summary"
    )
)
def submit_without_summary(
    services: Services, world: World, scene: Scene, role: str, source: str, policy: str
) -> None:
    submit_form(services, world, scene, role, {"Alert source": source, "Escalation policy": policy})


@then("the form closes")
def form_closes(scene: Scene) -> None:
    assert scene.slack_answer.get("closed") is True, scene.slack_answer


@then(parsers.parse('the form refuses because "{label}" is required'))
def form_requires(scene: Scene, label: str) -> None:
    assert scene.response is not None and scene.response.status_code == 422
    assert scene.slack_answer["error"] == "input_required"
    assert label in scene.slack_answer["message"]


@then(parsers.parse('the form stays open and says "{text}" next to "{block_id}"'))
def form_error(scene: Scene, text: str, block_id: str) -> None:
    assert scene.slack_answer.get("closed") is False, scene.slack_answer
    assert text in scene.slack_answer["errors"][block_id]


def alerts_on(services: Services, world: World, source: str) -> list[Json]:
    return services.ilert.call(
        "GET", "/alerts", key=world.owner_key, params={"sources": world.source(source)["id"]}
    )


@then(parsers.parse('ilert has an alert "{summary}" on "{source}" created by the {role}'))
def alert_created_by(
    services: Services, world: World, summary: str, source: str, role: str
) -> None:
    [alert] = [a for a in alerts_on(services, world, source) if a["summary"] == summary]
    entries = services.ilert.call("GET", f"/alerts/{alert['id']}/log-entries", key=world.owner_key)
    creators = [e["actor"]["id"] for e in entries if e.get("actor")]
    assert creators and creators[0] == world.person(role_of(role)).ilert_id, entries


@then(parsers.parse('ilert has no alert on "{source}"'))
def no_alert_on(services: Services, world: World, source: str) -> None:
    assert alerts_on(services, world, source) == []


@then(parsers.parse('the form offers the sources "{a}", "{b}" and "{c}" but not "{hidden}"'))
def form_sources(services: Services, world: World, a: str, b: str, c: str, hidden: str) -> None:
    view = top_view(services, world, "Responder")
    options = [o["text"]["text"] for o in view_inputs(view)["Alert source"]["element"]["options"]]
    assert {a, b, c} <= set(options), options
    assert hidden not in options
