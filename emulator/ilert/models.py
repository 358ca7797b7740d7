"""The state of fake ilert: accounts and everything in them, with ilert's rules. No Flask here.

Every public method of `IlertState` takes the lock, so the HTTP layers may call it from any thread.
Permission checks are typed (`Forbidden`, `NotFound`) and made here, never in the views.
What is left out: schedules, support hours, alert grouping windows, routing keys, ICL conditions,
alert filters and responder lists beyond the assigned user.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from emulator.clock import Clock, SystemClock
from emulator.ids import IdGenerator, secret_token
from emulator.ilert.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized

ROLES = ("ADMIN", "USER", "RESPONDER", "STAKEHOLDER", "GUEST")
TEAM_MEMBER_ROLES = ("ADMIN", "USER", "RESPONDER", "STAKEHOLDER")
VISIBILITIES = ("PUBLIC", "PRIVATE")
PRIORITIES = ("HIGH", "LOW")
TRIGGER_MODES = ("AUTOMATIC", "MANUAL")
EVENT_TYPES = ("ALERT", "ACCEPT", "RESOLVE", "COMMENT")
TRIGGER_TYPES = (
    "alert-created",
    "alert-assigned",
    "alert-auto-escalated",
    "alert-acknowledged",
    "alert-raised",
    "alert-comment-added",
    "alert-escalation-ended",
    "alert-resolved",
    "alert-auto-resolved",
    "alert-responder-added",
    "alert-responder-removed",
    "alert-channel-attached",
    "alert-channel-detached",
    "v-alert-not-resolved",
)
# Connector types that ilert knows; only `slack` has behaviour here, the rest are accepted as data.
CONNECTOR_TYPES = (
    "automation_rule",
    "autotask",
    "datadog",
    "dingtalk",
    "dingtalk_action",
    "discord",
    "email",
    "github",
    "jira",
    "mattermost",
    "microsoft_teams",
    "microsoft_teams_bot",
    "microsoft_teams_webhook",
    "reroute",
    "servicenow",
    "slack",
    "slack_webhook",
    "telegram",
    "topdesk",
    "webhook",
    "zammad",
    "zendesk",
    "zapier",
    "webex",
)
SLACK = "slack"
SLACK_CONNECTOR_LABEL = "Slack Workspace Integration"

# What a role may do; the account owner may do everything an ADMIN may.
MANAGE_ACCOUNT = "manage_account"  # users, teams, connectors
CONFIGURE = "configure"  # alert sources, escalation policies, alert actions
HANDLE_ALERTS = "handle_alerts"  # create, accept, resolve, assign alerts
_ROLE_CAPABILITIES = {
    "ADMIN": {MANAGE_ACCOUNT, CONFIGURE, HANDLE_ALERTS},
    "USER": {CONFIGURE, HANDLE_ALERTS},
    "RESPONDER": {HANDLE_ALERTS},
    "STAKEHOLDER": set(),
    "GUEST": set(),
}
_REFUSALS = {
    MANAGE_ACCOUNT: "only an Admin or the account owner can manage users, teams and connectors",
    CONFIGURE: "changing alert sources, escalation policies or alert actions needs the User or "
    "Admin role",
    HANDLE_ALERTS: "acting on alerts needs the Responder, User or Admin role",
}


def check_enum(value: Any, allowed: Iterable[str], name: str) -> str:
    """The value if it is one of `allowed`, else a 400 naming the field and the choices."""
    choices = tuple(allowed)
    if value not in choices:
        raise BadRequest(f"Field '{name}' must be one of {', '.join(choices)}; got {value!r}")
    return str(value)


@dataclass
class User:
    id: int
    account_id: int
    first_name: str
    last_name: str
    email: str
    username: str
    role: str
    timezone: str = "Europe/Berlin"
    position: str = ""
    department: str = ""
    language: str = "en"
    is_owner: bool = False

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username


@dataclass
class Team:
    id: int
    account_id: int
    name: str
    visibility: str
    members: dict[int, str] = field(default_factory=dict)  # user id -> team role


@dataclass
class EscalationRule:
    escalation_timeout: int  # minutes
    user_ids: list[int]


@dataclass
class EscalationPolicy:
    id: int
    account_id: int
    name: str
    rules: list[EscalationRule]
    repeating: bool = False
    frequency: int = 1
    team_ids: list[int] = field(default_factory=list)


@dataclass
class AlertSource:
    id: int
    account_id: int
    name: str
    integration_type: str
    integration_key: str
    policy: EscalationPolicy
    team_ids: list[int] = field(default_factory=list)
    active: bool = True


@dataclass
class LogEntry:
    id: int
    alert_id: int
    timestamp: float
    log_type: str
    text: str
    actor_id: int | None = None
    via: str | None = None


@dataclass
class Alert:
    id: int
    account_id: int
    source: AlertSource
    policy: EscalationPolicy
    summary: str
    details: str
    priority: str
    alert_key: str
    report_time: float
    status: str = "PENDING"
    assigned_to_id: int | None = None
    rule_index: int = 0
    repeats: int = 0
    next_escalation: float | None = None
    acknowledged_by: int | None = None
    accepted_at: float | None = None
    resolved_by: int | None = None
    resolved_on: float | None = None
    log: list[LogEntry] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status != "RESOLVED"


@dataclass
class AlertAction:
    id: str
    account_id: int
    name: str
    source_ids: list[int]
    connector_id: str | None
    connector_type: str
    trigger_mode: str
    trigger_types: list[str]
    params: dict[str, Any]
    team_ids: list[int]
    created_at: float
    updated_at: float
    created_by: int | None = None


@dataclass
class Connector:
    id: str
    account_id: int
    name: str
    type: str
    params: dict[str, Any]
    created_at: float
    updated_at: float


@dataclass
class ApiKey:
    key: str
    account_id: int
    user_id: int | None  # None for an integration key
    kind: str  # "user" or "integration"


@dataclass
class Account:
    id: int
    name: str
    owner_id: int = 0
    users: dict[int, User] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    policies: dict[int, EscalationPolicy] = field(default_factory=dict)
    sources: dict[int, AlertSource] = field(default_factory=dict)
    alerts: dict[int, Alert] = field(default_factory=dict)
    actions: dict[str, AlertAction] = field(default_factory=dict)
    connectors: dict[str, Connector] = field(default_factory=dict)
    integration_key: str | None = None
    # (source id, alert key) -> the open alert, so the events API finds it without a scan.
    open_by_key: dict[tuple[int, str], Alert] = field(default_factory=dict)

    def slack_connector(self) -> Connector | None:
        return next((c for c in self.connectors.values() if c.type == SLACK), None)


@dataclass(frozen=True)
class Actor:
    """Who a request acts as: a user, or (user None) the system actor of an integration key."""

    account: Account
    user: User | None
    via_integration: bool = False

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def via(self) -> str | None:
        return "INTEGRATION" if self.via_integration else None

    def sees_everything(self) -> bool:
        return self.user is None or self.user.is_owner or self.user.role == "ADMIN"

    def can(self, capability: str) -> bool:
        if self.user is None:
            return False
        if self.user.is_owner:
            return True
        return capability in _ROLE_CAPABILITIES[self.user.role]

    def require(self, capability: str) -> None:
        if self.user is None:
            raise Forbidden(
                "An integration key without X-On-Behalf-Of can only read; send "
                "X-On-Behalf-Of: <ilert user id> to act for a person"
            )
        if not self.can(capability):
            raise Forbidden(
                f"User {self.user.username} (role {self.user.role}) is not allowed to do this: "
                f"{_REFUSALS[capability]}"
            )


@dataclass(frozen=True)
class AlertEvent:
    """Something that happened to an alert; the delivery queue turns it into webhooks."""

    event_type: str
    account: Account
    alert: Alert
    actor: User | None
    time: float


EventListener = Callable[[AlertEvent], None]


class IlertState:
    """All accounts of one fake ilert, behind one re-entrant lock."""

    def __init__(self, *, clock: Clock | None = None, seed: int = 0) -> None:
        self.clock: Clock = clock or SystemClock()
        self.ids = IdGenerator(seed)
        self.lock = threading.RLock()
        self.listeners: list[EventListener] = []
        self._reset_unlocked()

    # -- lifecycle ---------------------------------------------------------------------------

    def _reset_unlocked(self) -> None:
        self.accounts: dict[int, Account] = {}
        self.api_keys: dict[str, ApiKey] = {}
        self.source_keys: dict[str, AlertSource] = {}
        self.workspaces: dict[str, int] = {}  # Slack team id -> ilert account id
        self.redeemed_nonces: set[str] = set()
        self._escalations: list[tuple[float, int, int]] = []  # (due, alert id, account id)

    def reset(self) -> None:
        """Forget everything. Ids keep counting so peers holding old ids never see them reused."""
        with self.lock:
            self._reset_unlocked()

    def now(self) -> float:
        return self.clock.now()

    def _emit(
        self,
        event_type: str,
        account: Account,
        alert: Alert,
        actor: User | None,
        at: float | None = None,
    ) -> None:
        event = AlertEvent(event_type, account, alert, actor, self.now() if at is None else at)
        for listener in list(self.listeners):
            listener(event)

    # -- accounts, keys, actors --------------------------------------------------------------

    def create_account(
        self, name: str, *, owner: dict[str, Any] | None = None
    ) -> tuple[Account, User, str]:
        """A new account, its owner (ADMIN, flagged owner) and an API key acting as the owner."""
        if not isinstance(name, str) or not name.strip():
            raise BadRequest("Field 'name' is required")
        owner = owner or {}
        with self.lock:
            account = Account(id=self.ids.number(), name=name.strip())
            self.accounts[account.id] = account
            slug = "".join(ch for ch in name.lower() if ch.isalnum()) or f"account{account.id}"
            user = self._add_user(
                account,
                {
                    "firstName": owner.get("firstName", "Account"),
                    "lastName": owner.get("lastName", "Owner"),
                    "email": owner.get("email", f"owner@{slug}.example"),
                    "role": "ADMIN",
                },
            )
            user.is_owner = True
            account.owner_id = user.id
            return account, user, self._issue_key(account, user)

    def add_user_with_key(self, account_id: int, fields: dict[str, Any]) -> tuple[User, str]:
        """A user plus an API key acting as them (control plane: tests act as that user)."""
        with self.lock:
            account = self.account(account_id)
            user = self._add_user(account, fields)
            return user, self._issue_key(account, user)

    def _issue_key(self, account: Account, user: User) -> str:
        key = secret_token("il")
        self.api_keys[key] = ApiKey(key, account.id, user.id, "user")
        return key

    def account(self, account_id: int) -> Account:
        with self.lock:
            account = self.accounts.get(account_id)
            if account is None:
                raise NotFound(f"Account {account_id} not found")
            return account

    def user_by_id(self, user_id: int) -> tuple[Account, User] | None:
        with self.lock:
            for account in self.accounts.values():
                if user_id in account.users:
                    return account, account.users[user_id]
            return None

    def authenticate(self, key: str | None, on_behalf_of: str | None) -> Actor:
        """The actor for a bearer key and an optional X-On-Behalf-Of header."""
        if not key:
            raise Unauthorized("Missing credentials: send 'Authorization: Bearer <api key>'")
        with self.lock:
            api_key = self.api_keys.get(key)
            if api_key is None or api_key.account_id not in self.accounts:
                raise Unauthorized("Invalid API key")
            account = self.accounts[api_key.account_id]
            if api_key.kind == "user":
                if on_behalf_of is not None:
                    raise Forbidden("X-On-Behalf-Of is only allowed for integration keys")
                return Actor(account, account.users.get(api_key.user_id or 0))
            if on_behalf_of is None:
                return Actor(account, None, via_integration=True)
            return Actor(account, self._on_behalf_of(account, on_behalf_of), via_integration=True)

    @staticmethod
    def _on_behalf_of(account: Account, header: str) -> User:
        try:
            user_id = int(header.strip())
        except ValueError:
            raise BadRequest(
                f"X-On-Behalf-Of must be an ilert user id (a number); got {header!r}"
            ) from None
        user = account.users.get(user_id)
        if user is None:
            raise Forbidden(
                f"X-On-Behalf-Of names user {user_id}, who is not a user of this account"
            )
        return user

    # -- visibility --------------------------------------------------------------------------

    @staticmethod
    def _private_teams(account: Account, team_ids: Iterable[int]) -> list[Team]:
        teams = (account.teams.get(t) for t in team_ids)
        return [t for t in teams if t is not None and t.visibility == "PRIVATE"]

    def is_private(self, account: Account, team_ids: Iterable[int]) -> bool:
        return bool(self._private_teams(account, team_ids))

    def _visible(self, actor: Actor, team_ids: Iterable[int]) -> bool:
        """Private teams' objects are for their members, Admins and the owner; no team is public."""
        if actor.sees_everything():
            return True
        private = self._private_teams(actor.account, team_ids)
        assert actor.user is not None
        return not private or any(actor.user.id in t.members for t in private)

    def _alert_visible(self, actor: Actor, alert: Alert) -> bool:
        if actor.user is not None and alert.assigned_to_id == actor.user.id:
            return True
        return self._visible(actor, alert.source.team_ids)

    # -- users -------------------------------------------------------------------------------

    def _add_user(self, account: Account, fields: dict[str, Any]) -> User:
        email = _required_str(fields, "email").strip()
        if "@" not in email:
            raise BadRequest(f"Field 'email' must be an e-mail address; got {email!r}")
        if any(u.email.lower() == email.lower() for u in account.users.values()):
            raise Conflict(f"A user with e-mail {email} already exists in this account")
        role = check_enum(fields.get("role", "USER"), ROLES, "role")
        username = _optional_str(fields, "username") or email.split("@")[0]
        taken = {u.username for u in account.users.values()}
        base, n = username, 1
        while username in taken:
            n += 1
            username = f"{base}{n}"
        user = User(
            id=self.ids.number(),
            account_id=account.id,
            first_name=_optional_str(fields, "firstName") or "",
            last_name=_optional_str(fields, "lastName") or "",
            email=email,
            username=username,
            role=role,
            timezone=_optional_str(fields, "timezone") or "Europe/Berlin",
            position=_optional_str(fields, "position") or "",
            department=_optional_str(fields, "department") or "",
            language=check_enum(fields.get("language", "en"), ("en", "de"), "language"),
        )
        account.users[user.id] = user
        return user

    def create_user(self, actor: Actor, fields: dict[str, Any]) -> User:
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            return self._add_user(actor.account, fields)

    def list_users(self, actor: Actor) -> list[User]:
        with self.lock:
            return list(actor.account.users.values())

    def get_user(self, actor: Actor, ref: str) -> User:
        with self.lock:
            users = actor.account.users
            if ref.isdigit() and int(ref) in users:
                return users[int(ref)]
            found = next((u for u in users.values() if u.username == ref), None)
            if found is None:
                raise NotFound(f"User {ref} not found")
            return found

    def current_user(self, actor: Actor) -> User:
        if actor.user is None:
            raise NotFound(
                "No current user: an integration key acts for no user unless X-On-Behalf-Of "
                "names one"
            )
        return actor.user

    def search_email(self, actor: Actor, email: Any) -> User:
        if not isinstance(email, str) or not email.strip():
            raise BadRequest("Field 'email' is required")
        with self.lock:
            wanted = email.strip().lower()
            for user in actor.account.users.values():
                if user.email.lower() == wanted:
                    return user
            raise NotFound(f"No user with e-mail {email.strip()} found")

    def _user_ref(self, account: Account, ref: Any, what: str) -> User:
        user_id = _ref_id(ref, what)
        user = account.users.get(user_id)
        if user is None:
            raise BadRequest(f"{what}: user {user_id} not found")
        return user

    # -- teams -------------------------------------------------------------------------------

    def create_team(self, actor: Actor, fields: dict[str, Any]) -> Team:
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            team = Team(
                id=self.ids.number(),
                account_id=actor.account.id,
                name=_required_str(fields, "name"),
                visibility=check_enum(
                    fields.get("visibility", "PUBLIC"), VISIBILITIES, "visibility"
                ),
            )
            for member in _list(fields, "members"):
                self._set_member(actor.account, team, member)
            actor.account.teams[team.id] = team
            return team

    def _set_member(self, account: Account, team: Team, member: Any) -> None:
        if not isinstance(member, dict):
            raise BadRequest("Each team member must be an object {user: {id}, role}")
        user = self._user_ref(account, member.get("user"), "members[].user")
        team.members[user.id] = check_enum(
            member.get("role", "RESPONDER"), TEAM_MEMBER_ROLES, "members[].role"
        )

    def add_team_member(self, actor: Actor, team_id: int, member: Any) -> Team:
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            team = self.get_team(actor, team_id)
            self._set_member(actor.account, team, member)
            return team

    def list_teams(self, actor: Actor) -> list[Team]:
        with self.lock:
            return [t for t in actor.account.teams.values() if self._visible(actor, [t.id])]

    def get_team(self, actor: Actor, team_id: int) -> Team:
        with self.lock:
            team = actor.account.teams.get(team_id)
            if team is None or not self._visible(actor, [team.id]):
                raise NotFound(f"Team {team_id} not found")
            return team

    def _team_ids(self, actor: Actor, refs: Any) -> list[int]:
        if refs is None:
            return []
        if not isinstance(refs, list):
            raise BadRequest("Field 'teams' must be a list of {id}")
        ids = []
        for ref in refs:
            team_id = _ref_id(ref, "teams[]")
            if team_id not in actor.account.teams or not self._visible(actor, [team_id]):
                raise BadRequest(f"teams[]: team {team_id} not found")
            ids.append(team_id)
        return ids

    # -- escalation policies -----------------------------------------------------------------

    def create_policy(self, actor: Actor, fields: dict[str, Any]) -> EscalationPolicy:
        with self.lock:
            actor.require(CONFIGURE)
            policy = EscalationPolicy(
                id=self.ids.number(),
                account_id=actor.account.id,
                name=_required_str(fields, "name"),
                rules=[self._rule(actor.account, r) for r in _list(fields, "escalationRules")],
                repeating=_bool(fields, "repeating", False),
                frequency=_int(fields, "frequency", 1, minimum=1),
                team_ids=self._team_ids(actor, fields.get("teams")),
            )
            actor.account.policies[policy.id] = policy
            return policy

    def _rule(self, account: Account, raw: Any) -> EscalationRule:
        if not isinstance(raw, dict):
            raise BadRequest("Each escalation rule must be an object {escalationTimeout, users}")
        timeout = _int(raw, "escalationTimeout", 0, minimum=0)
        refs = raw.get("users")
        if refs is None and raw.get("user") is not None:
            refs = [raw["user"]]  # the deprecated single-user form
        if refs is not None and not isinstance(refs, list):
            raise BadRequest("Field 'escalationRules[].users' must be a list of {id}")
        users = [self._user_ref(account, ref, "escalationRules[].users").id for ref in refs or []]
        return EscalationRule(timeout, users)

    def list_policies(self, actor: Actor) -> list[EscalationPolicy]:
        with self.lock:
            return [p for p in actor.account.policies.values() if self._visible(actor, p.team_ids)]

    def get_policy(self, actor: Actor, policy_id: int) -> EscalationPolicy:
        with self.lock:
            policy = actor.account.policies.get(policy_id)
            if policy is None or not self._visible(actor, policy.team_ids):
                raise NotFound(f"Escalation policy {policy_id} not found")
            return policy

    # -- alert sources -----------------------------------------------------------------------

    def create_source(self, actor: Actor, fields: dict[str, Any]) -> AlertSource:
        with self.lock:
            actor.require(CONFIGURE)
            source = AlertSource(
                id=self.ids.number(),
                account_id=actor.account.id,
                name=_required_str(fields, "name"),
                integration_type=_optional_str(fields, "integrationType") or "API",
                integration_key=secret_token("il", 16),
                policy=self._policy_ref(actor, fields.get("escalationPolicy")),
                team_ids=self._team_ids(actor, fields.get("teams")),
                active=_bool(fields, "active", True),
            )
            actor.account.sources[source.id] = source
            self.source_keys[source.integration_key] = source
            return source

    def _policy_ref(self, actor: Actor, ref: Any) -> EscalationPolicy:
        if ref is None:
            raise BadRequest("Field 'escalationPolicy' {id} is required")
        policy_id = _ref_id(ref, "escalationPolicy")
        try:
            return self.get_policy(actor, policy_id)
        except NotFound:
            raise BadRequest(f"escalationPolicy: escalation policy {policy_id} not found") from None

    def update_source(self, actor: Actor, source_id: int, fields: dict[str, Any]) -> AlertSource:
        with self.lock:
            actor.require(CONFIGURE)
            source = self.get_source(actor, source_id)
            if "name" in fields:
                source.name = _required_str(fields, "name")
            if "integrationType" in fields:
                source.integration_type = _required_str(fields, "integrationType")
            if "escalationPolicy" in fields:
                source.policy = self._policy_ref(actor, fields["escalationPolicy"])
            if "teams" in fields:  # ilert: [] clears the teams, leaving the field out keeps them
                source.team_ids = self._team_ids(actor, fields["teams"] or [])
            if "active" in fields:
                source.active = _bool(fields, "active", True)
            return source

    def delete_source(self, actor: Actor, source_id: int) -> None:
        with self.lock:
            actor.require(CONFIGURE)
            source = self.get_source(actor, source_id)
            del actor.account.sources[source.id]
            self.source_keys.pop(source.integration_key, None)
            for action in actor.account.actions.values():
                if source.id in action.source_ids:
                    action.source_ids.remove(source.id)

    def list_sources(self, actor: Actor) -> list[AlertSource]:
        with self.lock:
            return [s for s in actor.account.sources.values() if self._visible(actor, s.team_ids)]

    def get_source(self, actor: Actor, ref: int | str) -> AlertSource:
        """By id, or by integration key as ilert allows."""
        with self.lock:
            source = None
            if isinstance(ref, int) or str(ref).isdigit():
                source = actor.account.sources.get(int(ref))
            else:
                found = self.source_keys.get(str(ref))
                source = found if found and found.account_id == actor.account.id else None
            if source is None or not self._visible(actor, source.team_ids):
                raise NotFound(f"Alert source {ref} not found")
            return source

    def source_status(self, source: AlertSource) -> str:
        """ilert's read-only status: what the source's open alerts add up to."""
        with self.lock:
            if not source.active:
                return "DISABLED"
            account = self.accounts.get(source.account_id)
            open_alerts = [
                a
                for (sid, _), a in (account.open_by_key.items() if account else ())
                if sid == source.id
            ]
            if any(a.status == "PENDING" for a in open_alerts):
                return "PENDING"
            return "ALL_ACCEPTED" if open_alerts else "ALL_RESOLVED"

    # -- alerts ------------------------------------------------------------------------------

    def create_alert(self, actor: Actor, fields: dict[str, Any]) -> Alert:
        with self.lock:
            actor.require(HANDLE_ALERTS)
            summary = _required_str(fields, "summary")
            source_ref = fields.get("alertSource")
            if source_ref is None:
                raise BadRequest("Field 'alertSource' {id} is required")
            source_id = _ref_id(source_ref, "alertSource")
            try:
                source = self.get_source(actor, source_id)
            except NotFound:
                raise BadRequest(f"alertSource: alert source {source_id} not found") from None
            policy = source.policy
            if fields.get("escalationPolicy") is not None:
                policy = self._policy_ref(actor, fields["escalationPolicy"])
            return self._open_alert(
                actor.account,
                source,
                policy,
                summary=summary,
                details=_optional_str(fields, "details") or "",
                priority=check_enum(fields.get("priority", "HIGH"), PRIORITIES, "priority"),
                alert_key=_optional_str(fields, "alertKey"),
                actor=actor,
            )

    def _open_alert(
        self,
        account: Account,
        source: AlertSource,
        policy: EscalationPolicy,
        *,
        summary: str,
        details: str,
        priority: str,
        alert_key: str | None,
        actor: Actor | None,
    ) -> Alert:
        now = self.now()
        alert_id = self.ids.number()
        alert = Alert(
            id=alert_id,
            account_id=account.id,
            source=source,
            policy=policy,
            summary=summary,
            details=details,
            priority=priority,
            alert_key=alert_key or f"alert-{alert_id}",
            report_time=now,
        )
        account.alerts[alert.id] = alert
        account.open_by_key[(source.id, alert.alert_key)] = alert
        how = f"by {actor.user.name}" if actor and actor.user else f"from {source.name}"
        self._log(alert, "AlertReceivedLogEntry", f"Alert created {how}: {summary}", actor)
        if policy.rules:
            alert.assigned_to_id = _first(policy.rules[0].user_ids)
            assignee = account.users.get(alert.assigned_to_id or 0)
            if assignee:
                self._log(
                    alert,
                    "AlertAssignedBySystemLogEntry",
                    f"Alert assigned to {assignee.name} (escalation level 1)",
                    None,
                )
            if priority == "HIGH":
                self._schedule(alert, now + _timeout_seconds(policy.rules[0]))
        self._emit("alert-created", account, alert, actor.user if actor else None, now)
        return alert

    def list_alerts(
        self,
        actor: Actor,
        *,
        states: list[str],
        sources: list[int],
        start: int = 0,
        limit: int = 100,
    ) -> list[Alert]:
        for state in states:
            check_enum(state, ("PENDING", "ACCEPTED", "RESOLVED"), "states")
        if limit < 1 or limit > 100:
            raise BadRequest("Query 'max-results' must be between 1 and 100")
        if start < 0:
            raise BadRequest("Query 'start-index' must not be negative")
        with self.lock:
            found = [
                a
                for a in reversed(actor.account.alerts.values())
                if (not states or a.status in states)
                and (not sources or a.source.id in sources)
                and self._alert_visible(actor, a)
            ]
            return found[start : start + limit]

    def count_alerts(self, actor: Actor, *, states: list[str], sources: list[int]) -> int:
        with self.lock:
            return sum(
                1
                for a in actor.account.alerts.values()
                if (not states or a.status in states)
                and (not sources or a.source.id in sources)
                and self._alert_visible(actor, a)
            )

    def get_alert(self, actor: Actor, alert_id: int) -> Alert:
        with self.lock:
            alert = actor.account.alerts.get(alert_id)
            if alert is None or not self._alert_visible(actor, alert):
                raise NotFound(f"Alert {alert_id} not found")
            return alert

    def accept_alert(self, actor: Actor, alert_id: int) -> Alert:
        with self.lock:
            alert = self.get_alert(actor, alert_id)
            actor.require(HANDLE_ALERTS)
            return self._accept(actor.account, alert, actor)

    def _accept(self, account: Account, alert: Alert, actor: Actor | None) -> Alert:
        if alert.status == "RESOLVED":
            raise BadRequest(
                f"Alert {alert.id} is resolved and cannot be accepted: a resolved alert cannot "
                "be opened again"
            )
        if alert.status == "ACCEPTED":
            return alert  # accepting twice changes nothing and tells no one
        now = self.now()
        alert.status = "ACCEPTED"
        alert.accepted_at = now
        alert.acknowledged_by = actor.user_id if actor else None
        alert.next_escalation = None
        self._log(alert, "UserResponseLogEntry", f"Alert accepted by {_who(actor)}", actor)
        self._emit("alert-acknowledged", account, alert, actor.user if actor else None, now)
        return alert

    def resolve_alert(self, actor: Actor, alert_id: int) -> Alert:
        with self.lock:
            alert = self.get_alert(actor, alert_id)
            actor.require(HANDLE_ALERTS)
            return self._resolve(actor.account, alert, actor)

    def _resolve(self, account: Account, alert: Alert, actor: Actor | None) -> Alert:
        if alert.status == "RESOLVED":
            return alert
        now = self.now()
        alert.status = "RESOLVED"
        alert.resolved_on = now
        alert.resolved_by = actor.user_id if actor else None
        alert.next_escalation = None
        if account.open_by_key.get((alert.source.id, alert.alert_key)) is alert:
            del account.open_by_key[(alert.source.id, alert.alert_key)]
        self._log(alert, "UserResponseLogEntry", f"Alert resolved by {_who(actor)}", actor)
        self._emit("alert-resolved", account, alert, actor.user if actor else None, now)
        return alert

    def assign_alert(self, actor: Actor, alert_id: int, user_ref: str | None) -> Alert:
        with self.lock:
            alert = self.get_alert(actor, alert_id)
            actor.require(HANDLE_ALERTS)
            if not user_ref:
                raise BadRequest("Query 'user-id' (or 'user') is required")
            user = self.get_user(actor, user_ref)
            if alert.status == "RESOLVED":
                raise BadRequest(f"Alert {alert.id} is resolved and cannot be assigned")
            alert.assigned_to_id = user.id
            self._log(
                alert,
                "AlertAssignedByUserLogEntry",
                f"Alert assigned to {user.name} by {_who(actor)}",
                actor,
            )
            self._emit("alert-assigned", actor.account, alert, actor.user, self.now())
            return alert

    def comment_alert(self, account: Account, alert: Alert, text: str) -> None:
        self._log(alert, "AlertCommentAddedLogEntry", f"Comment added: {text}", None)
        self._emit("alert-comment-added", account, alert, None, self.now())

    def log_entries(self, actor: Actor, alert_id: int) -> list[LogEntry]:
        with self.lock:
            return list(self.get_alert(actor, alert_id).log)

    def add_log(self, account_id: int, alert_id: int, log_type: str, text: str) -> None:
        """A log entry from outside the model (the delivery queue reports each attempt here)."""
        with self.lock:
            account = self.accounts.get(account_id)
            alert = account.alerts.get(alert_id) if account else None
            if alert is not None:
                self._log(alert, log_type, text, None)

    def _log(self, alert: Alert, log_type: str, text: str, actor: Actor | None) -> None:
        alert.log.append(
            LogEntry(
                id=self.ids.number(),
                alert_id=alert.id,
                timestamp=self.now(),
                log_type=log_type,
                text=text,
                actor_id=actor.user_id if actor else None,
                via=actor.via if actor else None,
            )
        )

    # -- escalation --------------------------------------------------------------------------

    def _schedule(self, alert: Alert, due: float) -> None:
        alert.next_escalation = due
        heapq.heappush(self._escalations, (due, alert.id, alert.account_id))

    def next_escalation_due(self) -> float | None:
        with self.lock:
            return self._escalations[0][0] if self._escalations else None

    def run_due(self, now: float) -> int:
        """Escalate every PENDING alert whose timeout passed by `now`, in due order."""
        fired = 0
        with self.lock:
            while self._escalations and self._escalations[0][0] <= now:
                due, alert_id, account_id = heapq.heappop(self._escalations)
                account = self.accounts.get(account_id)
                alert = account.alerts.get(alert_id) if account else None
                # Stale heap entries (accepted, resolved, rescheduled) are skipped, not removed.
                if alert is None or alert.status != "PENDING" or alert.next_escalation != due:
                    continue
                assert account is not None
                self._escalate(account, alert, due)
                fired += 1
        return fired

    def _escalate(self, account: Account, alert: Alert, at: float) -> None:
        rules = alert.policy.rules
        index = alert.rule_index + 1
        if index >= len(rules):
            if not (alert.policy.repeating and alert.repeats < alert.policy.frequency):
                alert.next_escalation = None
                self._log(alert, "AlertEscalationEndedLogEntry", "Escalation ended", None)
                self._emit("alert-escalation-ended", account, alert, None, at)
                return
            index, alert.repeats = 0, alert.repeats + 1
        alert.rule_index = index
        alert.assigned_to_id = _first(rules[index].user_ids)
        assignee = account.users.get(alert.assigned_to_id or 0)
        self._log(
            alert,
            "AlertEscalatedToLevelLogEntry",
            f"Alert escalated to level {index + 1}; assigned to "
            f"{assignee.name if assignee else 'nobody'}",
            None,
        )
        self._schedule(alert, at + _timeout_seconds(rules[index]))
        self._emit("alert-auto-escalated", account, alert, None, at)

    # -- events API --------------------------------------------------------------------------

    def submit_event(self, fields: dict[str, Any]) -> tuple[str, Alert | None]:
        """ilert's events API: returns (responseCode, the alert it touched)."""
        key = fields.get("integrationKey") or fields.get("apiKey")
        if not isinstance(key, str) or not key:
            raise BadRequest("Field 'apiKey' (or 'integrationKey') is required")
        event_type = check_enum(fields.get("eventType"), EVENT_TYPES, "eventType")
        with self.lock:
            source = self.source_keys.get(key)
            if source is None:
                raise NotFound("No alert source with this integration key")
            if not source.active:
                raise BadRequest(f"Alert source {source.name} is disabled")
            account = self.accounts[source.account_id]
            alert_key = _optional_str(fields, "alertKey")
            open_alert = account.open_by_key.get((source.id, alert_key)) if alert_key else None
            if event_type == "ALERT":
                return self._event_alert(account, source, fields, alert_key, open_alert)
            if not alert_key:
                raise BadRequest(f"Field 'alertKey' is required for eventType {event_type}")
            if open_alert is None:
                return "NO_OPEN_INCIDENT_WITH_KEY", None
            if event_type == "ACCEPT":
                if open_alert.status == "ACCEPTED":
                    return "INCIDENT_ALREADY_ACCEPTED", open_alert
                return "INCIDENT_ACCEPTED", self._accept(account, open_alert, None)
            if event_type == "RESOLVE":
                return "INCIDENT_RESOLVED", self._resolve(account, open_alert, None)
            self.comment_alert(account, open_alert, _event_comment(fields))
            return "COMMENT_ADDED", open_alert

    def _event_alert(
        self,
        account: Account,
        source: AlertSource,
        fields: dict[str, Any],
        alert_key: str | None,
        open_alert: Alert | None,
    ) -> tuple[str, Alert]:
        summary = _required_str(fields, "summary")
        priority = check_enum(fields.get("priority", "HIGH"), PRIORITIES, "priority")
        if open_alert is not None:
            self._log(
                open_alert,
                "AlertReceivedLogEntry",
                f"Event appended to the open alert: {summary}",
                None,
            )
            return "INCIDENT_ALREADY_EXISTS", open_alert
        alert = self._open_alert(
            account,
            source,
            source.policy,
            summary=summary,
            details=_optional_str(fields, "details") or "",
            priority=priority,
            alert_key=alert_key,
            actor=None,
        )
        return "NEW_INCIDENT_CREATED", alert

    # -- connectors --------------------------------------------------------------------------

    def list_connectors(self, actor: Actor) -> list[Connector]:
        with self.lock:
            return list(actor.account.connectors.values())

    def get_connector(self, actor: Actor, connector_id: str) -> Connector:
        with self.lock:
            connector = actor.account.connectors.get(connector_id)
            if connector is None:
                raise NotFound(f"Connector {connector_id} not found")
            return connector

    def create_connector(self, actor: Actor, fields: dict[str, Any]) -> Connector:
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            kind = str(fields.get("type", "")).lower()
            if kind == SLACK:
                raise BadRequest(
                    "A slack connector cannot be created through the API: an Admin authorizes "
                    f"the {SLACK_CONNECTOR_LABEL} on ilert's Connectors page"
                )
            check_enum(kind, CONNECTOR_TYPES, "type")
            now = self.now()
            params = fields.get("params") or {}
            if not isinstance(params, dict):
                raise BadRequest("Field 'params' must be an object")
            connector = Connector(
                str(self.ids.number()),
                actor.account.id,
                _optional_str(fields, "name") or kind,
                kind,
                params,
                now,
                now,
            )
            actor.account.connectors[connector.id] = connector
            return connector

    def delete_connector(self, actor: Actor, connector_id: str) -> None:
        """Unlinks it; for Slack also revokes the integration key and drops its alert actions."""
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            connector = self.get_connector(actor, connector_id)
            account = actor.account
            del account.connectors[connector.id]
            if connector.type == SLACK:
                self.workspaces.pop(str(connector.params.get("teamId")), None)
                if account.integration_key:
                    self.api_keys.pop(account.integration_key, None)
                    account.integration_key = None
            for action_id in [
                a.id for a in account.actions.values() if a.connector_id == connector.id
            ]:
                del account.actions[action_id]

    def register_slack(
        self,
        *,
        account_id: int,
        user_id: int,
        nonce: str,
        workspace: dict[str, Any],
        scopes: list[str],
        missing_scopes: list[str],
    ) -> tuple[Connector, str]:
        """Redeem an install ticket: create or update the account's one slack connector."""
        with self.lock:
            if nonce in self.redeemed_nonces:
                raise Conflict(
                    "This install ticket has already been used; start again from "
                    "ilert's Connectors page"
                )
            self.redeemed_nonces.add(nonce)
            account = self.account(account_id)
            user = account.users.get(user_id)
            if user is None:
                raise Forbidden(f"User {user_id} of the ticket is no longer in the account")
            if not (user.is_owner or user.role == "ADMIN"):
                raise Forbidden(
                    f"Only an Admin can authorize the {SLACK_CONNECTOR_LABEL}; {user.name} has "
                    f"the role {user.role}"
                )
            params = _workspace_params(workspace, scopes, missing_scopes)
            self._check_single_link(account, params)
            connector = self._upsert_slack(account, params)
            if account.integration_key is None:
                account.integration_key = secret_token("il")
                self.api_keys[account.integration_key] = ApiKey(
                    account.integration_key, account.id, None, "integration"
                )
            return connector, account.integration_key

    def _check_single_link(self, account: Account, params: dict[str, Any]) -> None:
        existing = account.slack_connector()
        if existing and existing.params["teamId"] != params["teamId"]:
            raise Conflict(
                f"ilert account {account.name} is already linked to Slack workspace "
                f"{existing.params['teamName']} ({existing.params['teamUrl']}); only one Slack "
                "workspace can be linked to an account"
            )
        owner = self.workspaces.get(params["teamId"])
        if owner is not None and owner != account.id:
            raise Conflict(
                f"Slack workspace {params['teamName']} is already linked to another ilert "
                "account; a workspace can be linked to only one ilert account"
            )

    def _upsert_slack(self, account: Account, params: dict[str, Any]) -> Connector:
        now = self.now()
        connector = account.slack_connector()
        if connector is None:
            connector = Connector(
                str(self.ids.number()), account.id, SLACK_CONNECTOR_LABEL, SLACK, params, now, now
            )
            account.connectors[connector.id] = connector
        else:  # re-authorize keeps the connector id, so alert actions stay attached
            connector.params, connector.updated_at = params, now
        self.workspaces[params["teamId"]] = account.id
        return connector

    # -- alert actions -----------------------------------------------------------------------

    def create_action(self, actor: Actor, fields: dict[str, Any]) -> AlertAction:
        with self.lock:
            actor.require(CONFIGURE)
            source_ids = self._action_sources(actor, fields, required=True)
            connector_type = str(fields.get("connectorType") or "").lower()
            check_enum(connector_type, CONNECTOR_TYPES, "connectorType")
            now = self.now()
            action = AlertAction(
                id=str(self.ids.number()),
                account_id=actor.account.id,
                name=_optional_str(fields, "name") or "",
                source_ids=source_ids,
                connector_id=_optional_str(fields, "connectorId"),
                connector_type=connector_type,
                trigger_mode="AUTOMATIC",
                trigger_types=[],
                params={},
                team_ids=self._team_ids(actor, fields.get("teams")),
                created_at=now,
                updated_at=now,
                created_by=actor.user_id,
            )
            self._apply_action_fields(actor, action, fields, creating=True)
            actor.account.actions[action.id] = action
            return action

    def update_action(self, actor: Actor, action_id: str, fields: dict[str, Any]) -> AlertAction:
        with self.lock:
            action = self.get_action(actor, action_id)
            actor.require(CONFIGURE)
            kind = fields.get("connectorType")
            if kind is not None and str(kind).lower() != action.connector_type:
                raise BadRequest("The connectorType of an alert action cannot be changed")
            if "alertSources" in fields or "alertSourceIds" in fields:
                action.source_ids = self._action_sources(actor, fields, required=True)
            if "teams" in fields:
                action.team_ids = self._team_ids(actor, fields["teams"] or [])
            if "connectorId" in fields:
                action.connector_id = _optional_str(fields, "connectorId")
            self._apply_action_fields(actor, action, fields, creating=False)
            action.updated_at = self.now()
            return action

    def _apply_action_fields(
        self, actor: Actor, action: AlertAction, fields: dict[str, Any], *, creating: bool
    ) -> None:
        if "name" in fields:
            action.name = _optional_str(fields, "name") or ""
        if "triggerMode" in fields or creating:
            action.trigger_mode = check_enum(
                fields.get("triggerMode", "AUTOMATIC"), TRIGGER_MODES, "triggerMode"
            )
        if "triggerTypes" in fields:
            raw = fields["triggerTypes"] or []
            if not isinstance(raw, list):
                raise BadRequest("Field 'triggerTypes' must be a list")
            action.trigger_types = [check_enum(t, TRIGGER_TYPES, "triggerTypes") for t in raw]
        if action.trigger_mode == "AUTOMATIC" and not action.trigger_types:
            raise BadRequest("Field 'triggerTypes' is required when triggerMode is AUTOMATIC")
        if "params" in fields or creating:
            params = fields.get("params") or {}
            if not isinstance(params, dict):
                raise BadRequest("Field 'params' must be an object")
            action.params = dict(params)
        if action.connector_type == SLACK:
            self._check_slack_action(actor, action)
        if not action.name:
            channel = action.params.get("channelName") or action.params.get("channelId")
            action.name = f"Slack #{channel}" if action.connector_type == SLACK else "Alert action"

    @staticmethod
    def _check_slack_action(actor: Actor, action: AlertAction) -> None:
        if not isinstance(action.params.get("channelId"), str) or not action.params["channelId"]:
            raise BadRequest("Field 'params.channelId' is required for a slack alert action")
        connector = actor.account.slack_connector()
        if connector is None:
            raise BadRequest(
                f"No Slack workspace is linked: an Admin authorizes the "
                f"{SLACK_CONNECTOR_LABEL} first"
            )
        if action.connector_id != connector.id:
            raise BadRequest(
                f"Field 'connectorId' must be this account's slack connector ({connector.id}); "
                f"got {action.connector_id!r}"
            )
        action.params.setdefault("teamId", connector.params.get("teamId"))
        action.params.setdefault("teamDomain", connector.params.get("teamDomain"))

    def _action_sources(self, actor: Actor, fields: dict[str, Any], *, required: bool) -> list[int]:
        refs: list[Any] = []
        if fields.get("alertSources") is not None:
            if not isinstance(fields["alertSources"], list):
                raise BadRequest("Field 'alertSources' must be a list of {id}")
            refs = [_ref_id(r, "alertSources[]") for r in fields["alertSources"]]
        elif fields.get("alertSourceIds") is not None:
            if not isinstance(fields["alertSourceIds"], list):
                raise BadRequest("Field 'alertSourceIds' must be a list of ids")
            refs = [_ref_id(r, "alertSourceIds[]") for r in fields["alertSourceIds"]]
        if required and not refs:
            raise BadRequest(
                "Either field 'alertSourceIds [long]' or 'alertSources [{id}]' is required"
            )
        ids: list[int] = []
        for source_id in refs:
            source = self._linkable_source(actor, source_id)
            if source.id not in ids:
                ids.append(source.id)
        return ids

    def _linkable_source(self, actor: Actor, source_id: int) -> AlertSource:
        try:
            source = self.get_source(actor, source_id)
        except NotFound:
            raise NotFound(f"Alert source {source_id} not found") from None
        # Requests with an integration key come from Slack, where ilert refuses private sources.
        if actor.via_integration and self.is_private(actor.account, source.team_ids):
            raise Forbidden(
                f"Alert source {source.name} belongs to a private team and cannot be linked from "
                "Slack; link it on the alert source's Alert actions tab in ilert"
            )
        return source

    def change_action_source(
        self, actor: Actor, action_id: str, ref: Any, *, add: bool
    ) -> AlertAction:
        """add-source / remove-source; both idempotent."""
        with self.lock:
            action = self.get_action(actor, action_id)
            actor.require(CONFIGURE)
            source_id = _ref_id(ref, "id")
            if add:
                source = self._linkable_source(actor, source_id)
                if source.id not in action.source_ids:
                    action.source_ids.append(source.id)
            elif source_id in action.source_ids:
                action.source_ids.remove(source_id)
            action.updated_at = self.now()
            return action

    def delete_action(self, actor: Actor, action_id: str) -> None:
        with self.lock:
            action = self.get_action(actor, action_id)
            actor.require(CONFIGURE)
            del actor.account.actions[action.id]

    def list_actions(
        self, actor: Actor, *, source: int | None = None, connector: str | None = None
    ) -> list[AlertAction]:
        with self.lock:
            return [
                a
                for a in actor.account.actions.values()
                if (source is None or source in a.source_ids)
                and (connector is None or a.connector_id == connector)
                and self._action_visible(actor, a)
            ]

    def get_action(self, actor: Actor, action_id: str) -> AlertAction:
        with self.lock:
            action = actor.account.actions.get(str(action_id))
            if action is None or not self._action_visible(actor, action):
                raise NotFound(f"Alert action {action_id} not found")
            return action

    def _action_visible(self, actor: Actor, action: AlertAction) -> bool:
        sources = [
            actor.account.sources[s] for s in action.source_ids if s in actor.account.sources
        ]
        teams = [*action.team_ids, *(t for s in sources for t in s.team_ids)]
        return self._visible(actor, teams)

    def matching_actions(self, event: AlertEvent) -> list[AlertAction]:
        """AUTOMATIC slack actions on the alert's source whose trigger types include the event."""
        with self.lock:
            return [
                a
                for a in event.account.actions.values()
                if a.connector_type == SLACK
                and a.trigger_mode == "AUTOMATIC"
                and event.alert.source.id in a.source_ids
                and event.event_type in a.trigger_types
            ]


