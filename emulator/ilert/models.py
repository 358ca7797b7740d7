"""The state of fake ilert: accounts and everything in them, with ilert's rules. No Flask here.

Every public method of `IlertState` takes the lock, so the HTTP layers may call it from any thread.
Permission checks are typed (`Forbidden`, `NotFound`) and made here, never in the views.
On-call schedules, support hours and maintenance windows live in `oncall.py` and its modules;
alert filters (`alert_filters`), an alert source's creation rules (`source_rules`), heartbeats
(`heartbeats`) and what falls due on the clock besides escalations (`timers`) are modules of
their own; this class applies them through hooks. What is left out: what support hours decide
(every moment counts as within them), alert source templates, ICL conditions and stakeholder
subscriptions.
"""

from __future__ import annotations

import heapq
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from emulator.clock import Clock, SystemClock
from emulator.ids import IdGenerator
from emulator.ilert.alert_filters import AlertFacts, AlertFilter, parse_alert_filter
from emulator.ilert.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    Unauthorized,
)
from emulator.ilert.fields import (
    TEAM_CONTEXT_PATTERN,
    USER_ID_PATTERN,
    boolean,
    check_enum,
    integer,
    is_id,
    listing,
    mapping,
    matches,
    objects,
    optional_str,
    ref_id,
    required_str,
)
from emulator.ilert.heartbeats import HEARTBEAT_TYPE, Heartbeat, heartbeat_from_fields
from emulator.ilert.index import ALERT_STATES, AlertIndex
from emulator.ilert.maintenance import in_maintenance
from emulator.ilert.oncall_book import OnCallBook
from emulator.ilert.schedules import shift_at
from emulator.ilert.source_rules import SourceRules, rules_from_fields
from emulator.ilert.spec import real_spec
from emulator.ilert.timers import (
    ACTION_EVENT,
    AUTO_RESOLVE,
    HEARTBEAT,
    DelayedEvent,
    Timer,
    Timers,
)

__all__ = ["ALERT_STATES", "IlertState", "check_enum"]

ROLES = ("ADMIN", "USER", "RESPONDER", "STAKEHOLDER", "GUEST")
TEAM_MEMBER_ROLES = ("ADMIN", "USER", "RESPONDER", "STAKEHOLDER")
VISIBILITIES = ("PUBLIC", "PRIVATE")
PRIORITIES = ("HIGH", "LOW")
LANGUAGES = ("en", "de")
TRIGGER_MODES = ("AUTOMATIC", "MANUAL")
MANUAL_RUN = "alert-action-invoked"  # the event a MANUAL alert action run by hand sends
EVENT_TYPES = ("ALERT", "ACCEPT", "RESOLVE", "COMMENT")
ALERT_INCLUDES = ("escalationRules", "nextEscalationUser")
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
# ilert's connector types and alert action types, as its published document enumerates them
# (`ConnectorType`, `AlertActionType`), and the alert action types newer than that document that
# ilert's Go client knows (iLert/ilert-go alert_action.go). Only `slack` has behaviour here; the
# rest are kept as given, params included.
CONNECTOR_TYPES = tuple(real_spec()["components"]["schemas"]["ConnectorType"]["enum"])
NEWER_ACTION_TYPES = ("microsoft_teams_bot", "microsoft_teams_webhook", "reroute", "slack_webhook")
ALERT_ACTION_TYPES = (
    *real_spec()["components"]["schemas"]["AlertActionType"]["enum"],
    *NEWER_ACTION_TYPES,
)
SLACK = "slack"
# The events API's answer to an ALERT for a source in a maintenance window (fake ilert's code:
# ilert's spec lists no response codes).
IN_MAINTENANCE = "ALERT_SOURCE_IN_MAINTENANCE"
SLACK_CONNECTOR_LABEL = "Slack Workspace Integration"
MAX_PAGE_ALERTS = 100  # ilert's cap on max-results for alerts, users and log entries
MAX_PAGE_CONFIG = 50  # ilert's cap for alert sources and escalation policies
MAX_INT32 = 2**31 - 1  # ilert's paging parameters are int32

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
# Roles that see only the objects of the teams they are members of ("sees nothing until added
# to a team"); stakeholder subscriptions are not emulated, so a stakeholder is treated alike.
_TEAM_BOUND_ROLES = ("GUEST", "STAKEHOLDER")


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
    created_at: float | None = None
    updated_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # plain fields, as given

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
    created_at: float | None = None
    updated_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # plain fields, as given


@dataclass
class EscalationRule:
    escalation_timeout: int  # minutes
    user_ids: list[int]
    schedule_ids: list[int] = field(default_factory=list)  # whoever is on call there responds


@dataclass
class EscalationPolicy:
    id: int
    account_id: int
    name: str
    rules: list[EscalationRule]
    repeating: bool = False
    frequency: int = 1
    team_ids: list[int] = field(default_factory=list)
    routing_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # plain fields, as given


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
    rules: SourceRules = field(default_factory=SourceRules)
    heartbeat: Heartbeat | None = None  # for integrationType HEARTBEAT only
    extra: dict[str, Any] = field(default_factory=dict)  # plain fields, as given


# Slots: an alert gathers twenty or more entries, and a dict per entry was most of their size
# (bench/memory.py).
@dataclass(slots=True)
class LogEntry:
    id: int
    alert_id: int
    timestamp: float
    log_type: str
    text: str
    actor_id: int | None = None
    via: str | None = None


