"""What Slack sends the app: `/ilert`, the channel menu's select and buttons, Accept and Resolve.

Listeners stay short: they find out who is acting, ask ilert on that person's behalf, and answer.
ilert decides what a person may do; the connector adds only Slack's own rules (private-team
sources are managed in ilert's web interface, never from Slack).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Request, Response, jsonify
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

from connector import blocks
from connector.config import ConnectorConfig
from connector.ilert_client import IlertApiError, IlertClient
from connector.listeners import events
from connector.people import Refusal, ilert_user_for
from connector.signing import SlackSignature, slack_headers_readable
from connector.store import ChannelBusy, ConnectorStore, WorkspaceLink

log = logging.getLogger(__name__)
Json = dict[str, Any]

NOT_LINKED = (
    ":link: This Slack workspace is not connected to ilert yet. An ilert Admin can connect it in "
    "ilert: ⚙ → Connectors → Slack Workspace Integration → *Authorize*."
)
PRIVATE_TEAM_SOURCE = (
    ":lock: This alert source belongs to a private team in ilert. Alert sources of private teams "
    "can be published to Slack only from ilert's web interface, on the alert source's "
    "*Alert actions* tab."
)
NO_SOURCES_TO_ALERT = (
    ":information_source: ilert shows you no alert sources, so there is none to create an alert "
    "on. Alert sources are made in ilert; if there are some, an ilert Admin can add you to the "
    "team that owns them."
)
MENU_TEXT = "Manage the alert sources for this channel."
ILERT_UNAVAILABLE = (
    ":warning: ilert is not answering as it should right now, so nothing was changed. Please try "
    "again in a moment."
)
SOMETHING_WENT_WRONG = ":warning: ilert could not complete this. Please try again in a moment."
# Published for a channel linked from Slack: the guide's updates (FAQ-2); ilert can change it.
DEFAULT_TRIGGER_TYPES = [
    "alert-created",
    "alert-assigned",
    "alert-auto-escalated",
    "alert-acknowledged",
    "alert-resolved",
]


def is_private_team_source(source: Json) -> bool:
    return any(team.get("visibility") == "PRIVATE" for team in source.get("teams") or [])


CHANNEL_BUSY = (
    ":hourglass: Someone else is changing this channel's alert sources right now. Please try "
    "again in a moment."
)
STALE_MENU = ":arrows_counterclockwise: This menu is out of date. Type `/ilert` for a fresh one."


def not_visible_to_you(what: str, person: Json) -> str:
    role = str(person.get("role") or "").title() or "your role"
    return (
        f":lock: ilert does not let you see {what}: it belongs to a team you are not a member of "
        f"(your ilert role: {role}). Ask an ilert Admin to add you to that team, or ask someone "
        "in it to make the change."
    )


def person_refusal(
    refusal: IlertApiError, person: Json, what: str, *, exists: Callable[[], Any] | None = None
) -> Refusal:
    """ilert's refusal of a person's request, in words for them. ilert answers 404 alike for
    what does not exist and for what the person may not see; `exists`, a read with the
    connector's own key, tells the two apart."""
    if refusal.status == 401:
        return Refusal(NOT_LINKED)
    if refusal.status >= 500:
        return Refusal(ILERT_UNAVAILABLE)
    if refusal.status != 404:
        return Refusal(f":no_entry: {refusal.message}")
    if exists is not None and not _found(exists):
        return Refusal(f":grey_question: {what.capitalize()} no longer exists in ilert.")
    return Refusal(not_visible_to_you(what, person))


def _found(read: Callable[[], Any]) -> bool:
    try:
        read()
    except IlertApiError:
        return False
    return True


