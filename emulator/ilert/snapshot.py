"""The whole state of fake ilert as plain JSON, and back: `GET /_sim/export`, `POST /_sim/import`.

The export is complete (keys and secrets included: it is a simulator's save file, not a backup of
anything real) and an import restores it exactly: the same ids, keys, alerts with their log,
escalations still due, redeemed install tickets, and ids that keep counting where they stopped.
An import is checked whole before anything is replaced, so a bad file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from emulator.ilert.alert_filters import AlertFilter, parse_alert_filter
from emulator.ilert.errors import BadRequest
from emulator.ilert.heartbeats import STATUSES as HEARTBEAT_STATUSES
from emulator.ilert.heartbeats import Heartbeat
from emulator.ilert.index import ALERT_STATES
from emulator.ilert.models import (
    DELIVERY_STATES,
    ROLES,
    TEAM_MEMBER_ROLES,
    TRIGGER_MODES,
    VISIBILITIES,
    Account,
    Alert,
    AlertAction,
    AlertSource,
    ApiKey,
    Connector,
    DeliveryStatus,
    EscalationPolicy,
    EscalationRule,
    IlertState,
    LogEntry,
    Responder,
    Team,
    User,
)
from emulator.ilert.snapshot_oncall import export_book, import_book
from emulator.ilert.source_rules import (
    ALERT_CREATIONS,
    PRIORITY_RULES,
    SourceRules,
    parse_duration,
)
from emulator.ilert.timers import DelayedEvent

FORMAT = "fake-ilert-state"
VERSION = 1
T = TypeVar("T")


def export_state(state: IlertState) -> dict[str, Any]:
    with state.lock:
        return {
            "format": FORMAT,
            "version": VERSION,
            "lastId": state.last_id,
            "redeemedNonces": sorted(state.redeemed_nonces),
            "apiKeys": [
                {"key": k.key, "accountId": k.account_id, "userId": k.user_id, "kind": k.kind}
                for k in state.api_keys.values()
            ],
            "accounts": [_account_out(a) for a in state.accounts.values()],
        }


def _account_out(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "ownerId": account.owner_id,
        "integrationKey": account.integration_key,
        "users": [
            {
                "id": u.id,
                "firstName": u.first_name,
                "lastName": u.last_name,
                "email": u.email,
                "username": u.username,
                "role": u.role,
                "timezone": u.timezone,
                "position": u.position,
                "department": u.department,
                "language": u.language,
                "createdAt": u.created_at,
                "updatedAt": u.updated_at,
                "extra": u.extra,
            }
            for u in account.users.values()
        ],
        "teams": [
            {
                "id": t.id,
                "name": t.name,
                "visibility": t.visibility,
                "members": [{"userId": uid, "role": r} for uid, r in t.members.items()],
                "createdAt": t.created_at,
                "updatedAt": t.updated_at,
                "extra": t.extra,
            }
            for t in account.teams.values()
        ],
        "policies": [_policy_out(p, retired=False) for p in account.policies.values()]
        + [_policy_out(p, retired=True) for p in account.retired_policies.values()],
        "sources": [
            {
                "id": s.id,
                "name": s.name,
                "integrationType": s.integration_type,
                "integrationKey": s.integration_key,
                "policyId": s.policy.id,
                "teamIds": list(s.team_ids),
                "active": s.active,
                "rules": _rules_out(s.rules),
                "heartbeat": _heartbeat_out(s.heartbeat),
                "extra": s.extra,
            }
            for s in account.sources.values()
        ],
        "alerts": [_alert_out(a) for a in account.alerts.values()],
        "actions": [
            {
                "id": a.id,
                "name": a.name,
                "sourceIds": list(a.source_ids),
                "connectorId": a.connector_id,
                "connectorType": a.connector_type,
                "triggerMode": a.trigger_mode,
                "triggerTypes": list(a.trigger_types),
                "params": dict(a.params),
                "teamIds": list(a.team_ids),
                "createdAt": a.created_at,
                "updatedAt": a.updated_at,
                "createdBy": a.created_by,
                "escalationEndedDelaySec": a.escalation_ended_delay_sec,
                "notResolvedDelaySec": a.not_resolved_delay_sec,
                "alertFilter": _filter_out(a.alert_filter),
                "delivery": {
                    "state": a.delivery.state,
                    "error": a.delivery.error,
                    "reason": a.delivery.reason,
                    "lastAttemptAt": a.delivery.last_attempt_at,
                    "nextAttemptAt": a.delivery.next_attempt_at,
                },
                "extra": a.extra,
            }
            for a in account.actions.values()
        ],
        "connectors": [
            {
                "id": c.id,
                "name": c.name,
                "type": c.type,
                "params": dict(c.params),
                "createdAt": c.created_at,
                "updatedAt": c.updated_at,
                "extra": c.extra,
            }
            for c in account.connectors.values()
        ],
        "oncall": export_book(account.oncall),
    }


def _heartbeat_out(heartbeat: Heartbeat | None) -> dict[str, Any] | None:
    if heartbeat is None:
        return None
    return {
        "intervalSec": heartbeat.interval_sec,
        "summary": heartbeat.summary,
        "status": heartbeat.status,
        "lastPingAt": heartbeat.last_ping_at,
        "overdueAlertId": heartbeat.overdue_alert_id,
    }


def _rules_out(rules: SourceRules) -> dict[str, Any]:
    return {
        "alertCreation": rules.alert_creation,
        "alertGroupingWindow": rules.grouping_window.text if rules.grouping_window else None,
        "autoResolutionTimeout": rules.auto_resolution.text if rules.auto_resolution else None,
        "alertPriorityRule": rules.priority_rule,
    }


def _filter_out(alert_filter: AlertFilter | None) -> dict[str, Any] | None:
    if alert_filter is None:
        return None
    predicates = [
        {"field": p.field, "criteria": p.criteria, "value": p.value}
        for p in alert_filter.predicates
    ]
    return {"operator": alert_filter.operator, "predicates": predicates}


def _policy_out(policy: EscalationPolicy, *, retired: bool) -> dict[str, Any]:
    return {
        "id": policy.id,
        "name": policy.name,
        "rules": [
            {
                "escalationTimeout": r.escalation_timeout,
                "userIds": list(r.user_ids),
                "scheduleIds": list(r.schedule_ids),
            }
            for r in policy.rules
        ],
        "repeating": policy.repeating,
        "frequency": policy.frequency,
        "teamIds": list(policy.team_ids),
        "routingKey": policy.routing_key,
        "retired": retired,
        "extra": policy.extra,
    }


def _alert_out(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "sourceId": alert.source.id,
        "policyId": alert.policy.id,
        "summary": alert.summary,
        "details": alert.details,
        "priority": alert.priority,
        "alertKey": alert.alert_key,
        "reportTime": alert.report_time,
        "status": alert.status,
        "responders": [
            {
                "userId": r.user_id,
                "status": r.status,
                "acceptedAt": r.accepted_at,
                "manual": r.manual,
            }
            for r in alert.responders
        ],
        "ruleIndex": alert.rule_index,
        "repeats": alert.repeats,
        "nextEscalation": alert.next_escalation,
        "acknowledgedBy": alert.acknowledged_by,
        "acceptedAt": alert.accepted_at,
        "resolvedBy": alert.resolved_by,
        "resolvedOn": alert.resolved_on,
        "images": alert.images,
        "links": alert.links,
        "customDetails": alert.custom_details,
        "autoResolveAt": alert.auto_resolve_at,
        "delayedEvents": [
            {"due": d.due, "actionId": d.action_id, "eventType": d.event_type}
            for d in alert.delayed_events
        ],
        "log": [
            {
                "id": e.id,
                "timestamp": e.timestamp,
                "type": e.log_type,
                "text": e.text,
                "actorId": e.actor_id,
                "via": e.via,
            }
            for e in alert.log
        ],
    }


# -- import -----------------------------------------------------------------------------------


class _Reader:
    """Typed access to the imported JSON; every mistake names where it is."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise BadRequest(f"Import: {path} must be an object")
        self.data, self.path = data, path

    def _fail(self, name: str, what: str) -> BadRequest:
        return BadRequest(f"Import: {self.path}.{name} must be {what}")

    def int(self, name: str, *, optional: bool = False) -> Any:
        value = self.data.get(name)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(name, "an integer")
        return value

    def num(self, name: str, *, optional: bool = False) -> Any:
        value = self.data.get(name)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(name, "a number")
        return float(value)

    def str(self, name: str, *, optional: bool = False) -> Any:
        value = self.data.get(name)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise self._fail(name, "a string")
        return value

    def bool(self, name: str) -> bool:
        value = self.data.get(name)
        if not isinstance(value, bool):
            raise self._fail(name, "true or false")
        return value

    def enum(self, name: str, allowed: tuple[str, ...]) -> str:
        value = self.data.get(name)
        if value not in allowed:
            raise self._fail(name, f"one of {', '.join(allowed)}")
        return str(value)

    def obj(self, name: str) -> dict[str, Any]:
        value = self.data.get(name)
        if not isinstance(value, dict):
            raise self._fail(name, "an object")
        return value

    def ints(self, name: str) -> list[int]:
        value = self.data.get(name)
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise self._fail(name, "a list of integers")
        return list(value)

    def strs(self, name: str) -> list[str]:
        value = self.data.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(name, "a list of strings")
        return list(value)

    def items(self, name: str) -> list[_Reader]:
        value = self.data.get(name)
        if not isinstance(value, list):
            raise self._fail(name, "a list")
        return [_Reader(v, f"{self.path}.{name}[{i}]") for i, v in enumerate(value)]


