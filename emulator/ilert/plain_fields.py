"""No field of ilert's request schemas is accepted and dropped.

For each resource, every property of ilert's request schema (`emulator/ilert/spec`) is one of:

- modelled: the model reads it and gives it its behaviour;
- server-owned: ilert sets it (ids, times, keys, status); a client sending back what it read is
  not refused, and the value sent changes nothing, as in ilert;
- plain: fake ilert has no behaviour for it, so it keeps it as given (checked against ilert's
  schema for it), returns it on every read and carries it in the export;
- refused: it names what fake ilert does not emulate; a 400 naming the field.

A test walks every property of every request schema and fails on one left in none of these, so a
field ilert adds to its document cannot be dropped unseen.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import jsonschema_rs

from emulator.ilert.errors import BadRequest
from emulator.ilert.openapi import fixed_spec
from emulator.ilert.spec import real_spec


@dataclass(frozen=True)
class Resource:
    """How fake ilert takes the fields of one of ilert's request schemas."""

    schemas: tuple[str, ...]  # ilert's request schemas for it (create, change)
    modelled: frozenset[str]
    server_owned: frozenset[str] = frozenset()
    plain: frozenset[str] = frozenset()
    refused: tuple[tuple[str, str], ...] = ()  # (field, why)


_TIMES = frozenset({"id", "createdAt", "updatedAt"})

RESOURCES: dict[str, Resource] = {
    "user": Resource(
        schemas=("UserPost", "User"),
        modelled=frozenset(
            {
                "firstName",
                "lastName",
                "email",
                "timezone",
                "position",
                "department",
                "language",
                "role",
            }
        ),
        server_owned=_TIMES | {"avatarUrl"},
        plain=frozenset({"shiftColor", "mutedUntil"}),
    ),
    "team": Resource(
        schemas=("Team",),
        modelled=frozenset({"name", "visibility", "members"}),
        server_owned=_TIMES,
    ),
    "teamMember": Resource(schemas=("TeamMember",), modelled=frozenset({"user", "role"})),
    "escalationPolicy": Resource(
        schemas=("EscalationPolicy",),
        modelled=frozenset(
            {"name", "escalationRules", "repeating", "frequency", "routingKey", "teams"}
        ),
        server_owned=frozenset({"id"}),
        plain=frozenset({"delayMin"}),
    ),
    "alertSource": Resource(
        schemas=("AlertSourceRel",),
        modelled=frozenset(
            {
                "name",
                "integrationType",
                "escalationPolicy",
                "teams",
                "active",
                "alertCreation",
                "alertGroupingWindow",
                "autoResolutionTimeout",
                "alertPriorityRule",
                "heartbeat",
            }
        ),
        server_owned=frozenset(
            {
                "id",
                "integrationKey",
                "integrationUrl",
                "status",
                "bidirectional",
                "iconUrl",
                "lightIconUrl",
                "darkIconUrl",
            }
        ),
        plain=frozenset(
            {
                "summaryTemplate",
                "detailsTemplate",
                "routingTemplate",
                "linkTemplates",
                "priorityTemplate",
                "emailFiltered",
                "emailResolveFiltered",
                "emailPredicates",
                "emailResolvePredicates",
                "resolveKeyExtractor",
                "filterOperator",
                "resolveFilterOperator",
            }
        ),
        refused=(
            (
                "supportHours",
                "support hours are not emulated; an alert source here is always in support",
            ),
        ),
    ),
    "alert": Resource(
        schemas=("ManualAlert",),
        modelled=frozenset(
            {
                "summary",
                "details",
                "alertSource",
                "escalationPolicy",
                "priority",
                "assignedTo",
                "images",
                "links",
                "responders",
            }
        ),
    ),
    "alertAction": Resource(
        schemas=("AlertAction",),
        modelled=frozenset(
            {
                "name",
                "alertSources",
                "connectorId",
                "connectorType",
                "triggerMode",
                "triggerTypes",
                "params",
                "teams",
                "alertFilter",
                "delaySec",
            }
        ),
        server_owned=_TIMES | {"bidirectional"},
    ),
    "connector": Resource(
        schemas=("Connector",),
        modelled=frozenset({"type", "name", "params"}),
        server_owned=_TIMES,
    ),
    "event": Resource(
        schemas=("Event",),
        modelled=frozenset(
            {
                "apiKey",
                "eventType",
                "summary",
                "details",
                "alertKey",
                "priority",
                "images",
                "links",
                "comments",
                "customDetails",
                "routingKey",
            }
        ),
    ),
}


class HasPlain(Protocol):
    extra: dict[str, Any]


def unaccounted() -> dict[str, set[str]]:
    """Properties of ilert's request schemas no resource accounts for (a test keeps it empty)."""
    schemas = real_spec()["components"]["schemas"]
    missing: dict[str, set[str]] = {}
    for name, resource in RESOURCES.items():
        known = (
            resource.modelled
            | resource.server_owned
            | resource.plain
            | {field for field, _ in resource.refused}
        )
        for schema in resource.schemas:
            left = set(schemas[schema]["properties"]) - known
            if left:
                missing.setdefault(name, set()).update(left)
    return missing


@cache
def _validator(schema_name: str, field: str) -> Any:
    spec = fixed_spec()
    schema = copy.deepcopy(spec["components"]["schemas"][schema_name]["properties"][field])
    return jsonschema_rs.Draft4Validator({"allOf": [schema], "components": spec["components"]})


def _schema_of(resource: Resource, field: str) -> str:
    schemas = real_spec()["components"]["schemas"]
    return next(s for s in reversed(resource.schemas) if field in schemas[s]["properties"])


def take_plain(name: str, body: dict[str, Any]) -> dict[str, Any]:
    """The plain fields of `body`, each checked against ilert's schema for it; a refused field
    is a 400 naming it. Call before the model changes anything, so a refusal changes nothing."""
    resource = RESOURCES[name]
    for field, why in resource.refused:
        if body.get(field) is not None:
            raise BadRequest(f"Field '{field}' is not supported: {why}")
    plain: dict[str, Any] = {}
    for field in sorted(resource.plain & body.keys()):
        value = body[field]
        if value is None:
            continue
        error = next(_validator(_schema_of(resource, field), field).iter_errors(value), None)
        if error is not None:
            raise BadRequest(f"Field '{field}' does not match ilert's schema: {error.message}")
        plain[field] = value
    return plain


def keep_plain(state: Any, target: HasPlain, plain: dict[str, Any]) -> None:
    """Store what `take_plain` returned on the object the model made or changed: a field given
    replaces the one kept, a field left out stays (as the model's own fields do on PUT)."""
    if not plain:
        return
    with state.lock:
        target.extra = {**target.extra, **copy.deepcopy(plain)}
        state.generation += 1  # alerts embed policies and sources: their cached JSON is stale
