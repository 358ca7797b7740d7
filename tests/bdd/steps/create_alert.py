"""Steps for the "Alert on-call team" form (CREATE-1)."""

from __future__ import annotations

import requests
from pytest_bdd import parsers, then, when

from harness.driver import Services, is_form, view_text
from harness.seed import World
from tests.bdd.steps.common import Json, role_of


def top_view(services: Services, world: World, role: str) -> Json:
    """The modal on top for the person, once it is the form (it opens saying it is loading)."""
    slack_id = world.person(role_of(role)).slack_id
    return services.slack.wait_for_view(slack_id, is_form, what=f"the {role}'s form")


def view_inputs(view: Json) -> dict[str, Json]:
    return {b["label"]["text"]: b for b in view["blocks"] if b["type"] == "input"}


@then(parsers.parse('the {role} sees the form "{title}" asking for:'))
def sees_form(
    services: Services, world: World, role: str, title: str, datatable: list[list[str]]
) -> None:
    view = top_view(services, world, role)
    assert view["title"]["text"] == title
    inputs = view_inputs(view)
    header, *rows = datatable
    assert header == ["field", "required"], header
    assert list(inputs) == [field for field, _ in rows]
    for field, required in rows:
        assert inputs[field].get("optional", False) is (required == "no"), inputs[field]


def submit_form(services: Services, world: World, role: str, values: Json) -> requests.Response:
    view = top_view(services, world, role)
    return services.slack.submit_view(
        view_id=view["id"], user_id=world.person(role_of(role)).slack_id, values=values
    )


@when(
    parsers.parse(
        'the {role} submits the form with the source "{source}", the policy "{policy}" and the '
        'summary "{summary}"'
    ),
    target_fixture="form_answer",
)
def submit_alert_form(
    services: Services, world: World, role: str, source: str, policy: str, summary: str
) -> requests.Response:
    values = {"Alert source": source, "Escalation policy": policy, "Alert summary": summary}
    answer = submit_form(services, world, role, values)
    assert answer.status_code == 200, answer.text
    return answer


@when(
    parsers.parse(
        'the {role} tries to submit the form with the source "{source}", the policy "{policy}" '
        "and no summary"
    ),
    target_fixture="form_answer",
)
def submit_without_summary(
    services: Services, world: World, role: str, source: str, policy: str
) -> requests.Response:
    return submit_form(services, world, role, {"Alert source": source, "Escalation policy": policy})


@then(parsers.parse("the form tells the {role} that the alert was created"))
def form_says_created(services: Services, world: World, role: str) -> None:
    services.slack.wait_for_view(
        world.person(role_of(role)).slack_id,
        lambda view: "created in ilert" in view_text(view),
        what=f"the {role}'s form to say that the alert was created",
    )


@then(parsers.parse('Slack keeps the form open because "{label}" is required'))
def form_requires(form_answer: requests.Response, label: str) -> None:
    answer = form_answer.json()
    assert form_answer.status_code == 422, answer
    assert answer["error"] == "input_required"
    assert label in answer["message"]


@then(parsers.parse('the form stays open and says "{text}" under "{label}"'))
def form_error(
    services: Services, world: World, form_answer: requests.Response, text: str, label: str
) -> None:
    answer = form_answer.json()
    assert answer.get("closed") is False, answer
    block_id = view_inputs(top_view(services, world, "User"))[label]["block_id"]
    assert text in answer["errors"][block_id], answer["errors"]


def alerts_on(services: Services, world: World, source: str) -> list[Json]:
    return services.ilert.alerts(world.owner_key, source_id=world.source(source)["id"])


@then(parsers.parse('ilert has an alert "{summary}" on "{source}" created by the {role}'))
def alert_created_by(
    services: Services, world: World, summary: str, source: str, role: str
) -> None:
    [alert] = [a for a in alerts_on(services, world, source) if a["summary"] == summary]
    entries = services.ilert.alert_log(world.owner_key, alert["id"])
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