def _delivery_in(action: _Reader) -> DeliveryStatus:
    """An alert action's delivery status; an export made before it was kept has none: OKAY."""
    if action.data.get("delivery") is None:
        return DeliveryStatus()
    d = _Reader(action.data["delivery"], f"{action.path}.delivery")
    return DeliveryStatus(
        state=d.enum("state", DELIVERY_STATES),
        error=d.str("error", optional=True),
        reason=d.str("reason", optional=True),
        last_attempt_at=d.num("lastAttemptAt", optional=True),
        next_attempt_at=d.num("nextAttemptAt", optional=True),
    )


def _heartbeat_in(source: _Reader) -> Heartbeat | None:
    if source.data.get("heartbeat") is None:
        return None
    h = _Reader(source.data["heartbeat"], f"{source.path}.heartbeat")
    interval = h.int("intervalSec")
    if interval < 1:
        raise BadRequest(f"Import: {h.path}.intervalSec must be at least 1")
    return Heartbeat(
        interval_sec=interval,
        summary=h.str("summary"),
        status=h.enum("status", HEARTBEAT_STATUSES),
        last_ping_at=h.num("lastPingAt", optional=True),
        overdue_alert_id=h.int("overdueAlertId", optional=True),
    )


def _rules_in(source: _Reader) -> SourceRules:
    """A source's alert creation rules, checked as the API checks them; an older export has
    none: the defaults."""
    if source.data.get("rules") is None:
        return SourceRules()
    r = _Reader(source.data["rules"], f"{source.path}.rules")
    durations = {}
    try:
        for name in ("alertGroupingWindow", "autoResolutionTimeout"):
            text = r.str(name, optional=True)
            durations[name] = None if text is None else parse_duration(text, name)
        return SourceRules(
            alert_creation=r.enum("alertCreation", ALERT_CREATIONS),
            grouping_window=durations["alertGroupingWindow"],
            auto_resolution=durations["autoResolutionTimeout"],
            priority_rule=r.enum("alertPriorityRule", PRIORITY_RULES),
        )
    except BadRequest as error:
        if error.message.startswith("Import:"):
            raise
        raise BadRequest(f"Import: {r.path}: {error.message}") from None


