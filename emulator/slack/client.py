"""`SlackSim`: fake Slack's `/_sim/` control plane over HTTP, and Web API clients pointed at it.

For tests of any Slack app (the `fake_slack` pytest fixture is one of these), scripts and
benchmarks. It talks HTTP only, so it works against a fake Slack in this process or elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from slack_sdk import WebClient
    from slack_sdk.web.async_client import AsyncWebClient

Json = dict[str, Any]


class SimRefused(Exception):
    """The control plane refused: `status`, `error` code and the whole `body`."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        self.error = body.get("error", "") if isinstance(body, dict) else ""
        super().__init__(f"{status} {body}")


class SlackSim:
    """Fake Slack at `url`: seed it, act as its people, inject faults, read what happened."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()

    @property
    def api_url(self) -> str:
        """The `base_url` for `slack_sdk` clients and Bolt."""
        return f"{self.url}/api/"

    # --- Web API clients ------------------------------------------------------------------------

    def client(self, token: str | None = None, **kwargs: Any) -> WebClient:
        from slack_sdk import WebClient

        return WebClient(token=token, base_url=self.api_url, **kwargs)

    def async_client(self, token: str | None = None, **kwargs: Any) -> AsyncWebClient:
        from slack_sdk.web.async_client import AsyncWebClient

        return AsyncWebClient(token=token, base_url=self.api_url, **kwargs)

    # --- plumbing -------------------------------------------------------------------------------

    def request(self, verb: str, path: str, body: Json | None = None, **params: Any) -> Any:
        response = self.http.request(
            verb,
            f"{self.url}/_sim{path}",
            json=body if verb in ("POST", "PATCH") else None,
            params={k: v for k, v in params.items() if v not in (None, "")},
            timeout=self.timeout,
        )
        try:
            answer = response.json()
        except ValueError:
            answer = response.text
        if not response.ok:
            raise SimRefused(response.status_code, answer)
        return answer

    def post(self, path: str, body: Json | None = None) -> Any:
        return self.request("POST", path, body or {})

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, **params)

    # --- state ----------------------------------------------------------------------------------

    def reset(self) -> None:
        self.post("/reset")

    def state(self) -> Json:
        return self.get("/state")

    def export(self) -> Json:
        return self.get("/export")

    def import_state(self, data: Json) -> Json:
        return self.post("/import", data)

    # --- seeding --------------------------------------------------------------------------------

    def workspace(self, name: str, domain: str | None = None) -> Json:
        return self.post("/workspaces", {"name": name, "domain": domain or name.lower()})

    def user(
        self, team_id: str, name: str, *, email: str | None = None, real_name: str | None = None
    ) -> Json:
        body = {
            "name": name,
            "email": email if email is not None else f"{name}@example.com",
            "real_name": real_name or name.title(),
        }
        return self.post(f"/workspaces/{team_id}/users", body)

    def channel(
        self, team_id: str, name: str, *, private: bool = False, members: list[str] | None = None
    ) -> Json:
        body = {"name": name, "is_private": private, "members": members or []}
        return self.post(f"/workspaces/{team_id}/channels", body)

    def invite(self, channel_id: str, user_id: str) -> Json:
        return self.post(f"/channels/{channel_id}/invite", {"user": user_id})

    def archive(self, channel_id: str, user_id: str = "") -> Json:
        return self.post(f"/channels/{channel_id}/archive", {"user": user_id} if user_id else None)

    def unarchive(self, channel_id: str, user_id: str = "") -> Json:
        body = {"user": user_id} if user_id else None
        return self.post(f"/channels/{channel_id}/unarchive", body)

    def rename(self, channel_id: str, name: str, user_id: str = "") -> Json:
        body = {"name": name, **({"user": user_id} if user_id else {})}
        return self.post(f"/channels/{channel_id}/rename", body)

    def leave(self, channel_id: str, user_id: str) -> Json:
        return self.post(f"/channels/{channel_id}/leave", {"user": user_id})

    def say(self, channel_id: str, user_id: str, text: str, thread_ts: str = "") -> Json:
        """A person writes a message in the channel; answers the message."""
        body = {"user": user_id, "text": text, "thread_ts": thread_ts}
        return self.post(f"/channels/{channel_id}/messages", body)["message"]

    def react(
        self, channel_id: str, ts: str, user_id: str, name: str, *, remove: bool = False
    ) -> Json:
        path = f"/channels/{channel_id}/reactions" + ("/remove" if remove else "")
        return self.post(path, {"user": user_id, "ts": ts, "name": name})["message"]

    def event_deliveries(self) -> Json:
        """Events API deliveries: counts and the recent ones."""
        return self.get("/events")

    def wait_for_events(self, timeout: float = 5.0) -> bool:
        """Wait until no event is in flight or due; False if that took longer than `timeout`."""
        return bool(self.post("/events/wait", {"timeout": timeout})["idle"])

    def app(self, name: str = "app", **fields: Any) -> Json:
        """Register an app: `request_url`, `redirect_urls`, `commands` (the slash commands it
        owns), `client_id`, `client_secret`, `signing_secret` (given secrets are kept)."""
        return self.post("/apps", {"name": name, **fields})

    def update_app(self, app_id: str, **fields: Any) -> Json:
        return self.request("PATCH", f"/apps/{app_id}", fields)

    def install(self, app_id: str, team_id: str, scopes: list[str]) -> Json:
        """Install without a browser; the answer holds `access_token` and `bot_user_id`."""
        return self.post(f"/apps/{app_id}/install", {"team_id": team_id, "scopes": scopes})

    # --- acting as a person ---------------------------------------------------------------------

    def command(self, channel_id: str, user_id: str, command: str, text: str = "") -> Json:
        body = {"channel_id": channel_id, "user_id": user_id, "command": command, "text": text}
        return self.post("/actions/command", body)

    def click(
        self,
        user_id: str,
        *,
        label: str = "",
        action_id: str = "",
        channel_id: str = "",
        message_ts: str = "",
        view_id: str = "",
    ) -> Json:
        """A button on a message (`channel_id`, `message_ts`) or in a modal (`view_id`)."""
        body = {
            "user_id": user_id,
            "label": label,
            "action_id": action_id,
            "channel_id": channel_id,
            "message_ts": message_ts,
            "view_id": view_id,
        }
        return self.post("/actions/click", {k: v for k, v in body.items() if v})

    def select(
        self,
        user_id: str,
        option: str,
        *,
        action_id: str = "",
        channel_id: str = "",
        message_ts: str = "",
        view_id: str = "",
    ) -> Json:
        body = {
            "user_id": user_id,
            "option": option,
            "action_id": action_id,
            "channel_id": channel_id,
            "message_ts": message_ts,
            "view_id": view_id,
        }
        return self.post("/actions/select", {k: v for k, v in body.items() if v})

    def submit_view(self, view_id: str, user_id: str, values: Json | None = None) -> Json:
        """`values`: `{block_id: {action_id: value}}` or `{input label: value}`."""
        body = {"view_id": view_id, "user_id": user_id, "values": values or {}}
        return self.post("/actions/submit-view", body)

    def close_view(self, view_id: str, user_id: str) -> Json:
        return self.post("/actions/close-view", {"view_id": view_id, "user_id": user_id})

    def views(self, user_id: str = "") -> list[Json]:
        return self.get("/views", user_id=user_id)["stacks"]

    # --- reading --------------------------------------------------------------------------------

    def messages(self, channel_id: str, user_id: str = "") -> list[Json]:
        return self.get(f"/channels/{channel_id}/messages", user_id=user_id)["messages"]

    def journal(self, method: str = "", team_id: str = "", limit: int = 100) -> list[Json]:
        return self.get("/journal", method=method, team_id=team_id, limit=limit)["entries"]

    # --- faults and rate limits -----------------------------------------------------------------

    def fault(self, **rule: Any) -> Json:
        """Add a fault rule (see `POST /_sim/faults`); the answer holds its `id`."""
        return self.post("/faults", rule)

    def faults(self) -> list[Json]:
        return self.get("/faults")["faults"]

    def clear_faults(self, fault_id: str = "") -> None:
        self.request("DELETE", f"/faults/{fault_id}" if fault_id else "/faults")

    def rate_limits(
        self,
        *,
        enabled: bool | None = None,
        time_scale: float | None = None,
        overrides: dict[str, Json] | None = None,
    ) -> Json:
        """Change the settings when given any, and answer them with each method's limit."""
        body = {"enabled": enabled, "time_scale": time_scale, "overrides": overrides}
        body = {k: v for k, v in body.items() if v is not None}
        return self.post("/rate-limits", body) if body else self.get("/rate-limits")

    def advance_clock(self, seconds: float) -> float:
        return self.post("/clock/advance", {"seconds": seconds})["now"]

    # --- a quick start --------------------------------------------------------------------------

    def quickstart(
        self,
        scopes: list[str],
        *,
        team: str = "Acme",
        people: tuple[str, ...] = ("alice",),
        channels: tuple[str, ...] = ("general",),
        app: Json | None = None,
    ) -> Json:
        """A workspace with people, public channels they are all in, and an installed app:
        `{team, users: {name: user}, channels: {name: channel}, app, install, token}`."""
        ws = self.workspace(team)
        users = {name: self.user(ws["id"], name) for name in people}
        members = [u["id"] for u in users.values()]
        made = {name: self.channel(ws["id"], name, members=members) for name in channels}
        registered = self.app(**(app or {}))
        install = self.install(registered["id"], ws["id"], scopes)
        return {
            "team": ws,
            "users": users,
            "channels": made,
            "app": registered,
            "install": install,
            "token": install["access_token"],
        }
