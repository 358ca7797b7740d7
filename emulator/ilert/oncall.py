"""The on-call side of an account: schedules, support hours, maintenance windows, the people
notified about an alert, and alert actions run by hand. No Flask, no wire format.

`OnCallBook` holds one account's objects; `OnCallService` changes and reads them for an actor,
under the state's lock, with the same roles and team privacy as the rest of fake ilert: the User
and Admin roles configure, every role reads what its teams let it see, Responders and up run
alert actions.

Notifications: ilert tells a person by push, SMS, voice or e-mail when they become an alert's
responder. Fake ilert sends nothing, but records the e-mail it would send, delivered at once
(`SUCCESS`), each time someone joins an alert's responders (created, escalated, assigned, added).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from emulator.ilert import schedules as sched
from emulator.ilert.errors import BadRequest, Conflict, NotFound
from emulator.ilert.maintenance import MaintenanceWindow, in_maintenance
from emulator.ilert.models import (
    CONFIGURE,
    HANDLE_ALERTS,
    MANUAL_RUN,
    Actor,
    Alert,
    AlertAction,
    AlertEvent,
    EscalationPolicy,
    IlertState,
    User,
    _Viewer,
)
from emulator.ilert.oncall_book import ActionRun, Notification
from emulator.ilert.schedules import Schedule, Shift
from emulator.ilert.support_hours import SupportHours

T = TypeVar("T")
MAX_PAGE_SCHEDULES = 20  # ilert's cap on max-results for schedules
MAX_PAGE_HOURS = 50
MAX_PAGE_WINDOWS = 100
MAX_ON_CALLS = 250
MAX_ON_CALL_SPAN = 92 * 86400.0  # ilert: "may not exceed 3 months in total span"
MAX_SHIFT_SPAN = 366 * 86400.0  # fake ilert's bound on one shifts request
MAX_WINDOW_SOURCES = 50  # MaintenanceWindow.alertSources maxItems
NOTIFY_ON = ("alert-created", "alert-auto-escalated", "alert-assigned", "alert-responder-added")


@dataclass(frozen=True)
class OnCallEntry:
    """Someone on call for a policy's level, directly or through a schedule's shift."""

    user: User
    policy: EscalationPolicy
    level: int  # from 1
    start: float
    end: float
    schedule: Schedule | None = None


# -- what the wire layer hands in -------------------------------------------------------------


@dataclass
class ScheduleDraft:
    name: str
    timezone: str
    kind: str
    layers: list[sched.Layer] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)
    show_gaps: bool = False
    default_shift_duration: sched.Duration | None = None
    team_ids: list[int] = field(default_factory=list)


@dataclass
class MaintenanceDraft:
    summary: str
    description: str
    timezone: str
    start: float
    end: float
    source_ids: list[int]
    notify_at_creation: bool | None = None
    notify_at_start: bool | None = None
    notify_at_end: bool | None = None


def _page(items: list[T], start: int, limit: int, maximum: int) -> list[T]:
    if start < 0:
        raise BadRequest("Query 'start-index' must be at least 0")
    if not 1 <= limit <= maximum:
        raise BadRequest(f"Query 'max-results' must be between 1 and {maximum}")
    return list(islice(items, start, start + limit))


class OnCallService:
    """Schedules, on-calls, support hours, maintenance windows, notifications, manual runs."""

    def __init__(self, state: IlertState) -> None:
        self.state = state
        state.listeners.append(self._notify)

    # -- shared checks -----------------------------------------------------------------------

    def _teams(self, actor: Actor, team_ids: list[int]) -> list[int]:
        viewer = _Viewer(actor)
        for team_id in team_ids:
            if team_id not in actor.account.teams or not viewer.visible([team_id]):
                raise BadRequest(f"teams[]: team {team_id} not found")
        return list(dict.fromkeys(team_ids))

    @staticmethod
    def _users(actor: Actor, user_ids: list[int], what: str) -> None:
        for user_id in user_ids:
            if user_id not in actor.account.users:
                raise BadRequest(f"{what}: user {user_id} not found")

    # -- schedules ---------------------------------------------------------------------------

    def list_schedules(self, actor: Actor, *, start: int, limit: int) -> list[Schedule]:
        with self.state.lock:
            viewer = _Viewer(actor)
            book = actor.account.oncall
            listed = [s for s in book.schedules.values() if viewer.listed(s.team_ids)]
            return _page(listed, start, limit, MAX_PAGE_SCHEDULES)

    def get_schedule(self, actor: Actor, schedule_id: int) -> Schedule:
        with self.state.lock:
            schedule = actor.account.oncall.schedules.get(schedule_id)
            if schedule is None or not _Viewer(actor).visible(schedule.team_ids):
                raise NotFound(f"Schedule {schedule_id} not found")
            return schedule

    def create_schedule(
        self, actor: Actor, draft: ScheduleDraft, *, abort_on_gaps: bool
    ) -> Schedule:
        with self.state.lock:
            actor.require(CONFIGURE)
            schedule = Schedule(0, actor.account.id, draft.name, draft.timezone, draft.kind)
            self._fill(actor, schedule, draft, abort_on_gaps)
            schedule.id = self.state.next_id()
            actor.account.oncall.schedules[schedule.id] = schedule
            return schedule

    def update_schedule(
        self, actor: Actor, schedule_id: int, draft: ScheduleDraft, *, abort_on_gaps: bool
    ) -> Schedule:
        """A whole replacement, as ilert's PUT takes the whole Schedule; overrides stay."""
        with self.state.lock:
            actor.require(CONFIGURE)
            schedule = self.get_schedule(actor, schedule_id)
            if draft.kind != schedule.kind:
                raise BadRequest("The type of a schedule cannot be changed")
            replacement = Schedule(
                schedule.id,
                schedule.account_id,
                draft.name,
                draft.timezone,
                draft.kind,
                overrides=list(schedule.overrides),
            )
            self._fill(actor, replacement, draft, abort_on_gaps)
            schedule.__dict__.update(replacement.__dict__)
            self.state.generation += 1
            return schedule

    def _fill(
        self, actor: Actor, schedule: Schedule, draft: ScheduleDraft, abort_on_gaps: bool
    ) -> None:
        if draft.kind == "STATIC":
            if draft.layers:
                raise BadRequest("Field 'scheduleLayers' is only for RECURRING schedules")
            shifts = sched.check_shifts(draft.shifts, "shifts", abort_on_gaps=abort_on_gaps)
            self._users(actor, [s.user_id for s in shifts], "shifts[].user")
            schedule.shifts = shifts
        else:
            if draft.shifts:
                raise BadRequest("Field 'shifts' is only for STATIC schedules")
            if not draft.layers:
                raise BadRequest("A RECURRING schedule needs at least one of 'scheduleLayers'")
            if len(draft.layers) > sched.MAX_LAYERS:
                raise BadRequest(f"Field 'scheduleLayers' takes at most {sched.MAX_LAYERS}")
            for index, layer in enumerate(draft.layers):
                sched.check_layer(layer, index)
                self._users(actor, layer.user_ids, f"scheduleLayers[{index}].users")
            schedule.layers = list(draft.layers)
        schedule.show_gaps = draft.show_gaps
        schedule.default_shift_duration = draft.default_shift_duration
        schedule.team_ids = self._teams(actor, draft.team_ids)

    def delete_schedule(self, actor: Actor, schedule_id: int) -> None:
        with self.state.lock:
            actor.require(CONFIGURE)
            schedule = self.get_schedule(actor, schedule_id)
            account = actor.account
            users = sorted(
                {
                    p.name
                    for p in account.policies.values()
                    for r in p.rules
                    if schedule.id in r.schedule_ids
                }
            )
            if users:
                raise Conflict(
                    f"Schedule {schedule.name} is used by escalation policies "
                    f"({', '.join(users)}); remove it there first"
                )
            del account.oncall.schedules[schedule.id]
            # Deleted policies stay for the alerts naming them; they lose the schedule too.
            for policy in account.retired_policies.values():
                for rule in policy.rules:
                    if schedule.id in rule.schedule_ids:
                        rule.schedule_ids.remove(schedule.id)

    def shifts(
        self, actor: Actor, schedule_id: int, since: float, until: float, *, overrides: bool
    ) -> list[Shift]:
        if until < since:
            raise BadRequest("Query 'until' must not be before 'from'")
        if until - since > MAX_SHIFT_SPAN:
            raise BadRequest("Query 'from' to 'until' may span at most 366 days")
        with self.state.lock:
            schedule = self.get_schedule(actor, schedule_id)
            return sched.shifts_between(schedule, since, until, overrides=overrides)

    def overrides(self, actor: Actor, schedule_id: int) -> list[Shift]:
        with self.state.lock:
            return list(self.get_schedule(actor, schedule_id).overrides)

    def add_override(self, actor: Actor, schedule_id: int, shift: Shift) -> Schedule:
        with self.state.lock:
            actor.require(CONFIGURE)
            schedule = self.get_schedule(actor, schedule_id)
            self._users(actor, [shift.user_id], "user")
            if shift.end <= shift.start:
                raise BadRequest("Field 'end' must be after 'start'")
            if shift.end <= self.state.now():
                raise BadRequest("An override must not be in the past: its end has passed")
            schedule.overrides.append(shift)
            self.state.generation += 1
            return schedule

    def user_on_call(self, actor: Actor, schedule_id: int) -> Shift | None:
        with self.state.lock:
            schedule = self.get_schedule(actor, schedule_id)
            return self.on_call_shift(actor.account.users, schedule, self.state.now())

    @staticmethod
    def on_call_shift(users: dict[int, User], schedule: Schedule, at: float) -> Shift | None:
        shift = sched.shift_at(schedule, at)
        return shift if shift is not None and shift.user_id in users else None

    # -- on-calls ----------------------------------------------------------------------------

    def on_calls(
        self,
        actor: Actor,
        *,
        policies: list[int],
        levels: list[tuple[int, int]],
        schedules: list[int],
        users: list[int],
        since: float,
        until: float,
        start: int,
        limit: int,
    ) -> list[OnCallEntry]:
        """Who is on call for each visible policy's levels in [since, until], policy by policy."""
        if until < since:
            raise BadRequest("Query 'until' must be after 'from'")
        if until - since > MAX_ON_CALL_SPAN:
            raise BadRequest("Query 'from' to 'until' may not exceed 3 months in total span")
        with self.state.lock:
            viewer = _Viewer(actor)
            wanted = set(policies) | {p for p, _ in levels}
            found: list[OnCallEntry] = []
            for policy in actor.account.policies.values():
                if (wanted and policy.id not in wanted) or not viewer.listed(policy.team_ids):
                    continue
                found += self._policy_on_calls(actor, policy, levels, since, until)
            found = [
                e
                for e in found
                if (not schedules or (e.schedule is not None and e.schedule.id in schedules))
                and (not users or e.user.id in users)
            ]
            return _page(found, start, limit, MAX_ON_CALLS)

    def _policy_on_calls(
        self,
        actor: Actor,
        policy: EscalationPolicy,
        levels: list[tuple[int, int]],
        since: float,
        until: float,
    ) -> list[OnCallEntry]:
        account = actor.account
        entries: list[OnCallEntry] = []
        chosen = {level for p, level in levels if p == policy.id}
        for number, rule in enumerate(policy.rules, start=1):
            if chosen and number not in chosen:
                continue
            for user_id in rule.user_ids:
                if user_id in account.users:
                    user = account.users[user_id]
                    entries.append(OnCallEntry(user, policy, number, since, until))
            for schedule_id in rule.schedule_ids:
                schedule = account.oncall.schedules.get(schedule_id)
                if schedule is None:
                    continue
                for shift in _shifts_touching(schedule, since, until):
                    if shift.user_id in account.users:
                        user = account.users[shift.user_id]
                        entries.append(
                            OnCallEntry(user, policy, number, shift.start, shift.end, schedule)
                        )
        return entries

    # -- support hours -----------------------------------------------------------------------

    def list_support_hours(self, actor: Actor, *, start: int, limit: int) -> list[SupportHours]:
        with self.state.lock:
            viewer = _Viewer(actor)
            book = actor.account.oncall
            listed = [h for h in book.support_hours.values() if viewer.listed(h.team_ids)]
            return _page(listed, start, limit, MAX_PAGE_HOURS)

    def get_support_hours(self, actor: Actor, hours_id: int) -> SupportHours:
        with self.state.lock:
            hours = actor.account.oncall.support_hours.get(hours_id)
            if hours is None or not _Viewer(actor).visible(hours.team_ids):
                raise NotFound(f"Support hour {hours_id} not found")
            return hours

    def create_support_hours(self, actor: Actor, draft: SupportHours) -> SupportHours:
        with self.state.lock:
            actor.require(CONFIGURE)
            draft.team_ids = self._teams(actor, draft.team_ids)
            draft.id, draft.account_id = self.state.next_id(), actor.account.id
            actor.account.oncall.support_hours[draft.id] = draft
            return draft

    def update_support_hours(
        self, actor: Actor, hours_id: int, draft: SupportHours
    ) -> SupportHours:
        with self.state.lock:
            actor.require(CONFIGURE)
            hours = self.get_support_hours(actor, hours_id)
            team_ids = self._teams(actor, draft.team_ids)
            hours.name, hours.timezone, hours.days = draft.name, draft.timezone, draft.days
            hours.team_ids = team_ids
            return hours

    def delete_support_hours(self, actor: Actor, hours_id: int) -> None:
        with self.state.lock:
            actor.require(CONFIGURE)
            hours = self.get_support_hours(actor, hours_id)
            del actor.account.oncall.support_hours[hours.id]

    # -- maintenance windows -----------------------------------------------------------------

    def list_windows(self, actor: Actor, *, start: int, limit: int) -> list[MaintenanceWindow]:
        with self.state.lock:
            listed = [w for w in actor.account.oncall.maintenance.values() if self._sees(actor, w)]
            return _page(listed, start, limit, MAX_PAGE_WINDOWS)

    def _sees(self, actor: Actor, window: MaintenanceWindow) -> bool:
        viewer = _Viewer(actor)
        sources = actor.account.sources
        return all(viewer.visible(sources[s].team_ids) for s in window.source_ids if s in sources)

    def get_window(self, actor: Actor, window_id: int) -> MaintenanceWindow:
        with self.state.lock:
            window = actor.account.oncall.maintenance.get(window_id)
            if window is None or not self._sees(actor, window):
                raise NotFound(f"Maintenance window {window_id} not found")
            return window

    def create_window(self, actor: Actor, draft: MaintenanceDraft) -> MaintenanceWindow:
        with self.state.lock:
            actor.require(CONFIGURE)
            self._window_sources(actor, draft)
            window = MaintenanceWindow(
                id=self.state.next_id(),
                account_id=actor.account.id,
                summary=draft.summary,
                description=draft.description,
                timezone=draft.timezone,
                start=draft.start,
                end=draft.end,
                source_ids=list(dict.fromkeys(draft.source_ids)),
                created_by=actor.user_id,
                notify_at_creation=draft.notify_at_creation,
                notify_at_start=draft.notify_at_start,
                notify_at_end=draft.notify_at_end,
            )
            actor.account.oncall.maintenance[window.id] = window
            self.state.generation += 1
            return window

    def update_window(
        self, actor: Actor, window_id: int, draft: MaintenanceDraft
    ) -> MaintenanceWindow:
        with self.state.lock:
            actor.require(CONFIGURE)
            window = self.get_window(actor, window_id)
            self._window_sources(actor, draft)
            window.summary, window.description = draft.summary, draft.description
            window.timezone, window.start, window.end = draft.timezone, draft.start, draft.end
            window.source_ids = list(dict.fromkeys(draft.source_ids))
            window.notify_at_creation = draft.notify_at_creation
            window.notify_at_start = draft.notify_at_start
            window.notify_at_end = draft.notify_at_end
            self.state.generation += 1
            return window

    def _window_sources(self, actor: Actor, draft: MaintenanceDraft) -> None:
        if draft.end <= draft.start:
            raise BadRequest("Field 'end' must be after 'start'")
        if not draft.source_ids:
            raise BadRequest("Field 'alertSources' must name at least one alert source")
        if len(draft.source_ids) > MAX_WINDOW_SOURCES:
            raise BadRequest(f"Field 'alertSources' takes at most {MAX_WINDOW_SOURCES} sources")
        for source_id in draft.source_ids:
            try:
                self.state.get_source(actor, source_id)
            except NotFound:
                raise BadRequest(f"alertSources[]: alert source {source_id} not found") from None

    def delete_window(self, actor: Actor, window_id: int) -> None:
        with self.state.lock:
            actor.require(CONFIGURE)
            window = self.get_window(actor, window_id)
            del actor.account.oncall.maintenance[window.id]
            self.state.generation += 1

    def source_in_maintenance(self, actor: Actor, source_id: int) -> bool:
        with self.state.lock:
            book = actor.account.oncall
            return in_maintenance(book.maintenance, source_id, self.state.now())

    # -- notifications -----------------------------------------------------------------------

    def notifications(self, actor: Actor, alert_id: int) -> list[Notification]:
        with self.state.lock:
            alert = self.state.get_alert(actor, alert_id)
            return list(actor.account.oncall.notifications.get(alert.id, ()))

    def _notify(self, event: AlertEvent) -> None:
        """A listener of the state (called under its lock): e-mail whoever joined the alert's
        responders since the last event."""
        if event.event_type not in NOTIFY_ON:
            return
        alert, book = event.alert, event.account.oncall
        current = frozenset(r.user_id for r in alert.responders if r.status == "PENDING")
        before = book.notified.get(alert.id, frozenset())
        book.notified[alert.id] = current
        users = event.account.users
        subject = f"[ilert] Alert {alert.id}: {alert.summary}"[:255]  # one string for them all
        for user_id in [r.user_id for r in alert.responders if r.user_id in current - before]:
            user = users.get(user_id)
            if user is None:
                continue
            book.notifications.setdefault(alert.id, []).append(
                Notification(
                    id=self.state.next_id(),
                    alert_id=alert.id,
                    user_id=user.id,
                    method="EMAIL",
                    target=user.email,
                    subject=subject,
                    time=event.time,
                )
            )

    # -- alert actions run by hand -----------------------------------------------------------

    def manual_actions(
        self, actor: Actor, alert_id: int
    ) -> list[tuple[AlertAction, list[ActionRun]]]:
        """The MANUAL alert actions of the alert's source, each with its runs on this alert."""
        with self.state.lock:
            alert = self.state.get_alert(actor, alert_id)
            runs = actor.account.oncall.runs.get(alert.id, [])
            return [
                (action, [r for r in runs if r.action_id == action.id])
                for action in self.state.list_actions(actor, source=alert.source.id)
                if action.trigger_mode == "MANUAL"
            ]

    def run_action(self, actor: Actor, alert_id: int, action_id: str) -> ActionRun:
        """Run a MANUAL alert action on an alert: its connector hears of the alert once."""
        with self.state.lock:
            actor.require(HANDLE_ALERTS)
            alert = self.state.get_alert(actor, alert_id)
            action = next(
                (a for a, _ in self.manual_actions(actor, alert_id) if a.id == action_id), None
            )
            if action is None:
                raise NotFound(
                    f"Alert action {action_id} is not a manual alert action of alert {alert.id}'s "
                    "alert source"
                )
            run = ActionRun(
                id=str(self.state.next_id()),
                action_id=action.id,
                connector_id=action.connector_id,
                alert_id=alert.id,
                success=True,
                actor_id=actor.user_id,
                time=self.state.now(),
            )
            actor.account.oncall.runs.setdefault(alert.id, []).append(run)
            who = actor.user.name if actor.user else "the Slack integration"
            self.state.add_log(
                actor.account.id,
                alert.id,
                "AlertActionTriggeredLogEntry",
                f"Alert action {action.name} run by {who}",
            )
            self._deliver(actor, alert, action)
            return run

    def _deliver(self, actor: Actor, alert: Alert, action: AlertAction) -> None:
        event = AlertEvent(
            MANUAL_RUN, actor.account, alert, actor.user, self.state.now(), action_id=action.id
        )
        for listener in list(self.state.listeners):
            listener(event)


def _shifts_touching(schedule: Schedule, since: float, until: float) -> list[Shift]:
    """The shifts that overlap [since, until] (or cover `since` when the two are equal), with
    their true bounds."""
    if until <= since:
        shift = sched.shift_at(schedule, since)
        return [shift] if shift else []
    reach = sched.reach(schedule)
    return [
        s
        for s in sched.shifts_between(schedule, since - reach, until + reach)
        if s.end > since and s.start < until
    ]