def _filter_in(action: _Reader) -> AlertFilter | None:
    """An alert action's filter, checked as the API checks it; an older export has none."""
    try:
        return parse_alert_filter(action.data.get("alertFilter"))
    except BadRequest as error:
        raise BadRequest(f"Import: {action.path}.alertFilter: {error.message}") from None


def _extra(r: _Reader) -> dict[str, Any]:
    """An object's plain fields (`plain_fields`); an export made before they were kept has none."""
    return r.obj("extra") if r.data.get("extra") is not None else {}


def _pick(table: dict[Any, T], key: Any, what: str) -> T:
    if key not in table:
        raise BadRequest(f"Import: {what} {key} is not in the file")
    return table[key]


def import_state(state: IlertState, data: Any) -> None:
    """Replace everything with `data` (an export); nothing changes if it is refused."""
    root = _Reader(data, "state")
    if root.data.get("format") != FORMAT or root.data.get("version") != VERSION:
        raise BadRequest(f"Import: not a {FORMAT} version {VERSION} export")
    accounts = {a.id: a for a in (_account_in(r) for r in root.items("accounts"))}
    keys: dict[str, ApiKey] = {}
    for r in root.items("apiKeys"):
        kind = r.enum("kind", ("user", "integration"))
        key = ApiKey(r.str("key"), r.int("accountId"), r.int("userId", optional=True), kind)
        account = _pick(accounts, key.account_id, "account")
        if kind == "user" and key.user_id not in account.users:
            raise BadRequest(f"Import: API key of unknown user {key.user_id}")
        keys[key.key] = key
    for account in accounts.values():
        if account.integration_key is not None and account.integration_key not in keys:
            raise BadRequest(f"Import: account {account.id}'s integration key is not in apiKeys")
    last_id = root.int("lastId")
    nonces = set(root.strs("redeemedNonces"))
    with state.lock:
        state._reset_unlocked()
        state.accounts = accounts
        state.api_keys = keys
        state.redeemed_nonces = nonces
        for account in accounts.values():
            for user in account.users.values():
                state.user_accounts[user.id] = account.id
            for source in account.sources.values():
                state.source_keys[source.integration_key] = source
            slack = account.slack_connector()
            if slack is not None and isinstance(slack.params.get("teamId"), str):
                state.workspaces[slack.params["teamId"]] = account.id
        state.restart_ids(max(last_id, state.last_id))
        state.rebuild_escalations()
        state.rebuild_timers()