# -- small parsing helpers (the model validates what the wire layers hand it) ---------------


def _required_str(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"Field '{name}' is required and must be a non-empty string")
    return value


def _optional_str(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"Field '{name}' must be a string")
    return value


def _bool(fields: dict[str, Any], name: str, default: bool) -> bool:
    value = fields.get(name, default)
    if not isinstance(value, bool):
        raise BadRequest(f"Field '{name}' must be true or false")
    return value


def _int(fields: dict[str, Any], name: str, default: int, *, minimum: int) -> int:
    value = fields.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise BadRequest(f"Field '{name}' must be an integer of at least {minimum}")
    return value


def _list(fields: dict[str, Any], name: str) -> list[Any]:
    value = fields.get(name) or []
    if not isinstance(value, list):
        raise BadRequest(f"Field '{name}' must be a list")
    return value


def _ref_id(ref: Any, what: str) -> int:
    """An id given as {id: n}, n or "n"."""
    value = ref.get("id") if isinstance(ref, dict) else ref
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int):
        raise BadRequest(f"Field '{what}' must be an id or an object {{id}}")
    return value


def _first(ids: list[int]) -> int | None:
    return ids[0] if ids else None


def _timeout_seconds(rule: EscalationRule) -> float:
    # A zero timeout would escalate in a tight loop; ilert's smallest step is a minute.
    return max(rule.escalation_timeout, 1) * 60.0


