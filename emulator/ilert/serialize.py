"""ilert's JSON shapes for the model's objects, shared by the REST API, webhooks and pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from emulator.ilert.alert_filters import AlertFilter
from emulator.ilert.heartbeats import Heartbeat
from emulator.ilert.models import (
    Account,
    Alert,
    AlertAction,
    AlertSource,
    Connector,
    DeliveryStatus,
    EscalationPolicy,
    IlertState,
    LogEntry,
    Responder,
    Team,
    User,
)
from emulator.ilert.source_rules import SourceRules


def iso(timestamp: float | None) -> str | None:
    """ISO-8601 in UTC with milliseconds, as ilert writes times."""
    if timestamp is None:
        return None
    return _iso(timestamp)


@lru_cache(maxsize=16384)
def _iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def present(body: dict[str, Any]) -> dict[str, Any]:
    """`body` without its unset fields: ilert's schemas type them string, number or object,
    never null, so an unset one is left out (a client generated from them decodes the rest)."""
    return {k: v for k, v in body.items() if v is not None}


def user_json(user: User) -> dict[str, Any]:
    body = {
        "id": user.id,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "email": user.email,
        "username": user.username,
        "timezone": user.timezone,
        "position": user.position,
        "department": user.department,
        "language": user.language.upper(),  # ilert's enum: DE, EN
        "role": user.role,
        **user.extra,
    }
    return present({**body, "createdAt": iso(user.created_at), "updatedAt": iso(user.updated_at)})


def user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "email": user.email,
        "username": user.username,
    }


def team_ref(team: Team) -> dict[str, Any]:
    return {"id": team.id, "name": team.name, "visibility": team.visibility}


def team_member_json(account: Account, user_id: int, role: str) -> dict[str, Any]:
    return {"user": user_ref(account.users.get(user_id)) or {"id": user_id}, "role": role}


def team_json(account: Account, team: Team) -> dict[str, Any]:
    members = [team_member_json(account, uid, role) for uid, role in team.members.items()]
    times = {"createdAt": iso(team.created_at), "updatedAt": iso(team.updated_at)}
    return present({**team_ref(team), "members": members, **team.extra, **times})


def _teams(account: Account, team_ids: list[int]) -> list[dict[str, Any]]:
    return [team_ref(account.teams[t]) for t in team_ids if t in account.teams]


def policy_json(account: Account, policy: EscalationPolicy) -> dict[str, Any]:
    """ilert's EscalationPolicy, wherever it appears (its schema requires `escalationRules`)."""
    rules = [
        {
            "escalationTimeout": r.escalation_timeout,
            "users": [user_ref(account.users[u]) for u in r.user_ids if u in account.users],
            "schedules": [
                {"id": s.id, "name": s.name, "type": s.kind}
                for s in (account.oncall.schedules.get(sid) for sid in r.schedule_ids)
                if s is not None
            ],
        }
        for r in policy.rules
    ]
    return present(
        {
            "id": policy.id,
            "name": policy.name,
            "escalationRules": rules,
            "repeating": policy.repeating,
            "frequency": policy.frequency,
            "routingKey": policy.routing_key,
            "teams": _teams(account, policy.team_ids),
            **policy.extra,
        }
    )


def source_ref(account: Account, source: AlertSource) -> dict[str, Any]:
    """An alert source inside an alert or an alert action: ilert's AlertSource requires its
    name, integration type and escalation policy."""
    return {
        "id": source.id,
        "name": source.name,
        "integrationType": source.integration_type,
        "escalationPolicy": policy_json(account, source.policy),
        "teams": _teams(account, source.team_ids),
    }


def source_json(state: IlertState, account: Account, source: AlertSource) -> dict[str, Any]:
    body = {
        "id": source.id,
        "name": source.name,
        "integrationType": source.integration_type,
        "integrationKey": source.integration_key,
        "escalationPolicy": policy_json(account, source.policy),
        "teams": _teams(account, source.team_ids),
        "status": state.source_status(source),
        "active": source.active,
        **source_rules_json(source.rules),
        **source.extra,
    }
    if source.heartbeat is not None:
        body["heartbeat"] = heartbeat_json(source.heartbeat)
    return body