def _account_in(r: _Reader) -> Account:
    account = Account(id=r.int("id"), name=r.str("name"), owner_id=r.int("ownerId"))
    account.integration_key = r.str("integrationKey", optional=True)
    for u in r.items("users"):
        user = User(
            id=u.int("id"),
            account_id=account.id,
            first_name=u.str("firstName"),
            last_name=u.str("lastName"),
            email=u.str("email"),
            username=u.str("username"),
            role=u.enum("role", ROLES),
            timezone=u.str("timezone"),
            position=u.str("position"),
            department=u.str("department"),
            language=u.str("language"),
            created_at=u.num("createdAt", optional=True),
            updated_at=u.num("updatedAt", optional=True),
            extra=_extra(u),
        )
        user.is_owner = user.id == account.owner_id
        account.users[user.id] = user
    _pick(account.users, account.owner_id, "owner")
    for t in r.items("teams"):
        members = {}
        for m in t.items("members"):
            user_id = m.int("userId")
            _pick(account.users, user_id, "team member")
            members[user_id] = m.enum("role", TEAM_MEMBER_ROLES)
        team = Team(t.int("id"), account.id, t.str("name"), t.enum("visibility", VISIBILITIES))
        team.members = members
        team.created_at = t.num("createdAt", optional=True)
        team.updated_at = t.num("updatedAt", optional=True)
        team.extra = _extra(t)
        account.teams[team.id] = team
    oncall = r.data.get("oncall")
    account.oncall = import_book(
        None if oncall is None else _Reader(oncall, f"{r.path}.oncall"), account.id
    )
    for p in r.items("policies"):
        rules = [
            EscalationRule(x.int("escalationTimeout"), x.ints("userIds"), _schedule_ids(x, account))
            for x in p.items("rules")
        ]
        policy = EscalationPolicy(
            id=p.int("id"),
            account_id=account.id,
            name=p.str("name"),
            rules=rules,
            repeating=p.bool("repeating"),
            frequency=p.int("frequency"),
            team_ids=p.ints("teamIds"),
            routing_key=p.str("routingKey", optional=True),
            extra=_extra(p),
        )
        target = account.retired_policies if p.bool("retired") else account.policies
        target[policy.id] = policy
    every_policy = {**account.retired_policies, **account.policies}
    for s in r.items("sources"):
        source = AlertSource(
            id=s.int("id"),
            account_id=account.id,
            name=s.str("name"),
            integration_type=s.str("integrationType"),
            integration_key=s.str("integrationKey"),
            policy=_pick(every_policy, s.int("policyId"), "escalation policy"),
            team_ids=s.ints("teamIds"),
            active=s.bool("active"),
            rules=_rules_in(s),
            heartbeat=_heartbeat_in(s),
            extra=_extra(s),
        )
        account.sources[source.id] = source
    for a in r.items("alerts"):
        alert = _alert_in(a, account, every_policy)
        account.alerts[alert.id] = alert
    for alert in sorted(account.alerts.values(), key=lambda x: x.id):
        account.index.add(alert.id, alert.source.id, alert.status)
        if alert.is_open:
            account.open_by_key[(alert.source.id, alert.alert_key)] = alert
    for a in r.items("actions"):
        action = AlertAction(
            id=a.str("id"),
            account_id=account.id,
            name=a.str("name"),
            source_ids=a.ints("sourceIds"),
            connector_id=a.str("connectorId", optional=True),
            connector_type=a.str("connectorType"),
            trigger_mode=a.enum("triggerMode", TRIGGER_MODES),
            trigger_types=a.strs("triggerTypes"),
            params=a.obj("params"),
            team_ids=a.ints("teamIds"),
            created_at=a.num("createdAt"),
            updated_at=a.num("updatedAt"),
            created_by=a.int("createdBy", optional=True),
            escalation_ended_delay_sec=a.int("escalationEndedDelaySec"),
            not_resolved_delay_sec=a.int("notResolvedDelaySec"),
            delivery=_delivery_in(a),
            alert_filter=_filter_in(a),
            extra=_extra(a),
        )
        account.actions[action.id] = action
    for c in r.items("connectors"):
        connector = Connector(
            id=c.str("id"),
            account_id=account.id,
            name=c.str("name"),
            type=c.str("type"),
            params=c.obj("params"),
            created_at=c.num("createdAt"),
            updated_at=c.num("updatedAt"),
            extra=_extra(c),
        )
        account.connectors[connector.id] = connector
    return account