class ChannelConfiguration:
    """The `/ilert` menu of a channel: which alert sources publish there, as one person sees it.

    The menu lists every source the channel receives (read with the connector's own key: the
    channel shows their alerts to all its members anyway) and offers the sources the person may
    see. Every change runs on the person's behalf, so ilert decides whether they may make it,
    and under the store's claim on the channel, so two changes never interleave.
    """

    def __init__(
        self,
        *,
        ilert: IlertClient,
        link: WorkspaceLink,
        ilert_url: str,
        channel_id: str,
        person: Json,
        store: ConnectorStore,
    ) -> None:
        self.ilert = ilert
        self.link = link
        self.ilert_url = ilert_url.rstrip("/")
        self.channel_id = channel_id
        self.person = person
        self.store = store

    def source_url(self, source: Json) -> str:
        return f"{self.ilert_url}/alert-sources/{source['id']}"

    def alert_actions(self) -> list[Json]:
        """Every alert action that publishes to this channel."""
        actions = self.ilert.alert_actions(connector_id=self.link.connector_id)
        return [a for a in actions if (a.get("params") or {}).get("channelId") == self.channel_id]

    def linked(self) -> list[blocks.LinkedSource]:
        """One entry per source and alert action: an action may publish several sources."""
        return [
            blocks.LinkedSource(ref, self.source_url(ref), str(action["id"]))
            for action in self.alert_actions()
            for ref in action.get("alertSources") or []
        ]

    def offered(self, linked_ids: set[int]) -> list[Json]:
        sources = self.ilert.alert_sources(on_behalf_of=self.person["id"])
        return [s for s in sources if s["id"] not in linked_ids and not is_private_team_source(s)]

    def menu(
        self, notice: str | None = None, *, page: int = 0, showing: int | None = None
    ) -> list[Json]:
        """The menu at `page`, or at the page that lists the source `showing`."""
        linked = self.linked()
        if showing is not None:
            at = next((n for n, e in enumerate(linked) if e.source["id"] == showing), None)
            page = page if at is None else at // blocks.SOURCES_PER_PAGE
        offered = self.offered({e.source["id"] for e in linked})
        return blocks.channel_menu(linked=linked, offered=offered, notice=notice, page=page)

    def options(self, query: str) -> list[Json]:
        """What the menu's external select offers for `query` (more than 100 sources)."""
        offered = self.offered({e.source["id"] for e in self.linked()})
        return blocks.options_for(offered, query)

    def add(self, source_id: int, *, channel_name: str, slack_user_id: str) -> str:
        """Link a source to the channel; the notice to show. Refuses private-team sources."""
        source = self._source_for_person(source_id)
        if is_private_team_source(source):
            raise Refusal(PRIVATE_TEAM_SOURCE)
        with self._changing():
            if any(entry.source["id"] == source_id for entry in self.linked()):
                return blocks.source_already_linked_notice(source, self.source_url(source))
            try:
                self.ilert.create_alert_action(
                    self._alert_action(source, channel_name), on_behalf_of=self.person["id"]
                )
            except IlertApiError as refusal:
                raise self._refusal(
                    refusal, f"alert source {source_id}", source_id=source_id
                ) from refusal
        return blocks.source_added_notice(slack_user_id, source, self.source_url(source))

    def _source_for_person(self, source_id: int) -> Json:
        try:
            return self.ilert.alert_source(source_id, on_behalf_of=self.person["id"])
        except IlertApiError as refusal:
            what = f"alert source {source_id}"
            raise self._refusal(refusal, what, source_id=source_id) from refusal

    def _refusal(
        self, refusal: IlertApiError, what: str, *, source_id: int | None = None
    ) -> Refusal:
        def source_exists() -> Json:
            return self.ilert.alert_source(source_id or 0, on_behalf_of=None)

        exists = source_exists if source_id is not None else None
        return person_refusal(refusal, self.person, what, exists=exists)

    @contextmanager
    def _changing(self) -> Iterator[None]:
        try:
            with self.store.channel_change(self.link.team_id, self.channel_id):
                yield
        except ChannelBusy as busy:
            raise Refusal(CHANNEL_BUSY) from busy

    def _alert_action(self, source: Json, channel_name: str) -> Json:
        return {
            "name": f"Slack #{channel_name}",
            "alertSources": [{"id": source["id"]}],
            "connectorId": self.link.connector_id,
            "connectorType": "slack",
            "triggerMode": "AUTOMATIC",
            "triggerTypes": DEFAULT_TRIGGER_TYPES,
            "params": {
                "channelId": self.channel_id,
                "channelName": channel_name,
                "teamId": self.link.team_id,
                "teamDomain": self.link.team_domain,
            },
        }

    def remove(self, button_value: str, *, slack_user_id: str) -> str:
        """Take one source off the channel: off its alert action, and the action with it when
        that was its last source. Removing what is already gone says so and changes nothing."""
        try:
            alert_action_id, source_id, _ = blocks.parse_remove_value(button_value)
        except ValueError as stale:
            raise Refusal(STALE_MENU) from stale
        with self._changing():
            action = next((a for a in self.alert_actions() if str(a["id"]) == alert_action_id), {})
            sources = action.get("alertSources") or []
            source = next((ref for ref in sources if ref["id"] == source_id), None)
            if source is None:
                return blocks.source_not_linked_notice(source_id)
            try:
                self._take_off(alert_action_id, source_id, last=len(sources) == 1)
            except IlertApiError as refusal:
                raise self._refusal(refusal, "this alert source's link") from refusal
        return blocks.source_removed_notice(slack_user_id, source, self.source_url(source))

    def _take_off(self, alert_action_id: str, source_id: int, *, last: bool) -> None:
        on_behalf_of = self.person["id"]
        if last:
            self.ilert.delete_alert_action(alert_action_id, on_behalf_of=on_behalf_of)
            return
        # remove-source changes the one source in ilert's own transaction; a PUT of the whole
        # list would check the other sources again (a private team's source named with them
        # would make ilert refuse the change) and could undo a change made in ilert meanwhile.
        self.ilert.remove_alert_action_source(alert_action_id, source_id, on_behalf_of=on_behalf_of)


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
        # Answer only once the work is done, so Slack (and a test) sees the outcome in the reply.
        process_before_response=True,
        user_facing_authorize_error_message=NOT_LINKED,
    )

    @app.middleware
    def attach_ilert(context: Any, next: Any) -> None:
        link = store.link_for_team(context.team_id or "")
        context["link"] = link
        if link is not None:
            context["ilert"] = IlertClient(config.ilert_url, link.integration_key)
        next()

    def person_for(context: Any, client: WebClient, slack_user_id: str) -> Json:
        authorized = context.get("authorize_result")
        return ilert_user_for(
            slack_user_id,
            slack=client,
            ilert=context["ilert"],
            scopes=authorized.bot_scopes if authorized is not None else None,
        )

    def channel_configuration(
        context: Any, client: WebClient, channel_id: str, slack_user_id: str
    ) -> ChannelConfiguration:
        return ChannelConfiguration(
            ilert=context["ilert"],
            link=context["link"],
            ilert_url=config.ilert_url,
            channel_id=channel_id,
            person=person_for(context, client, slack_user_id),
            store=store,
        )

    @app.command("/ilert")
    def ilert_command(ack: Any, command: Json, client: WebClient, context: Any) -> None:
        if command.get("text", "").strip().lower() == "alert":
            open_create_alert_form(ack, command, client, context)
            return
        try:
            menu = channel_configuration(
                context, client, command["channel_id"], command["user_id"]
            ).menu()
        except (Refusal, IlertApiError) as refusal:
            ack(text=_refusal_text(refusal))
            return
        ack(text=MENU_TEXT, blocks=menu)

    def menu_change(change: Callable[[ChannelConfiguration, Json, str], tuple[str, Any]]) -> Any:
        """A click in the menu: `change` makes it and says what to show; the menu is redrawn."""

        def handle(ack: Any, body: Json, client: WebClient, context: Any, respond: Any) -> None:
            ack()
            user_id = body["user"]["id"]
            try:
                configuration = channel_configuration(
                    context, client, body["channel"]["id"], user_id
                )
                notice, where = change(configuration, body, user_id)
                menu = configuration.menu(notice, **where)
            except (Refusal, IlertApiError, ValueError, KeyError, TypeError) as refusal:
                respond(text=_refusal_text(refusal), replace_original=False)
                return
            respond(text=MENU_TEXT, replace_original=True, blocks=menu)

        return handle

    def add(configuration: ChannelConfiguration, body: Json, user_id: str) -> tuple[str, Any]:
        source_id = int(body["actions"][0]["selected_option"]["value"])
        channel_name = body["channel"].get("name", "")
        notice = configuration.add(source_id, channel_name=channel_name, slack_user_id=user_id)
        return notice, {"showing": source_id}

    def remove(configuration: ChannelConfiguration, body: Json, user_id: str) -> tuple[str, Any]:
        value = str(body["actions"][0]["value"])
        notice = configuration.remove(value, slack_user_id=user_id)
        return notice, {"page": blocks.parse_remove_value(value)[2]}

    def turn_page(_: ChannelConfiguration, body: Json, __: str) -> tuple[Any, Any]:
        return None, {"page": int(body["actions"][0]["value"])}

    app.action(blocks.ADD_SOURCE)(menu_change(add))
    app.action(blocks.REMOVE_SOURCE)(menu_change(remove))
    app.action(blocks.MENU_PREVIOUS)(menu_change(turn_page))
    app.action(blocks.MENU_NEXT)(menu_change(turn_page))

    @app.options(blocks.ADD_SOURCE)
    def offer_sources(ack: Any, body: Json, client: WebClient, context: Any) -> None:
        """The menu's external select, once more than 100 sources could be added."""
        try:
            channel = (body.get("channel") or {}).get("id") or ""
            configuration = channel_configuration(context, client, channel, body["user"]["id"])
            options = configuration.options(str(body.get("value") or ""))
        except (Refusal, IlertApiError):
            options = []
        ack(options=options)

    @app.options(blocks.FORM_SOURCE)
    @app.options(blocks.FORM_POLICY)
    def offer_form_options(ack: Any, body: Json, client: WebClient, context: Any) -> None:
        """The create-alert form's external selects, for more than 100 sources or policies."""
        try:
            person = person_for(context, client, body["user"]["id"])
            ilert: IlertClient = context["ilert"]
            items = (
                ilert.alert_sources(on_behalf_of=person["id"])
                if body.get("action_id") == blocks.FORM_SOURCE
                else ilert.escalation_policies(on_behalf_of=person["id"])
            )
        except (Refusal, IlertApiError):
            items = []
        ack(options=blocks.form_options(items, str(body.get("value") or "")))

    @app.command("/il-alert")
    def open_create_alert_form(ack: Any, command: Json, client: WebClient, context: Any) -> None:
        try:
            person = person_for(context, client, command["user_id"])
            ilert: IlertClient = context["ilert"]
            sources = ilert.alert_sources(on_behalf_of=person["id"])
            if not sources:
                raise Refusal(NO_SOURCES_TO_ALERT)
            form = blocks.create_alert_form(
                sources=sources,
                policies=ilert.escalation_policies(on_behalf_of=person["id"]),
                channel_id=command["channel_id"],
            )
            client.views_open(trigger_id=command["trigger_id"], view=form)
        except (Refusal, IlertApiError) as refusal:
            ack(text=_refusal_text(refusal))
            return
        ack()

    @app.view(blocks.CREATE_ALERT_CALLBACK)
    def submit_create_alert(
        ack: Any, body: Json, view: Json, client: WebClient, context: Any
    ) -> None:
        values = _form_values(view)
        if not values.get("summary", "").strip():
            ack(response_action="errors", errors={"summary": "Enter a summary for the alert."})
            return
        try:
            person = person_for(context, client, body["user"]["id"])
            alert = create_alert(context["ilert"], person, _new_alert(values))
        except (Refusal, IlertApiError, ValueError) as refusal:
            ack(response_action="errors", errors={"source": _refusal_text(refusal)})
            return
        ack()
        channel = view.get("private_metadata")
        if channel:
            try:
                client.chat_postEphemeral(
                    channel=channel,
                    user=body["user"]["id"],
                    text=blocks.alert_created_notice(alert),
                )
            except SlackApiError:
                log.info("could not confirm alert %s in %s", alert["id"], channel)

    def alert_button(verb: str) -> Any:
        def handle(ack: Any, body: Json, client: WebClient, context: Any, respond: Any) -> None:
            ack()
            ilert: IlertClient = context["ilert"]
            try:
                person = person_for(context, client, body["user"]["id"])
                alert_id = int(body["actions"][0]["value"])
            except (Refusal, IlertApiError, ValueError) as refusal:
                respond(text=_refusal_text(refusal), replace_original=False)
                return
            change = ilert.accept_alert if verb == "accept" else ilert.resolve_alert
            try:
                alert = change(alert_id, on_behalf_of=person["id"])
            except IlertApiError as failure:
                refused = person_refusal(
                    failure, person, f"alert {alert_id}", exists=lambda: ilert.alert(alert_id)
                )
                respond(text=refused.message, replace_original=False)
                return
            _show_alert_where_clicked(client, store, ilert, body, alert)

        return handle

    app.action(blocks.ACCEPT)(alert_button("accept"))
    app.action(blocks.RESOLVE)(alert_button("resolve"))

    events.register(app, config=config, store=store, installations=installations)

    @app.error
    def on_error(error: Exception, body: Json) -> BoltResponse:
        log.exception("listener failed for %s", body.get("type") or body.get("command"))
        return BoltResponse(status=200, body=SOMETHING_WENT_WRONG)

    return app


