"""The OpenAPI 3 document of fake ilert, derived from ilert's own (`emulator/ilert/spec`).

Served at `GET /_sim/openapi.json`; a test keeps it and the routes equal, another validates every
served operation's answers against ilert's schemas, and a schemathesis run sends generated
requests from it.

The document is built, not written: each operation fake ilert serves (`SERVED`) is copied from
ilert's document as it stands, under `/api`; then a small overlay adds what fake ilert adds or
must correct, each item with its reason:

- the error answers (ilert's document declares almost none; its prose names the `{status,
  message, code}` body), the `team-context` and `X-On-Behalf-Of` headers on every call,
  `Location` on the creations whose description promises it;
- fake ilert's own properties (`alertUrl`, an alert action's `deliveryStatus` and `createdBy`,
  the delays ilert's newer clients send) and its own operations (`/_sim/*`, the events API's
  `integrationKey`, `search-email`, `add-source`/`remove-source`, the Slack installation);
- corrections where ilert's document cannot be right as written (`SPEC_FIXES`), listed in
  docs/fake-ilert.md with how we know.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from emulator.ilert.fields import TEAM_CONTEXT_PATTERN, USER_ID_PATTERN
from emulator.ilert.models import ALERT_ACTION_TYPES, DELIVERY_STATES, TRIGGER_TYPES
from emulator.ilert.spec import HTTP_METHODS, real_spec
from emulator.ilert.wire import FIELD_LIMITS, NAME_CHARS

Schema = dict[str, Any]

STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
NUM: Schema = {"type": "number"}
BOOL: Schema = {"type": "boolean"}
TIME: Schema = {"type": "string", "format": "date-time"}
ANY_OBJECT: Schema = {"type": "object", "additionalProperties": True}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def arr(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def obj(props: dict[str, Schema], required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


def closed(props: dict[str, Schema]) -> Schema:
    """An answer object: every property is always present."""
    return obj(props, list(props))


def null(schema: Schema) -> Schema:
    return {**schema, "nullable": True}


def enum(values: tuple[str, ...] | list[str]) -> Schema:
    return {"type": "string", "enum": list(values)}


EMAIL: Schema = {**STR, "pattern": "@", "description": "an e-mail address (must contain @)"}
NOT_BLANK: Schema = {**STR, "pattern": "\\S"}
ID: Schema = {**INT, "minimum": 0, "maximum": 10**15}

# ilert's operations that fake ilert serves, by ilert's path (under its server URL `/api`).
SERVED: dict[str, tuple[str, ...]] = {
    "/users": ("get", "post"),
    "/users/current": ("get", "put"),
    "/users/{user-id}": ("get", "put", "delete"),
    "/teams": ("get", "post"),
    "/teams/{id}": ("get", "put", "delete"),
    "/teams/{id}/members": ("post",),
    "/teams/{id}/members/{id}": ("delete",),
    "/escalation-policies": ("get", "post"),
    "/escalation-policies/{id}": ("get", "put", "delete"),
    "/alert-sources": ("get", "post"),
    "/alert-sources/{id}": ("get", "put", "delete"),
    "/alerts": ("get", "post"),
    "/alerts/count": ("get",),
    "/alerts/{id}": ("get",),
    "/alerts/{id}/accept": ("put",),
    "/alerts/{id}/resolve": ("put",),
    "/alerts/{id}/assign": ("put",),
    "/alerts/{id}/responders": ("post",),
    "/alerts/{id}/responders/{user-id}": ("delete",),
    "/alerts/{id}/suggested-responders": ("get",),
    "/alerts/{id}/log-entries": ("get",),
    "/alerts/{id}/notifications": ("get",),
    "/alerts/{id}/actions": ("get", "post"),
    "/alert-actions": ("get", "post"),
    "/alert-actions/{id}": ("get", "put", "delete"),
    "/connectors": ("get", "post"),
    "/connectors/{id}": ("get", "put", "delete"),
    "/events": ("post",),
    "/schedules": ("get", "post"),
    "/schedules/{id}": ("get", "put", "delete"),
    "/schedules/{id}/shifts": ("get",),
    "/schedules/{id}/overrides": ("get", "put"),
    "/schedules/{id}/user-on-call": ("get",),
    "/on-calls": ("get",),
    "/support-hours": ("get", "post"),
    "/support-hours/{id}": ("get", "put", "delete"),
    "/maintenance-windows": ("get", "post"),
    "/maintenance-windows/{id}": ("get", "put", "delete"),
    "/heartbeats/{key}": ("get", "post"),  # and HEAD, which Flask answers wherever GET is
}
# ilert's document names both parameters of this path `id`, which no router can tell apart.
RENAMED_PATHS = {"/teams/{id}/members/{id}": "/teams/{id}/members/{user-id}"}
# Served without authentication: the events API (the source's key is in the body) and
# heartbeat pings (the source's key is in the path).
PUBLIC = {("post", "/events"), ("get", "/heartbeats/{key}"), ("post", "/heartbeats/{key}")}
# Creations the real API answers 201 where its 2024 document says 200: ilert's own Go client
# takes only 201 for them (iLert/ilert-go team.go, connector.go, alert_action.go:
# `getGenericAPIError(resp, 201)`).
CREATED_NOT_OK = {("post", "/teams"), ("post", "/connectors"), ("post", "/alert-actions")}
# Answers that are a list where ilert's document names one object: its own description says
# "list of alert actions", and ilert's Go client decodes a list (iLert/ilert-go alert.go).
ANSWERS_A_LIST = {("get", "/alerts/{id}/actions")}
# The creations whose description says "included in the Location header".
LOCATION = {("post", "/users"), ("post", "/alert-sources"), ("post", "/escalation-policies")}


def _error_schema() -> Schema:
    return closed({"status": INT, "code": STR, "message": STR})


_ERRORS = {
    "400": "Bad input: a field, query or header is missing or wrong",
    "401": "No or an unknown API key",
    "403": "The role (or key) may not do this",
    "404": "No such object, or not visible to this user",
    "405": "Method not allowed (or, for responders, already a responder)",
    "409": "Conflicts with what exists",
    "413": "The request body is over 1 MiB",
}
ALLOW = {"Allow": {"description": "the methods the path takes", "required": True, "schema": STR}}
API_ERRORS = ("400", "401", "403", "404", "405", "409", "413")
SIM_ERRORS = ("400", "404", "405", "409")
HEADERS = [
    {"$ref": "#/components/parameters/TeamContext"},
    {"$ref": "#/components/parameters/OnBehalfOf"},
]


def _json(schema: Schema, description: str = "OK") -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: str) -> dict[str, Schema]:
    answers = {c: _json(ref("Error"), _ERRORS[c]) for c in codes}
    if "405" in answers:
        answers["405"]["headers"] = ALLOW
    return answers


def _body(schema: Schema, required: bool = True) -> Schema:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _query(name: str, schema: Schema, description: str = "") -> Schema:
    param: Schema = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


def _path(name: str, schema: Schema, description: str = "") -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {**schema, "minimum": 0} if schema.get("type") == "integer" else schema,
        "description": description or name,
    }


# -- ilert's operations, with the overlay -----------------------------------------------------


def _resolved(document: Schema, item: Schema) -> Schema:
    """A parameter or request body given as `$ref`, written out (so the overlay can change it)."""
    if "$ref" not in item:
        return copy.deepcopy(item)
    section, name = item["$ref"].split("/")[-2:]
    return copy.deepcopy(document["components"][section][name])


def _served_operation(method: str, path: str) -> Schema:
    """ilert's operation as its document has it, with the overlay applied."""
    spec = real_spec()
    op = copy.deepcopy(spec["paths"][path][method])
    op["parameters"] = [_resolved(spec, p) for p in op.get("parameters", [])]
    if "requestBody" in op:
        op["requestBody"] = _resolved(spec, op["requestBody"])
    for fix in OPERATION_FIXES.get((method, path), ()):
        fix(op)
    if (method, path) in CREATED_NOT_OK:
        op["responses"]["201"] = op["responses"].pop("200")
    if (method, path) in ANSWERS_A_LIST:
        answer = op["responses"]["200"]["content"]["application/json"]
        answer["schema"] = arr(answer["schema"])
    if (method, path) in LOCATION:
        op["responses"]["201"]["headers"] = {
            "Location": {"description": "the new object's URI", "required": True, "schema": STR}
        }
    _name_path_parameters(op, RENAMED_PATHS.get(path, path))
    if (method, path) in PUBLIC:
        op["security"] = []
    else:
        op["parameters"] += HEADERS
    op["responses"] = _with_errors(op["responses"])
    return op