def _schedule_ids(rule: _Reader, account: Account) -> list[int]:
    """A rule's schedules (an export made before schedules has none); each must be in the file."""
    ids = rule.ints("scheduleIds") if "scheduleIds" in rule.data else []
    for schedule_id in ids:
        _pick(account.oncall.schedules, schedule_id, "schedule")
    return ids


def _alert_in(a: _Reader, account: Account, policies: dict[int, EscalationPolicy]) -> Alert:
    alert = Alert(
        id=a.int("id"),
        account_id=account.id,
        source=_pick(account.sources, a.int("sourceId"), "alert source"),
        policy=_pick(policies, a.int("policyId"), "escalation policy"),
        summary=a.str("summary"),
        details=a.str("details"),
        priority=a.enum("priority", ("HIGH", "LOW")),
        alert_key=a.str("alertKey"),
        report_time=a.num("reportTime"),
        status=a.enum("status", ALERT_STATES),
        rule_index=a.int("ruleIndex"),
        repeats=a.int("repeats"),
        next_escalation=a.num("nextEscalation", optional=True),
        acknowledged_by=a.int("acknowledgedBy", optional=True),
        accepted_at=a.num("acceptedAt", optional=True),
        resolved_by=a.int("resolvedBy", optional=True),
        resolved_on=a.num("resolvedOn", optional=True),
        images=_list_of(a, "images", dict),
        links=_list_of(a, "links", dict),
        custom_details=a.obj("customDetails"),
        auto_resolve_at=a.num("autoResolveAt", optional=True),
    )
    alert.delayed_events = [
        DelayedEvent(d.num("due"), d.str("actionId"), d.str("eventType"))
        for d in (a.items("delayedEvents") if "delayedEvents" in a.data else [])
    ]
    alert.responders = [
        Responder(
            user_id=x.int("userId"),
            status=x.enum("status", ("PENDING", "ACCEPTED")),
            accepted_at=x.num("acceptedAt", optional=True),
            manual=x.bool("manual"),
        )
        for x in a.items("responders")
    ]
    alert.log = [
        LogEntry(
            id=e.int("id"),
            alert_id=alert.id,
            timestamp=e.num("timestamp"),
            log_type=e.str("type"),
            text=e.str("text"),
            actor_id=e.int("actorId", optional=True),
            via=e.str("via", optional=True),
        )
        for e in a.items("log")
    ]
    return alert


def _list_of(r: _Reader, name: str, kind: type | Callable[..., Any]) -> list[Any]:
    value = r.data.get(name)
    if not isinstance(value, list) or not all(isinstance(v, kind) for v in value):  # type: ignore[arg-type]
        raise BadRequest(f"Import: {r.path}.{name} must be a list of objects")
    return list(value)