def heartbeat_json(heartbeat: Heartbeat) -> dict[str, Any]:
    body: dict[str, Any] = {
        "summary": heartbeat.summary,
        "intervalSec": heartbeat.interval_sec,
        "status": heartbeat.status,
    }
    if heartbeat.last_ping_at is not None:
        body["lastPingReceivedAt"] = iso(heartbeat.last_ping_at)
    return body


def source_rules_json(rules: SourceRules) -> dict[str, Any]:
    """alertCreation and alertPriorityRule always; the durations only when set (ilert's schema
    has them as strings, never null)."""
    body: dict[str, Any] = {
        "alertCreation": rules.alert_creation,
        "alertPriorityRule": rules.priority_rule,
    }
    if rules.grouping_window is not None:
        body["alertGroupingWindow"] = rules.grouping_window.text
    if rules.auto_resolution is not None:
        body["autoResolutionTimeout"] = rules.auto_resolution.text
    return body


def responder_json(account: Account, responder: Responder) -> dict[str, Any]:
    user = account.users.get(responder.user_id)
    return present(
        {
            "user": user_ref(user) or {"id": responder.user_id},
            "status": responder.status,
            "acceptedAt": iso(responder.accepted_at),
        }
    )


def cached_alert_json(
    state: IlertState, account: Account, alert: Alert, public_url: str
) -> dict[str, Any]:
    """`alert_json` without includes, kept on the alert until it or what it names changes.

    Call under the state's lock; the result is shared, so callers must not change it.
    """
    key = (alert.version, state.generation, public_url)
    cached = alert.json_cache
    if cached is not None and cached[0] == key:
        return cached[1]
    body = _sharing_parts(state, account, alert, alert_json(account, alert, public_url))
    alert.json_cache = (key, body)
    return body


def _sharing_parts(
    state: IlertState, account: Account, alert: Alert, body: dict[str, Any]
) -> dict[str, Any]:
    """`body` with its `alertSource` and `escalationPolicy` replaced by the copies every alert
    of the same source and policy shares until the generation changes: each alert kept its own
    two policies (one inside the source), 2.5 KB an alert (bench/memory.py)."""
    generation, parts = state.shared_json
    if generation != state.generation:
        parts = {}
        state.shared_json = (state.generation, parts)
    for name, ref in (("alertSource", alert.source.id), ("escalationPolicy", alert.policy.id)):
        if name in body:
            body[name] = parts.setdefault((account.id, name, ref), body[name])
    return body


def alert_json(
    account: Account, alert: Alert, public_url: str, include: Iterable[str] = ()
) -> dict[str, Any]:
    """ilert's Alert; `include` adds `escalationRules` and `nextEscalationUser` as ilert does."""
    users = account.users
    source, policy = alert.source, alert.policy
    next_index = alert.rule_index + 1 if alert.next_escalation is not None else None
    body = {
        "id": alert.id,
        "summary": alert.summary,
        "details": alert.details,
        "reportTime": iso(alert.report_time),
        "resolvedOn": iso(alert.resolved_on),
        "status": alert.status,
        "priority": alert.priority,
        "alertKey": alert.alert_key,
        "alertSource": source_ref(account, source),
        "escalationPolicy": policy_json(account, policy),
        "assignedTo": user_ref(users.get(alert.assigned_to_id or 0)),
        "responders": [responder_json(account, r) for r in alert.responders],
        "nextEscalation": iso(alert.next_escalation),
        "nextEscalationRuleIndex": next_index,
        "acknowledgedBy": user_ref(users.get(alert.acknowledged_by or 0)),
        "resolvedBy": user_ref(users.get(alert.resolved_by or 0)),
        "images": alert.images,
        "links": alert.links,
        "customDetails": alert.custom_details,
        "alertUrl": f"{public_url}/alerts/{alert.id}",
    }
    if "escalationRules" in include:
        body["escalationRules"] = policy_json(account, policy)["escalationRules"]
    if "nextEscalationUser" in include:
        upcoming = None
        if next_index is not None:
            rules = policy.rules
            level = rules[next_index] if next_index < len(rules) else (rules[0] if rules else None)
            upcoming = users.get(level.user_ids[0]) if level and level.user_ids else None
        if upcoming:
            body["nextEscalationUser"] = user_json(upcoming)
    return present(body)