def _with_errors(responses: Schema) -> Schema:
    """ilert's answers plus the error answers, each with the error body (keeping ilert's own
    description of an error where its document gives one)."""
    errors = _errors(*API_ERRORS)
    for code, answer in responses.items():
        if code in errors:
            errors[code]["description"] = answer.get("description", errors[code]["description"])
    declared = {c: r for c, r in responses.items() if not c.startswith(("4", "5"))}
    return {**declared, **errors}


def _name_path_parameters(op: Schema, path: str) -> None:
    """The path parameters named as in the template, in its order (ilert's GET of a source
    calls its `{id}` `source-id`; the team member path repeats `{id}`)."""
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    in_path = [p for p in op["parameters"] if p.get("in") == "path"]
    for name in names[len(in_path) :]:  # declared by the template only
        param = _path(name, STR, "declared by fake ilert: ilert's document leaves it out")
        op["parameters"].append(param)
        in_path.append(param)
    for param, name in zip(in_path, names, strict=True):
        param["name"] = name


def _responders_body(op: Schema) -> None:
    """ilert's document gives this operation no body; fake ilert takes `{user: {id}}` to name
    the responder, and without a body adds the caller (docs/fake-ilert.md)."""
    op["requestBody"] = _body(ref("ResponderPost"), required=False)