def _show_alert_where_clicked(
    client: WebClient, store: ConnectorStore, ilert: IlertClient, body: Json, alert: Json
) -> None:
    """Update the clicked message at once; ilert's events then update the other channels.

    Under the alert's lock and with the alert as ilert has it now: people clicking together
    finish in any order, and the answer to an earlier click must not overwrite a later state.
    """
    container = body.get("container") or {}
    channel_id, ts = container.get("channel_id"), container.get("message_ts")
    reference = store.message_at(channel_id or "", ts or "")
    if reference is None or reference.alert_id != alert["id"]:
        return
    with store.alert_lock(reference.alert_id):
        try:
            alert = ilert.alert(reference.alert_id)
        except (IlertApiError, OSError):
            log.info("showing alert %s as the click left it", reference.alert_id)
        _update_clicked(client, channel_id or "", ts or "", reference.alert_action_id, alert)


def _update_clicked(
    client: WebClient, channel_id: str, ts: str, alert_action_id: str, alert: Json
) -> None:
    try:
        client.chat_update(
            channel=channel_id,
            ts=ts,
            **blocks.alert_message(alert, alert_action_id=alert_action_id),
        )
    except SlackApiError:
        log.warning("could not update the clicked message %s in %s", ts, channel_id)


def _form_values(view: Json) -> dict[str, str]:
    """A submitted modal's inputs by block id: text as typed, selects by their value."""
    values: dict[str, str] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for action in actions.values():
            selected = action.get("selected_option") or {}
            values[block_id] = selected.get("value") or action.get("value") or ""
    return values


