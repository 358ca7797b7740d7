"""The OpenAPI 3 document of fake ilert: the emulated REST API under /api and the control plane
under /_sim. Served at `GET /_sim/openapi.json`; a test keeps it and the routes equal, and a
schemathesis run checks the answers against it.

Shapes follow ilert's own API document where it has one; what fake ilert adds (the control
plane, `alertUrl`, `createdBy`) is marked in the descriptions.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from emulator.ilert import alert_filters, source_rules
from emulator.ilert.fields import TEAM_CONTEXT_PATTERN, USER_ID_PATTERN
from emulator.ilert.heartbeats import MAX_INTERVAL_SEC
from emulator.ilert.heartbeats import STATUSES as HEARTBEAT_STATUSES
from emulator.ilert.index import ALERT_STATES
from emulator.ilert.models import (
    ALERT_INCLUDES,
    CONNECTOR_TYPES,
    DELIVERY_STATES,
    EVENT_TYPES,
    PRIORITIES,
    ROLES,
    TEAM_MEMBER_ROLES,
    TRIGGER_MODES,
    TRIGGER_TYPES,
    VISIBILITIES,
)
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
    return (
        {**schema, "nullable": True}
        if "$ref" not in schema
        else {
            "allOf": [schema],
            "nullable": True,
        }
    )


def enum(values: tuple[str, ...] | list[str]) -> Schema:
    return {"type": "string", "enum": list(values)}


ID_REF = obj({"id": INT}, ["id"])
EMAIL: Schema = {**STR, "pattern": "@", "description": "an e-mail address (must contain @)"}
NOT_BLANK: Schema = {**STR, "pattern": "\\S"}
ID: Schema = {**INT, "minimum": 0, "maximum": 10**15}


def _schemas() -> dict[str, Schema]:
    user_ref = closed({"id": INT, "firstName": STR, "lastName": STR, "email": STR, "username": STR})
    team_ref = closed({"id": INT, "name": STR, "visibility": enum(VISIBILITIES)})
    member_user = {"anyOf": [ref("UserRef"), obj({"id": INT}, ["id"])]}
    return {
        "Error": closed({"status": INT, "code": STR, "message": STR}),
        "User": closed(
            {
                "id": INT,
                "firstName": STR,
                "lastName": STR,
                "email": STR,
                "username": STR,
                "timezone": STR,
                "position": STR,
                "department": STR,
                "language": enum(["en", "de"]),
                "role": enum(ROLES),
            }
        ),
        "UserRef": user_ref,
        "UserPost": obj(
            {
                "firstName": STR,
                "lastName": STR,
                "email": {**EMAIL, "description": "unique in the account; must contain @"},
                "username": STR,
                "timezone": STR,
                "position": STR,
                "department": STR,
                "language": enum(["en", "de", "EN", "DE"]),
                "role": enum(ROLES),
            },
            ["email"],
        ),
        "UserPut": obj(
            {
                "firstName": STR,
                "lastName": STR,
                "email": EMAIL,
                "username": STR,
                "timezone": STR,
                "position": STR,
                "department": STR,
                "language": enum(["en", "de", "EN", "DE"]),
                "role": {**enum(ROLES), "description": "only an Admin changes roles"},
            }
        ),
        "EmailSearch": obj({"email": STR}, ["email"]),
        "TeamRef": team_ref,
        "TeamMember": closed({"user": member_user, "role": enum(TEAM_MEMBER_ROLES)}),
        "TeamMemberPost": obj({"user": ID_REF, "role": enum(TEAM_MEMBER_ROLES)}, ["user"]),
        "Team": closed(
            {
                "id": INT,
                "name": STR,
                "visibility": enum(VISIBILITIES),
                "members": arr(ref("TeamMember")),
            }
        ),
        "TeamPost": obj(
            {
                "name": STR,
                "visibility": enum(VISIBILITIES),
                "members": arr(ref("TeamMemberPost")),
            },
            ["name"],
        ),
        "TeamPut": obj(
            {
                "name": STR,
                "visibility": enum(VISIBILITIES),
                "members": arr(ref("TeamMemberPost")),
            }
        ),
        "EscalationRule": closed(
            {
                "escalationTimeout": INT,
                "users": arr(ref("UserRef")),
                "schedules": arr(ref("ScheduleRel")),
            }
        ),
        "EscalationRulePost": obj(
            {
                "escalationTimeout": {**INT, "minimum": 0, "description": "minutes"},
                "users": arr(ID_REF),
                "user": {**ID_REF, "description": "deprecated: use users"},
                "schedules": arr(ID_REF),
                "schedule": {**ID_REF, "description": "deprecated: use schedules"},
            },
            ["escalationTimeout"],
        ),
        "EscalationPolicy": closed(
            {
                "id": INT,
                "name": STR,
                "escalationRules": arr(ref("EscalationRule")),
                "repeating": BOOL,
                "frequency": INT,
                "routingKey": null(STR),
                "teams": arr(ref("TeamRef")),
            }
        ),
        "EscalationPolicyPost": obj(
            {
                "name": STR,
                "escalationRules": arr(ref("EscalationRulePost")),
                "repeating": BOOL,
                "frequency": {**INT, "minimum": 1, "maximum": 9},
                "routingKey": STR,
                "teams": arr(ID_REF),
            },
            ["name"],
        ),
        "EscalationPolicyPut": obj(
            {
                "name": STR,
                "escalationRules": arr(ref("EscalationRulePost")),
                "repeating": BOOL,
                "frequency": {**INT, "minimum": 1, "maximum": 9},
                "routingKey": STR,
                "teams": arr(ID_REF),
            }
        ),
        "AlertSource": closed(
            {
                "id": INT,
                "name": STR,
                "integrationType": STR,
                "integrationKey": STR,
                "escalationPolicy": closed({"id": INT, "name": STR}),
                "teams": arr(ref("TeamRef")),
                "status": enum(
                    ["PENDING", "ALL_ACCEPTED", "ALL_RESOLVED", "IN_MAINTENANCE", "DISABLED"]
                ),
                "active": BOOL,
            }
        ),
        "AlertSourcePost": obj(
            {
                "name": STR,
                "integrationType": STR,
                "escalationPolicy": ID_REF,
                "teams": arr(ID_REF),
                "active": BOOL,
            },
            ["name", "escalationPolicy"],
        ),
        "AlertSourcePut": obj(
            {
                "name": STR,
                "integrationType": STR,
                "escalationPolicy": ID_REF,
                "teams": {**arr(ID_REF), "description": "[] clears the teams"},
                "active": BOOL,
            }
        ),
        "AlertResponder": closed(
            {
                "user": member_user,
                "status": enum(["PENDING", "ACCEPTED"]),
                "acceptedAt": null(TIME),
            }
        ),
        "ResponderPost": obj({"user": ID_REF}, ["user"]),
        "EventImage": obj({"src": STR, "href": STR, "alt": STR}),
        "EventLink": obj({"href": STR, "text": STR}),
        "Alert": obj(
            {
                "id": INT,
                "summary": STR,
                "details": STR,
                "reportTime": TIME,
                "resolvedOn": null(TIME),
                "status": enum(ALERT_STATES),
                "priority": enum(PRIORITIES),
                "alertKey": STR,
                "alertSource": closed({"id": INT, "name": STR, "integrationType": STR}),
                "escalationPolicy": closed({"id": INT, "name": STR}),
                "assignedTo": {**null(ref("UserRef")), "description": "deprecated: responders"},
                "responders": arr(ref("AlertResponder")),
                "nextEscalation": null(TIME),
                "nextEscalationRuleIndex": null(INT),
                "acknowledgedBy": null(ref("UserRef")),
                "resolvedBy": null(ref("UserRef")),
                "images": arr(ref("EventImage")),
                "links": arr(ref("EventLink")),
                "customDetails": ANY_OBJECT,
                "alertUrl": {**STR, "description": "fake ilert: the alert's page"},
                "escalationRules": {
                    **arr(ref("EscalationRule")),
                    "description": "only with ?include=escalationRules",
                },
                "nextEscalationUser": {
                    **null(ref("User")),
                    "description": "only with ?include=nextEscalationUser",
                },
            },
            [
                "id",
                "summary",
                "details",
                "reportTime",
                "resolvedOn",
                "status",
                "priority",
                "alertKey",
                "alertSource",
                "escalationPolicy",
                "assignedTo",
                "responders",
                "nextEscalation",
                "nextEscalationRuleIndex",
                "acknowledgedBy",
                "resolvedBy",
                "images",
                "links",
                "customDetails",
                "alertUrl",
            ],
        ),
        "AlertPost": obj(
            {
                "summary": STR,
                "details": STR,
                "alertSource": ID_REF,
                "escalationPolicy": ID_REF,
                "priority": enum(PRIORITIES),
                "alertKey": STR,
                "responders": arr(obj({"user": ID_REF}, ["user"])),
                "assignedTo": {**ID_REF, "description": "deprecated: responders"},
                "images": arr(ref("EventImage")),
                "links": arr(ref("EventLink")),
                "customDetails": ANY_OBJECT,
            },
            ["summary", "alertSource"],
        ),
        "Count": closed({"count": INT}),
        "SuggestedResponder": closed(
            {
                "id": INT,
                "name": STR,
                "group": enum(["SUGGESTED", "USER", "ESCALATION_POLICY", "ON_CALL_SCHEDULE"]),
                "disabled": BOOL,
            }
        ),
        "LogEntry": closed(
            {
                "id": INT,
                "alertId": INT,
                "timestamp": TIME,
                "logEntryType": STR,
                "text": STR,
                "actor": null(ref("UserRef")),
                "via": null(enum(["INTEGRATION"])),
            }
        ),
        "AlertActionSource": closed(
            {"id": INT, "name": STR, "integrationType": STR, "teams": arr(ref("TeamRef"))}
        ),
        "AlertAction": closed(
            {
                "id": STR,
                "name": STR,
                "alertSources": arr(ref("AlertActionSource")),
                "connectorId": null(STR),
                "connectorType": enum(CONNECTOR_TYPES),
                "triggerMode": enum(TRIGGER_MODES),
                "triggerTypes": arr(enum(TRIGGER_TYPES)),
                "params": ANY_OBJECT,
                "teams": arr(ref("TeamRef")),
                "createdAt": TIME,
                "updatedAt": TIME,
                "createdBy": {**null(ref("UserRef")), "description": "fake ilert"},
                "escalationEndedDelaySec": INT,
                "notResolvedDelaySec": INT,
                "deliveryStatus": {
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
                    "description": (
                        "fake ilert: how the last webhook went (OKAY also before any); ilert's "
                        "AlertAction schema allows additional properties"
                    ),
                },
            }
        ),
        "SlackParams": obj(
            {"channelId": STR, "channelName": STR, "teamId": STR, "teamDomain": STR},
            ["channelId"],
        ),
        "AlertActionPost": obj(
            {
                "name": STR,
                "alertSources": arr(ID_REF),
                "alertSourceIds": {**arr(INT), "description": "deprecated: alertSources"},
                "connectorId": STR,
                "connectorType": {
                    **enum(CONNECTOR_TYPES),
                    "description": "matched case-insensitively",
                },
                "triggerMode": enum(TRIGGER_MODES),
                "triggerTypes": arr(enum(TRIGGER_TYPES)),
                "params": {
                    **ANY_OBJECT,
                    "description": "for slack: SlackParams, channelId required",
                },
                "teams": arr(ID_REF),
                "escalationEndedDelaySec": {
                    **INT,
                    "description": "0 or 30-7200",
                    "minimum": 0,
                    "maximum": 7200,
                },
                "notResolvedDelaySec": {
                    **INT,
                    "description": "0 or 60-172800",
                    "minimum": 0,
                    "maximum": 172800,
                },
            },
            ["connectorType"],
        ),
        "Connector": closed(
            {
                "id": STR,
                "name": STR,
                "type": enum(CONNECTOR_TYPES),
                "createdAt": TIME,
                "updatedAt": TIME,
                "params": ANY_OBJECT,
            }
        ),
        "ConnectorPost": obj(
            {
                "type": {**enum(CONNECTOR_TYPES), "description": "not slack: see installations"},
                "name": STR,
                "params": ANY_OBJECT,
            },
            ["type"],
        ),
        "ConnectorPut": obj({"name": STR, "params": ANY_OBJECT, "type": STR}),
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
        "Event": {
            **obj(
                {
                    "apiKey": {**STR, "minLength": 1, "description": "ilert's older name"},
                    "integrationKey": {**STR, "minLength": 1, "description": "the source's key"},
                    "eventType": enum(EVENT_TYPES),
                    "summary": STR,
                    "details": STR,
                    "alertKey": STR,
                    "priority": enum(PRIORITIES),
                    "images": arr(ref("EventImage")),
                    "links": arr(ref("EventLink")),
                    "comments": arr(obj({"creator": STR, "content": STR})),
                    "customDetails": ANY_OBJECT,
                    "routingKey": STR,
                },
                ["eventType"],
            ),
            # One of the two keys is required (ilert's document names `apiKey`, its events API
            # `integrationKey`); `summary` is required for ALERT events.
            "anyOf": [{"required": ["integrationKey"]}, {"required": ["apiKey"]}],
        },
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
        "IdBody": obj({"id": INT}, ["id"]),
        "SlackChannelReport": obj(
            {
                "name": {**STR, "minLength": 1, "maxLength": 80},
                "archived": BOOL,
                "botIsMember": BOOL,
            }
        ),
        # -- control plane --
        "Ok": closed({"ok": BOOL}),
        "AccountPost": obj(
            {
                "name": NOT_BLANK,
                "owner": obj({"firstName": STR, "lastName": STR, "email": EMAIL}),
            },
            ["name"],
        ),
        "AccountCreated": closed({"id": INT, "name": STR, "apiKey": STR, "owner": ref("User")}),
        "AccountSummary": closed({"id": INT, "name": STR, "ownerId": INT, "users": INT}),
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


def _json(schema: Schema, description: str = "OK") -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": "Bad input: a field, query or header is missing or wrong",
    "401": "No or an unknown API key",
    "403": "The role (or key) may not do this",
    "404": "No such object, or not visible to this user",
    "405": "Method not allowed (or, for responders, already a responder)",
    "409": "Conflicts with what exists",
    "413": "The request body is over 1 MiB",
}


ALLOW = {
    "Allow": {
        "description": "the methods the path takes",
        "required": True,
        "schema": STR,
    }
}


def _errors(*codes: str) -> dict[str, Schema]:
    answers = {c: _json(ref("Error"), _ERRORS[c]) for c in codes}
    if "405" in answers:
        answers["405"]["headers"] = ALLOW
    return answers


API_ERRORS = ("400", "401", "403", "404", "405", "409", "413")
SIM_ERRORS = ("400", "404", "405", "409")


def _body(schema: Schema, required: bool = True) -> Schema:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _query(name: str, schema: Schema, description: str = "") -> Schema:
    param: Schema = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    if schema.get("type") == "array":
        param["explode"] = True
        param["style"] = "form"
    return param


def _path(name: str, schema: Schema, description: str = "") -> Schema:
    """A path parameter; an integer one is never negative (the route does not match a sign)."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {**schema, "minimum": 0} if schema.get("type") == "integer" else schema,
        "description": description or name,
    }