def _who(actor: Actor | None) -> str:
    if actor is None or actor.user is None:
        return "the system (events API)" if actor is None else "the Slack integration"
    suffix = " via Slack" if actor.via_integration else ""
    return f"{actor.user.name}{suffix}"


def _event_comment(fields: dict[str, Any]) -> str:
    comments = fields.get("comments")
    if isinstance(comments, list) and comments and isinstance(comments[0], dict):
        return str(comments[0].get("content", ""))
    return _optional_str(fields, "summary") or _optional_str(fields, "details") or ""


def _workspace_params(workspace: Any, scopes: Any, missing: Any) -> dict[str, Any]:
    if not isinstance(workspace, dict):
        raise BadRequest("Field 'workspace' {id, domain, name, url} is required")
    team_id = _required_str(workspace, "id")
    for name, value in (("scopes", scopes), ("missingScopes", missing)):
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise BadRequest(f"Field '{name}' must be a list of strings")
    domain = _optional_str(workspace, "domain") or ""
    return {
        "teamId": team_id,
        "teamDomain": domain,
        "teamName": _optional_str(workspace, "name") or domain or team_id,
        "teamUrl": _optional_str(workspace, "url") or f"https://{domain}.slack.com/",
        "scopes": list(scopes),
        "missingScopes": list(missing),
    }
