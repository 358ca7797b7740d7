"""fake ilert's OpenAPI document is true: it names every route and only those, and generated
requests (schemathesis, valid and invalid) get only documented answers, never a 5xx. For the
operations of ilert that fake ilert serves, the document is ilert's own (`emulator/ilert/spec`),
so the requests are those a client of ilert's document sends and the answers are checked
against ilert's schemas.

A second run takes schemathesis's coverage phase: for every parameter and body property it sends
the boundary values the document allows and one request breaking each declared constraint (type,
enum, minimum and maximum, length, pattern, required, content type, method). The server must
accept every allowed value (no 400) and refuse every broken one, so the document and the
server's parsing cannot drift apart unseen.

The suite runs a small generation (ILERT_FUZZ_EXAMPLES, default 2 per operation and mode). The
documented long run (docs/fake-ilert.md) sets it higher and asserts at least 1,000 requests:

    ILERT_FUZZ_EXAMPLES=12 ILERT_FUZZ_MIN_REQUESTS=1000 pytest tests/fidelity/ilert -q
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.hypothesis.builder import FeedbackSources, Override
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from emulator.clock import VirtualClock
from emulator.ilert.app import FakeIlert
from emulator.ilert.openapi import openapi_document

EXAMPLES = int(os.environ.get("ILERT_FUZZ_EXAMPLES", "2"))
MIN_REQUESTS = int(os.environ.get("ILERT_FUZZ_MIN_REQUESTS", "100"))
# Derandomized (the same requests every run) unless ILERT_FUZZ_RANDOM=1 asks for new ones.
RANDOM = os.environ.get("ILERT_FUZZ_RANDOM") == "1"
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Invalid requests are checked by the same rules (documented status, shape, no 5xx), not by
# schemathesis's negative_data_rejection: like ilert, fake ilert ignores unknown query
# parameters, and the test puts back the Authorization header a negative case may drop.
# Wiping or replacing the whole state would leave nothing to test; both have their own tests.
SKIPPED = {("POST", "/_sim/reset"), ("POST", "/_sim/import")}


def _flask_routes(sim: FakeIlert) -> set[tuple[str, str]]:
    found = set()
    for rule in sim.app.url_map.iter_rules():
        if not rule.rule.startswith(("/api", "/_sim")):
            continue
        path = re.sub(r"<[^<>]+>", "{}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((method.lower(), path))
    return found


def _documented() -> set[tuple[str, str]]:
    """Paths with their parameters unnamed: the document keeps ilert's names (`{user-id}`),
    which are not Python's."""
    return {
        (method, re.sub(r"{[^}]+}", "{}", path))
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_every_route_is_documented_and_nothing_else() -> None:
    sim = FakeIlert(clock=VirtualClock())
    try:
        routes = _flask_routes(sim)
    finally:
        sim.close()
    assert routes - _documented() == set(), "routes missing from the OpenAPI document"
    assert _documented() - routes == set(), "documented operations with no route"


def test_path_parameters_match_their_templates() -> None:
    document = openapi_document()
    for path, item in document["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, op in item.items():
            declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
            assert declared == names, (method, path)


def test_the_document_is_served_and_linked() -> None:
    sim = FakeIlert(clock=VirtualClock())
    try:
        client = sim.app.test_client()
        assert client.get("/_sim/openapi.json").get_json() == openapi_document()
        home = client.get("/", headers={"Accept": "application/json"}).get_json()
        assert home["openapi"] == "/_sim/openapi.json"
        assert "/_sim/openapi.json" in client.get("/").get_data(as_text=True)
    finally:
        sim.close()


# -- generated requests -----------------------------------------------------------------------


class World:
    """A seeded fake ilert, and pools of real ids so generated requests reach real objects."""

    def __init__(self) -> None:
        self.sim = FakeIlert(clock=VirtualClock(start=1_700_000_000.0), seed=3)
        self.client = self.sim.app.test_client()
        account = self._post("/_sim/accounts", {"name": "Fuzz"})
        self.keys: dict[str, str] = {"OWNER": account["apiKey"]}
        self.pools: dict[str, list[Any]] = {"account_id": [account["id"]]}
        users = [account["owner"]]
        for role in ("ADMIN", "USER", "RESPONDER", "STAKEHOLDER", "GUEST"):
            made = self._post(
                f"/_sim/accounts/{account['id']}/users",
                {"email": f"{role.lower()}@fuzz.example", "role": role, "firstName": role},
            )
            self.keys[role] = made["apiKey"]
            users.append(made["user"])
        ids = [u["id"] for u in users]
        state = self.sim.state
        owner = state.authenticate(self.keys["OWNER"], None)
        team = state.create_team(
            owner,
            {"name": "Private", "visibility": "PRIVATE", "members": [{"user": {"id": ids[3]}}]},
        )
        policy = state.create_policy(
            owner,
            {
                "name": "P",
                "routingKey": "p",
                "escalationRules": [
                    {"escalationTimeout": 1, "users": [{"id": ids[3]}]},
                    {"escalationTimeout": 1, "users": [{"id": ids[2]}]},
                ],
            },
        )
        sources = [
            state.create_source(owner, {"name": "S1", "escalationPolicy": {"id": policy.id}}),
            state.create_source(
                owner,
                {
                    "name": "S2",
                    "escalationPolicy": {"id": policy.id},
                    "teams": [{"id": team.id}],
                },
            ),
        ]
        connector, integration = state.register_slack(
            account_id=account["id"],
            user_id=ids[0],
            nonce="fuzz",
            workspace={"id": "T0FUZZ", "domain": "fuzz"},
            scopes=["commands"],
            missing_scopes=[],
        )
        self.keys["INTEGRATION"] = integration
        action = state.create_action(
            owner,
            {
                "connectorType": "slack",
                "connectorId": connector.id,
                "alertSources": [{"id": s.id} for s in sources],
                "triggerTypes": ["alert-created"],
                "params": {"channelId": "C1"},
            },
        )
        hook = state.create_connector(owner, {"type": "datadog"})
        alerts = [
            state.create_alert(owner, {"summary": f"a{n}", "alertSource": {"id": s.id}})
            for n, s in enumerate(sources * 3)
        ]
        state.accept_alert(owner, alerts[0].id)
        state.resolve_alert(owner, alerts[1].id)
        on_call = self._on_call_objects(account["apiKey"], ids, [s.id for s in sources])
        self.user_ids = ids
        self.pools.update(
            {
                "alert_id": [a.id for a in alerts],
                "team_id": [team.id],
                "policy_id": [policy.id],
                "action_id": [action.id],
                "connector_id": [connector.id, hook.id],
                "user_id": ids,
                "user_ref": [*ids, "owner", "user"],
                "source_ref": [*(s.id for s in sources), sources[0].integration_key],
                **on_call,
            }
        )

    def _on_call_objects(
        self, key: str, user_ids: list[int], source_ids: list[int]
    ) -> dict[str, list[Any]]:
        """A schedule, support hours and a maintenance window, for the on-call paths' ids."""
        headers = {"Authorization": f"Bearer {key}"}
        layer = {"startsOn": "2023-11-01T00:00:00Z", "users": [{"id": u} for u in user_ids[:3]]}
        schedule = {"name": "Rota", "timezone": "Europe/Berlin", "type": "RECURRING"}
        schedule["scheduleLayers"] = [{**layer, "rotation": "P1D"}]
        hours = {
            "name": "Office",
            "timezone": "Europe/Berlin",
            "supportDays": {"MONDAY": {"start": "08:00", "end": "18:00"}},
        }
        window = {
            "summary": "Upgrade",
            "timezone": "Europe/Berlin",
            "start": "2030-01-01T00:00:00Z",
            "end": "2030-01-02T00:00:00Z",
            "alertSources": [{"id": source_ids[0]}],
        }
        made = {
            name: self.client.post(path, json=body, headers=headers).get_json()
            for name, path, body in (
                ("schedule_id", "/api/schedules", schedule),
                ("hours_id", "/api/support-hours", hours),
                ("window_id", "/api/maintenance-windows", window),
            )
        }
        return {name: [body["id"]] for name, body in made.items()}

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.client.post(path, json=body)
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        return response.get_json()

    def pool(self, path: str, name: str) -> list[Any]:
        """Real values for a path parameter: by its name where that says what it is, else by
        the collection the path starts with (ilert names most of them `id`)."""
        if name in ("user-id", "account_id"):
            return self.pools["user_id" if name == "user-id" else "account_id"]
        for prefix, pool in POOLS_BY_PATH:
            if path.startswith(prefix):
                return self.pools[pool]
        return []

    def close(self) -> None:
        self.sim.close()


POOLS_BY_PATH = (
    ("/api/users/", "user_ref"),
    ("/api/teams/", "team_id"),
    ("/api/escalation-policies/", "policy_id"),
    ("/api/alert-sources/", "source_ref"),
    ("/api/alerts/", "alert_id"),
    ("/api/alert-actions/", "action_id"),
    ("/api/connectors/", "connector_id"),
)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    made = World()
    yield made
    made.close()


def _operations(world: World) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/_sim/openapi.json", world.sim.app)
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIPPED:
            found.append(operation)
    return found


def _fuzz(world: World, operation: Any, mode: GenerationMode, sent: Counter[str]) -> None:
    path_names = [p.name for p in operation.path_parameters]
    keys = [*world.keys.values()]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case: Any, data: Any) -> None:
        # Half the time aim at real objects, else keep what was generated (mostly 404s).
        if mode == GenerationMode.POSITIVE:
            for name in path_names:
                pool = world.pool(operation.path, name)
                if pool and data.draw(st.booleans()):
                    case.path_parameters[name] = data.draw(st.sampled_from(pool))
        key = data.draw(st.sampled_from([keys[0], keys[0], *keys]))
        headers = {"Authorization": f"Bearer {key}"}
        if key == world.keys["INTEGRATION"] and data.draw(st.booleans()):
            headers["X-On-Behalf-Of"] = str(data.draw(st.sampled_from(world.user_ids)))
        case.call_and_validate(headers=headers, checks=CHECKS)
        sent[f"{operation.method.upper()} {operation.path}"] += 1

    try:
        run()
    except Unsatisfiable:
        # An operation with nothing to get wrong (no parameters, no body) has no invalid case.
        if mode != GenerationMode.NEGATIVE:
            raise


def test_generated_requests_get_documented_answers(world: World) -> None:
    sent: Counter[str] = Counter()
    operations = _operations(world)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(world, operation, mode, sent)
    total = sum(sent.values())
    print(f"\nfake ilert fuzz: {total} requests over {len(sent)} operations")
    assert len(sent) == len(operations)
    assert total >= MIN_REQUESTS, total


# -- the document against the server, constraint by constraint ------------------------------

COVERAGE_CHECKS = [
    *CHECKS,
    negative_data_rejection,
    allow_header_conformance,
    unsupported_method,
]
# Parsed in one place for every operation (`IlertState.authenticate`): tried on one of them.
SHARED_HEADERS = {"team-context", "X-On-Behalf-Of"}


def _coverage_cases(world: World) -> Iterator[Any]:
    tried_headers: set[tuple[str, str, str]] = set()
    for operation in _operations(world):
        generator = CoverageGenerator(
            operation=operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=operation.schema.config.generation_for(
                operation=operation, phase="coverage"
            ),
            auth_storage=None,
            override=Override(),
            feedback=FeedbackSources(),
        )
        for case in generator:
            data = case.meta.phase.data
            if (
                data.parameter_location == ParameterLocation.HEADER
                and data.parameter in SHARED_HEADERS
            ):
                tried = (str(data.scenario), data.parameter, repr(case.headers))
                if tried in tried_headers:
                    continue
                tried_headers.add(tried)
            yield case


def _authorized(world: World, case: Any) -> dict[str, str]:
    """The owner's key; the integration key where the case sends X-On-Behalf-Of (only such a
    key may, so only then does the server read that header's value)."""
    headers = dict(case.headers or {})
    kind = "INTEGRATION" if "X-On-Behalf-Of" in headers else "OWNER"
    return {"Authorization": f"Bearer {world.keys[kind]}", **headers}


def test_every_declared_constraint_is_the_servers(world_for_coverage: World) -> None:
    """An allowed value is never refused as malformed (400); a broken constraint is refused."""
    disagreements: list[str] = []
    total = 0
    for case in _coverage_cases(world_for_coverage):
        total += 1
        case.headers = _authorized(world_for_coverage, case)
        label = f"{case.operation.label} [{case.meta.phase.data.description}]"
        try:
            response = case.call_and_validate(checks=COVERAGE_CHECKS)
        except Exception as failure:  # each check's failure, reported all together below
            disagreements.append(f"{label}: {str(failure).split('Reproduce')[0].strip()}")
            continue
        if case.meta.generation.mode == GenerationMode.POSITIVE and response.status_code == 400:
            disagreements.append(f"{label}: an allowed request refused: {response.text}")
    print(f"\nfake ilert coverage: {total} requests")
    assert not disagreements, "\n\n".join(disagreements[:20])
    assert total >= 1000, total


@pytest.fixture(scope="module")
def world_for_coverage() -> Iterator[World]:
    made = World()
    yield made
    made.close()


def _component(name: str) -> dict[str, Any]:
    return openapi_document()["components"]["schemas"][name]


def test_the_document_states_what_the_server_refuses(world: World) -> None:
    """The four places the issue found the document looser than the server."""
    client, owner = world.client, {"Authorization": f"Bearer {world.keys['OWNER']}"}
    team_context = openapi_document()["components"]["parameters"]["TeamContext"]["schema"]
    assert re.fullmatch(team_context["pattern"], "") is None
    assert client.get("/api/alerts", headers={**owner, "team-context": ""}).status_code == 400
    assert client.get("/api/alerts", headers={**owner, "team-context": "0"}).status_code == 200

    event = _component("Event")
    assert {"anyOf": [{"required": ["integrationKey"]}, {"required": ["apiKey"]}]}.items() <= (
        event.items()
    )
    keyless = client.post("/api/events", json={"eventType": "ALERT", "summary": "s"})
    assert keyless.status_code == 400 and "integrationKey" in keyless.get_json()["message"]

    assert _component("TicketPost")["properties"]["accountId"]["minimum"] == 0
    negative = client.post("/_sim/tickets", json={"accountId": -1, "userId": world.user_ids[0]})
    assert negative.status_code == 400 and "accountId" in negative.get_json()["message"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/api/alerts", "GET, HEAD, OPTIONS, POST"),
        ("DELETE", "/api/users/current", "GET, HEAD, OPTIONS, PUT"),
        ("GET", "/api/users/search-email", "OPTIONS, POST"),
        ("DELETE", "/_sim/clock", "GET, HEAD, OPTIONS"),
        ("PUT", "/login", "GET, HEAD, OPTIONS, POST"),
    ],
)
def test_every_405_names_the_methods_allowed(
    world: World, method: str, path: str, allow: str
) -> None:
    answer = world.client.open(
        path, method=method, headers={"Authorization": f"Bearer {world.keys['OWNER']}"}
    )
    assert answer.status_code == 405 and answer.headers["Allow"] == allow


def test_a_405_from_the_model_names_the_methods_too(world: World) -> None:
    """ilert answers 405 for a user who already responds; the route takes POST only."""
    owner = {"Authorization": f"Bearer {world.keys['OWNER']}"}
    alert_id = world.pools["alert_id"][-1]
    path = f"/api/alerts/{alert_id}/responders"
    body = {"user": {"id": world.user_ids[0]}}
    world.client.post(path, json=body, headers=owner)
    again = world.client.post(path, json=body, headers=owner)
    assert again.status_code == 405 and again.headers["Allow"] == "OPTIONS, POST"