PAGE = [
    _query("start-index", {**INT, "minimum": 0, "maximum": 2**31 - 1, "default": 0}),
    _query("max-results", {**INT, "minimum": 1, "maximum": 100, "default": 50}),
]
PAGE_50 = [
    _query("start-index", {**INT, "minimum": 0, "maximum": 2**31 - 1, "default": 0}),
    _query("max-results", {**INT, "minimum": 1, "maximum": 50, "default": 50}),
]
ALERT_FILTERS = [
    _query("states", arr(enum(ALERT_STATES))),
    _query("sources", arr(INT), "alert source ids"),
    _query("policies", arr(INT), "escalation policy ids"),
    _query("responders", arr(STR), "user ids or usernames of responders"),
    _query("from", TIME, "reportTime on or after"),
    _query("until", TIME, "reportTime on or before"),
]
INCLUDE = [_query("include", arr(enum(ALERT_INCLUDES)))]
HEADERS = [
    {"$ref": "#/components/parameters/TeamContext"},
    {"$ref": "#/components/parameters/OnBehalfOf"},
]


def _op(
    summary: str,
    responses: dict[str, Schema],
    *,
    params: list[Schema] | None = None,
    body: Schema | None = None,
    body_required: bool = True,
    public: bool = False,
    errors: tuple[str, ...] = API_ERRORS,
    tag: str = "",
) -> Schema:
    op: Schema = {
        "summary": summary,
        "responses": {**responses, **_errors(*errors)},
    }
    if tag:
        op["tags"] = [tag]
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