def _assign_queries(op: Schema) -> None:
    """ilert's Go client sends `user-id`, `policy-id`, `schedule-id` (iLert/ilert-go alert.go)."""
    op["parameters"] += [
        _query("user-id", STR, "as `user`, the name ilert's Go client sends"),
        _query("policy-id", STR, "as `policy`"),
        _query("schedule-id", STR, "as `schedule`"),
    ]


def _event_answer(op: Schema) -> None:
    """ilert's document declares the 202 without a body; its clients read `{alertKey,
    alertUrl, responseCode}` (iLert/ilert-go event.go)."""
    op["responses"]["202"] = _json(ref("EventResult"), "Accepted")


OPERATION_FIXES: dict[tuple[str, str], tuple[Any, ...]] = {
    ("post", "/alerts/{id}/responders"): (_responders_body,),
    ("put", "/alerts/{id}/assign"): (_assign_queries,),
    ("post", "/events"): (_event_answer,),
}


def _served_paths() -> dict[str, Schema]:
    paths: dict[str, Schema] = {}
    for path, methods in SERVED.items():
        ours = "/api" + RENAMED_PATHS.get(path, path)
        paths[ours] = {m: _served_operation(m, path) for m in methods}
    return paths


# -- fake ilert's own operations ---------------------------------------------------------------


def _op(
    summary: str,
    responses: dict[str, Schema],
    *,
    params: list[Schema] | None = None,
    body: Schema | None = None,
    body_required: bool = True,
    public: bool = False,
    errors: tuple[str, ...] = API_ERRORS,
    tag: str,
) -> Schema:
    op: Schema = {"summary": summary, "tags": [tag], "responses": {**responses, **_errors(*errors)}}
    parameters = list(params or [])
    if not public:
        parameters += HEADERS
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = _body(body, body_required)
    if public:
        op["security"] = []
    return op