def _new_alert(values: dict[str, str]) -> Json:
    alert: Json = {
        "summary": values["summary"].strip(),
        "alertSource": {"id": int(values["source"])},
    }
    if values.get("details"):
        alert["details"] = values["details"]
    if values.get("policy"):
        alert["escalationPolicy"] = {"id": int(values["policy"])}
    return alert


def create_alert(ilert: IlertClient, person: Json, alert: Json) -> Json:
    """Create the alert on the person's behalf; ilert's refusal in words for them."""
    try:
        return ilert.create_alert(alert, on_behalf_of=person["id"])
    except IlertApiError as refusal:
        source_id = alert["alertSource"]["id"]
        # ilert refuses an alert source the person may not see with 400 "not found".
        if refusal.status == 400 and "not found" in refusal.message:
            refusal = IlertApiError(404, refusal.message)
        what = f"alert source {source_id}"
        raise person_refusal(
            refusal, person, what, exists=lambda: ilert.alert_source(source_id, on_behalf_of=None)
        ) from refusal


def _refusal_text(refusal: Exception) -> str:
    if isinstance(refusal, Refusal):
        return refusal.message
    if isinstance(refusal, IlertApiError):
        # A revoked integration key means ilert unlinked the workspace.
        if refusal.status == 401:
            return NOT_LINKED
        return ILERT_UNAVAILABLE if refusal.status >= 500 else f":no_entry: {refusal.message}"
    if isinstance(refusal, (ValueError, KeyError, TypeError)):
        # A payload whose values no menu of this app sends: an old or a tampered menu.
        return STALE_MENU
    return SOMETHING_WENT_WRONG