NO_CONTENT = {"204": {"description": "Done"}}


def _api_paths() -> dict[str, Schema]:
    p = _path
    user_ref_p = [p("ref", STR, "user id or username")]
    team_p = [p("team_id", INT, "team id")]
    policy_p = [p("policy_id", INT, "escalation policy id")]
    source_p = [p("ref", STR, "alert source id (or, for GET, its integration key)")]
    alert_p = [p("alert_id", INT, "alert id")]
    action_p = [p("action_id", STR, "alert action id")]
    connector_p = [p("connector_id", STR, "connector id")]
    many = arr
    return {
        "/api/users": {
            "get": _op("List users", {"200": _json(many(ref("User")))}, params=PAGE, tag="Users"),
            "post": _op(
                "Create a user (Admin)",
                {"201": _json(ref("User"))},
                body=ref("UserPost"),
                tag="Users",
            ),
        },
        "/api/users/current": {
            "get": _op("The user of the key", {"200": _json(ref("User"))}, tag="Users"),
            "put": _op(
                "Change your own profile (the role only as an Admin)",
                {"200": _json(ref("User"))},
                body=ref("UserPut"),
                tag="Users",
            ),
        },
        "/api/users/search-email": {
            "post": _op(
                "Find a user by e-mail (case-insensitive)",
                {"200": _json(ref("User"))},
                body=ref("EmailSearch"),
                tag="Users",
            ),
        },
        "/api/users/{ref}": {
            "get": _op("A user", {"200": _json(ref("User"))}, params=user_ref_p, tag="Users"),
            "put": _op(
                "Change a user, including the role (Admin; not the owner's role)",
                {"200": _json(ref("User"))},
                params=user_ref_p,
                body=ref("UserPut"),
                tag="Users",
            ),
            "delete": _op(
                "Delete a user (Admin; not the owner, not one in an escalation policy)",
                NO_CONTENT,
                params=user_ref_p,
                tag="Users",
            ),
        },
        "/api/teams": {
            "get": _op("List teams", {"200": _json(many(ref("Team")))}, tag="Teams"),
            "post": _op(
                "Create a team (Admin)",
                {"201": _json(ref("Team"))},
                body=ref("TeamPost"),
                tag="Teams",
            ),
        },
        "/api/teams/{team_id}": {
            "get": _op("A team", {"200": _json(ref("Team"))}, params=team_p, tag="Teams"),
            "put": _op(
                "Change a team (Admin); members replaces the members",
                {"200": _json(ref("Team"))},
                params=team_p,
                body=ref("TeamPut"),
                tag="Teams",
            ),
            "delete": _op(
                "Delete a team (Admin); its objects stay", NO_CONTENT, params=team_p, tag="Teams"
            ),
        },
        "/api/teams/{team_id}/members": {
            "post": _op(
                "Add or change a member (Admin)",
                {"200": _json(ref("TeamMember"))},
                params=team_p,
                body=ref("TeamMemberPost"),
                tag="Teams",
            ),
        },
        "/api/teams/{team_id}/members/{user_id}": {
            "delete": _op(
                "Remove a member (Admin)",
                NO_CONTENT,
                params=[*team_p, p("user_id", INT, "user id")],
                tag="Teams",
            ),
        },
        "/api/escalation-policies": {
            "get": _op(
                "List escalation policies",
                {"200": _json(many(ref("EscalationPolicy")))},
                params=PAGE_50,
                tag="Escalation Policies",
            ),
            "post": _op(
                "Create an escalation policy (User or Admin)",
                {"201": _json(ref("EscalationPolicy"))},
                body=ref("EscalationPolicyPost"),
                tag="Escalation Policies",
            ),
        },
        "/api/escalation-policies/{policy_id}": {
            "get": _op(
                "An escalation policy",
                {"200": _json(ref("EscalationPolicy"))},
                params=policy_p,
                tag="Escalation Policies",
            ),
            "put": _op(
                "Change an escalation policy",
                {"200": _json(ref("EscalationPolicy"))},
                params=policy_p,
                body=ref("EscalationPolicyPut"),
                tag="Escalation Policies",
            ),
            "delete": _op(
                "Delete an escalation policy no alert source uses",
                NO_CONTENT,
                params=policy_p,
                tag="Escalation Policies",
            ),
        },
        "/api/alert-sources": {
            "get": _op(
                "List alert sources",
                {"200": _json(many(ref("AlertSource")))},
                params=PAGE_50,
                tag="Alert Sources",
            ),
            "post": _op(
                "Create an alert source",
                {"201": _json(ref("AlertSource"))},
                body=ref("AlertSourcePost"),
                tag="Alert Sources",
            ),
        },
        "/api/alert-sources/{ref}": {
            "get": _op(
                "An alert source by id or integration key",
                {"200": _json(ref("AlertSource"))},
                params=source_p,
                tag="Alert Sources",
            ),
            "put": _op(
                "Change an alert source",
                {"200": _json(ref("AlertSource"))},
                params=source_p,
                body=ref("AlertSourcePut"),
                tag="Alert Sources",
            ),
            "delete": _op(
                "Delete an alert source and its alerts",
                NO_CONTENT,
                params=source_p,
                tag="Alert Sources",
            ),
        },
        "/api/alerts": {
            "get": _op(
                "List alerts, newest first",
                {"200": _json(many(ref("Alert")))},
                params=[*PAGE, *ALERT_FILTERS, *INCLUDE],
                tag="Alerts",
            ),
            "post": _op(
                "Create an alert (Responder, User or Admin)",
                {"201": _json(ref("Alert"))},
                body=ref("AlertPost"),
                tag="Alerts",
            ),
        },
        "/api/alerts/count": {
            "get": _op(
                "Count alerts", {"200": _json(ref("Count"))}, params=ALERT_FILTERS, tag="Alerts"
            ),
        },
        "/api/alerts/{alert_id}": {
            "get": _op(
                "An alert", {"200": _json(ref("Alert"))}, params=[*alert_p, *INCLUDE], tag="Alerts"
            ),
        },
        "/api/alerts/{alert_id}/accept": {
            "put": _op("Accept", {"200": _json(ref("Alert"))}, params=alert_p, tag="Alerts"),
        },
        "/api/alerts/{alert_id}/resolve": {
            "put": _op("Resolve", {"200": _json(ref("Alert"))}, params=alert_p, tag="Alerts"),
        },
        "/api/alerts/{alert_id}/assign": {
            "put": _op(
                "Assign to a user or a schedule's on-call person (escalation stops) or a policy "
                "(escalation restarts)",
                {"200": _json(ref("Alert"))},
                params=[
                    *alert_p,
                    _query("user", STR, "user id or username"),
                    _query("user-id", STR, "the same, as ilert's Go client names it"),
                    _query("policy", STR, "escalation policy id"),
                    _query("policy-id", STR, "the same"),
                    _query("schedule", STR, "on-call schedule id"),
                    _query("schedule-id", STR, "the same"),
                ],
                tag="Alerts",
            ),
        },
        "/api/alerts/{alert_id}/responders": {
            "post": _op(
                "Add a responder (405 if already one)",
                {"201": _json(ref("AlertResponder"))},
                params=alert_p,
                body=ref("ResponderPost"),
                tag="Alerts",
            ),
        },
        "/api/alerts/{alert_id}/responders/{user_id}": {
            "delete": _op(
                "Remove a responder",
                NO_CONTENT,
                params=[*alert_p, p("user_id", INT, "user id")],
                tag="Alerts",
            ),
        },
        "/api/alerts/{alert_id}/suggested-responders": {
            "get": _op(
                "Who may respond",
                {"200": _json(many(ref("SuggestedResponder")))},
                params=alert_p,
                tag="Alerts",
            ),
        },
        "/api/alerts/{alert_id}/log-entries": {
            "get": _op(
                "The alert's timeline, oldest first (each Slack notification included)",
                {"200": _json(many(ref("LogEntry")))},
                params=[*alert_p, *PAGE],
                tag="Alerts",
            ),
        },
        "/api/alert-actions": {
            "get": _op(
                "List alert actions",
                {"200": _json(many(ref("AlertAction")))},
                params=[
                    _query("source", INT, "alert source id"),
                    _query("connector", STR, "connector id"),
                ],
                tag="Alert Actions",
            ),
            "post": _op(
                "Create an alert action",
                {"201": _json(ref("AlertAction"))},
                body=ref("AlertActionPost"),
                tag="Alert Actions",
            ),
        },
        "/api/alert-actions/{action_id}": {
            "get": _op(
                "An alert action",
                {"200": _json(ref("AlertAction"))},
                params=action_p,
                tag="Alert Actions",
            ),
            "put": _op(
                "Change an alert action (not its connectorType)",
                {"200": _json(ref("AlertAction"))},
                params=action_p,
                body=ref("AlertActionPost"),
                tag="Alert Actions",
            ),
            "delete": _op(
                "Delete an alert action", NO_CONTENT, params=action_p, tag="Alert Actions"
            ),
        },
        "/api/alert-actions/{action_id}/add-source": {
            "put": _op(
                "Add an alert source (idempotent)",
                {"200": _json(ref("AlertAction"))},
                params=action_p,
                body=ref("IdBody"),
                tag="Alert Actions",
            ),
        },
        "/api/alert-actions/{action_id}/remove-source": {
            "put": _op(
                "Remove an alert source (idempotent)",
                {"200": _json(ref("AlertAction"))},
                params=action_p,
                body=ref("IdBody"),
                tag="Alert Actions",
            ),
        },
        "/api/connectors": {
            "get": _op("List connectors", {"200": _json(many(ref("Connector")))}, tag="Connectors"),
            "post": _op(
                "Create a connector (Admin; never slack)",
                {"201": _json(ref("Connector"))},
                body=ref("ConnectorPost"),
                tag="Connectors",
            ),
        },
        "/api/connectors/{connector_id}": {
            "get": _op(
                "A connector",
                {"200": _json(ref("Connector"))},
                params=connector_p,
                tag="Connectors",
            ),
            "put": _op(
                "Rename a connector or change its params (not a slack connector's)",
                {"200": _json(ref("Connector"))},
                params=connector_p,
                body=ref("ConnectorPut"),
                tag="Connectors",
            ),
            "delete": _op(
                "Delete a connector and its alert actions (slack: revokes the integration key; "
                "the Slack app's integration key may delete its own connector)",
                NO_CONTENT,
                params=connector_p,
                tag="Connectors",
            ),
        },
        "/api/connectors/{connector_id}/slack-channels/{channel_id}": {
            "put": _op(
                "The Slack app reports a channel as Slack has it (docs/contract.md §6); answers "
                "the alert actions publishing to it",
                {"200": _json(many(ref("AlertAction")))},
                params=[*connector_p, _path("channel_id", STR, "Slack channel id")],
                body=ref("SlackChannelReport"),
                tag="Connectors",
            ),
        },
        "/api/connectors/slack/installations": {
            "post": _op(
                "Redeem an install ticket (docs/contract.md §2); the ticket is the credential",
                {"200": _json(ref("InstallationResult"))},
                body=ref("Installation"),
                public=True,
                tag="Connectors",
            ),
        },
        "/api/events": {
            "post": _op(
                "ilert's events API: the source's key in the body is the credential",
                {"202": _json(ref("EventResult"))},
                body=ref("Event"),
                public=True,
                tag="Events",
            ),
        },
        "/api/v1/events": {
            "post": _op(
                "The legacy path of the events API",
                {"202": _json(ref("EventResult"))},
                body=ref("Event"),
                public=True,
                tag="Events",
            ),
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
                body=ref("UserPost"),
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


def _bound_request_strings(document: Schema) -> Schema:
    """Every string of a request body gets the maxLength `wire.check_lengths` enforces (the
    control plane's import takes any state, so `Export` stays unbounded)."""
    schemas = document["components"]["schemas"]
    todo = {
        op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for item in document["paths"].values()
        for op in item.values()
        if "requestBody" in op
    } - {"Export"}
    done: set[str] = set()
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
    if "properties" in out:
        out["properties"] = {
            k: _bounded(v, FIELD_LIMITS.get(k, limit), refs) for k, v in out["properties"].items()
        }
    if "items" in out:
        out["items"] = _bounded(out["items"], limit, refs)
    for key in ("anyOf", "allOf", "oneOf"):
        if key in out:
            out[key] = [_bounded(s, limit, refs) for s in out[key]]
    return out


def _with_alerting(schemas: dict[str, Schema]) -> dict[str, Schema]:
    """The alerting behaviour's fields (alert filters, delays, alert creation, heartbeats) added
    to the schemas they belong to; an answer has the optional ones only when they are set."""
    predicate = obj(
        {
            "field": enum(alert_filters.FIELDS),
            "criteria": enum(alert_filters.CRITERIA),
            "value": STR,
        },
        ["field", "criteria", "value"],
    )
    schemas["AlertFilter"] = obj(
        {"operator": enum(alert_filters.OPERATORS), "predicates": arr(predicate)}
    )
    schemas["AlertAction"]["properties"]["alertFilter"] = {
        **ref("AlertFilter"),
        "description": "only when set",
    }
    schemas["AlertActionPost"]["properties"]["alertFilter"] = {
        **null(ref("AlertFilter")),
        "description": "an alert it does not let through is not sent; null removes it",
    }
    schemas["AlertAction"]["properties"]["delaySec"] = {
        **INT,
        "description": "ilert's spec's name of escalationEndedDelaySec (the same value)",
    }
    schemas["AlertActionPost"]["properties"]["delaySec"] = {
        **INT,
        "minimum": 0,
        "maximum": 7200,
        "description": "0 or 30-7200: seconds alert-escalation-ended waits (still PENDING "
        "then, it is sent); only with that trigger type; the same setting as "
        "escalationEndedDelaySec",
    }
    duration = {**STR, "format": "ISO-8601", "description": "a duration such as PT5M or P1D"}
    rules_in = {
        "alertCreation": enum(source_rules.ALERT_CREATIONS),
        "alertPriorityRule": enum(source_rules.PRIORITY_RULES),
        "alertGroupingWindow": {**duration, "nullable": True},
        "autoResolutionTimeout": {**duration, "nullable": True},
    }
    for name in ("AlertSourcePost", "AlertSourcePut"):
        schemas[name]["properties"].update(rules_in)
    source = schemas["AlertSource"]
    source["properties"].update(
        {
            "alertCreation": enum(source_rules.ALERT_CREATIONS),
            "alertPriorityRule": enum(source_rules.PRIORITY_RULES),
            "alertGroupingWindow": {**duration, "description": "only when set"},
            "autoResolutionTimeout": {**duration, "description": "only when set"},
        }
    )
    source["required"] = [*source["required"], "alertCreation", "alertPriorityRule"]
    heartbeat_in = obj(
        {
            "summary": {**STR, "description": "the summary of the alert an overdue opens"},
            "intervalSec": {**INT, "minimum": 1, "maximum": MAX_INTERVAL_SEC},
            "status": {**enum(HEARTBEAT_STATUSES), "readOnly": True},
            "lastPingReceivedAt": {**TIME, "readOnly": True},
        }
    )
    heartbeat_out = obj(
        {
            "summary": STR,
            "intervalSec": INT,
            "status": enum(HEARTBEAT_STATUSES),
            "lastPingReceivedAt": {**TIME, "description": "only once pinged"},
        },
        ["summary", "intervalSec", "status"],
    )
    for name in ("AlertSourcePost", "AlertSourcePut"):
        schemas[name]["properties"]["heartbeat"] = {
            **heartbeat_in,
            "description": "required for integrationType HEARTBEAT, refused for any other",
        }
    source["properties"]["heartbeat"] = {**heartbeat_out, "description": "HEARTBEAT sources"}
    return schemas


def _heartbeat_paths() -> dict[str, Schema]:
    """ilert's pings (HEAD too: served wherever GET is, as the spec declares)."""
    key = [_path("key", STR, "the HEARTBEAT alert source's integration key")]
    pinged = {"202": {"description": "The ping is received (no body)"}}

    def ping() -> Schema:
        return _op(
            "Ping a heartbeat alert source",
            pinged,
            params=key,
            public=True,
            errors=("400", "404", "405", "413"),
            tag="Heartbeats",
        )

    return {"/api/heartbeats/{key}": {"get": ping(), "post": ping()}}


@cache
def _document() -> Schema:
    from emulator.ilert import openapi_oncall as oncall  # it builds on this module's helpers

    return _bound_request_strings(
        {
            "openapi": "3.0.3",
            "info": {
                "title": "fake ilert",
                "version": "1",
                "description": (
                    "An emulator of ilert's alerting core (paths, shapes and enums of ilert's REST "
                    "API) and its control plane under /_sim. See docs/fake-ilert.md."
                ),
            },
            "servers": [{"url": "/"}],
            "security": [{"bearer": []}],
            "tags": [
                {"name": name}
                for name in (
                    "Users",
                    "Teams",
                    "Escalation Policies",
                    "Alert Sources",
                    "Alerts",
                    "Alert Actions",
                    "Connectors",
                    "Schedules",
                    "On-Calls",
                    "Support Hours",
                    "Maintenance Windows",
                    "Events",
                    "Heartbeats",
                    "Control plane",
                )
            ],
            "paths": {**_api_paths(), **oncall.paths(), **_heartbeat_paths(), **_sim_paths()},
            "components": {
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
                "schemas": {**_with_alerting(_schemas()), **oncall.schemas()},
            },
        }
    )


def openapi_document() -> Schema:
    """The document (built once; callers must not change it)."""
    return _document()