def _extension_paths() -> dict[str, Schema]:
    """Operations of ilert that its 2024 document leaves out, as its clients use them."""
    action_p = [_path("id", STR, "alert action id")]
    return {
        "/api/users/search-email": {
            "post": _op(
                "Find a user by e-mail, case-insensitive (iLert/ilert-go user.go)",
                {"200": _json(ref("User"))},
                body=ref("EmailSearch"),
                tag="Users",
            )
        },
        "/api/alert-actions/{id}/add-source": {
            "put": _op(
                "Add an alert source, idempotent (iLert/terraform-provider-ilert)",
                {"200": _json(ref("AlertAction"))},
                params=action_p,
                body=ref("IdBody"),
                tag="Alert Actions",
            )
        },
        "/api/alert-actions/{id}/remove-source": {
            "put": _op(
                "Remove an alert source, idempotent (iLert/terraform-provider-ilert)",
                {"200": _json(ref("AlertAction"))},
                params=action_p,
                body=ref("IdBody"),
                tag="Alert Actions",
            )
        },
        "/api/connectors/{connector_id}/slack-channels/{channel_id}": {
            "put": _op(
                "The Slack app reports a channel as Slack has it (docs/contract.md §6); answers "
                "the alert actions publishing to it",
                {"200": _json(arr(ref("AlertAction")))},
                params=[
                    _path("connector_id", STR, "the Slack connector's id"),
                    _path("channel_id", STR, "Slack channel id"),
                ],
                body=ref("SlackChannelReport"),
                tag="Connectors",
            ),
        },
        "/api/connectors/slack/installations": {
            "post": _op(
                "fake ilert: redeem an install ticket (docs/contract.md §2)",
                {"200": _json(ref("InstallationResult"))},
                body=ref("Installation"),
                public=True,
                tag="Connectors",
            )
        },
        "/api/v1/events": {
            "post": _op(
                "The legacy path of the events API (iLert/ilagent)",
                {"202": _json(ref("EventResult"), "Accepted")},
                body=ref("Event"),
                public=True,
                tag="Events",
            )
        },
    }


def _sim(summary: str, responses: dict[str, Schema], **kwargs: Any) -> Schema:
    return _op(
        f"[control] {summary}",
        responses,
        public=True,
        errors=SIM_ERRORS,
        tag="Control plane",
        **kwargs,
    )


def _sim_paths() -> dict[str, Schema]:
    account_p = [_path("account_id", INT, "account id")]
    return {
        "/_sim/reset": {
            "post": _sim("Forget everything (ids keep counting)", {"200": _json(ref("Ok"))})
        },
        "/_sim/state": {
            "get": _sim(
                "Everything, per account, as the API shows it", {"200": _json(ref("StateDump"))}
            )
        },
        "/_sim/export": {
            "get": _sim("The whole state, for /_sim/import", {"200": _json(ref("Export"))})
        },
        "/_sim/import": {
            "post": _sim(
                "Replace the whole state with an export (a refused one changes nothing)",
                {"200": _json(ref("Imported"))},
                body=ref("Export"),
            )
        },
        "/_sim/openapi.json": {"get": _sim("This document", {"200": _json(ref("OpenApi"))})},
        "/_sim/accounts": {
            "get": _sim("List accounts", {"200": _json(arr(ref("AccountSummary")))}),
            "post": _sim(
                "Create an account: its owner (an Admin) and an API key acting as the owner",
                {"201": _json(ref("AccountCreated"))},
                body=ref("AccountPost"),
            ),
        },
        "/_sim/accounts/{account_id}/users": {
            "post": _sim(
                "Create a user with an API key acting as them",
                {"201": _json(ref("UserWithKey"))},
                params=account_p,
                body=ref("SimUserPost"),
            )
        },
        "/_sim/accounts/{account_id}/api-keys": {
            "post": _sim(
                "One more API key for a user",
                {"201": _json(ref("ApiKey"))},
                params=account_p,
                body=ref("ApiKeyPost"),
            )
        },
        "/_sim/tickets": {
            "post": _sim(
                "A signed install ticket without the Connectors page (no role check)",
                {"201": _json(ref("Ticket"))},
                body=ref("TicketPost"),
            )
        },
        "/_sim/clock": {"get": _sim("The domain clock", {"200": _json(ref("Clock"))})},
        "/_sim/clock/advance": {
            "post": _sim(
                "Move a virtual clock forward and fire what falls due, in order "
                "(409 with the system clock)",
                {"200": _json(ref("Clock"))},
                body=ref("ClockAdvance"),
            )
        },
        "/_sim/deliveries": {
            "get": _sim(
                "The webhook queue: counts and the latest items", {"200": _json(ref("Deliveries"))}
            )
        },
        "/_sim/faults": {
            "get": _sim("The fault rules of ilert's API", {"200": _json(ref("Faults"))}),
            "post": _sim(
                "Add a fault rule: latency and/or an error on matching API requests",
                {"201": _json(ref("Fault"), "Added")},
                body=ref("FaultPost"),
            ),
            "delete": _sim("Remove every fault rule", {"200": _json(ref("Ok"))}),
        },
        "/_sim/faults/{rule_id}": {
            "delete": _sim(
                "Remove one fault rule",
                {"200": _json(ref("Ok"))},
                params=[_path("rule_id", STR, "fault rule id")],
            )
        },
        "/_sim/deliveries/wait": {
            "post": _sim(
                "Wait (bounded) until nothing is in flight and nothing is due",
                {"200": _json(ref("Waited"))},
                body=ref("WaitPost"),
                body_required=False,
            )
        },
    }


