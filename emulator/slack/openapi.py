"""The OpenAPI 3.1 document of fake Slack, served at `GET /_sim/openapi.json`.

It documents every `/_sim/` route in full (a test keeps it true to Flask's url_map) and summarises
the emulated Web API: one path per method, with its rate-limit tier and bot scopes taken from
Slack's metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from emulator.slack.methods import method_specs
from emulator.slack.ratelimits import limit_for


def obj(*required: str, **props: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = list(required)
    return schema


STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
BOOL = {"type": "boolean"}
STRS = {"type": "array", "items": STR}
ANY_OBJ = {"type": "object", "additionalProperties": True}
OK = obj("ok", ok=BOOL)
ERROR = obj(
    "ok", "error", ok={"const": False}, error=STR, message={"type": "string", "nullable": True}
)
REPORT = obj(
    "ok",
    ok=BOOL,
    status={"type": "integer", "description": "the app's HTTP status"},
    body={"description": "the app's answer: JSON, text or empty"},
    error={"type": "string", "description": "operation_timeout, connection_failed, app_error"},
    trigger_id=STR,
)
ELEMENT = obj(
    "user_id",
    user_id=STR,
    channel_id={"type": "string", "description": "with message_ts: an element in a message"},
    message_ts=STR,
    view_id={"type": "string", "description": "instead: an element in the modal on top"},
    action_id=STR,
)
FAULT = obj(
    method={"type": "string", "description": "a Web API method or *", "default": "*"},
    team_id={"type": "string", "description": "only calls by this workspace's tokens"},
    probability={"type": "number", "minimum": 0, "maximum": 1, "default": 1},
    count={"type": "integer", "minimum": 1, "description": "strike this many times, then stop"},
    error={"type": "string", "description": "answer {ok: false, error}"},
    status={"type": "integer", "description": "HTTP status of the answer"},
    retry_after={"type": "integer", "description": "HTTP 429 with this Retry-After"},
    latency_ms={"type": "integer", "description": "delay the answer"},
    drop_connection={"type": "boolean", "description": "close the socket, answer nothing"},
    when={
        "enum": ["before", "after"],
        "default": "before",
        "description": "after: the call takes effect, then its answer is replaced or lost",
    },
)
LIMITS = obj(
    enabled=BOOL,
    time_scale={"type": "number", "description": "0.01 turns a minute's window into 0.6 s"},
    window_seconds=NUM,
    methods={
        "type": "object",
        "additionalProperties": obj(tier=STR, per_minute=NUM, burst=INT, per=STR),
    },
)
EVENT_URL = {
    "type": "string",
    "description": "where Events API envelopes go; kept only once it answers url_verification",
}
COMMANDS = {
    **STRS,
    "description": "the slash commands the app registered ('/ilert'); only these reach it",
}
BOT_EVENTS = {
    "type": "array",
    "items": STR,
    "description": "bot events subscribed to: message.channels, app_mention, reaction_added, ...",
}


@dataclass(frozen=True)
class Route:
    verb: str
    path: str
    summary: str
    body: dict[str, Any] | None = None
    answer: dict[str, Any] = field(default_factory=lambda: OK)
    status: int = 200
    query: tuple[str, ...] = ()


CONTROL: tuple[Route, ...] = (
    Route("POST", "/_sim/reset", "Empty everything: state, faults, rate-limit settings, journal"),
    Route("GET", "/_sim/state", "A dump of workspaces, users, channels, apps and installs"),
    Route("GET", "/_sim/export", "The whole state as JSON, for POST /_sim/import", answer=ANY_OBJ),
    Route("POST", "/_sim/import", "Replace the state with an export", ANY_OBJ),
    Route("GET", "/_sim/openapi.json", "This document", answer=ANY_OBJ),
    Route(
        "POST",
        "/_sim/workspaces",
        "Create a workspace; answers Slack's team object",
        obj("name", name=STR, domain=STR),
        obj("id", id=STR, name=STR, domain=STR, url=STR),
        201,
    ),
    Route(
        "POST",
        "/_sim/workspaces/{team_id}/users",
        "Create a person; answers Slack's user object (with the e-mail)",
        obj("name", name=STR, email=STR, real_name=STR, is_admin=BOOL),
        obj("id", id=STR, name=STR, profile=ANY_OBJ),
        201,
    ),
    Route(
        "POST",
        "/_sim/workspaces/{team_id}/channels",
        "Create a channel; answers Slack's channel object and its members",
        obj("name", name=STR, is_private=BOOL, members=STRS),
        obj("id", id=STR, name=STR, is_private=BOOL, members=STRS),
        201,
    ),
    Route(
        "POST",
        "/_sim/channels/{channel_id}/invite",
        "Add a person or a bot user to a channel",
        obj("user", user=STR),
        obj(channel=ANY_OBJ, members=STRS),
    ),
    Route(
        "POST",
        "/_sim/channels/{channel_id}/archive",
        "Archive a channel (user: who archived it, for the channel_archive event and message)",
        obj(user=STR),
    ),
    Route(
        "POST",
        "/_sim/channels/{channel_id}/unarchive",
        "Unarchive a channel (user: who unarchived it, for the channel_unarchive event and"
        " message)",
        obj(user=STR),
    ),
    Route(
        "POST",
        "/_sim/channels/{channel_id}/rename",
        "Rename a channel, with Slack's channel-name rules (user: who renamed it, for the"
        " channel_name message)",
        obj("name", name=STR, user=STR),
        obj(channel=ANY_OBJ),
    ),
    Route(
        "POST",
        "/_sim/channels/{channel_id}/leave",
        "A person or a bot leaves the channel",
        obj("user", user=STR),
        obj(channel=ANY_OBJ, members=STRS),
    ),
    Route(
        "POST",
        "/_sim/channels/{channel_id}/messages",
        "A person writes a message (thread_ts: in a thread); apps get message and app_mention",
        obj("user", "text", user=STR, text=STR, thread_ts=STR),
        obj(message=ANY_OBJ),
        201,
    ),
    Route(
        "POST",
        "/_sim/channels/{channel_id}/reactions",
        "A person adds an emoji reaction (name without colons) to a message",
        obj("user", "ts", "name", user=STR, ts=STR, name=STR),
        obj(message=ANY_OBJ),
    ),
    Route(
        "POST",
        "/_sim/channels/{channel_id}/reactions/remove",
        "A person takes back an emoji reaction",
        obj("user", "ts", "name", user=STR, ts=STR, name=STR),
        obj(message=ANY_OBJ),
    ),
    Route(
        "GET",
        "/_sim/channels/{channel_id}/messages",
        "Messages oldest first, with blocks, edited marks and thread replies",
        answer=obj(channel=ANY_OBJ, messages={"type": "array", "items": ANY_OBJ}),
        query=("user_id",),
    ),
    Route(
        "POST",
        "/_sim/apps",
        "Register an app; given client id and secrets are kept",
        obj(
            "name",
            name=STR,
            request_url=STR,
            redirect_urls=STRS,
            client_id=STR,
            client_secret=STR,
            signing_secret=STR,
            event_request_url=EVENT_URL,
            bot_events=BOT_EVENTS,
            commands=COMMANDS,
        ),
        obj("id", id=STR, client_id=STR, client_secret=STR, signing_secret=STR),
        201,
    ),
    Route("GET", "/_sim/apps/{app_id}", "An app and its credentials", answer=ANY_OBJ),
    Route(
        "PATCH",
        "/_sim/apps/{app_id}",
        "Change an app's name, request URLs, redirect URLs or event subscriptions",
        obj(
            name=STR,
            request_url=STR,
            redirect_urls=STRS,
            event_request_url=EVENT_URL,
            bot_events=BOT_EVENTS,
            commands=COMMANDS,
        ),
        ANY_OBJ,
    ),
    Route(
        "POST",
        "/_sim/apps/{app_id}/install",
        "Install without a browser; answers the bot token",
        obj("team_id", "scopes", team_id=STR, scopes=STRS),
        obj(access_token=STR, bot_user_id=STR, bot_id=STR, scopes=STRS),
        201,
    ),
    Route(
        "POST",
        "/_sim/actions/command",
        "A person runs a slash command; answers what the app answered",
        obj(
            "channel_id",
            "user_id",
            "command",
            channel_id=STR,
            user_id=STR,
            command=STR,
            text=STR,
            team_id=STR,
            app_id=STR,
        ),
        REPORT,
    ),
    Route(
        "POST",
        "/_sim/actions/click",
        "A person clicks a button (by label or action_id) on a message or in a modal",
        {**ELEMENT, "properties": {**ELEMENT["properties"], "label": STR, "value": STR}},
        REPORT,
    ),
    Route(
        "POST",
        "/_sim/actions/select",
        "A person picks an option (label or value) of a static select; with `query`, types it "
        "into an external select (block_suggestion) and picks `option` among the app's answers",
        {
            **ELEMENT,
            "required": ["user_id", "option"],
            "properties": {
                **ELEMENT["properties"],
                "option": STR,
                "unlisted": {
                    "type": "boolean",
                    "description": "send an option the menu does not offer (a tampered client)",
                },
                "query": {
                    "type": "string",
                    "description": "what the person types into an external select",
                },
            },
        },
        REPORT,
    ),
    Route(
        "POST",
        "/_sim/actions/type",
        "A person types `query` into an external select: block_suggestion goes to the app; "
        "answers the options it offered (none if its answer breaks Slack's rules)",
        {
            **ELEMENT,
            "required": ["user_id"],
            "properties": {**ELEMENT["properties"], "query": STR},
        },
        {
            **REPORT,
            "properties": {
                **REPORT["properties"],
                "options": {"type": "array", "items": ANY_OBJ},
                "delivered": BOOL,
            },
        },
    ),
    Route(
        "POST",
        "/_sim/actions/submit-view",
        "A person submits the modal on top. values: {block_id: {action_id: value}} or "
        "{input label: value}; answers the app's response_action and the view now on top",
        obj("view_id", "user_id", view_id=STR, user_id=STR, values=ANY_OBJ),
        {
            **REPORT,
            "properties": {
                **REPORT["properties"],
                "response_action": {"enum": [None, "errors", "update", "push", "clear"]},
                "errors": ANY_OBJ,
                "view": ANY_OBJ,
                "closed": BOOL,
            },
        },
    ),
    Route(
        "POST",
        "/_sim/actions/close-view",
        "A person closes the modal on top; view_closed goes out if notify_on_close",
        obj("view_id", "user_id", view_id=STR, user_id=STR),
        obj(ok=BOOL, notified=BOOL, cleared=BOOL, view=ANY_OBJ),
    ),
    Route(
        "GET",
        "/_sim/views",
        "Open modal stacks, bottom first",
        answer=obj(stacks={"type": "array", "items": ANY_OBJ}),
        query=("user_id",),
    ),
    Route(
        "GET",
        "/_sim/events",
        "Events API deliveries: counts and the recent ones with their attempts",
        answer=obj(
            pending=INT,
            in_flight=INT,
            delivered=INT,
            failed=INT,
            items={"type": "array", "items": ANY_OBJ},
        ),
    ),
    Route(
        "POST",
        "/_sim/events/wait",
        "Wait (timeout seconds, at most 60) until no event is in flight or due",
        obj(timeout=NUM),
        obj(idle=BOOL, pending=INT),
    ),
    Route(
        "GET",
        "/_sim/journal",
        "Recent Web API calls, oldest first, with the faults that struck them",
        answer=obj(entries={"type": "array", "items": ANY_OBJ}),
        query=("method", "team_id", "limit"),
    ),
    Route(
        "GET",
        "/_sim/faults",
        "The active fault rules",
        answer=obj(faults={"type": "array", "items": FAULT}),
    ),
    Route("POST", "/_sim/faults", "Add a fault rule; answers it with its id", FAULT, FAULT, 201),
    Route("DELETE", "/_sim/faults", "Remove every fault rule"),
    Route("DELETE", "/_sim/faults/{fault_id}", "Remove one fault rule"),
    Route("GET", "/_sim/rate-limits", "Rate-limit settings and each method's limit", None, LIMITS),
    Route(
        "POST",
        "/_sim/rate-limits",
        "Switch rate limits on or off, scale their windows, override a method's limit",
        obj(
            enabled=BOOL,
            time_scale=NUM,
            overrides={
                "type": "object",
                "additionalProperties": obj(per_minute=NUM, burst=INT),
            },
        ),
        LIMITS,
    ),
    Route(
        "POST",
        "/_sim/clock/advance",
        "Move the virtual domain clock forward",
        obj("seconds", seconds=NUM),
        obj(now=NUM),
    ),
)


def control_routes() -> list[tuple[str, str]]:
    return [(route.verb, route.path) for route in CONTROL]


def _operation(route: Route) -> dict[str, Any]:
    params = [name.strip("{}") for name in route.path.split("/") if name.startswith("{")]
    operation: dict[str, Any] = {
        "summary": route.summary,
        "tags": ["control plane"],
        "parameters": [{"name": p, "in": "path", "required": True, "schema": STR} for p in params]
        + [{"name": q, "in": "query", "schema": STR} for q in route.query],
        "responses": {
            str(route.status): {
                "description": "done",
                "content": {"application/json": {"schema": route.answer}},
            },
            "4XX": {
                "description": "refused",
                "content": {"application/json": {"schema": ERROR}},
            },
        },
    }
    if route.body is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": route.body}}}
    return operation


def _web_api_operation(name: str) -> dict[str, Any]:
    spec = method_specs()[name]
    limit = limit_for(name, spec.tier)
    return {
        "summary": f"Slack's {name}",
        "tags": ["Web API"],
        "x-slack-rate-limit": limit.to_json(),
        "x-slack-bot-scopes": list(spec.bot_scopes),
        "x-slack-required-args": list(spec.required_args),
        "description": "Arguments as query string, form or JSON body; token as Bearer header "
        "or `token`. Errors are HTTP 200 {ok: false, error}; rate limits HTTP 429.",
        "responses": {"200": {"description": "{ok: true, ...} or {ok: false, error}"}},
    }


@cache
def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in CONTROL:
        paths.setdefault(route.path, {})[route.verb.lower()] = _operation(route)
    for name in sorted(method_specs()):
        operation = _web_api_operation(name)
        paths[f"/api/{name}"] = {"get": operation, "post": operation}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "fake Slack",
            "version": "1",
            "description": "Slack's Web API as slack_sdk and Bolt see it, plus the /_sim/ "
            "control plane to seed, act, inject faults and switch rate limits.",
        },
        "paths": paths,
    }
