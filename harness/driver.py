"""HTTP-only helpers for tests and the demo: the control planes of both emulators, and a browser.

Nothing here imports the emulators or the connector, so the same driver works against services
started elsewhere (another connector, another machine).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import requests

# Tests that send Slack's requests themselves sign them with fake Slack's own helper.
from emulator.slack.signing import slack_signature as slack_signature

Json = dict[str, Any]


class DriverError(AssertionError):
    """A control call that did not do what the driver asked; the message quotes the service."""


def _checked(response: requests.Response, *, expect: tuple[int, ...] = (200, 201, 202, 204)) -> Any:
    if response.status_code not in expect:
        raise DriverError(
            f"{response.request.method} {response.url} answered "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response.json() if response.content else None


class SlackControl:
    """Fake Slack's `/_sim/` control plane, and Slack's Web API for assertions."""

    def __init__(self, url: str, http: requests.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self.http = http or requests.Session()
        # What Slack told each person who acted through this driver (the answer of each
        # command, click, select and submission), oldest first: a timeout shows here.
        self.answers: list[Json] = []

    def _post(self, path: str, body: Json | None = None, **kwargs: Any) -> Any:
        return _checked(self.http.post(f"{self.url}{path}", json=body or {}, timeout=10), **kwargs)

    def _act(self, path: str, body: Json) -> Json:
        answer = self._post(path, body)
        self.answers.append(answer)
        return answer

    def reset(self) -> None:
        self._post("/_sim/reset")

    def state(self) -> Json:
        return _checked(self.http.get(f"{self.url}/_sim/state", timeout=10))

    def create_workspace(self, name: str, domain: str) -> Json:
        return self._post("/_sim/workspaces", {"name": name, "domain": domain})

    def create_user(self, team_id: str, *, name: str, email: str, real_name: str) -> Json:
        return self._post(
            f"/_sim/workspaces/{team_id}/users",
            {"name": name, "email": email, "real_name": real_name},
        )

    def create_channel(
        self, team_id: str, name: str, *, is_private: bool = False, members: list[str] | None = None
    ) -> Json:
        return self._post(
            f"/_sim/workspaces/{team_id}/channels",
            {"name": name, "is_private": is_private, "members": members or []},
        )

    def invite(self, channel_id: str, user_id: str) -> Json:
        return self._post(f"/_sim/channels/{channel_id}/invite", {"user": user_id})

    def create_app(self, **app: Any) -> Json:
        return self._post("/_sim/apps", app)

    def update_app(self, app_id: str, **changes: Any) -> Json:
        return _checked(self.http.patch(f"{self.url}/_sim/apps/{app_id}", json=changes, timeout=10))

    def export_state(self) -> Json:
        return _checked(self.http.get(f"{self.url}/_sim/export", timeout=60))

    def import_state(self, data: Json) -> None:
        _checked(self.http.post(f"{self.url}/_sim/import", json=data, timeout=60))

    def install_app(self, app_id: str, team_id: str, scopes: list[str]) -> Json:
        return self._post(f"/_sim/apps/{app_id}/install", {"team_id": team_id, "scopes": scopes})

    # What a person does in Slack. An app acknowledges at once and shows the outcome after, so
    # each of these waits, as the person would, until what they see in the channel (or in their
    # modals) has changed; `wait=False` gives the bare answer at once. The answer Slack got from
    # the app is returned either way; a command's answer names the note the person was shown
    # (`ephemeral`) also when it came through the response_url rather than in the ack.

    def command(
        self,
        *,
        team_id: str,
        channel_id: str,
        user_id: str,
        command: str,
        text: str = "",
        wait: bool = True,
    ) -> Json:
        body = {
            "team_id": team_id,
            "channel_id": channel_id,
            "user_id": user_id,
            "command": command,
            "text": text,
        }
        before = self.seen_by(channel_id, user_id) if wait else None
        answer = self._act("/_sim/actions/command", body)
        if before is None or not answer.get("ok"):
            return answer
        seen = self.wait_for_change(channel_id, user_id, before)
        if not (answer.get("ephemeral") or answer.get("message")):
            earlier = {m["ts"] for m in before["messages"]}
            shown = [
                m
                for m in seen["messages"]
                if m.get("ephemeral_to") == user_id and m["ts"] not in earlier
            ]
            if shown:
                answer["ephemeral"] = shown[-1]
        return answer

    def click(
        self, *, channel_id: str, message_ts: str, user_id: str, label: str, wait: bool = True
    ) -> Json:
        body = {
            "channel_id": channel_id,
            "message_ts": message_ts,
            "user_id": user_id,
            "label": label,
        }
        return self._acting("/_sim/actions/click", body, wait=wait)

    def select(
        self,
        *,
        channel_id: str,
        message_ts: str,
        user_id: str,
        option: str,
        unlisted: bool = False,
        wait: bool = True,
    ) -> Json:
        """Pick an option by label or value; `unlisted` sends a value the menu does not offer,
        as a tampered client would."""
        body = {
            "channel_id": channel_id,
            "message_ts": message_ts,
            "user_id": user_id,
            "option": option,
        }
        if unlisted:
            body["unlisted"] = True
        return self._acting("/_sim/actions/select", body, wait=wait)

    def _acting(self, path: str, body: Json, *, wait: bool) -> Json:
        channel_id, user_id = body["channel_id"], body["user_id"]
        before = self.seen_by(channel_id, user_id) if wait else None
        answer = self._act(path, body)
        if before is not None and answer.get("ok"):
            self.wait_for_change(channel_id, user_id, before, message_ts=body["message_ts"])
        return answer

    def messages(self, channel_id: str, *, user_id: str | None = None) -> list[Json]:
        params = {"user_id": user_id} if user_id else {}
        return _checked(
            self.http.get(
                f"{self.url}/_sim/channels/{channel_id}/messages", params=params, timeout=10
            )
        )["messages"]

    def open_views(self, user_id: str) -> list[Json]:
        """The modals open for a person, top of each stack last."""
        answer = _checked(
            self.http.get(f"{self.url}/_sim/views", params={"user_id": user_id}, timeout=10)
        )
        return [view for stack in answer["stacks"] for view in stack["views"]]

    def seen_by(self, channel_id: str, user_id: str) -> Json:
        """What a person sees: the channel's messages (those for them alone too) and their
        open modals."""
        return {
            "messages": self.messages(channel_id, user_id=user_id),
            "views": self.open_views(user_id),
        }

    def wait_for_change(
        self,
        channel_id: str,
        user_id: str,
        before: Json,
        *,
        message_ts: str | None = None,
        timeout: float = 30.0,
    ) -> Json:
        """What the person sees once the outcome of what they did shows, compared with `before`
        (`seen_by` before they acted): a message new to them, a change in their modals, or, for
        a click on the message `message_ts`, a change to that message. An app acknowledges at
        once and carries the work out after, so this is how a person learns the outcome."""

        def outcome(now: Json) -> bool:
            if now["views"] != before["views"]:
                return True
            earlier = {m["ts"]: m for m in before["messages"]}
            later = {m["ts"]: m for m in now["messages"]}
            if set(later) - set(earlier):
                return True
            return message_ts is not None and later.get(message_ts) != earlier.get(message_ts)

        def changed() -> Json | None:
            now = self.seen_by(channel_id, user_id)
            return now if outcome(now) else None

        return wait_until(
            changed,
            timeout=timeout,
            interval=0.02,
            message=f"the outcome of what {user_id} did in {channel_id}",
        )

    def wait_for_view(
        self, user_id: str, shows: Callable[[Json], bool], *, what: str, timeout: float = 30.0
    ) -> Json:
        """The person's top modal once `shows(view)` holds: an app opens a modal that says it
        is loading, or answers a submission with one that says it is working, and updates it
        when the work is done."""

        def shown() -> Json | None:
            views = self.open_views(user_id)
            return views[-1] if views and shows(views[-1]) else None

        return wait_until(shown, timeout=timeout, interval=0.02, message=what)

    def submit_view(self, *, view_id: str, user_id: str, values: Json) -> requests.Response:
        """Press Submit with `values` by input label or block id; the raw answer, refusals too."""
        response = self.http.post(
            f"{self.url}/_sim/actions/submit-view",
            json={"view_id": view_id, "user_id": user_id, "values": values},
            timeout=10,
        )
        try:
            self.answers.append(response.json())
        except ValueError:
            self.answers.append({"ok": False, "status": response.status_code})
        return response

    def journal(self, *, limit: int = 100) -> list[Json]:
        """The most recent Web API calls, oldest first (fake Slack keeps the last 1,000)."""
        answer = _checked(
            self.http.get(f"{self.url}/_sim/journal", params={"limit": limit}, timeout=10)
        )
        return answer["entries"]

    def archive_channel(self, channel_id: str, *, user_id: str = "") -> Json:
        return self._post(f"/_sim/channels/{channel_id}/archive", {"user": user_id})

    def unarchive_channel(self, channel_id: str, *, user_id: str = "") -> Json:
        return self._post(f"/_sim/channels/{channel_id}/unarchive", {"user": user_id})

    def rename_channel(self, channel_id: str, name: str) -> Json:
        return self._post(f"/_sim/channels/{channel_id}/rename", {"name": name})

    def event_deliveries(self) -> list[Json]:
        """Recent and queued Events API deliveries (fake Slack's `/_sim/events`)."""
        return _checked(self.http.get(f"{self.url}/_sim/events", timeout=10))["items"]

    def wait_for_events(self, timeout: float = 5.0) -> None:
        """Until every Events API delivery due now has been answered (bounded, no fixed sleep)."""
        answer = self._post("/_sim/events/wait", {"timeout": timeout})
        if not answer.get("idle"):
            raise DriverError(f"fake Slack's events did not settle within {timeout}s: {answer}")

    def add_fault(self, **rule: Any) -> Json:
        """A fault rule: see fake Slack's `POST /_sim/faults`."""
        return self._post("/_sim/faults", rule)

    def clear_faults(self) -> None:
        _checked(self.http.delete(f"{self.url}/_sim/faults", timeout=10))

    def web_api(self, method: str, token: str, **args: Any) -> Json:
        """A Web API call as an app makes it; answers Slack's JSON whatever `ok` says."""
        response = self.http.post(
            f"{self.url}/api/{method}",
            data=args,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        return response.json()


def find_button(message: Json, label: str) -> Json:
    for block in all_blocks(message):
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return {**element, "block_id": block.get("block_id", "")}
    raise DriverError(f"no button {label!r} in {visible_text(message)!r}")


class JournalTail:
    """Follows fake Slack's capped journal while a block runs, so that no call goes unseen.

    The journal keeps the last 1,000 calls; reading it every `interval` seconds sees every entry,
    and a gap in the entry ids says when it did not (`missed`). It counts the calls, their answers
    by status, and each time a fault struck (`faulted`).
    """

    def __init__(self, slack: SlackControl, interval: float = 0.2) -> None:
        self.slack = slack
        self.interval = interval
        self.calls = 0
        self.faulted = 0
        self.missed = 0
        self.statuses: Counter[int] = Counter()
        self._last = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="journal-tail", daemon=True)

    def __enter__(self) -> JournalTail:
        newest = self.slack.journal(limit=1)
        self._last = newest[-1]["id"] if newest else 0
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.read()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.read()

    def read(self) -> None:
        fresh = [e for e in self.slack.journal(limit=1000) if e["id"] > self._last]
        if not fresh:
            return
        self.missed += max(0, fresh[0]["id"] - self._last - 1)
        self._last = fresh[-1]["id"]
        self.calls += len(fresh)
        self.statuses.update(entry["status"] for entry in fresh)
        # One call may be struck twice: a delay before the effect, an error after it.
        self.faulted += sum(
            len(e["fault"]) if isinstance(e["fault"], list) else 1 for e in fresh if e["fault"]
        )


class IlertControl:
    """Fake ilert's `/_sim/` control plane and REST API."""

    def __init__(self, url: str, http: requests.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self.http = http or requests.Session()

    def reset(self) -> None:
        _checked(self.http.post(f"{self.url}/_sim/reset", json={}, timeout=10))

    def export_state(self) -> Json:
        return _checked(self.http.get(f"{self.url}/_sim/export", timeout=60))

    def import_state(self, data: Json) -> None:
        _checked(self.http.post(f"{self.url}/_sim/import", json=data, timeout=60))

    def create_account(self, name: str) -> Json:
        return _checked(
            self.http.post(f"{self.url}/_sim/accounts", json={"name": name}, timeout=10)
        )

    def create_user(self, account_id: int, **user: Any) -> Json:
        return _checked(
            self.http.post(f"{self.url}/_sim/accounts/{account_id}/users", json=user, timeout=10)
        )

    def api(
        self,
        method: str,
        path: str,
        *,
        key: str,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """A raw REST call with an API key, for tests that look at status codes."""
        return self.http.request(
            method,
            f"{self.url}/api{path}",
            json=json,
            params=params,
            headers={"Authorization": f"Bearer {key}", **(headers or {})},
            timeout=10,
        )

    def call(
        self, method: str, path: str, *, key: str, json: Any = None, params: Any = None
    ) -> Any:
        return _checked(self.api(method, path, key=key, json=json, params=params))

    def send_event(self, body: Json) -> requests.Response:
        return self.http.post(f"{self.url}/api/events", json=body, timeout=10)

    def add_fault(self, **rule: Any) -> Json:
        """A fault rule on ilert's API: see fake ilert's `POST /_sim/faults`."""
        return _checked(self.http.post(f"{self.url}/_sim/faults", json=rule, timeout=10))

    def clear_faults(self) -> None:
        _checked(self.http.delete(f"{self.url}/_sim/faults", timeout=10))

    def wait_for_deliveries(self, timeout: float = 10.0) -> None:
        """Until every webhook to the connector has been answered (bounded, no fixed sleep)."""
        answer = _checked(
            self.http.post(
                f"{self.url}/_sim/deliveries/wait", json={"timeout": timeout}, timeout=timeout + 5
            )
        )
        if not answer.get("idle"):
            raise DriverError(f"ilert's deliveries did not settle within {timeout}s: {answer}")

    def deliveries(self) -> list[Json]:
        """The webhooks to the connector, recent and queued (fake ilert's `/_sim/deliveries`)."""
        return _checked(self.http.get(f"{self.url}/_sim/deliveries", timeout=10))["items"]

    def settle_deliveries(self, *, rounds: int = 20, step: float = 60.0) -> None:
        """Until no webhook is waiting for a retry either, moving the virtual clock past each
        backoff; fails after `rounds` moves."""
        for _ in range(rounds):
            answer = _checked(
                self.http.post(f"{self.url}/_sim/deliveries/wait", json={"timeout": 10}, timeout=15)
            )
            if answer.get("idle") and not answer.get("pending"):
                return
            self.advance_clock(step)
        raise DriverError(f"ilert's deliveries still pending after {rounds} retries: {answer}")

    def clock(self) -> Json:
        """`{now, epoch, kind}`: the domain clock (ISO-8601 and Unix seconds), which on-call
        schedules are read against."""
        return _checked(self.http.get(f"{self.url}/_sim/clock", timeout=10))

    def advance_clock(self, seconds: float) -> Json:
        return _checked(
            self.http.post(f"{self.url}/_sim/clock/advance", json={"seconds": seconds}, timeout=10)
        )

    # ilert's REST API, one named operation per action; `key` says whose permissions apply.

    def current_user(self, key: str) -> Json:
        return self.call("GET", "/users/current", key=key)

    def update_user(self, key: str, user_id: int, **changes: Any) -> Json:
        return self.call("PUT", f"/users/{user_id}", key=key, json=changes)

    def create_team(self, key: str, *, name: str, private: bool, member_ids: Iterable[int]) -> Json:
        members = [{"user": {"id": user_id}, "role": "USER"} for user_id in member_ids]
        visibility = "PRIVATE" if private else "PUBLIC"
        return self.call(
            "POST",
            "/teams",
            key=key,
            json={"name": name, "visibility": visibility, "members": members},
        )

    def create_escalation_policy(
        self, key: str, *, name: str, user_ids: Iterable[int], timeout_minutes: int
    ) -> Json:
        rule = {"escalationTimeout": timeout_minutes, "users": [{"id": i} for i in user_ids]}
        return self.call(
            "POST", "/escalation-policies", key=key, json={"name": name, "escalationRules": [rule]}
        )

    def create_alert_source(
        self, key: str, *, name: str, policy_id: int, team_ids: Iterable[int] = ()
    ) -> Json:
        body: Json = {
            "name": name,
            "integrationType": "API",
            "escalationPolicy": {"id": policy_id},
        }
        if team_ids:
            body["teams"] = [{"id": team_id} for team_id in team_ids]
        return self.call("POST", "/alert-sources", key=key, json=body)

    def alert_sources(self, key: str) -> list[Json]:
        return self.call("GET", "/alert-sources", key=key)

    def find_alert_source(self, key: str, source_id: int) -> Json | None:
        """The alert source, or None when ilert answers that there is none for this key."""
        response = self.api("GET", f"/alert-sources/{source_id}", key=key)
        return None if response.status_code == 404 else _checked(response)

    def create_alert(
        self, key: str, *, summary: str, source_id: int, priority: str | None = None
    ) -> Json:
        body: Json = {"summary": summary, "alertSource": {"id": source_id}}
        if priority is not None:
            body["priority"] = priority
        return self.call("POST", "/alerts", key=key, json=body)

    def create_heartbeat_source(
        self, key: str, *, name: str, policy_id: int, interval_sec: int, summary: str
    ) -> Json:
        """A HEARTBEAT alert source: an alert "summary" once no ping came for `interval_sec`."""
        body: Json = {
            "name": name,
            "integrationType": "HEARTBEAT",
            "escalationPolicy": {"id": policy_id},
            "heartbeat": {"intervalSec": interval_sec, "summary": summary},
        }
        return self.call("POST", "/alert-sources", key=key, json=body)

    def ping_heartbeat(self, integration_key: str) -> None:
        """What a monitored job does when it is alive: ilert's heartbeat ping (no API key)."""
        _checked(self.http.get(f"{self.url}/api/heartbeats/{integration_key}", timeout=10))

    def alerts(self, key: str, *, source_id: int | None = None) -> list[Json]:
        params = {"sources": source_id} if source_id is not None else None
        return self.call("GET", "/alerts", key=key, params=params)

    def alert(self, key: str, alert_id: int) -> Json:
        return self.call("GET", f"/alerts/{alert_id}", key=key)

    def alert_log(self, key: str, alert_id: int) -> list[Json]:
        """The alert's timeline, oldest entry first."""
        return self.call("GET", f"/alerts/{alert_id}/log-entries", key=key)

    def accept_alert(self, key: str, alert_id: int) -> Json:
        return self.call("PUT", f"/alerts/{alert_id}/accept", key=key)

    def resolve_alert(self, key: str, alert_id: int) -> Json:
        return self.call("PUT", f"/alerts/{alert_id}/resolve", key=key)

    def assign_alert(self, key: str, alert_id: int, *, user_id: int) -> Json:
        return self.call("PUT", f"/alerts/{alert_id}/assign", key=key, params={"user-id": user_id})

    def connectors(self, key: str) -> list[Json]:
        return self.call("GET", "/connectors", key=key)

    def slack_connectors(self, key: str) -> list[Json]:
        return [c for c in self.connectors(key) if c["type"].lower() == "slack"]

    def alert_actions(self, key: str, *, source_id: int) -> list[Json]:
        return self.call("GET", "/alert-actions", key=key, params={"source": source_id})

    def create_alert_action(self, key: str, **action: Any) -> Json:
        return self.call("POST", "/alert-actions", key=key, json=action)

    def update_alert_action(self, key: str, action: Json) -> Json:
        return self.call("PUT", f"/alert-actions/{action['id']}", key=key, json=action)


class IlertWeb:
    """Fake ilert's web pages as a person uses them: one browser, one operation per click."""

    def __init__(self, url: str, browser: Browser | None = None) -> None:
        self.url = url.rstrip("/")
        self.browser = browser or Browser()

    def log_in(self, user_id: int) -> PageVisit:
        return self.browser.submit(f"{self.url}/login", {"user_id": user_id})

    def connectors_page(self) -> PageVisit:
        return self.browser.get(f"{self.url}/connectors")

    def slack_integration_page(self) -> PageVisit:
        return self.browser.get(self.slack_integration_url())

    def click_authorize(self) -> PageVisit:
        """Authorize (or Re-authorize Slack): where the browser ends up, Slack or a refusal."""
        return self.browser.submit(f"{self.url}/connectors/slack/authorize", {})

    def alert_source_page(self, source_id: int) -> PageVisit:
        return self.browser.get(self.alert_source_url(source_id))

    def alert_source_url(self, source_id: int) -> str:
        return f"{self.url}/alert-sources/{source_id}"

    def alert_url(self, alert_id: int) -> str:
        return f"{self.url}/alerts/{alert_id}"

    def slack_integration_url(self) -> str:
        return f"{self.url}/connectors/slack"

    def create_alert(self, source_id: int, *, summary: str, priority: str = "HIGH") -> int:
        """Create Alert on the source's page; the id of the alert the browser lands on."""
        visit = self.browser.submit(
            f"{self.url}/alert-sources/{source_id}/alerts",
            {"summary": summary, "details": "", "priority": priority},
        )
        if visit.status != 200 or "/alerts/" not in visit.url:
            raise DriverError(f"Create Alert landed on {visit.url} ({visit.status})")
        return int(visit.url.rstrip("/").rsplit("/", 1)[1])

    def add_alert_action(
        self, source_id: int, *, name: str, channel: str, trigger_types: Iterable[str]
    ) -> PageVisit:
        """The Alert actions tab's form for a Slack channel, `channel` being the picker's value."""
        visit = self.browser.submit(
            f"{self.url}/alert-sources/{source_id}/alert-actions",
            {
                "name": name,
                "channel": channel,
                "triggerMode": "AUTOMATIC",
                "triggerTypes": list(trigger_types),
            },
        )
        if visit.status != 200:
            raise DriverError(
                f"adding the alert action answered {visit.status}: {visit.text[:300]}"
            )
        return visit

    def act_on_alert(self, alert_id: int, action: str) -> PageVisit:
        """A button on the alert's page: `accept` or `resolve`."""
        visit = self.browser.submit(f"{self.url}/alerts/{alert_id}/{action}", {})
        if visit.status != 200:
            raise DriverError(f"{action} on the alert page answered {visit.status}")
        return visit


class SlackWeb:
    """Fake Slack's log-in and OAuth consent pages as a person uses them in a browser."""

    def __init__(self, url: str, browser: Browser | None = None) -> None:
        self.url = url.rstrip("/")
        self.browser = browser or Browser()

    def is_login_page(self, visit: PageVisit) -> bool:
        return visit.url.startswith(self.url) and urlparse(visit.url).path == "/login"

    def is_consent_page(self, visit: PageVisit) -> bool:
        on_page = urlparse(visit.url).path == "/oauth/v2/authorize"
        return visit.url.startswith(self.url) and on_page and visit.status == 200

    def log_in(self, user_id: str, *, after: PageVisit) -> PageVisit:
        """Log in on the page Slack showed (`after`), going on to where it was headed."""
        return self.browser.submit(
            f"{self.url}/login", {"user_id": user_id, "next": after.query.get("next", "")}
        )

    def answer_consent(
        self, consent: PageVisit, decision: str, *, withhold_scopes: Iterable[str] = ()
    ) -> PageVisit:
        """Allow (`allow`) or cancel (`deny`) on the consent page; withheld scopes are left out,
        as an older app version that did not yet ask for them."""
        form = {**consent.query, "decision": decision}
        withheld = set(withhold_scopes)
        if withheld:
            form["scope"] = ",".join(s for s in form["scope"].split(",") if s not in withheld)
        return self.browser.submit(f"{self.url}/oauth/v2/authorize", form)


@dataclass
class PageVisit:
    """Where a browser ended up: its final URL, status and page text."""

    url: str
    status: int
    text: str

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlparse(self.url).query).items()}


class Browser:
    """A person's browser over plain HTTP: cookies, forms and redirects followed one by one."""

    MAX_REDIRECTS = 10

    def __init__(self) -> None:
        self.http = requests.Session()
        self.history: list[str] = []  # every URL visited, in order

    def follow(self, response: requests.Response) -> PageVisit:
        for _ in range(self.MAX_REDIRECTS):
            self.history.append(response.url)
            if not response.is_redirect:
                return PageVisit(response.url, response.status_code, response.text)
            target = urljoin(response.url, response.headers["Location"])
            response = self.http.get(target, allow_redirects=False, timeout=10)
        raise DriverError(f"more than {self.MAX_REDIRECTS} redirects, last at {response.url}")

    def get(self, url: str) -> PageVisit:
        return self.follow(self.http.get(url, allow_redirects=False, timeout=10))

    def submit(self, url: str, form: Json) -> PageVisit:
        return self.follow(self.http.post(url, data=form, allow_redirects=False, timeout=10))


def wait_until(
    condition: Any, *, timeout: float = 5.0, interval: float = 0.01, message: str = "condition"
) -> Any:
    """Poll `condition` until it returns something truthy, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise DriverError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def authorize_workspace(
    *,
    ilert_url: str,
    slack_url: str,
    ilert_user_id: int,
    slack_user_id: str,
    decision: str = "allow",
    browser: Browser | None = None,
    withhold_scopes: tuple[str, ...] = (),
) -> PageVisit:
    """Click through ilert's Authorize and Slack's consent page as a person would.

    Returns the page the browser lands on: ilert's Connectors page with the outcome, or the page
    that stopped the flow (a refusal, Slack's error page). `withhold_scopes` plays an older app
    version that did not yet ask for those scopes: they are left out of the consent.
    """
    browser = browser or Browser()
    ilert, slack = IlertWeb(ilert_url, browser), SlackWeb(slack_url, browser)
    ilert.log_in(ilert_user_id)
    visit = ilert.click_authorize()
    if visit.status != 200 or not visit.url.startswith(slack_url):
        return visit
    if slack.is_login_page(visit):
        visit = slack.log_in(slack_user_id, after=visit)
    if not slack.is_consent_page(visit):
        return visit
    return slack.answer_consent(visit, decision, withhold_scopes=withhold_scopes)


# Reading messages as a person sees them


def _block_texts(block: Json) -> list[str]:
    texts = []
    if isinstance(block.get("text"), dict):
        texts.append(block["text"].get("text", ""))
    for item in block.get("fields") or []:
        texts.append(item.get("text", ""))
    for element in block.get("elements") or []:
        if isinstance(element.get("text"), dict):
            texts.append(element["text"].get("text", ""))
        elif isinstance(element.get("text"), str):
            texts.append(element["text"])
    accessory = block.get("accessory") or {}
    if isinstance(accessory.get("text"), dict):
        texts.append(accessory["text"].get("text", ""))
    return texts


def all_blocks(message: Json) -> list[Json]:
    """Top-level blocks and the blocks inside attachments, in reading order."""
    found = list(message.get("blocks") or [])
    for attachment in message.get("attachments") or []:
        found.extend(attachment.get("blocks") or [])
    return found


def is_form(view: Json) -> bool:
    """A modal that asks for something: it has inputs."""
    return any(block.get("type") == "input" for block in view.get("blocks") or [])


def view_text(view: Json) -> str:
    """A modal's words, as `visible_text` gives a message's."""
    return visible_text({"blocks": view.get("blocks") or []})


def visible_text(message: Json) -> str:
    """The message's words as Slack shows them, one block per line (mrkdwn left as is)."""
    blocks = all_blocks(message)
    if not blocks:
        return message.get("text", "")
    return "\n".join(t for block in blocks for t in _block_texts(block))


def button_labels(message: Json) -> list[str]:
    labels = []
    for block in all_blocks(message):
        elements = [*(block.get("elements") or []), block.get("accessory") or {}]
        labels += [e["text"]["text"] for e in elements if e.get("type") == "button"]
    return labels


def select_options(message: Json) -> list[str]:
    options = []
    for block in all_blocks(message):
        elements = [*(block.get("elements") or []), block.get("accessory") or {}]
        for element in elements:
            if element.get("type") == "static_select":
                options += [o["text"]["text"] for o in element.get("options") or []]
    return options


@dataclass
class Services:
    """The three services under test, by URL, with the drivers that speak to them."""

    ilert_url: str
    slack_url: str
    connector_url: str
    external: bool = False

    @cached_property
    def ilert(self) -> IlertControl:
        return IlertControl(self.ilert_url)

    @cached_property
    def slack(self) -> SlackControl:
        return SlackControl(self.slack_url)


class PageReader(HTMLParser):
    """What a person reads on a server-rendered page: links, select options, table rows."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.options: dict[str, list[tuple[str, str]]] = {}
        self.rows: list[list[str]] = []
        self._select: str | None = None
        self._option: str | None = None
        self._href: str | None = None
        self._text: list[str] = []
        self._cells: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "select":
            self._select = attributes.get("name") or ""
            self.options.setdefault(self._select, [])
        elif tag == "option":
            self._option = attributes.get("value") or ""
        elif tag == "a":
            self._href = attributes.get("href") or ""
        elif tag == "tr":
            self._cells = []
        if tag in ("option", "a", "td", "th"):
            self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._text).split())
        if tag == "option" and self._select is not None:
            self.options[self._select].append((self._option or text, text))
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, text))
            self._href = None
        elif tag in ("td", "th") and self._cells is not None:
            self._cells.append(text)
        elif tag == "tr" and self._cells is not None:
            self.rows.append(self._cells)
            self._cells = None
        elif tag == "select":
            self._select = None