# -- components: ilert's schemas, the overlay's corrections and fake ilert's own --------------


def _extension_schemas() -> dict[str, Schema]:
    id_ref = obj({"id": INT}, ["id"])
    user_fields = copy.deepcopy(real_spec()["components"]["schemas"]["UserPost"]["properties"])
    return {
        "Error": _error_schema(),
        "EmailSearch": obj({"email": STR}, ["email"]),
        "IdBody": obj({"id": INT}, ["id"]),
        "SlackChannelReport": obj(
            {
                "name": {**STR, "minLength": 1, "maxLength": 80},
                "archived": BOOL,
                "botIsMember": BOOL,
            }
        ),
        "ResponderPost": obj({"user": id_ref}, ["user"]),
        "Installation": obj(
            {
                "ticket": {
                    **STR,
                    "pattern": r"^[^.]*\.[^.]*$",
                    "description": "<payload>.<signature>, docs/contract.md §1",
                },
                "workspace": obj({"id": STR, "domain": STR, "name": STR, "url": STR}, ["id"]),
                "scopes": arr(STR),
                "missingScopes": arr(STR),
            },
            ["ticket", "workspace"],
        ),
        "InstallationResult": closed({"connector": ref("Connector"), "integrationKey": STR}),
        "EventResult": closed(
            {
                "alertKey": null(STR),
                "alertUrl": null(STR),
                "responseCode": enum(
                    [
                        "NEW_INCIDENT_CREATED",
                        "INCIDENT_ALREADY_EXISTS",
                        "INCIDENT_ACCEPTED",
                        "INCIDENT_ALREADY_ACCEPTED",
                        "INCIDENT_RESOLVED",
                        "COMMENT_ADDED",
                        "NO_OPEN_INCIDENT_WITH_KEY",
                    ]
                ),
            }
        ),
        "DeliveryStatus": {
            **closed(
                {
                    "status": enum(DELIVERY_STATES),
                    "error": null(STR),
                    "reason": null(STR),
                    "lastAttemptAt": null(TIME),
                    "nextAttemptAt": null(TIME),
                }
            ),
            "readOnly": True,
            "description": "fake ilert: how the last webhook went (OKAY also before any)",
        },
        # -- control plane --
        "Ok": closed({"ok": BOOL}),
        "FaultPost": {
            **obj(
                {
                    "path": {**STR, "description": "a glob over the request path; * for any"},
                    "method": {**STR, "description": "an HTTP method; * for any"},
                    "probability": {**NUM, "minimum": 0, "maximum": 1},
                    "count": {**INT, "minimum": 1, "maximum": 10**9},
                    "latency_ms": {**INT, "minimum": 1, "maximum": 60000},
                    "status": {**INT, "minimum": 400, "maximum": 599},
                    "error": {
                        **STR,
                        "description": "the error's message (status 500 if not given)",
                    },
                }
            ),
            "anyOf": [{"required": [k]} for k in ("latency_ms", "status", "error")],
        },
        "Fault": closed(
            {
                "id": STR,
                "path": STR,
                "method": STR,
                "probability": NUM,
                "count": null(INT),
                "latency_ms": null(INT),
                "status": null(INT),
                "error": null(STR),
                "struck": INT,
            }
        ),
        "Faults": closed({"faults": arr(ref("Fault"))}),
        "AccountPost": obj(
            {
                "name": NOT_BLANK,
                "owner": obj({"firstName": STR, "lastName": STR, "email": EMAIL}),
            },
            ["name"],
        ),
        "AccountCreated": closed({"id": INT, "name": STR, "apiKey": STR, "owner": ref("User")}),
        "AccountSummary": closed({"id": INT, "name": STR, "ownerId": INT, "users": INT}),
        "SimUserPost": obj({**user_fields, "email": EMAIL}, ["email"]),
        "UserWithKey": closed({"user": ref("User"), "apiKey": STR}),
        "ApiKeyPost": obj({"userId": ID}, ["userId"]),
        "ApiKey": closed({"apiKey": STR}),
        "TicketPost": obj(
            {
                "accountId": ID,
                "userId": ID,
                "returnUrl": {**STR, "description": "a path of fake ilert, or a URL under it"},
            },
            ["accountId", "userId"],
        ),
        "Ticket": closed({"ticket": STR, "installUrl": STR}),
        "Clock": closed({"now": TIME, "epoch": NUM, "kind": enum(["virtual", "system"])}),
        "ClockAdvance": obj({"seconds": {**NUM, "minimum": 0, "maximum": 315360000}}, ["seconds"]),
        "Delivery": closed(
            {
                "id": STR,
                "eventType": STR,
                "accountId": INT,
                "alertId": INT,
                "alertActionId": STR,
                "channel": STR,
                "status": enum(["pending", "inFlight", "delivered", "failed"]),
                "attempts": INT,
                "nextAttemptAt": null(TIME),
                "lastError": null(STR),
            }
        ),
        "Deliveries": closed(
            {
                "pending": INT,
                "inFlight": INT,
                "failed": INT,
                "delivered": INT,
                "items": arr(ref("Delivery")),
            }
        ),
        "WaitPost": obj({"timeout": {**NUM, "minimum": 0, "maximum": 60}}),
        "Waited": closed({"idle": BOOL, "pending": INT}),
        "StateDump": obj({"accounts": arr(ANY_OBJECT)}, ["accounts"]),
        "Export": {
            **obj(
                {
                    "format": enum(["fake-ilert-state"]),
                    "version": INT,
                    "lastId": INT,
                    "redeemedNonces": arr(STR),
                    "apiKeys": arr(ANY_OBJECT),
                    "accounts": arr(ANY_OBJECT),
                    "deliveries": ANY_OBJECT,
                    "clock": obj({"kind": enum(["virtual", "system"]), "now": NUM, "offset": NUM}),
                    "webSecret": STR,
                },
                [
                    "format",
                    "version",
                    "lastId",
                    "redeemedNonces",
                    "apiKeys",
                    "accounts",
                    "deliveries",
                    "clock",
                    "webSecret",
                ],
            ),
            "description": "The whole state; POST it back to /_sim/import",
        },
        "Imported": closed({"ok": BOOL, "accounts": INT}),
        "OpenApi": obj({"openapi": STR, "paths": ANY_OBJECT}, ["openapi", "paths"]),
    }