def log_entry_json(account: Account, entry: LogEntry) -> dict[str, Any]:
    return present(
        {
            "id": entry.id,
            "alertId": entry.alert_id,
            "timestamp": iso(entry.timestamp),
            "logEntryType": entry.log_type,
            "text": entry.text,
            "filterTypes": [_filter_type(entry.log_type)],
            "actor": user_ref(account.users.get(entry.actor_id or 0)),
            "via": entry.via,
        }
    )


def _filter_type(log_type: str) -> str:
    """ilert's LogFilterType of an entry, as the alert page's filter groups them."""
    if log_type.startswith("AlertAction") or log_type.startswith("Connector"):
        return "CONNECTOR_EVENTS"
    if log_type in (
        "AlertReceivedLogEntry",
        "EmailReceivedLogEntry",
        "AlertSourceResponseLogEntry",
    ):
        return "ALERT_SOURCE_EVENTS"
    if log_type == "NotificationLogEntry":
        return "NOTIFICATIONS"
    return "ALERT_UPDATES"


def delivery_status_json(status: DeliveryStatus) -> dict[str, Any]:
    return {
        "status": status.state,
        "error": status.error,
        "reason": status.reason,
        "lastAttemptAt": iso(status.last_attempt_at),
        "nextAttemptAt": iso(status.next_attempt_at),
    }


def action_json(
    account: Account, action: AlertAction, *, with_delivery: bool = True
) -> dict[str, Any]:
    """ilert's AlertAction; `deliveryStatus` is fake ilert's read-only addition (ilert's schema
    allows more properties), left out of the webhook's copy, whose delivery it would describe."""
    sources = [
        source_ref(account, s) for s in (account.sources.get(sid) for sid in action.source_ids) if s
    ]
    body = {
        "id": action.id,
        "name": action.name,
        "alertSources": sources,
        "connectorId": action.connector_id,
        "connectorType": action.connector_type,
        "triggerMode": action.trigger_mode,
        "triggerTypes": list(action.trigger_types),
        "params": dict(action.params),
        "teams": _teams(account, action.team_ids),
        "createdAt": iso(action.created_at),
        "updatedAt": iso(action.updated_at),
        "createdBy": user_ref(account.users.get(action.created_by or 0)),
        "escalationEndedDelaySec": action.escalation_ended_delay_sec,
        "delaySec": action.escalation_ended_delay_sec,  # ilert's spec's name for the same
        "notResolvedDelaySec": action.not_resolved_delay_sec,
        **action.extra,
    }
    if action.alert_filter is not None:
        body["alertFilter"] = alert_filter_json(action.alert_filter)
    if with_delivery:
        body["deliveryStatus"] = delivery_status_json(action.delivery)
    return present(body)


def alert_filter_json(alert_filter: AlertFilter) -> dict[str, Any]:
    return {
        "operator": alert_filter.operator,
        "predicates": [
            {"field": p.field, "criteria": p.criteria, "value": p.value}
            for p in alert_filter.predicates
        ],
    }


def connector_json(connector: Connector) -> dict[str, Any]:
    return {
        "id": connector.id,
        "name": connector.name,
        "type": connector.type,
        "createdAt": iso(connector.created_at),
        "updatedAt": iso(connector.updated_at),
        "params": dict(connector.params),
        **connector.extra,
    }


def state_dump(state: IlertState, public_url: str) -> dict[str, Any]:
    """Everything, per account, for `GET /_sim/state`."""
    with state.lock:
        return {"accounts": [_account_dump(state, a, public_url) for a in state.accounts.values()]}


def _account_dump(state: IlertState, account: Account, public_url: str) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "ownerId": account.owner_id,
        "users": [user_json(u) for u in account.users.values()],
        "teams": [team_json(account, t) for t in account.teams.values()],
        "escalationPolicies": [policy_json(account, p) for p in account.policies.values()],
        "alertSources": [source_json(state, account, s) for s in account.sources.values()],
        "alerts": [alert_json(account, a, public_url) for a in account.alerts.values()],
        "alertActions": [action_json(account, a) for a in account.actions.values()],
        "connectors": [connector_json(c) for c in account.connectors.values()],
        "hasIntegrationKey": account.integration_key is not None,
    }