@dataclass
class Responder:
    """A user responding to an alert; `manual` ones were added by a person and stay on."""

    user_id: int
    status: str = "PENDING"  # PENDING or ACCEPTED
    accepted_at: float | None = None
    manual: bool = False


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
    responders: list[Responder] = field(default_factory=list)
    rule_index: int = 0
    repeats: int = 0
    next_escalation: float | None = None
    acknowledged_by: int | None = None
    accepted_at: float | None = None
    resolved_by: int | None = None
    resolved_on: float | None = None
    images: list[dict[str, str]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    custom_details: dict[str, Any] = field(default_factory=dict)
    log: list[LogEntry] = field(default_factory=list)
    # Events for single alert actions that wait out the action's delay (timers.DelayedEvent).
    delayed_events: list[DelayedEvent] = field(default_factory=list)
    auto_resolve_at: float | None = None  # the source's autoResolutionTimeout after creation
    # Bumped by every change the alert's JSON shows; the serialiser caches by it.
    version: int = field(default=0, compare=False)
    json_cache: Any = field(default=None, repr=False, compare=False)

    @property
    def is_open(self) -> bool:
        return self.status != "RESOLVED"

    @property
    def assigned_to_id(self) -> int | None:
        """ilert's deprecated `assignedTo`: the first responder."""
        return self.responders[0].user_id if self.responders else None

    def responder(self, user_id: int) -> Responder | None:
        return next((r for r in self.responders if r.user_id == user_id), None)


DELIVERY_STATES = ("OKAY", "RETRYING", "FAILING")


@dataclass(frozen=True)
class DeliveryStatus:
    """How an alert action's last webhook went: OKAY (delivered, or nothing sent yet, as ilert
    shows a new alert action), RETRYING (its last attempt failed and it waits to be tried again)
    or FAILING (refused for good, or out of tries), with the reason a person reads."""

    state: str = "OKAY"
    error: str | None = None  # Slack's or the connector's error code
    reason: str | None = None
    last_attempt_at: float | None = None
    next_attempt_at: float | None = None


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
    escalation_ended_delay_sec: int = 0
    not_resolved_delay_sec: int = 0
    delivery: DeliveryStatus = field(default_factory=DeliveryStatus)
    alert_filter: AlertFilter | None = None  # None: every alert of its sources
    extra: dict[str, Any] = field(default_factory=dict)  # plain fields, as given


@dataclass
class Connector:
    id: str
    account_id: int
    name: str
    type: str
    params: dict[str, Any]
    created_at: float
    updated_at: float
    extra: dict[str, Any] = field(default_factory=dict)  # plain fields, as given


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
    # Deleted policies that alerts still name; never listed, only referenced.
    retired_policies: dict[int, EscalationPolicy] = field(default_factory=dict)
    sources: dict[int, AlertSource] = field(default_factory=dict)
    alerts: dict[int, Alert] = field(default_factory=dict)
    actions: dict[str, AlertAction] = field(default_factory=dict)
    connectors: dict[str, Connector] = field(default_factory=dict)
    integration_key: str | None = None
    # (source id, alert key) -> the open alert, so the events API finds it without a scan.
    open_by_key: dict[tuple[int, str], Alert] = field(default_factory=dict)
    index: AlertIndex = field(default_factory=AlertIndex)
    oncall: OnCallBook = field(default_factory=OnCallBook)

    def slack_connector(self) -> Connector | None:
        return next((c for c in self.connectors.values() if c.type == SLACK), None)


@dataclass(frozen=True)
class Actor:
    """Who a request acts as: a user, or (user None) the system actor of an integration key.

    `team_scope` is the `team-context` header's narrowing of lists: None for all teams, else the
    team ids whose objects the lists show.
    """

    account: Account
    user: User | None
    via_integration: bool = False
    team_scope: frozenset[int] | None = None

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

    def member_teams(self) -> set[int]:
        if self.user is None:
            return set()
        uid = self.user.id
        return {t.id for t in self.account.teams.values() if uid in t.members}


@dataclass(frozen=True)
class AlertEvent:
    """Something that happened to an alert; the delivery queue turns it into webhooks."""

    event_type: str
    account: Account
    alert: Alert
    actor: User | None
    time: float
    action_id: str | None = None  # for this alert action only (a delayed event, a run by hand)


EventListener = Callable[[AlertEvent], None]


class _Viewer:
    """What one actor may see, computed once per request (its teams, its privacy rule)."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.all = actor.sees_everything()
        self.teams = set() if self.all else actor.member_teams()
        self.team_bound = (
            not self.all and actor.user is not None and actor.user.role in (_TEAM_BOUND_ROLES)
        )
        self.scope = actor.team_scope

    def visible(self, team_ids: Iterable[int]) -> bool:
        """Private teams' objects are for their members, Admins and the owner; no team is public."""
        if self.all:
            return True
        teams = self.actor.account.teams
        if self.team_bound:
            return any(t in self.teams for t in team_ids)
        private = [t for t in team_ids if t in teams and teams[t].visibility == "PRIVATE"]
        return not private or any(t in self.teams for t in private)

    def in_scope(self, team_ids: Iterable[int]) -> bool:
        return self.scope is None or any(t in self.scope for t in team_ids)

    def listed(self, team_ids: Iterable[int]) -> bool:
        ids = list(team_ids)
        return self.in_scope(ids) and self.visible(ids)

    def _is_responder(self, alert: Alert) -> bool:
        user = self.actor.user
        return user is not None and any(r.user_id == user.id for r in alert.responders)

    def alert_visible(self, alert: Alert) -> bool:
        if self.all or self._is_responder(alert):
            return True
        return self.visible([*alert.source.team_ids, *alert.policy.team_ids])

    def alert_listed(self, alert: Alert) -> bool:
        if self.scope is not None and not self._is_responder(alert):
            teams = [*alert.source.team_ids, *alert.policy.team_ids]
            if not self.in_scope(teams):
                return False
        return self.alert_visible(alert)


def _page(items: Iterable[Any], start: int, limit: int | None) -> list[Any]:
    return list(islice(items, start, None if limit is None else start + limit))


def check_page(start: int, limit: int | None, maximum: int) -> None:
    if not 0 <= start <= MAX_INT32:
        raise BadRequest(f"Query 'start-index' must be between 0 and {MAX_INT32}")
    if limit is not None and not 1 <= limit <= maximum:
        raise BadRequest(f"Query 'max-results' must be between 1 and {maximum}")


class IlertState:
    """All accounts of one fake ilert, behind one re-entrant lock."""

    def __init__(
        self, *, clock: Clock | None = None, seed: int = 0, stable_secrets: bool = False
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.seed = seed
        self.ids = IdGenerator(seed, stable_secrets=stable_secrets)
        self.last_id = 1000  # IdGenerator's first number; kept so an export can continue it
        # Bumped by changes that alerts' JSON shows without changing the alerts themselves
        # (a renamed user, source or policy), so cached alert JSON is never stale.
        self.generation = 0
        # The parts every cached alert JSON embeds (its source, its policy), shared by all the
        # alerts of one generation (`serialize.cached_alert_json`).
        self.shared_json: tuple[int, dict[tuple[Any, ...], Any]] = (0, {})
        self.lock = threading.RLock()
        self.listeners: list[EventListener] = []
        self._reset_unlocked()

    # -- lifecycle ---------------------------------------------------------------------------

    def _reset_unlocked(self) -> None:
        self.generation = getattr(self, "generation", 0) + 1
        self.accounts: dict[int, Account] = {}
        self.api_keys: dict[str, ApiKey] = {}
        self.source_keys: dict[str, AlertSource] = {}
        self.user_accounts: dict[int, int] = {}  # user id -> account id
        self.workspaces: dict[str, int] = {}  # Slack team id -> ilert account id
        self.redeemed_nonces: set[str] = set()
        self._escalations: list[tuple[float, int, int]] = []  # (due, alert id, account id)
        self._timers = Timers()

    def reset(self) -> None:
        """Forget everything. Ids keep counting so peers holding old ids never see them reused."""
        with self.lock:
            self._reset_unlocked()

    def now(self) -> float:
        return self.clock.now()

    def next_id(self) -> int:
        self.last_id = self.ids.number()
        return self.last_id

    def restart_ids(self, last_id: int) -> None:
        """Continue numbering after `last_id` (an import)."""
        self.ids = IdGenerator(
            self.seed, first_number=last_id, stable_secrets=self.ids.stable_secrets
        )
        self.last_id = last_id

    def rebuild_escalations(self) -> None:
        """The escalation heap from the alerts' own next-escalation times (an import)."""
        self._escalations = [
            (a.next_escalation, a.id, account.id)
            for account in self.accounts.values()
            for a in account.alerts.values()
            if a.next_escalation is not None and a.status == "PENDING"
        ]
        heapq.heapify(self._escalations)

    def rebuild_timers(self) -> None:
        """The timer heap from what the alerts (and sources) say is due (an import)."""
        self._timers.clear()
        for account in self.accounts.values():
            for alert in account.alerts.values():
                self._remind_alert(alert)
            for source in account.sources.values():
                self._remind_heartbeat(source)

    def _remind_heartbeat(self, source: AlertSource) -> None:
        due = source.heartbeat.overdue_at() if source.heartbeat else None
        if due is not None:
            self._timers.add(Timer(due, HEARTBEAT, source.account_id, source.id))

    def _remind_alert(self, alert: Alert) -> None:
        if not alert.is_open:
            return
        for delayed in alert.delayed_events:
            self._timers.add(Timer(delayed.due, ACTION_EVENT, alert.account_id, alert.id))
        if alert.auto_resolve_at is not None:
            self._timers.add(Timer(alert.auto_resolve_at, AUTO_RESOLVE, alert.account_id, alert.id))

    def _emit(
        self,
        event_type: str,
        account: Account,
        alert: Alert,
        actor: User | None,
        at: float | None = None,
        action_id: str | None = None,
    ) -> None:
        alert.version += 1
        when = self.now() if at is None else at
        event = AlertEvent(event_type, account, alert, actor, when, action_id)
        for listener in list(self.listeners):
            listener(event)

    # -- accounts, keys, actors --------------------------------------------------------------

    def create_account(
        self, name: Any, *, owner: dict[str, Any] | None = None
    ) -> tuple[Account, User, str]:
        """A new account, its owner (ADMIN, flagged owner) and an API key acting as the owner."""
        if not isinstance(name, str) or not name.strip():
            raise BadRequest("Field 'name' is required")
        owner = owner or {}
        with self.lock:
            account = Account(id=self.next_id(), name=name.strip())
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
            self.accounts[account.id] = account
            user.is_owner = True
            account.owner_id = user.id
            return account, user, self._issue_key(account, user)

    def add_user_with_key(self, account_id: int, fields: dict[str, Any]) -> tuple[User, str]:
        """A user plus an API key acting as them (control plane: tests act as that user)."""
        with self.lock:
            account = self.account(account_id)
            user = self._add_user(account, fields)
            return user, self._issue_key(account, user)

    def issue_key(self, account_id: int, user_id: int) -> str:
        """One more API key for an existing user (control plane)."""
        with self.lock:
            account = self.account(account_id)
            user = account.users.get(user_id)
            if user is None:
                raise NotFound(f"User {user_id} not found in account {account_id}")
            return self._issue_key(account, user)

    def _issue_key(self, account: Account, user: User) -> str:
        key = self.ids.secret("il")
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
            account = self.accounts.get(self.user_accounts.get(user_id, -1))
            if account is None or user_id not in account.users:
                return None
            return account, account.users[user_id]

    def authenticate(
        self, key: str | None, on_behalf_of: str | None, team_context: str | None = None
    ) -> Actor:
        """The actor for a bearer key, an optional X-On-Behalf-Of and an optional team-context."""
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
                user = account.users.get(api_key.user_id or 0)
                if user is None:
                    raise Unauthorized("Invalid API key: its user was deleted")
                actor = Actor(account, user)
            elif on_behalf_of is None:
                actor = Actor(account, None, via_integration=True)
            else:
                user = self._on_behalf_of(account, on_behalf_of)
                actor = Actor(account, user, via_integration=True)
            if team_context is None:
                return actor
            scope = self._team_scope(actor, team_context)
            return Actor(actor.account, actor.user, actor.via_integration, scope)

    @staticmethod
    def _on_behalf_of(account: Account, header: str) -> User:
        if not matches(USER_ID_PATTERN, header):
            raise BadRequest(f"X-On-Behalf-Of must be an ilert user id (a number); got {header!r}")
        user_id = int(header)
        user = account.users.get(user_id)
        if user is None:
            raise Forbidden(
                f"X-On-Behalf-Of names user {user_id}, who is not a user of this account"
            )
        return user

    @staticmethod
    def _team_scope(actor: Actor, header: str) -> frozenset[int] | None:
        """`0`: all teams; `-1`: my teams; a team id: that team (which the actor must see)."""
        if not matches(TEAM_CONTEXT_PATTERN, header):
            raise BadRequest(
                f"Header 'team-context' must be 0 (all teams), -1 (my teams) or a team id; "
                f"got {header!r}"
            )
        value = int(header)
        if value == 0:
            return None
        if value == -1:
            return frozenset(actor.member_teams())
        if value < 0 or value not in actor.account.teams or not _Viewer(actor).visible([value]):
            raise BadRequest(f"Header 'team-context': team {value} not found")
        return frozenset({value})

    # -- users -------------------------------------------------------------------------------

    def _add_user(self, account: Account, fields: dict[str, Any]) -> User:
        email = self._free_email(account, required_str(fields, "email"), None)
        role = check_enum(fields.get("role", "USER"), ROLES, "role")
        username = optional_str(fields, "username") or email.split("@")[0]
        taken = {u.username for u in account.users.values()}
        base, n = username, 1
        while username in taken:
            n += 1
            username = f"{base}{n}"
        user = User(
            id=self.next_id(),
            account_id=account.id,
            first_name=optional_str(fields, "firstName") or "",
            last_name=optional_str(fields, "lastName") or "",
            email=email,
            username=username,
            role=role,
            timezone=optional_str(fields, "timezone") or "Europe/Berlin",
            position=optional_str(fields, "position") or "",
            department=optional_str(fields, "department") or "",
            language=_language(fields.get("language", "en")),
            created_at=self.now(),
            updated_at=self.now(),
        )
        account.users[user.id] = user
        self.user_accounts[user.id] = account.id
        return user

    @staticmethod
    def _free_email(account: Account, raw: str, user: User | None) -> str:
        email = raw.strip()
        if "@" not in email:
            raise BadRequest(f"Field 'email' must be an e-mail address; got {email!r}")
        for other in account.users.values():
            if other is not user and other.email.lower() == email.lower():
                raise Conflict(f"A user with e-mail {email} already exists in this account")
        return email

    def create_user(self, actor: Actor, fields: dict[str, Any]) -> User:
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            return self._add_user(actor.account, fields)

    def list_users(self, actor: Actor, *, start: int = 0, limit: int | None = None) -> list[User]:
        check_page(start, limit, MAX_PAGE_ALERTS)
        with self.lock:
            return _page(actor.account.users.values(), start, limit)

    def get_user(self, actor: Actor, ref: str | int) -> User:
        with self.lock:
            users = actor.account.users
            text = str(ref)
            if is_id(text) and int(text) in users:
                return users[int(text)]
            found = next((u for u in users.values() if u.username == text), None)
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

    def update_user(self, actor: Actor, ref: str | int, fields: dict[str, Any]) -> User:
        """An Admin changes any user, including the role (not the owner's)."""
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            user = self.get_user(actor, ref)
            self._apply_user_fields(actor.account, user, fields, may_change_role=True)
            return user

    def update_current_user(self, actor: Actor, fields: dict[str, Any]) -> User:
        """A person changes their own profile; only an Admin may change a role."""
        with self.lock:
            user = self.current_user(actor)
            changes_role = "role" in fields and fields["role"] != user.role
            if changes_role:
                actor.require(MANAGE_ACCOUNT)
            self._apply_user_fields(actor.account, user, fields, may_change_role=changes_role)
            return user

    def _apply_user_fields(
        self, account: Account, user: User, fields: dict[str, Any], *, may_change_role: bool
    ) -> None:
        # Validate everything before changing anything, so a 4xx changes nothing.
        email = (
            self._free_email(account, required_str(fields, "email"), user)
            if "email" in fields
            else user.email
        )
        role = user.role
        if may_change_role and "role" in fields:
            role = check_enum(fields["role"], ROLES, "role")
            if user.is_owner and role != "ADMIN":
                raise BadRequest("The account owner's role cannot be changed; it stays ADMIN")
        username = user.username
        if "username" in fields:
            username = required_str(fields, "username").strip()
            if any(u.username == username and u is not user for u in account.users.values()):
                raise Conflict(f"The username {username} is taken")
        texts = {
            name: optional_str(fields, name)
            for name in ("firstName", "lastName", "timezone", "position", "department")
        }
        language = _language(fields["language"]) if "language" in fields else user.language
        self.generation += 1
        user.email, user.role, user.username, user.language = email, role, username, language
        user.updated_at = self.now()
        for name, attr in (
            ("firstName", "first_name"),
            ("lastName", "last_name"),
            ("timezone", "timezone"),
            ("position", "position"),
            ("department", "department"),
        ):
            if name in fields:
                setattr(user, attr, texts[name] or ("Europe/Berlin" if name == "timezone" else ""))

    def delete_user(self, actor: Actor, ref: str | int) -> None:
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            account = actor.account
            user = self.get_user(actor, ref)
            if user.is_owner:
                raise BadRequest("The account owner cannot be deleted")
            if actor.user is not None and user.id == actor.user.id:
                raise BadRequest("You cannot delete yourself; ask another Admin")
            used = [
                p.name for p in account.policies.values() for r in p.rules if user.id in r.user_ids
            ]
            if used:
                raise Conflict(
                    f"User {user.name} is part of escalation policies "
                    f"({', '.join(sorted(set(used)))}); remove them there first"
                )
            rotas = [s.name for s in account.oncall.schedules.values() if user.id in s.user_ids()]
            if rotas:
                raise Conflict(
                    f"User {user.name} is on call in schedules ({', '.join(sorted(rotas))}); "
                    "remove them there first"
                )
            del account.users[user.id]
            self.generation += 1
            self.user_accounts.pop(user.id, None)
            for team in account.teams.values():
                team.members.pop(user.id, None)
            for key in [k for k, v in self.api_keys.items() if v.user_id == user.id]:
                del self.api_keys[key]
            for alert_id in list(account.index.newest(states=("PENDING", "ACCEPTED"))):
                alert = account.alerts[alert_id]
                alert.responders = [r for r in alert.responders if r.user_id != user.id]

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
        user_id = ref_id(ref, what)
        user = account.users.get(user_id)
        if user is None:
            raise BadRequest(f"{what}: user {user_id} not found")
        return user

    # -- teams -------------------------------------------------------------------------------

    def create_team(self, actor: Actor, fields: dict[str, Any]) -> Team:
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            visibility = check_enum(fields.get("visibility", "PUBLIC"), VISIBILITIES, "visibility")
            members = self._members(actor.account, listing(fields, "members"))
            team = Team(
                id=self.next_id(),
                account_id=actor.account.id,
                name=required_str(fields, "name").strip(),
                visibility=visibility,
                members=members,
                created_at=self.now(),
                updated_at=self.now(),
            )
            actor.account.teams[team.id] = team
            return team

    def _members(self, account: Account, raw: list[Any]) -> dict[int, str]:
        members: dict[int, str] = {}
        for member in raw:
            user, role = self._member(account, member)
            members[user.id] = role
        return members

    def _member(self, account: Account, member: Any) -> tuple[User, str]:
        if not isinstance(member, dict):
            raise BadRequest("Each team member must be an object {user: {id}, role}")
        user = self._user_ref(account, member.get("user"), "members[].user")
        role = check_enum(member.get("role", "RESPONDER"), TEAM_MEMBER_ROLES, "members[].role")
        return user, role

    def update_team(self, actor: Actor, team_id: int, fields: dict[str, Any]) -> Team:
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            team = self.get_team(actor, team_id)
            name = required_str(fields, "name").strip() if "name" in fields else team.name
            visibility = team.visibility
            if "visibility" in fields:
                visibility = check_enum(fields["visibility"], VISIBILITIES, "visibility")
            members = team.members
            if "members" in fields:
                members = self._members(actor.account, listing(fields, "members"))
            team.name, team.visibility, team.members = name, visibility, members
            team.updated_at = self.now()
            return team

    def delete_team(self, actor: Actor, team_id: int) -> None:
        """The team goes; its objects stay, without it (and so public unless another team)."""
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            team = self.get_team(actor, team_id)
            account = actor.account
            del account.teams[team.id]
            owners: list[Any] = [
                *account.policies.values(),
                *account.sources.values(),
                *account.actions.values(),
            ]
            for owner in owners:
                if team.id in owner.team_ids:
                    owner.team_ids = [t for t in owner.team_ids if t != team.id]

    def add_team_member(self, actor: Actor, team_id: int, member: Any) -> tuple[Team, User]:
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            team = self.get_team(actor, team_id)
            user, role = self._member(actor.account, member)
            team.members[user.id] = role
            team.updated_at = self.now()
            return team, user

    def remove_team_member(self, actor: Actor, team_id: int, user_id: int) -> None:
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            team = self.get_team(actor, team_id)
            if user_id not in team.members:
                raise NotFound(f"User {user_id} is not a member of team {team.name}")
            del team.members[user_id]
            team.updated_at = self.now()

    def list_teams(self, actor: Actor) -> list[Team]:
        with self.lock:
            viewer = _Viewer(actor)
            return [t for t in actor.account.teams.values() if viewer.listed([t.id])]

    def get_team(self, actor: Actor, team_id: int) -> Team:
        with self.lock:
            team = actor.account.teams.get(team_id)
            if team is None or not _Viewer(actor).visible([team.id]):
                raise NotFound(f"Team {team_id} not found")
            return team

    def _team_ids(self, actor: Actor, refs: Any) -> list[int]:
        if refs is None:
            return []
        if not isinstance(refs, list):
            raise BadRequest("Field 'teams' must be a list of {id}")
        viewer = _Viewer(actor)
        ids = []
        for ref in refs:
            team_id = ref_id(ref, "teams[]")
            if team_id not in actor.account.teams or not viewer.visible([team_id]):
                raise BadRequest(f"teams[]: team {team_id} not found")
            if team_id not in ids:
                ids.append(team_id)
        return ids

    # -- escalation policies -----------------------------------------------------------------

    def create_policy(self, actor: Actor, fields: dict[str, Any]) -> EscalationPolicy:
        with self.lock:
            actor.require(CONFIGURE)
            account = actor.account
            policy = EscalationPolicy(
                id=0,
                account_id=account.id,
                name=required_str(fields, "name").strip(),
                rules=[self._rule(account, r) for r in listing(fields, "escalationRules")],
                repeating=boolean(fields, "repeating", False),
                frequency=integer(fields, "frequency", 1, minimum=1, maximum=9),
                team_ids=self._team_ids(actor, fields.get("teams")),
                routing_key=self._routing_key(account, fields, None),
            )
            policy.id = self.next_id()
            account.policies[policy.id] = policy
            return policy

    @staticmethod
    def _routing_key(account: Account, fields: dict[str, Any], policy: Any) -> str | None:
        key = optional_str(fields, "routingKey")
        key = key.strip() if key else None
        if key and any(p.routing_key == key and p is not policy for p in account.policies.values()):
            raise Conflict(f"Another escalation policy already has the routing key {key!r}")
        return key or None

    def _rule(self, account: Account, raw: Any) -> EscalationRule:
        if not isinstance(raw, dict):
            raise BadRequest("Each escalation rule must be an object {escalationTimeout, users}")
        if raw.get("escalationTimeout") is None:
            raise BadRequest("Field 'escalationRules[].escalationTimeout' (minutes) is required")
        timeout = integer(raw, "escalationTimeout", 0, minimum=0, maximum=10_000)
        refs = raw.get("users")
        if refs is None and raw.get("user") is not None:
            refs = [raw["user"]]  # the deprecated single-user form
        if refs is not None and not isinstance(refs, list):
            raise BadRequest("Field 'escalationRules[].users' must be a list of {id}")
        users = [self._user_ref(account, ref, "escalationRules[].users").id for ref in refs or []]
        return EscalationRule(
            timeout, list(dict.fromkeys(users)), self._rule_schedules(account, raw)
        )

    @staticmethod
    def _rule_schedules(account: Account, raw: dict[str, Any]) -> list[int]:
        """`schedules: [{id}]`, or the deprecated single `schedule: {id}`."""
        refs = raw.get("schedules")
        if refs is None and raw.get("schedule") is not None:
            refs = [raw["schedule"]]
        if refs is not None and not isinstance(refs, list):
            raise BadRequest("Field 'escalationRules[].schedules' must be a list of {id}")
        ids = [ref_id(ref, "escalationRules[].schedules") for ref in refs or []]
        for schedule_id in ids:
            if schedule_id not in account.oncall.schedules:
                raise BadRequest(f"escalationRules[].schedules: schedule {schedule_id} not found")
        return list(dict.fromkeys(ids))

    def update_policy(
        self, actor: Actor, policy_id: int, fields: dict[str, Any]
    ) -> EscalationPolicy:
        """Open alerts keep their level; a level past the new last rule ends their escalation."""
        with self.lock:
            actor.require(CONFIGURE)
            policy = self.get_policy(actor, policy_id)
            account = actor.account
            name = required_str(fields, "name").strip() if "name" in fields else policy.name
            rules = policy.rules
            if "escalationRules" in fields:
                rules = [self._rule(account, r) for r in listing(fields, "escalationRules")]
            repeating = boolean(fields, "repeating", policy.repeating)
            frequency = integer(fields, "frequency", policy.frequency, minimum=1, maximum=9)
            teams = policy.team_ids
            if "teams" in fields:
                teams = self._team_ids(actor, fields["teams"] or [])
            routing = policy.routing_key
            if "routingKey" in fields:
                routing = self._routing_key(account, fields, policy)
            self.generation += 1
            policy.name, policy.rules, policy.repeating = name, rules, repeating
            policy.frequency, policy.team_ids, policy.routing_key = frequency, teams, routing
            return policy

    def delete_policy(self, actor: Actor, policy_id: int) -> None:
        with self.lock:
            actor.require(CONFIGURE)
            policy = self.get_policy(actor, policy_id)
            account = actor.account
            users = [s.name for s in account.sources.values() if s.policy is policy]
            if users:
                raise Conflict(
                    f"Escalation policy {policy.name} is used by alert sources "
                    f"({', '.join(users)}); give them another policy first"
                )
            del account.policies[policy.id]
            account.retired_policies[policy.id] = policy

    def list_policies(
        self, actor: Actor, *, start: int = 0, limit: int | None = None
    ) -> list[EscalationPolicy]:
        check_page(start, limit, MAX_PAGE_CONFIG)
        with self.lock:
            viewer = _Viewer(actor)
            items = (p for p in actor.account.policies.values() if viewer.listed(p.team_ids))
            return _page(items, start, limit)

    def get_policy(self, actor: Actor, policy_id: int) -> EscalationPolicy:
        with self.lock:
            policy = actor.account.policies.get(policy_id)
            if policy is None or not _Viewer(actor).visible(policy.team_ids):
                raise NotFound(f"Escalation policy {policy_id} not found")
            return policy

    # -- alert sources -----------------------------------------------------------------------

    def create_source(self, actor: Actor, fields: dict[str, Any]) -> AlertSource:
        with self.lock:
            actor.require(CONFIGURE)
            source = AlertSource(
                id=0,
                account_id=actor.account.id,
                name=required_str(fields, "name").strip(),
                integration_type=(optional_str(fields, "integrationType") or "API").strip()
                or "API",
                integration_key=self.ids.secret("il", 16),
                policy=self._policy_ref(actor, fields.get("escalationPolicy")),
                team_ids=self._team_ids(actor, fields.get("teams")),
                active=boolean(fields, "active", True),
                rules=rules_from_fields(fields, SourceRules()),
            )
            source.heartbeat = heartbeat_from_fields(
                fields, source.integration_type, None, source.name
            )
            source.id = self.next_id()
            actor.account.sources[source.id] = source
            self.source_keys[source.integration_key] = source
            return source

    def _policy_ref(self, actor: Actor, ref: Any) -> EscalationPolicy:
        if ref is None:
            raise BadRequest("Field 'escalationPolicy' {id} is required")
        policy_id = ref_id(ref, "escalationPolicy")
        try:
            return self.get_policy(actor, policy_id)
        except NotFound:
            raise BadRequest(f"escalationPolicy: escalation policy {policy_id} not found") from None

    def update_source(self, actor: Actor, source_id: int, fields: dict[str, Any]) -> AlertSource:
        with self.lock:
            actor.require(CONFIGURE)
            source = self.get_source(actor, source_id)
            name = required_str(fields, "name").strip() if "name" in fields else source.name
            kind = source.integration_type
            if "integrationType" in fields:
                kind = required_str(fields, "integrationType").strip()
            policy = source.policy
            if "escalationPolicy" in fields:
                policy = self._policy_ref(actor, fields["escalationPolicy"])
            teams = source.team_ids
            if "teams" in fields:  # ilert: [] clears the teams, leaving the field out keeps them
                teams = self._team_ids(actor, fields["teams"] or [])
            active = boolean(fields, "active", source.active)
            rules = rules_from_fields(fields, source.rules)
            heartbeat = heartbeat_from_fields(fields, kind, source.heartbeat, name)
            self.generation += 1
            source.name, source.integration_type, source.policy = name, kind, policy
            source.team_ids, source.active, source.rules = teams, active, rules
            source.heartbeat = heartbeat
            self._remind_heartbeat(source)  # a changed interval counts from the last ping
            return source

    def delete_source(self, actor: Actor, source_id: int) -> None:
        """The source goes with its alerts, and leaves the alert actions that named it."""
        with self.lock:
            actor.require(CONFIGURE)
            source = self.get_source(actor, source_id)
            account = actor.account
            del account.sources[source.id]
            self.source_keys.pop(source.integration_key, None)
            for action in account.actions.values():
                if source.id in action.source_ids:
                    action.source_ids.remove(source.id)
            for alert_id in account.index.source_ids(source.id):
                alert = account.alerts.pop(alert_id)
                account.index.remove(alert_id, source.id, alert.status)
                if account.open_by_key.get((source.id, alert.alert_key)) is alert:
                    del account.open_by_key[(source.id, alert.alert_key)]

    def list_sources(
        self, actor: Actor, *, start: int = 0, limit: int | None = None
    ) -> list[AlertSource]:
        check_page(start, limit, MAX_PAGE_CONFIG)
        with self.lock:
            viewer = _Viewer(actor)
            items = (s for s in actor.account.sources.values() if viewer.listed(s.team_ids))
            return _page(items, start, limit)

    def get_source(self, actor: Actor, ref: int | str) -> AlertSource:
        """By id, or by integration key as ilert allows."""
        with self.lock:
            source = None
            if isinstance(ref, int) or is_id(str(ref)):
                source = actor.account.sources.get(int(ref))
            else:
                found = self.source_keys.get(str(ref))
                source = found if found and found.account_id == actor.account.id else None
            if source is None or not _Viewer(actor).visible(source.team_ids):
                raise NotFound(f"Alert source {ref} not found")
            return source

    def source_status(self, source: AlertSource) -> str:
        """ilert's read-only status: what the source's open alerts add up to."""
        with self.lock:
            if not source.active:
                return "DISABLED"
            account = self.accounts.get(source.account_id)
            if account is None:
                return "ALL_RESOLVED"
            if in_maintenance(account.oncall.maintenance, source.id, self.now()):
                return "IN_MAINTENANCE"
            if account.index.count_source(source.id, "PENDING"):
                return "PENDING"
            if account.index.count_source(source.id, "ACCEPTED"):
                return "ALL_ACCEPTED"
            return "ALL_RESOLVED"

    # -- alerts ------------------------------------------------------------------------------

    def create_alert(self, actor: Actor, fields: dict[str, Any]) -> Alert:
        with self.lock:
            actor.require(HANDLE_ALERTS)
            account = actor.account
            summary = required_str(fields, "summary")
            source_ref = fields.get("alertSource")
            if source_ref is None:
                raise BadRequest("Field 'alertSource' {id} is required")
            source_id = ref_id(source_ref, "alertSource")
            try:
                source = self.get_source(actor, source_id)
            except NotFound:
                raise BadRequest(f"alertSource: alert source {source_id} not found") from None
            if self._in_maintenance(account, source):
                raise BadRequest(
                    f"Alert source {source.name} is in a maintenance window: it opens no alerts"
                )
            policy = source.policy
            if fields.get("escalationPolicy") is not None:
                policy = self._policy_ref(actor, fields["escalationPolicy"])
            refs = listing(fields, "responders")
            responders = [
                self._user_ref(
                    account, r.get("user") if isinstance(r, dict) else None, "responders[].user"
                )
                for r in refs
            ]
            if not responders and fields.get("assignedTo") is not None:  # deprecated form
                responders = [self._user_ref(account, fields["assignedTo"], "assignedTo")]
            return self._open_alert(
                account,
                source,
                policy,
                summary=summary,
                details=optional_str(fields, "details") or "",
                priority=self._priority(source, fields.get("priority")),
                alert_key=optional_str(fields, "alertKey"),
                actor=actor,
                responders=list(dict.fromkeys(u.id for u in responders)),
                images=objects(fields, "images", ("src", "href", "alt")),
                links=objects(fields, "links", ("href", "text")),
                custom_details=mapping(fields, "customDetails"),
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
        responders: list[int] | None = None,
        images: list[dict[str, str]] | None = None,
        links: list[dict[str, str]] | None = None,
        custom_details: dict[str, Any] | None = None,
    ) -> Alert:
        now = self.now()
        alert_id = self.next_id()
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
            images=images or [],
            links=links or [],
            custom_details=custom_details or {},
        )
        account.alerts[alert.id] = alert
        account.index.add(alert.id, source.id, alert.status)
        account.open_by_key[(source.id, alert.alert_key)] = alert
        if source.rules.auto_resolution is not None:
            alert.auto_resolve_at = now + source.rules.auto_resolution.seconds
            self._timers.add(Timer(alert.auto_resolve_at, AUTO_RESOLVE, account.id, alert.id))
        if actor and actor.user:
            self._log(
                alert,
                "AlertCreatedByUserLogEntry",
                f"Alert created by {_who(actor)}: {summary}",
                actor,
            )
        else:
            self._log(
                alert, "AlertReceivedLogEntry", f"Alert created from {source.name}: {summary}"
            )
        if responders:
            # Named responders are only notified; the alert does not escalate any further.
            alert.responders = [Responder(u, manual=True) for u in responders]
            names = ", ".join(account.users[u].name for u in responders)
            self._log(alert, "AlertAssignedByUserLogEntry", f"Alert assigned to {names}", actor)
        elif policy.rules:
            self._assign_level(account, alert, 0)
            assignee = account.users.get(alert.assigned_to_id or 0)
            if assignee:
                self._log(
                    alert,
                    "AlertAssignedBySystemLogEntry",
                    f"Alert assigned to {assignee.name} (escalation level 1)",
                )
            if priority == "HIGH":
                self._schedule(alert, now + _timeout_seconds(policy.rules[0]))
        self._emit("alert-created", account, alert, actor.user if actor else None, now)
        self._delay_events(account, alert, "v-alert-not-resolved", now)
        return alert

    def _assign_level(self, account: Account, alert: Alert, index: int) -> None:
        """The level's users, then whoever is on call now in its schedules, become the
        responders; people added by hand stay after them."""
        alert.rule_index = index
        rule = alert.policy.rules[index]
        level = [u for u in rule.user_ids if u in account.users]
        for schedule_id in rule.schedule_ids:
            on_call = self._on_call(account, schedule_id)
            if on_call is not None and on_call not in level:
                level.append(on_call)
        kept = [r for r in alert.responders if r.manual and r.user_id not in level]
        alert.responders = [Responder(u) for u in level] + kept

    def _in_maintenance(self, account: Account, source: AlertSource) -> bool:
        return in_maintenance(account.oncall.maintenance, source.id, self.now())

    def _on_call(self, account: Account, schedule_id: int) -> int | None:
        """The user on call in the account's schedule now, if any."""
        schedule = account.oncall.schedules.get(schedule_id)
        shift = shift_at(schedule, self.now()) if schedule else None
        return shift.user_id if shift and shift.user_id in account.users else None

    def list_alerts(
        self,
        actor: Actor,
        *,
        states: list[str] | None = None,
        sources: list[int] | None = None,
        policies: list[int] | None = None,
        responders: list[str] | None = None,
        since: float | None = None,
        until: float | None = None,
        start: int = 0,
        limit: int | None = 50,
    ) -> list[Alert]:
        """Newest first, read lazily from the index: a page costs what it reads, not the total."""
        check_page(start, limit, MAX_PAGE_ALERTS)
        with self.lock:
            return _page(
                self._matching(actor, states, sources, policies, responders, since, until),
                start,
                limit,
            )

    def count_alerts(
        self,
        actor: Actor,
        *,
        states: list[str] | None = None,
        sources: list[int] | None = None,
        policies: list[int] | None = None,
        responders: list[str] | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> int:
        with self.lock:
            plain = not (policies or responders or since is not None or until is not None)
            if plain and actor.sees_everything() and actor.team_scope is None:
                for state in states or ():
                    check_enum(state, ALERT_STATES, "states")
                return actor.account.index.count(states=states or (), sources=sources or ())
            return sum(
                1
                for _ in self._matching(actor, states, sources, policies, responders, since, until)
            )

    def _matching(
        self,
        actor: Actor,
        states: list[str] | None,
        sources: list[int] | None,
        policies: list[int] | None,
        responders: list[str] | None,
        since: float | None,
        until: float | None,
    ) -> Iterator[Alert]:
        for state in states or ():
            check_enum(state, ALERT_STATES, "states")
        account = actor.account
        viewer = _Viewer(actor)
        wanted_policies = set(policies or ())
        wanted_users = self._responder_ids(account, responders or [])
        alerts = account.alerts
        for alert_id in account.index.newest(states=states or (), sources=sources or ()):
            alert = alerts[alert_id]
            if since is not None and alert.report_time < since:
                continue
            if until is not None and alert.report_time > until:
                continue
            if wanted_policies and alert.policy.id not in wanted_policies:
                continue
            if wanted_users is not None and not any(
                r.user_id in wanted_users for r in alert.responders
            ):
                continue
            if viewer.alert_listed(alert):
                yield alert

    @staticmethod
    def _responder_ids(account: Account, refs: list[str]) -> set[int] | None:
        """User ids for ids or usernames; unknown ones match nothing."""
        if not refs:
            return None
        by_name = {u.username: u.id for u in account.users.values()} if refs else {}
        ids = set()
        for ref in refs:
            if is_id(ref):
                ids.add(int(ref))
            elif ref in by_name:
                ids.add(by_name[ref])
        return ids

    def get_alert(self, actor: Actor, alert_id: int) -> Alert:
        with self.lock:
            alert = actor.account.alerts.get(alert_id)
            if alert is None or not _Viewer(actor).alert_visible(alert):
                raise NotFound(f"Alert {alert_id} not found")
            return alert

    def _alert_for_change(self, actor: Actor, alert_id: int) -> Alert:
        # The role is checked first: a refusal by role tells nothing about the alert.
        actor.require(HANDLE_ALERTS)
        return self.get_alert(actor, alert_id)

    def _set_status(self, account: Account, alert: Alert, status: str) -> None:
        account.index.move(alert.id, alert.source.id, alert.status, status)
        alert.status = status

    def accept_alert(self, actor: Actor, alert_id: int) -> Alert:
        with self.lock:
            alert = self._alert_for_change(actor, alert_id)
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
        self._set_status(account, alert, "ACCEPTED")
        alert.accepted_at = now
        alert.acknowledged_by = actor.user_id if actor else None
        alert.next_escalation = None
        if actor is not None and actor.user is not None:
            responder = alert.responder(actor.user.id)
            if responder is None:
                responder = Responder(actor.user.id, manual=True)
                alert.responders.append(responder)
            responder.status, responder.accepted_at = "ACCEPTED", now
        self._log(alert, "UserResponseLogEntry", f"Alert accepted by {_who(actor)}", actor)
        self._emit("alert-acknowledged", account, alert, actor.user if actor else None, now)
        return alert

    def resolve_alert(self, actor: Actor, alert_id: int) -> Alert:
        with self.lock:
            alert = self._alert_for_change(actor, alert_id)
            return self._resolve(actor.account, alert, actor)

    def _resolve(self, account: Account, alert: Alert, actor: Actor | None) -> Alert:
        if alert.status == "RESOLVED":
            return alert
        now = self.now()
        self._set_status(account, alert, "RESOLVED")
        alert.resolved_on = now
        alert.resolved_by = actor.user_id if actor else None
        alert.next_escalation = None
        alert.delayed_events, alert.auto_resolve_at = [], None
        if account.open_by_key.get((alert.source.id, alert.alert_key)) is alert:
            del account.open_by_key[(alert.source.id, alert.alert_key)]
        self._log(alert, "UserResponseLogEntry", f"Alert resolved by {_who(actor)}", actor)
        self._emit("alert-resolved", account, alert, actor.user if actor else None, now)
        return alert

    def assign_alert(
        self,
        actor: Actor,
        alert_id: int,
        *,
        user: str | None = None,
        policy: str | None = None,
        schedule: str | None = None,
    ) -> Alert:
        """To a user (who alone responds; escalation stops), to a schedule (whoever is on call
        there now alone responds; escalation stops) or to a policy (escalation restarts at its
        first level)."""
        with self.lock:
            alert = self._alert_for_change(actor, alert_id)
            targets = (("user", user), ("policy", policy), ("schedule", schedule))
            given = [name for name, value in targets if value]
            if len(given) != 1:
                raise BadRequest(
                    "Give exactly one of the queries 'user' (or 'user-id'), "
                    "'policy' (or 'policy-id') and 'schedule' (or 'schedule-id')"
                )
            if alert.status == "RESOLVED":
                raise BadRequest(f"Alert {alert.id} is resolved and cannot be assigned")
            account = actor.account
            if schedule:
                self._assign_schedule(actor, alert, schedule)
            elif user:
                person = self.get_user(actor, user)
                alert.responders = [Responder(person.id, manual=True)]
                alert.next_escalation = None
                text = f"Alert assigned to {person.name} by {_who(actor)}"
                self._log(alert, "AlertAssignedByUserLogEntry", text, actor)
            else:
                if not is_id(str(policy)):
                    raise BadRequest(f"Query 'policy' must be a policy id; got {policy!r}")
                target = self.get_policy(actor, int(str(policy)))
                alert.policy, alert.repeats, alert.next_escalation = target, 0, None
                alert.responders = [r for r in alert.responders if r.manual]
                if target.rules:
                    self._assign_level(account, alert, 0)
                    if alert.status == "PENDING" and alert.priority == "HIGH":
                        self._schedule(alert, self.now() + _timeout_seconds(target.rules[0]))
                text = f"Alert assigned to escalation policy {target.name} by {_who(actor)}"
                self._log(alert, "AlertAssignedToPolicyLogEntry", text, actor)
            self._emit("alert-assigned", account, alert, actor.user, self.now())
            return alert

    def _assign_schedule(self, actor: Actor, alert: Alert, ref: str) -> None:
        account = actor.account
        schedule = account.oncall.schedules.get(int(ref)) if is_id(ref) else None
        if schedule is None or not _Viewer(actor).visible(schedule.team_ids):
            raise NotFound(f"Schedule {ref} not found")
        on_call = self._on_call(account, schedule.id)
        if on_call is None:
            raise BadRequest(f"Nobody is on call in schedule {schedule.name} now")
        person = account.users[on_call]
        alert.responders = [Responder(person.id, manual=True)]
        alert.next_escalation = None
        text = (
            f"Alert assigned to {person.name}, on call in schedule {schedule.name}, "
            f"by {_who(actor)}"
        )
        self._log(alert, "AlertAssignedByUserLogEntry", text, actor)

    def add_responder(self, actor: Actor, alert_id: int, body: dict[str, Any]) -> Responder:
        """201 with the responder; 404 for an unknown user, 405 for one already responding."""
        with self.lock:
            alert = self._alert_for_change(actor, alert_id)
            ref = body.get("user", body)
            user_id = ref_id(ref, "user")
            user = actor.account.users.get(user_id)
            if user is None:
                raise NotFound(f"User {user_id} not found")
            if alert.status == "RESOLVED":
                raise BadRequest(f"Alert {alert.id} is resolved; responders cannot change")
            if alert.responder(user.id) is not None:
                raise MethodNotAllowed(f"{user.name} is already a responder of alert {alert.id}")
            responder = Responder(user.id, manual=True)
            alert.responders.append(responder)
            text = f"{user.name} added as a responder by {_who(actor)}"
            self._log(alert, "AlertAssignedByUserLogEntry", text, actor)
            self._emit("alert-responder-added", actor.account, alert, actor.user, self.now())
            return responder

    def remove_responder(self, actor: Actor, alert_id: int, user_id: int) -> None:
        with self.lock:
            alert = self._alert_for_change(actor, alert_id)
            responder = alert.responder(user_id)
            if responder is None:
                raise NotFound(f"User {user_id} is not a responder of alert {alert.id}")
            if alert.status == "RESOLVED":
                raise BadRequest(f"Alert {alert.id} is resolved; responders cannot change")
            alert.responders.remove(responder)
            user = actor.account.users.get(user_id)
            name = user.name if user else f"User {user_id}"
            text = f"{name} removed as a responder by {_who(actor)}"
            self._log(alert, "AlertAssignedByUserLogEntry", text, actor)
            self._emit("alert-responder-removed", actor.account, alert, actor.user, self.now())

    def attach_channel(self, actor: Actor, alert: Alert, text: str) -> None:
        """The alert got a Slack channel of its own (`alert_channels`): logged, and told."""
        with self.lock:
            self._log(alert, "AlertChannelAttachedByUserLogEntry", text, actor)
            self._emit("alert-channel-attached", actor.account, alert, actor.user, self.now())

    def suggested_responders(self, actor: Actor, alert_id: int) -> list[dict[str, Any]]:
        """Users who may respond (USER group) and visible policies (ESCALATION_POLICY group)."""
        with self.lock:
            alert = self.get_alert(actor, alert_id)
            users = [
                {
                    "id": u.id,
                    "name": u.name,
                    "group": "USER",
                    "disabled": alert.responder(u.id) is not None,
                }
                for u in actor.account.users.values()
                if u.is_owner or HANDLE_ALERTS in _ROLE_CAPABILITIES[u.role]
            ]
            policies = [
                {"id": p.id, "name": p.name, "group": "ESCALATION_POLICY", "disabled": False}
                for p in self.list_policies(actor)
            ]
            viewer = _Viewer(actor)
            schedules = [
                {
                    "id": s.id,
                    "name": s.name,
                    "group": "ON_CALL_SCHEDULE",
                    "disabled": self._on_call(actor.account, s.id) is None,
                }
                for s in actor.account.oncall.schedules.values()
                if viewer.listed(s.team_ids)
            ]
            return users + policies + schedules

    def comment_alert(self, account: Account, alert: Alert, text: str, creator: str) -> None:
        who = f" by {creator}" if creator else ""
        self._log(alert, "AlertCommentAddedLogEntry", f"Comment added{who}: {text}")
        self._emit("alert-comment-added", account, alert, None, self.now())

    def log_entries(
        self, actor: Actor, alert_id: int, *, start: int = 0, limit: int | None = None
    ) -> list[LogEntry]:
        check_page(start, limit, MAX_PAGE_ALERTS)
        with self.lock:
            return _page(self.get_alert(actor, alert_id).log, start, limit)

    def record_delivery(self, account_id: int, action_id: str, status: DeliveryStatus) -> None:
        """The delivery queue reports how an alert action's webhook went (the latest wins)."""
        with self.lock:
            account = self.accounts.get(account_id)
            action = account.actions.get(action_id) if account else None
            if action is not None:
                action.delivery = status

    def add_log(self, account_id: int, alert_id: int, log_type: str, text: str) -> None:
        """A log entry from outside the model (the delivery queue reports each attempt here)."""
        with self.lock:
            account = self.accounts.get(account_id)
            alert = account.alerts.get(alert_id) if account else None
            if alert is not None:
                self._log(alert, log_type, text)

    def _log(self, alert: Alert, log_type: str, text: str, actor: Actor | None = None) -> None:
        alert.log.append(
            LogEntry(
                id=self.next_id(),
                alert_id=alert.id,
                timestamp=self.now(),
                log_type=log_type,
                # The same few texts repeat across every alert's log ("Slack connector notified
                # #ops-alerts (alert-assigned)"): interned, each is stored once.
                text=sys.intern(text),
                actor_id=actor.user_id if actor else None,
                via=actor.via if actor else None,
            )
        )

    # -- escalation --------------------------------------------------------------------------

    def _schedule(self, alert: Alert, due: float) -> None:
        alert.next_escalation = due
        heapq.heappush(self._escalations, (due, alert.id, alert.account_id))

    def next_escalation_due(self) -> float | None:
        """When the next escalation or timer falls due."""
        with self.lock:
            return self._next_due_unlocked()

    def _next_due_unlocked(self) -> float | None:
        dues = [d for d in (self._escalation_due(), self._timers.next_due()) if d is not None]
        return min(dues) if dues else None

    def _escalation_due(self) -> float | None:
        return self._escalations[0][0] if self._escalations else None

    def run_due(self, now: float) -> int:
        """Escalate every PENDING alert whose timeout passed by `now` and fire every timer due
        by then, all in due order (an escalation first when both fall due together)."""
        fired = 0
        with self.lock:
            while (due := self._next_due_unlocked()) is not None and due <= now:
                if self._escalation_due() == due:
                    fired += self._run_escalation()
                else:
                    timer = self._timers.pop_due(now)
                    fired += self._fire(timer) if timer is not None else 0
        return fired

    def _run_escalation(self) -> int:
        due, alert_id, account_id = heapq.heappop(self._escalations)
        account = self.accounts.get(account_id)
        alert = account.alerts.get(alert_id) if account else None
        # Stale heap entries (accepted, resolved, rescheduled) are skipped, not removed.
        if alert is None or alert.status != "PENDING" or alert.next_escalation != due:
            return 0
        assert account is not None
        self._escalate(account, alert, due)
        return 1

    # -- timers: delayed alert action events, auto-resolution ---------------------------------

    def _fire(self, timer: Timer) -> int:
        account = self.accounts.get(timer.account_id)
        if timer.kind == HEARTBEAT:
            source = account.sources.get(timer.target_id) if account else None
            if account is None or source is None:
                return 0
            return self._heartbeat_due(account, source, timer.due)
        alert = account.alerts.get(timer.target_id) if account else None
        if account is None or alert is None or not alert.is_open:
            return 0  # a stale reminder: its alert was resolved or deleted since
        if timer.kind == ACTION_EVENT:
            return self._send_delayed(account, alert, timer.due)
        if timer.kind == AUTO_RESOLVE and alert.auto_resolve_at == timer.due:
            self._auto_resolve(account, alert, timer.due)
            return 1
        return 0

    def _delay_events(self, account: Account, alert: Alert, event_type: str, at: float) -> None:
        """The event, for each alert action that sends it late, waits out that action's delay."""
        for action in self._slack_actions(account, alert, event_type):
            delay = _event_delay(action, event_type)
            if delay is None:
                continue
            delayed = DelayedEvent(at + delay, action.id, event_type)
            alert.delayed_events.append(delayed)
            self._timers.add(Timer(delayed.due, ACTION_EVENT, account.id, alert.id))

    def _send_delayed(self, account: Account, alert: Alert, due: float) -> int:
        ready = [d for d in alert.delayed_events if d.due <= due]
        alert.delayed_events = [d for d in alert.delayed_events if d.due > due]
        sent = 0
        for delayed in ready:
            if _still_applies(alert, delayed.event_type):
                self._emit(delayed.event_type, account, alert, None, delayed.due, delayed.action_id)
                sent += 1
        return sent

    def _auto_resolve(self, account: Account, alert: Alert, at: float) -> None:
        """ilert's autoResolutionTimeout: the alert resolves itself, told as alert-auto-resolved."""
        text = (
            f"Alert resolved automatically: not resolved within "
            f"{alert.source.rules.auto_resolution_text()} of its creation"
        )
        self._resolve_by_system(account, alert, at, "AlertAutoResolvedLogEntry", text)
        self._emit("alert-auto-resolved", account, alert, None, at)

    def _resolve_by_system(
        self, account: Account, alert: Alert, at: float, log_type: str, text: str
    ) -> None:
        self._set_status(account, alert, "RESOLVED")
        alert.resolved_on, alert.resolved_by, alert.next_escalation = at, None, None
        alert.delayed_events, alert.auto_resolve_at = [], None
        if account.open_by_key.get((alert.source.id, alert.alert_key)) is alert:
            del account.open_by_key[(alert.source.id, alert.alert_key)]
        self._log(alert, log_type, text)

    # -- heartbeats --------------------------------------------------------------------------

    def ping_heartbeat(self, key: str) -> None:
        """`/heartbeats/{key}`: the heartbeat is on time again (and its overdue alert, if still
        open, resolved); it goes overdue `intervalSec` from now unless pinged before."""
        with self.lock:
            source = self.source_keys.get(key)
            if source is None:
                raise NotFound("No alert source with this integration key")
            if source.heartbeat is None:
                raise BadRequest(
                    f"Alert source {source.name} is not a heartbeat (its integrationType is "
                    f"{source.integration_type}, not {HEARTBEAT_TYPE})"
                )
            if not source.active:
                raise BadRequest(f"Alert source {source.name} is disabled")
            account, heartbeat, now = self.accounts[source.account_id], source.heartbeat, self.now()
            if heartbeat.ping(now):
                self._heartbeat_resolved(account, heartbeat, now)
            self._remind_heartbeat(source)

    def _heartbeat_resolved(self, account: Account, heartbeat: Heartbeat, at: float) -> None:
        alert = account.alerts.get(heartbeat.overdue_alert_id or 0)
        heartbeat.overdue_alert_id = None
        if alert is None or not alert.is_open:
            return
        text = "Heartbeat received again: alert resolved"
        self._resolve_by_system(account, alert, at, "HeartbeatResolvedLogEntry", text)
        self._emit("alert-resolved", account, alert, None, at)

    def _heartbeat_due(self, account: Account, source: AlertSource, due: float) -> int:
        heartbeat = source.heartbeat
        if heartbeat is None or not source.active or not heartbeat.falls_overdue(due):
            return 0
        alert = self._open_alert(
            account,
            source,
            source.policy,
            summary=heartbeat.summary,
            details=f"No heartbeat received within {heartbeat.interval_sec} s of the last one",
            priority=self._priority(source, None),
            alert_key=None,
            actor=None,
        )
        heartbeat.overdue_alert_id = alert.id
        text = f"Heartbeat overdue: no ping within {heartbeat.interval_sec} s"
        self._log(alert, "HeartbeatOverdueLogEntry", text)
        return 1

    def _escalate(self, account: Account, alert: Alert, at: float) -> None:
        rules = alert.policy.rules
        index = alert.rule_index + 1
        if index >= len(rules):
            if not (rules and alert.policy.repeating and alert.repeats < alert.policy.frequency):
                alert.next_escalation = None
                self._log(alert, "AlertEscalationEndedLogEntry", "Escalation ended")
                self._emit("alert-escalation-ended", account, alert, None, at)
                self._delay_events(account, alert, "alert-escalation-ended", at)
                return
            index, alert.repeats = 0, alert.repeats + 1
        self._assign_level(account, alert, index)
        assignee = account.users.get(alert.assigned_to_id or 0)
        self._log(
            alert,
            "AlertEscalatedToLevelLogEntry",
            f"Alert escalated to level {index + 1}; assigned to "
            f"{assignee.name if assignee else 'nobody'}",
        )
        self._schedule(alert, at + _timeout_seconds(rules[index]))
        self._emit("alert-auto-escalated", account, alert, None, at)

    # -- events API --------------------------------------------------------------------------

    def submit_event(self, fields: dict[str, Any]) -> tuple[str, Alert | None]:
        """ilert's events API: returns (responseCode, the alert it touched)."""
        key = _event_key(fields)
        event_type = check_enum(fields.get("eventType"), EVENT_TYPES, "eventType")
        with self.lock:
            source = self.source_keys.get(key)
            if source is None:
                raise NotFound("No alert source with this integration key")
            if not source.active:
                raise BadRequest(f"Alert source {source.name} is disabled")
            account = self.accounts[source.account_id]
            alert_key = optional_str(fields, "alertKey")
            open_alert = account.open_by_key.get((source.id, alert_key)) if alert_key else None
            if event_type == "ALERT":
                if open_alert is None and self._in_maintenance(account, source):
                    return IN_MAINTENANCE, None
                # Its comments go on the alert it opens or joins: ilert's Event schema gives
                # every event `comments`, not only COMMENT events.
                comments = _given_comments(fields)
                code, alert = self._event_alert(account, source, fields, alert_key, open_alert)
                for creator, content in comments:
                    self.comment_alert(account, alert, content, creator)
                return code, alert
            if not alert_key:
                raise BadRequest(f"Field 'alertKey' is required for eventType {event_type}")
            if event_type == "COMMENT":
                comments = _event_comments(fields)
            if open_alert is None:
                return "NO_OPEN_INCIDENT_WITH_KEY", None
            if event_type == "ACCEPT":
                if open_alert.status == "ACCEPTED":
                    return "INCIDENT_ALREADY_ACCEPTED", open_alert
                return "INCIDENT_ACCEPTED", self._accept(account, open_alert, None)
            if event_type == "RESOLVE":
                return "INCIDENT_RESOLVED", self._resolve(account, open_alert, None)
            for creator, content in comments:
                self.comment_alert(account, open_alert, content, creator)
            return "COMMENT_ADDED", open_alert

    def _event_alert(
        self,
        account: Account,
        source: AlertSource,
        fields: dict[str, Any],
        alert_key: str | None,
        open_alert: Alert | None,
    ) -> tuple[str, Alert]:
        summary = required_str(fields, "summary")
        explicit = fields.get("priority")
        priority = self._priority(source, explicit)
        alert_key = source.rules.dedup_key(alert_key, summary)
        if open_alert is None and alert_key:
            open_alert = account.open_by_key.get((source.id, alert_key))
        if open_alert is None:
            open_alert = self._joinable_alert(account, source)
        images = objects(fields, "images", ("src", "href", "alt"))
        links = objects(fields, "links", ("href", "text"))
        custom = mapping(fields, "customDetails")
        routing = optional_str(fields, "routingKey")
        if open_alert is not None:
            self._log(
                open_alert, "AlertReceivedLogEntry", f"Event appended to the open alert: {summary}"
            )
            if explicit == "HIGH" and open_alert.priority == "LOW":
                self._raise(account, open_alert)
            return "INCIDENT_ALREADY_EXISTS", open_alert
        policy = source.policy
        if routing:
            routed = next(
                (p for p in account.policies.values() if p.routing_key == routing.strip()), None
            )
            policy = routed or policy
        alert = self._open_alert(
            account,
            source,
            policy,
            summary=summary,
            details=optional_str(fields, "details") or "",
            priority=priority,
            alert_key=alert_key,
            actor=None,
            images=images,
            links=links,
            custom_details=custom,
        )
        if routing and policy is source.policy:
            self._log(
                alert,
                "AlertNotRoutedLogEntry",
                f"No escalation policy has the routing key {routing!r}; the source's "
                f"policy {policy.name} applies",
            )
        return "NEW_INCIDENT_CREATED", alert

    def _joinable_alert(self, account: Account, source: AlertSource) -> Alert | None:
        """The open alert the source's alertCreation appends new events to, if any."""
        states = source.rules.joinable_states()
        if not states:
            return None
        newest = next(iter(account.index.newest(states=states, sources=[source.id])), None)
        if newest is None:
            return None
        alert = account.alerts[newest]
        return alert if source.rules.joins(self.now() - alert.report_time) else None

    def _priority(self, source: AlertSource, explicit: Any) -> str:
        """The priority an event or a request names, else what the source's alertPriorityRule
        gives."""
        if explicit is not None:
            return check_enum(explicit, PRIORITIES, "priority")
        return source.rules.priority(in_support_hours=self._in_support_hours(source))

    def _in_support_hours(self, source: AlertSource) -> bool:
        """Support hours are not emulated: every moment counts as within them, so
        HIGH_DURING_SUPPORT_HOURS gives HIGH and LOW_DURING_SUPPORT_HOURS gives LOW."""
        return True

    def _raise(self, account: Account, alert: Alert) -> None:
        """A LOW alert raised to HIGH: it starts escalating from its current level."""
        now = self.now()
        alert.priority = "HIGH"
        self._log(alert, "AlertRaisedBySystemLogEntry", "Alert raised to high priority")
        rules = alert.policy.rules
        if alert.status == "PENDING" and rules and alert.rule_index < len(rules):
            self._schedule(alert, now + _timeout_seconds(rules[alert.rule_index]))
        self._emit("alert-raised", account, alert, None, now)

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
            kind = fields.get("type")
            kind = kind.lower() if isinstance(kind, str) else kind
            if kind == SLACK:
                raise BadRequest(
                    "A slack connector cannot be created through the API: an Admin authorizes "
                    f"the {SLACK_CONNECTOR_LABEL} on ilert's Connectors page"
                )
            check_enum(kind, CONNECTOR_TYPES, "type")
            params = mapping(fields, "params")
            name = optional_str(fields, "name") or str(kind)
            now = self.now()
            connector = Connector(
                str(self.next_id()), actor.account.id, name, kind, params, now, now
            )
            actor.account.connectors[connector.id] = connector
            return connector

    def update_connector(
        self, actor: Actor, connector_id: str, fields: dict[str, Any]
    ) -> Connector:
        """Name and params; a slack connector's params come only from its installation."""
        with self.lock:
            actor.require(MANAGE_ACCOUNT)
            connector = self.get_connector(actor, connector_id)
            kind = fields.get("type")
            if kind is not None and (not isinstance(kind, str) or kind.lower() != connector.type):
                raise BadRequest("The type of a connector cannot be changed")
            name = optional_str(fields, "name")
            params = connector.params
            if "params" in fields:
                if connector.type == SLACK:
                    raise BadRequest(
                        "A slack connector's params come from its installation; re-authorize "
                        f"the {SLACK_CONNECTOR_LABEL} to change them"
                    )
                params = mapping(fields, "params")
            connector.name = name.strip() if name and name.strip() else connector.name
            connector.params, connector.updated_at = params, self.now()
            return connector

    def delete_connector(self, actor: Actor, connector_id: str) -> None:
        """Unlinks it; for Slack also revokes the integration key and drops its alert actions."""
        with self.lock:
            # The Slack app, removed from its workspace, unlinks itself (docs/contract.md §6).
            the_app = actor.user is None and actor.via_integration
            if not the_app:
                actor.require(MANAGE_ACCOUNT)
            connector = self.get_connector(actor, connector_id)
            if the_app and connector.type != SLACK:
                actor.require(MANAGE_ACCOUNT)
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
        workspace: Any,
        scopes: Any,
        missing_scopes: Any,
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
                account.integration_key = self.ids.secret("il")
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
                str(self.next_id()), account.id, SLACK_CONNECTOR_LABEL, SLACK, params, now, now
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
            raw_type = fields.get("connectorType")
            connector_type = check_enum(
                raw_type.lower() if isinstance(raw_type, str) else raw_type,
                ALERT_ACTION_TYPES,
                "connectorType",
            )
            now = self.now()
            action = AlertAction(
                id="",
                account_id=actor.account.id,
                name=optional_str(fields, "name") or "",
                source_ids=source_ids,
                connector_id=optional_str(fields, "connectorId"),
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
            action.id = str(self.next_id())
            actor.account.actions[action.id] = action
            return action

    def update_action(self, actor: Actor, action_id: str, fields: dict[str, Any]) -> AlertAction:
        with self.lock:
            actor.require(CONFIGURE)
            action = self.get_action(actor, action_id)
            kind = fields.get("connectorType")
            if kind is not None and (
                not isinstance(kind, str) or kind.lower() != action.connector_type
            ):
                raise BadRequest("The connectorType of an alert action cannot be changed")
            # Work on a copy, so a refused update changes nothing.
            draft = AlertAction(**{**action.__dict__})
            draft.source_ids, draft.params = list(action.source_ids), dict(action.params)
            if "alertSources" in fields or "alertSourceIds" in fields:
                draft.source_ids = self._action_sources(actor, fields, required=True)
            if "teams" in fields:
                draft.team_ids = self._team_ids(actor, fields["teams"] or [])
            if "connectorId" in fields:
                draft.connector_id = optional_str(fields, "connectorId")
            self._apply_action_fields(actor, draft, fields, creating=False)
            draft.updated_at = self.now()
            action.__dict__.update(draft.__dict__)
            return action

    def _apply_action_fields(
        self, actor: Actor, action: AlertAction, fields: dict[str, Any], *, creating: bool
    ) -> None:
        if "name" in fields:
            action.name = optional_str(fields, "name") or ""
        if "triggerMode" in fields or creating:
            action.trigger_mode = check_enum(
                fields.get("triggerMode") or "AUTOMATIC", TRIGGER_MODES, "triggerMode"
            )
        if "triggerTypes" in fields:
            raw = fields["triggerTypes"] or []
            if not isinstance(raw, list):
                raise BadRequest("Field 'triggerTypes' must be a list")
            types = [check_enum(t, TRIGGER_TYPES, "triggerTypes") for t in raw]
            action.trigger_types = list(dict.fromkeys(types))
        if action.trigger_mode == "AUTOMATIC" and not action.trigger_types:
            raise BadRequest("Field 'triggerTypes' is required when triggerMode is AUTOMATIC")
        if "params" in fields or creating:
            action.params = mapping(fields, "params")
        if "alertFilter" in fields:
            action.alert_filter = parse_alert_filter(fields["alertFilter"])
        self._apply_delays(action, fields)
        if action.connector_type == SLACK:
            self._check_slack_action(actor, action)
        if not action.name:
            channel = action.params.get("channelName") or action.params.get("channelId")
            action.name = f"Slack #{channel}" if action.connector_type == SLACK else "Alert action"

    @staticmethod
    def _apply_delays(action: AlertAction, fields: dict[str, Any]) -> None:
        """`delaySec` (ilert's spec: "may only be used with triggerType 'alert-escalation-ended'
        selected") and its newer name `escalationEndedDelaySec` are one setting, so one rule
        holds for both: 0 or 30-7200 (ilert's Terraform provider; the spec says 0-7200, and a
        value of 1-29 read back under the newer name would be refused). `notResolvedDelaySec`
        (0 or 60-172800) is the delay of `v-alert-not-resolved`."""
        given = {}
        if "delaySec" in fields:
            given["delaySec"] = _delay(fields, "delaySec", 30, 7200)
        if "escalationEndedDelaySec" in fields:
            given["escalationEndedDelaySec"] = _delay(fields, "escalationEndedDelaySec", 30, 7200)
        if len(set(given.values())) > 1:
            raise BadRequest(
                "Fields 'delaySec' and 'escalationEndedDelaySec' are the same setting; give one, "
                "or the same value in both"
            )
        for name, delay in given.items():
            if delay and "alert-escalation-ended" not in action.trigger_types:
                raise BadRequest(
                    f"Field '{name}' may only be used with triggerType 'alert-escalation-ended' "
                    "selected"
                )
            action.escalation_ended_delay_sec = delay
        if "notResolvedDelaySec" in fields:
            delay = _delay(fields, "notResolvedDelaySec", 60, 172_800)
            if delay and "v-alert-not-resolved" not in action.trigger_types:
                raise BadRequest(
                    "Field 'notResolvedDelaySec' may only be used with triggerType "
                    "'v-alert-not-resolved' selected"
                )
            action.not_resolved_delay_sec = delay

    @staticmethod
    def _check_slack_action(actor: Actor, action: AlertAction) -> None:
        if not isinstance(action.params.get("channelId"), str) or not action.params["channelId"]:
            raise BadRequest("Field 'params.channelId' is required for a slack alert action")
        for name in ("channelName", "teamId", "teamDomain"):
            if action.params.get(name) is not None and not isinstance(action.params[name], str):
                raise BadRequest(f"Field 'params.{name}' must be a string")
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
            refs = [ref_id(r, "alertSources[]") for r in fields["alertSources"]]
        elif fields.get("alertSourceIds") is not None:
            if not isinstance(fields["alertSourceIds"], list):
                raise BadRequest("Field 'alertSourceIds' must be a list of ids")
            refs = [ref_id(r, "alertSourceIds[]") for r in fields["alertSourceIds"]]
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
        if actor.via_integration and self._is_private(actor.account, source.team_ids):
            raise Forbidden(
                f"Alert source {source.name} belongs to a private team and cannot be linked from "
                "Slack; link it on the alert source's Alert actions tab in ilert"
            )
        return source

    @staticmethod
    def _is_private(account: Account, team_ids: Iterable[int]) -> bool:
        teams = account.teams
        return any(t in teams and teams[t].visibility == "PRIVATE" for t in team_ids)

    def is_private(self, account: Account, team_ids: Iterable[int]) -> bool:
        with self.lock:
            return self._is_private(account, team_ids)

    def change_action_source(
        self, actor: Actor, action_id: str, ref: Any, *, add: bool
    ) -> AlertAction:
        """add-source / remove-source; both idempotent."""
        with self.lock:
            actor.require(CONFIGURE)
            action = self.get_action(actor, action_id)
            source_id = ref_id(ref, "id")
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
            actor.require(CONFIGURE)
            action = self.get_action(actor, action_id)
            del actor.account.actions[action.id]

    def list_actions(
        self, actor: Actor, *, source: int | None = None, connector: str | None = None
    ) -> list[AlertAction]:
        with self.lock:
            viewer = _Viewer(actor)
            return [
                a
                for a in actor.account.actions.values()
                if (source is None or source in a.source_ids)
                and (connector is None or a.connector_id == connector)
                and viewer.listed(self._action_teams(actor.account, a))
            ]

    def get_action(self, actor: Actor, action_id: str) -> AlertAction:
        with self.lock:
            action = actor.account.actions.get(str(action_id))
            if action is None or not _Viewer(actor).visible(
                self._action_teams(actor.account, action)
            ):
                raise NotFound(f"Alert action {action_id} not found")
            return action

    @staticmethod
    def _action_teams(account: Account, action: AlertAction) -> list[int]:
        sources = [account.sources[s] for s in action.source_ids if s in account.sources]
        return [*action.team_ids, *(t for s in sources for t in s.team_ids)]

    def matching_actions(self, event: AlertEvent) -> list[AlertAction]:
        """AUTOMATIC slack actions on the alert's source whose trigger types include the event
        and whose alert filter lets the alert (as of the event) through. A delayed event goes to
        its one alert action, if it still qualifies; a run by hand to the one alert action run,
        whatever its filter (a person chose to run it)."""
        with self.lock:
            if event.event_type == MANUAL_RUN:
                action = event.account.actions.get(event.action_id or "")
                return [action] if action is not None and action.connector_type == SLACK else []
            facts = _facts(event.alert)
            return [
                a
                for a in self._slack_actions(event.account, event.alert, event.event_type)
                # A delayed event goes to its one action; the others wait out their delay.
                if (
                    a.id == event.action_id
                    if event.action_id is not None
                    else _event_delay(a, event.event_type) is None
                )
                and (a.alert_filter is None or a.alert_filter.matches(facts))
            ]

    @staticmethod
    def _slack_actions(account: Account, alert: Alert, event_type: str) -> list[AlertAction]:
        """AUTOMATIC slack actions on the alert's source whose trigger types include the event."""
        return [
            a
            for a in account.actions.values()
            if a.connector_type == SLACK
            and a.trigger_mode == "AUTOMATIC"
            and alert.source.id in a.source_ids
            and event_type in a.trigger_types
        ]

    # -- read helpers for the pages ----------------------------------------------------------

    def count_alerts_by_state(self, actor: Actor) -> dict[str, int]:
        """How many alerts the actor's lists show in each state: from the index when the actor
        sees everything, else in one pass over what the actor may see."""
        with self.lock:
            if actor.sees_everything() and actor.team_scope is None:
                index = actor.account.index
                return {state: index.count(states=[state]) for state in ALERT_STATES}
            counts = dict.fromkeys(ALERT_STATES, 0)
            for alert in self._matching(actor, None, None, None, None, None, None):
                counts[alert.status] += 1
            return counts


# -- small helpers ----------------------------------------------------------------------------


def _language(value: Any) -> str:
    lowered = value.lower() if isinstance(value, str) else value
    return check_enum(lowered, LANGUAGES, "language")


def _delay(fields: dict[str, Any], name: str, low: int, high: int) -> int:
    value = integer(fields, name, 0, minimum=0, maximum=high)
    if value and value < low:
        raise BadRequest(f"Field '{name}' must be 0 or between {low} and {high}")
    return value


def _event_delay(action: AlertAction, event_type: str) -> int | None:
    """Seconds the action waits before sending the event; None when it sends it at once.
    `v-alert-not-resolved` always waits (ilert's "not resolved after" the delay)."""
    if event_type == "alert-escalation-ended" and action.escalation_ended_delay_sec:
        return action.escalation_ended_delay_sec
    if event_type == "v-alert-not-resolved":
        return action.not_resolved_delay_sec
    return None


def _still_applies(alert: Alert, event_type: str) -> bool:
    """Whether a delayed event still tells the truth when its delay is over: the escalation
    ended and nobody accepted since; the alert is still not resolved."""
    if event_type == "alert-escalation-ended":
        return alert.status == "PENDING" and alert.next_escalation is None
    return alert.is_open


def _facts(alert: Alert) -> AlertFacts:
    policy = alert.policy
    return AlertFacts(alert.summary, alert.details, alert.priority, policy.id, policy.name)


def _timeout_seconds(rule: EscalationRule) -> float:
    # A zero timeout would escalate in a tight loop; ilert's smallest step is a minute.
    return max(rule.escalation_timeout, 1) * 60.0


def _who(actor: Actor | None) -> str:
    if actor is None or actor.user is None:
        return "the system (events API)" if actor is None else "the Slack integration"
    suffix = " via Slack" if actor.via_integration else ""
    return f"{actor.user.name}{suffix}"


def _event_key(fields: dict[str, Any]) -> str:
    """The source's key: `integrationKey` (ilert's current name) or `apiKey` (its older one);
    each one given must be a non-empty string."""
    given = {name: fields[name] for name in ("integrationKey", "apiKey") if name in fields}
    for name, value in given.items():
        if not isinstance(value, str) or not value:
            raise BadRequest(f"Field '{name}' must be a non-empty string")
    if not given:
        raise BadRequest("Field 'integrationKey' (or 'apiKey') is required")
    return str(given.get("integrationKey") or given["apiKey"])


def _given_comments(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """An event's `comments` as (creator, content), checked; empty ones left out."""
    comments = fields.get("comments")
    if comments is None:
        return []
    if not isinstance(comments, list) or not all(
        isinstance(c, dict)
        and isinstance(c.get("content"), str)
        and isinstance(c.get("creator", ""), str | None)
        for c in comments
    ):
        raise BadRequest("Field 'comments' must be a list of {creator, content} strings")
    return [(c.get("creator") or "", c["content"]) for c in comments if c["content"]]


def _event_comments(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """(creator, content) of a COMMENT event: its `comments`, else its summary or details."""
    found = _given_comments(fields)
    if found:
        return found
    text = optional_str(fields, "summary") or optional_str(fields, "details")
    if not text:
        raise BadRequest("A COMMENT event needs 'comments' [{creator, content}] or a 'summary'")
    return [("", text)]


def _workspace_params(workspace: Any, scopes: Any, missing: Any) -> dict[str, Any]:
    if not isinstance(workspace, dict):
        raise BadRequest("Field 'workspace' {id, domain, name, url} is required")
    team_id = required_str(workspace, "id")
    for name, value in (("scopes", scopes), ("missingScopes", missing)):
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise BadRequest(f"Field '{name}' must be a list of strings")
    domain = optional_str(workspace, "domain") or ""
    return {
        "teamId": team_id,
        "teamDomain": domain,
        "teamName": optional_str(workspace, "name") or domain or team_id,
        "teamUrl": optional_str(workspace, "url") or f"https://{domain}.slack.com/",
        "scopes": list(scopes),
        "missingScopes": list(missing),
    }