# Properties fake ilert adds to ilert's objects. ilert's schemas declare no
# `additionalProperties: false`, so an answer carrying them still validates against them.
ADDED_PROPERTIES: dict[str, dict[str, Schema]] = {
    "Alert": {"alertUrl": {**STR, "description": "fake ilert: the alert's page"}},
    "AlertAction": {
        "deliveryStatus": ref("DeliveryStatus"),
        "createdBy": {**ref("UserRel"), "description": "fake ilert: who created it"},
        # Newer than the 2024 document: iLert/ilert-go alert_action.go, the Terraform provider.
        "escalationEndedDelaySec": {**INT, "minimum": 0, "maximum": 7200},
        "notResolvedDelaySec": {**INT, "minimum": 0, "maximum": 172800},
        "alertSourceIds": {**arr(INT), "description": "deprecated: alertSources"},
    },
    "Event": {"integrationKey": {**STR, "minLength": 1, "description": "the source's key"}},
}


def _either_key(schemas: dict[str, Schema]) -> None:
    """The events API takes the source's key as `integrationKey` (ilert's docs and events API)
    or `apiKey` (its 2024 document); one is required. `summary` is required for ALERT only."""
    event = schemas["Event"]
    event["required"] = ["eventType"]
    event["properties"]["apiKey"] = {**STR, "minLength": 1, "description": "ilert's older name"}
    event["anyOf"] = [{"required": ["integrationKey"]}, {"required": ["apiKey"]}]


