"""The connector's Slack side: the gate before Bolt, the endpoint, and the Bolt app.

Bolt runs with `process_before_response` off (Bolt keeps it for FaaS, where nothing may run
after the answer): each listener acknowledges Slack at once in Bolt's listener thread and does
its work after, so a slow ilert never makes a person wait past Slack's three seconds. The
listeners are in `connector.listeners`, one module per Slack surface.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import Request, Response, jsonify
from slack_bolt import App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

from connector.config import ConnectorConfig
from connector.ilert_client import IlertClient
from connector.listeners import actions, commands, events, views
from connector.listeners.common import NOT_LINKED, SOMETHING_WENT_WRONG, Deps
from connector.signing import SlackSignature, slack_headers_readable
from connector.store import ConnectorStore

log = logging.getLogger(__name__)
Json = dict[str, Any]

# Bolt's listeners run on these threads, and each one acknowledges Slack from there: were they
# all busy with slow work, the next request's ack would wait for one. So there are many more
# of them than requests a person's clicks can have in flight at once.
LISTENER_THREADS = 64
OPTION_THREADS = 8


# Bolt's own answer to a request it will not take; every refusal here uses it too.
INVALID_REQUEST: Json = {"error": "invalid request"}


@dataclass(frozen=True)
class GateRefusal:
    status: int
    body: Json


class SlackRequestGate:
    """What Bolt cannot do right, done before Bolt sees a request from Slack.

    Bolt checks the signature, but it reads the body first: a body it could not read answered
    500 whoever sent it, and a timestamp that was not a number failed inside its check, answered
    200 by the listeners' error handler. Such requests are refused here (401 unsigned, 400 signed
    but unreadable). And a request seen before is refused: Slack signs each delivery afresh and
    never retries a slash command or an interaction, so the same signature twice within the
    signing window is a replay (remembered in the store, so a restart forgets none). Everything
    else goes on to Bolt, whose check stays the one that lets a request through.
    """

    def __init__(
        self,
        config: ConnectorConfig,
        store: ConnectorStore,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.signature = SlackSignature(
            config.signing_secret, max_age=config.max_request_age, clock=clock
        )
        self.max_age = config.max_request_age
        self.store = store
        self.clock = clock

    def refusal(
        self, body: bytes, headers: Mapping[str, str], query: bytes = b""
    ) -> GateRefusal | None:
        timestamp = headers.get("X-Slack-Request-Timestamp")
        signature = headers.get("X-Slack-Signature")
        if not slack_headers_readable(timestamp, signature):
            return GateRefusal(401, INVALID_REQUEST)
        signed = self.signature.is_valid(body, timestamp, signature)
        if not _readable(body, headers, query):
            return GateRefusal(400 if signed else 401, INVALID_REQUEST)
        replayed = (
            signed
            and not _is_events_api(body)
            and not self.store.first_use(
                signature or "", now=self.clock(), keep_for=2 * self.max_age
            )
        )
        return GateRefusal(401, INVALID_REQUEST) if replayed else None


class SlackEndpoint:
    """`POST /slack/events`: the gate, then Bolt.

    Bolt's own machinery (before any listener; the listeners' failures have their handler) trips
    over payloads no Slack sends, a view without a type for one; such a request is malformed and
    refused in Bolt's form rather than answered 500.
    """

    def __init__(self, bolt_app: App, gate: SlackRequestGate) -> None:
        self.handler = SlackRequestHandler(bolt_app)
        self.gate = gate

    def handle(self, request: Request) -> Response | tuple[Response, int]:
        refused = self.gate.refusal(request.get_data(), request.headers, request.query_string)
        if refused is not None:
            return jsonify(refused.body), refused.status
        try:
            return self.handler.handle(request)
        except (KeyError, TypeError, AttributeError, IndexError, ValueError):
            log.warning("Bolt could not take a signed request", exc_info=True)
            return jsonify(INVALID_REQUEST), 400


def _is_events_api(body: bytes) -> bool:
    """An Events API envelope: Slack retries events, and may sign a retry in the same second as
    the first try, so they are taken once by event id (connector.listeners.events), not refused
    by signature; a challenge (`url_verification`) changes nothing and is not remembered."""
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        return False
    kind = envelope.get("type") if isinstance(envelope, dict) else None
    return kind in ("url_verification", "event_callback")


def _readable(body: bytes, headers: Mapping[str, str], query: bytes) -> bool:
    """Whether Bolt can read the request: the same parse its Flask adapter does, in advance."""
    try:
        request = BoltRequest(
            body=body.decode("utf-8"), query=query.decode("utf-8"), headers=dict(headers)
        )
        # A payload whose JSON spells a lone surrogate ("\\ud800") holds text that can be
        # neither stored nor sent on: unreadable, as a body that is not UTF-8 is.
        json.dumps(request.body, ensure_ascii=False).encode("utf-8")
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
        return False
    return isinstance(request.body, dict)


def build_bolt_app(
    config: ConnectorConfig, store: ConnectorStore, installations: SQLite3InstallationStore
) -> App:
    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult | None:
        link = store.link_for_team(team_id or "")
        bot = installations.find_bot(enterprise_id=None, team_id=team_id) if link else None
        if bot is None:
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
        )

    app = App(
        signing_secret=config.signing_secret,
        client=WebClient(base_url=config.slack_api_url),
        authorize=authorize,
        # Off, as Bolt wants it off a FaaS: the ack goes out first, the work runs after it.
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="listener"),
        user_facing_authorize_error_message=NOT_LINKED,
    )

    @app.middleware
    def attach_ilert(context: BoltContext, next: Callable[[], None]) -> None:
        link = store.link_for_team(context.team_id or "")
        context["link"] = link
        if link is not None:
            context["ilert"] = IlertClient(config.ilert_url, link.integration_key)
        next()

    deps = Deps(
        config=config,
        store=store,
        work=ThreadPoolExecutor(OPTION_THREADS, thread_name_prefix="options"),
    )
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    events.register(app, config=config, store=store, installations=installations)

    @app.error
    def on_error(error: Exception, body: Json, respond: Respond | None) -> BoltResponse:
        """A listener failed after its ack: the person is told where Slack lets the app."""
        log.exception("listener failed for %s", body.get("type") or body.get("command"))
        if respond is not None:  # Bolt gives one where Slack sent a response_url
            try:
                respond(text=SOMETHING_WENT_WRONG, replace_original=False)
            except OSError:
                log.warning("could not tell the person that the listener failed")
        return BoltResponse(status=200, body=SOMETHING_WENT_WRONG)

    return app