def _params_any_of(schemas: dict[str, Schema]) -> None:
    """ilert's `params` are a `oneOf` of parameter objects that mostly require nothing and
    allow more properties, so every object matches several and none could validate; as
    `anyOf` they say what they mean: one of these shapes."""
    for name in ("AlertAction", "Connector"):
        params = schemas[name]["properties"]["params"]
        params["anyOf"] = params.pop("oneOf")


def _newer_action_types(schemas: dict[str, Schema]) -> None:
    """Alert action types and trigger types newer than the 2024 document (iLert/ilert-go
    alert_action.go, the Terraform provider's docs)."""
    schemas["AlertActionType"]["enum"] = list(ALERT_ACTION_TYPES)
    schemas["AlertAction"]["properties"]["triggerTypes"]["items"]["enum"] = list(TRIGGER_TYPES)


def _delay_up_to_an_hour(schemas: dict[str, Schema]) -> None:
    """ilert's docs allow a policy's delay up to 60 minutes (iLert/docs escalation-policies.md);
    the 2024 document still caps it at 15."""
    schemas["EscalationPolicy"]["properties"]["delayMin"]["maximum"] = 60


def _any_time_zone(schemas: dict[str, Schema]) -> None:
    """The document's `TimeZone` lists four zones, which cannot be all of ilert's users' zones;
    fake ilert takes any zone name (fake ilert's reading, listed in docs/fake-ilert.md)."""
    schemas["TimeZone"] = {**STR, "description": "an IANA time zone, e.g. Europe/Berlin"}


def _clock_times(schemas: dict[str, Schema]) -> None:
    """A support day's `start` and `end` are a time of day on the wall clock ("08:00"), not the
    RFC 3339 full time with an offset that `format: time` means: the support hours are in their
    own `timezone` (fake ilert's reading, listed in docs/fake-ilert.md)."""
    clock = {**STR, "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"}
    schemas["SupportDay"]["properties"] = {"start": clock, "end": clock}


def _escalation_ended_entry(schemas: dict[str, Schema]) -> None:
    """The document's log entry types have none for the end of an escalation, which fake
    ilert's timeline records; it is named in the document's style."""
    entry_type = schemas["LogEntry"]["properties"]["logEntryType"]
    entry_type["enum"] = [*entry_type["enum"], "AlertEscalationEndedLogEntry"]


SPEC_FIXES = (
    _escalation_ended_entry,
    _either_key,
    _params_any_of,
    _newer_action_types,
    _delay_up_to_an_hour,
    _any_time_zone,
    _clock_times,
)


@cache
def fixed_spec() -> Schema:
    """ilert's document with `SPEC_FIXES` applied: what fake ilert's answers and the plain
    fields it keeps are checked against."""
    spec = copy.deepcopy(real_spec())
    for fix in SPEC_FIXES:
        fix(spec["components"]["schemas"])
    return spec


def _components() -> Schema:
    schemas = copy.deepcopy(fixed_spec()["components"]["schemas"])
    for name, props in ADDED_PROPERTIES.items():
        schemas[name]["properties"].update(copy.deepcopy(props))
    schemas.update(_extension_schemas())
    return {
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "An account's API key (or a connector's integration key)",
            }
        },
        "parameters": {
            "TeamContext": {
                "name": "team-context",
                "in": "header",
                "required": False,
                "description": "Narrows lists: 0 all teams, -1 my teams, or a team id",
                "schema": {**STR, "pattern": TEAM_CONTEXT_PATTERN},
            },
            "OnBehalfOf": {
                "name": "X-On-Behalf-Of",
                "in": "header",
                "required": False,
                "description": "An ilert user id; integration keys only",
                "schema": {**STR, "pattern": USER_ID_PATTERN},
            },
        },
        "schemas": schemas,
    }


# -- the limits fake ilert enforces, declared --------------------------------------------------


def _bound_request_strings(document: Schema) -> Schema:
    """Every string of a request body gets the maxLength `wire.check_lengths` enforces (the
    control plane's import takes any state, so `Export` stays unbounded)."""
    schemas = document["components"]["schemas"]
    todo: set[str] = set()
    for item in document["paths"].values():
        for op in item.values():
            if "requestBody" in op:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                op["requestBody"]["content"]["application/json"]["schema"] = _bounded(
                    schema, NAME_CHARS, todo
                )
    todo.discard("Export")
    done: set[str] = {"Export"}
    while todo:
        name = todo.pop()
        if name not in done:
            done.add(name)
            schemas[name] = _bounded(schemas[name], NAME_CHARS, todo)
    return document


def _bounded(schema: Schema, limit: int, refs: set[str]) -> Schema:
    """A copy of `schema` with `limit` on its strings, a property's own limit on each property
    (as `wire.check_lengths` inherits them); the names of schemas it refers to go to `refs`."""
    if "$ref" in schema:
        refs.add(schema["$ref"].rsplit("/", 1)[1])
        return schema
    out = dict(schema)
    if out.get("type") == "string" and "enum" not in out:
        out["maxLength"] = limit
    if isinstance(out.get("properties"), dict):
        out["properties"] = {
            k: _bounded(v, FIELD_LIMITS.get(k, limit), refs) for k, v in out["properties"].items()
        }
    if isinstance(out.get("items"), dict):
        out["items"] = _bounded(out["items"], limit, refs)
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = _bounded(out["additionalProperties"], limit, refs)
    for key in ("anyOf", "allOf", "oneOf"):
        if key in out:
            out[key] = [_bounded(s, limit, refs) for s in out[key]]
    return out


@cache
def _document() -> Schema:
    real = real_spec()
    paths = {**_served_paths(), **_extension_paths(), **_sim_paths()}
    tags = [t["name"] for t in real.get("tags", [])]
    used = {tag for item in paths.values() for op in item.values() for tag in op.get("tags", [])}
    return _bound_request_strings(
        {
            "openapi": real["openapi"],
            "info": {
                "title": "fake ilert",
                "version": "1",
                "description": (
                    "An emulator of ilert's alerting core. The operations under /api are "
                    "ilert's own, copied from its published OpenAPI document (2024), with "
                    "fake ilert's additions; the control plane is under /_sim. See "
                    "docs/fake-ilert.md."
                ),
            },
            "servers": [{"url": "/"}],
            "security": [{"bearer": []}],
            "tags": [{"name": t} for t in [*tags, "Control plane"] if t in used],
            "paths": paths,
            "components": _components(),
        }
    )


def openapi_document() -> Schema:
    """The document (built once; callers must not change it)."""
    return _document()


def served_real_operations() -> set[tuple[str, str]]:
    """ilert's operations that fake ilert serves, as (method, ilert's path)."""
    return {(m, path) for path, methods in SERVED.items() for m in methods}


def served_by_tag(served: set[tuple[str, str]]) -> list[tuple[str, int, int]]:
    """(tag, operations served, operations in ilert's document) per tag of ilert's document,
    the most served first; an operation counts under its first tag."""
    totals: dict[str, list[int]] = {t["name"]: [0, 0] for t in real_spec().get("tags", [])}
    for path, item in real_spec()["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            counts = totals.setdefault(op.get("tags", ["(untagged)"])[0], [0, 0])
            counts[1] += 1
            counts[0] += (method, path) in served
    rows = [(tag, s, t) for tag, (s, t) in totals.items() if t]
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))


def figures_markdown(rows: list[tuple[str, int, int]]) -> str:
    """The table docs/fake-ilert.md shows (a test keeps the two equal)."""
    lines = ["| Tag | Served | Operations |", "|---|---|---|"]
    lines += [f"| {tag} | {s} | {t} |" for tag, s, t in rows]
    served, total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    lines.append(f"| **All** | **{served}** | **{total}** |")
    return "\n".join(lines)
