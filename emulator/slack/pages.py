"""The fake Slack web client for people: sign in, read channels, run slash commands, click and
pick in messages, fill in modals, invite the bot.

Server-rendered pages with a little plain JavaScript (`web/static/`). Thin: what a person does
goes to the actor and the model exactly as the control plane's `/_sim/actions/*` send it, and the
person who acts is always the signed-in user of the `fakeslack_session` cookie, never an id from
the form. The page keeps itself current by short polling `…/updates` with the versions it shows;
an unchanged page costs one fingerprint of what it shows and an empty 204, and no server thread
waits on an open page.

As on Slack, an ephemeral message and a modal live in the page they arrived in: opened anew,
a page shows neither from before. Text is drawn by `mrkdwn`, times in the viewer's profile zone.

A line that is not a slash command is posted as the person (`@name` becomes a mention), which
sends its Events API events. Where the client stops: people post no thread replies, threads open
under their message instead of in a side panel, and only static selects, buttons, plain-text
inputs, external selects in messages (a type-ahead) and the common layout blocks are drawn;
other elements show as a placeholder.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import marshal
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from markupsafe import Markup

from emulator.slack import actor as actor_module
from emulator.slack.entities import (
    SLACKBOT_ID,
    Channel,
    ChannelPage,
    ShownMessage,
    Target,
    User,
    WorkspaceOverview,
    format_ts,
    parse_ts,
    slackbot,
)
from emulator.slack.errors import NotFound, SimError
from emulator.slack.models import SlackState
from emulator.slack.mrkdwn import mrkdwn, plain, unformatted
from emulator.slack.oauth import people_to_sign_in_as, render_page

bp = Blueprint(
    "slack_pages",
    __name__,
    template_folder="web",
    static_folder="web/static",
    static_url_path="/client/static",
)

PAGE_SIZE = 100
JSON_HEADER = "X-Fake-Slack-Client"

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


class SignInNeeded(Exception):
    """No person is signed in (or the one in the cookie is gone after a reset)."""


class PageError(Exception):
    """A page that cannot be shown to this person: rendered as Slack's error page."""

    def __init__(self, code: str, message: str, status: int = 404) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


# --- plumbing ----------------------------------------------------------------------------------


def _fake() -> Any:
    return current_app.extensions["fakeslack"]


def _state() -> SlackState:
    return _fake().state


def _base_url() -> str:
    return (_fake().public_url or request.host_url).rstrip("/")


def _wants_json() -> bool:
    return request.headers.get(JSON_HEADER) == "1"


def _found(lookup: Callable[[str], T], key: str) -> T | None:
    """What a model lookup finds, or None where it raises NotFound."""
    try:
        return lookup(key)
    except NotFound:
        return None


def _me() -> User:
    user = _found(_state().user, str(session.get("user_id", "")))
    # A reset empties the users while the browser keeps its cookie: treat it as signed out.
    if user is None or user.is_bot or user.deleted:
        raise SignInNeeded()
    return user


def _csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(16)
        session["csrf"] = token
    return token


def _checked_post(view: Callable[P, R]) -> Callable[P, R]:
    """A state-changing POST: the session's CSRF token must come with the form."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        sent = request.form.get("csrf", "")
        if not (sent.isascii() and secrets.compare_digest(sent, _csrf_token())):
            raise PageError("invalid_form", "The form has expired; reload the page.", 400)
        _note_since(str(kwargs.get("channel_id", "")))
        return view(*args, **kwargs)

    return wrapper


def _note_since(channel_id: str) -> None:
    """The channel's newest ts before the action: what it brings comes after."""
    channel = _found(_state().channel, channel_id) if channel_id else None
    g.since = format_ts(channel.last_micros) if channel else ""


# A global, not a context variable, so that imported macros see it too.
bp.add_app_template_global(_csrf_token, "csrf_token")


@bp.errorhandler(SignInNeeded)
def _sign_in(_: SignInNeeded) -> Any:
    if _wants_json():
        # The page's script polls or posts for a page: after signing in, back to the workspace.
        return jsonify({"ok": False, "redirect": url_for("slack_pages.home")})
    return redirect(url_for("slack_pages.home", next=request.path))


@bp.errorhandler(PageError)
@bp.errorhandler(SimError)
def _page_error(error: PageError | SimError) -> Any:
    """What the model refused, in words; the model's own refusals keep their status."""
    if _wants_json():
        # Always 200 for the page's own script: a 4xx would be a console error in the browser.
        return jsonify({"ok": False, "notice": error.message})
    return render_page("error.html", code=error.code, message=error.message), error.status


def _done(team_id: str, channel_id: str, notice: str = "", **extra: Any) -> Any:
    """The answer to a POST: JSON for the page's script, else back to the channel."""
    if _wants_json():
        return jsonify({"ok": not notice, "notice": notice, **extra})
    if notice:
        session["notice"] = notice
    _go_on_after_redirect()
    return redirect(url_for("slack_pages.channel_page", team_id=team_id, channel_id=channel_id))


def _go_on_after_redirect() -> None:
    """The page a POST redirects to is the same client going on: it keeps the modal and shows
    the ephemeral messages since the action began (`g.since`)."""
    session["since"] = getattr(g, "since", "")


# --- what a person sees ------------------------------------------------------------------------


def _message_key(message: ShownMessage) -> tuple[Any, ...]:
    """What of a message the page draws, for the fingerprint of the messages region."""
    return (
        message.ts,
        message.text,
        message.blocks,
        message.attachments,
        message.edited,
        message.ephemeral,
        message.username,
        message.icon_emoji,
        message.icon_url,
        message.broadcast,
        message.mrkdwn,
        [_message_key(r) for r in message.replies],
    )


def _page_version(page: ChannelPage) -> str:
    return _fingerprint([_message_key(m) for m in page.messages], page.older)


def _overview_version(overview: WorkspaceOverview) -> str:
    return _fingerprint(
        [
            (r.id, r.name, r.is_private, r.is_member, [b.id for b in r.bots], r.members)
            for r in overview.rows
        ],
        [b.id for b in overview.bots],
        [(d.id, d.label) for d in overview.dms],
        [u.id for u in overview.people],
    )


def _fingerprint(*parts: Any) -> str:
    try:
        data = marshal.dumps(parts)
    except ValueError:  # something marshal cannot write: slower, still exact enough
        data = repr(parts).encode()
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def _modal(state: SlackState, me: User) -> dict[str, Any] | None:
    """The modal on top of this person's newest stack, each input block with its block id."""
    stacks = state.open_views(me.id)
    if not stacks:
        return None
    view = dict(stacks[-1]["views"][-1])
    blocks, inputs = [], 0
    for block in view.get("blocks") or []:
        if isinstance(block, dict) and block.get("type") == "input":
            # The id the model gives an input without one (`modals.submission_values`).
            block = {**block, "block_id": str(block.get("block_id") or f"input-{inputs}")}
            inputs += 1
        blocks.append(block)
    view["blocks"] = blocks
    return view


def _modal_version(view: dict[str, Any] | None) -> str:
    return f"{view['id']}:{view['hash']}" if view else "none"


def _channel_for(me: User, team_id: str, channel_id: str) -> Channel:
    if team_id != me.team_id:
        raise PageError("team_not_found", "You are not a member of this workspace.")
    channel = _found(_state().channel, channel_id)
    if channel is None or channel.team_id != team_id:
        raise PageError("channel_not_found", "There is no such channel in this workspace.")
    if channel.is_private and me.id not in channel.members:
        raise PageError("channel_not_found", "This private channel is not one of yours.")
    return channel


@dataclass
class Regions:
    """The parts of the channel page that change on their own, each with its version."""

    versions: dict[str, str]
    context: dict[str, Any]


def _regions(me: User, channel: Channel, before: str, since: str) -> Regions:
    state = _state()
    overview = state.workspace_overview(me.team_id, me.id)
    page = state.channel_page(channel.id, viewer_id=me.id, before=before or None, limit=PAGE_SIZE)
    page = _arrived_since(page, since)
    modal = _modal(state, me)
    return Regions(
        {"c": _overview_version(overview), "m": _page_version(page), "v": _modal_version(modal)},
        {
            "me": me,
            "channel": channel,
            "row": overview.row(channel.id),
            "dm": overview.dm(channel.id),
            "sidebar": overview,
            "window": page,
            "before": before,
            "modal": modal,
            "modal_values": {},
            "modal_errors": {},
            "modal_notice": "",
            "names": _Names(state, me.tz),
        },
    )


def _arrived_since(page: ChannelPage, since: str) -> ChannelPage:
    """The page without the ephemeral messages from before `since`, the ts it was opened at.

    On Slack an ephemeral message lives in the client it arrived in and is gone after a reload;
    the model keeps it (the control plane shows what the app sent), the page does not.
    """
    opened = parse_ts(since) or 0

    def kept(message: ShownMessage) -> bool:
        return not message.ephemeral or (parse_ts(message.ts) or 0) > opened

    if all(kept(m) and all(kept(r) for r in m.replies) for m in page.messages):
        return page
    messages = [
        dataclasses.replace(m, replies=[r for r in m.replies if kept(r)])
        for m in page.messages
        if kept(m)
    ]
    return dataclasses.replace(page, messages=messages)


class _Names:
    """Display names for mentions and authors, looked up as the page draws, and the time zone
    the viewer reads times in (their profile's, as on Slack)."""

    def __init__(self, state: SlackState, zone: str = "UTC") -> None:
        self.state = state
        self.zone = zone

    def _person(self, user_id: str) -> User | None:
        if user_id == SLACKBOT_ID:
            return slackbot("")  # the same in every workspace
        return _found(self.state.user, user_id)

    def user(self, user_id: str) -> str:
        user = self._person(user_id)
        return user.name if user else user_id

    def author(self, user_id: str) -> str:
        user = self._person(user_id)
        return user.real_name or user.name if user else user_id

    def is_bot(self, user_id: str) -> bool:
        user = self._person(user_id)
        return bool(user and user.is_bot)

    def channel(self, channel_id: str) -> str:
        channel = _found(self.state.channel, channel_id)
        return channel.name if channel else channel_id


# --- pages -------------------------------------------------------------------------------------


@bp.get("/")
def home() -> Any:
    """The client's entry: who to sign in as, or straight to one's workspace.

    `?format=json`, or a client that does not ask for HTML (curl, requests), gets the service's
    JSON index instead.
    """
    # This rule is registered before the app's JSON index, so it is the one "/" matches.
    accept = request.accept_mimetypes
    if request.args.get("format") == "json" or (
        accept.best_match(["application/json", "text/html"]) == "application/json"
    ):
        return current_app.view_functions["index"]()
    try:
        me = _me()
    except SignInNeeded:
        return _sign_in_page()
    next_path = request.args.get("next", "")
    if next_path.startswith("/client/"):
        return redirect(next_path)
    return redirect(url_for(".workspace_page", team_id=me.team_id))


def _sign_in_page() -> str:
    workspaces = people_to_sign_in_as(_state())
    next_path = request.args.get("next", "")
    return render_page(
        "pages/home.html",
        workspaces=workspaces,
        next=next_path if next_path.startswith("/client/") else "/client",
    )


@bp.post("/client/sign-out")
@_checked_post
def sign_out() -> Any:
    session.pop("user_id", None)
    return redirect(url_for(".home"))


@bp.get("/client")
def own_workspace() -> Any:
    me = _me()
    return redirect(url_for(".workspace_page", team_id=me.team_id))


@bp.get("/client/<team_id>")
def workspace_page(team_id: str) -> Any:
    me = _me()
    if team_id != me.team_id:
        raise PageError("team_not_found", "You are not a member of this workspace.")
    rows = _state().workspace_overview(me.team_id, me.id).rows
    if not rows:
        raise PageError("no_channels", "This workspace has no channels yet.")
    first = next((r for r in rows if r.is_member), rows[0])
    return redirect(url_for(".channel_page", team_id=team_id, channel_id=first.id))


@bp.get("/client/<team_id>/<channel_id>")
def channel_page(team_id: str, channel_id: str) -> str:
    """A channel as a newly opened client shows it.

    Opened anew (a reload, a link), it shows no ephemeral message from before and closes the
    person's open modals, as Slack's client does; the page a form's POST comes back to (no
    JavaScript) is the same client going on, and keeps both.
    """
    me = _me()
    channel = _channel_for(me, team_id, channel_id)
    before = request.args.get("before", "")
    since = session.pop("since", None)
    if not isinstance(since, str):
        since = format_ts(channel.last_micros)
        _close_modals(me)
    regions = _regions(me, channel, before, since)
    return render_page(
        "pages/channel.html",
        versions=regions.versions,
        notice=session.pop("notice", ""),
        updates_url=url_for(
            ".updates", team_id=team_id, channel_id=channel_id, before=before or None, since=since
        ),
        **regions.context,
    )


def _close_modals(me: User) -> None:
    """Every modal of the person, closed as the person would (the app hears of it only if the
    view asked for `notify_on_close`)."""
    for stack in _state().open_views(me.id):
        for view in reversed(stack["views"]):
            try:
                _fake().actor.close_view(view["id"], me.id)
            except SimError:  # gone meanwhile, or the whole stack went with `clear_on_close`
                break


_REGION_TEMPLATES = {
    "c": ("sidebar", "pages/_sidebar.html", "header", "pages/_header.html"),
    "m": ("messages", "pages/_messages.html"),
    "v": ("modal", "pages/_modal.html"),
}


@bp.get("/client/<team_id>/<channel_id>/updates")
def updates(team_id: str, channel_id: str) -> Any:
    """What changed since the versions the page shows: 204 if nothing, else the new parts."""
    me = _me()
    channel = _channel_for(me, team_id, channel_id)
    regions = _regions(me, channel, request.args.get("before", ""), request.args.get("since", ""))
    changed = [k for k, v in regions.versions.items() if request.args.get(k) != v]
    if not changed:
        return Response(status=204)
    parts: dict[str, str] = {}
    for key in changed:
        names = _REGION_TEMPLATES[key]
        for name, template in zip(names[::2], names[1::2], strict=True):
            parts[name] = render_page(template, **regions.context)
    response = jsonify({"ok": True, "versions": regions.versions, "html": parts})
    response.headers["Cache-Control"] = "no-store"
    return response


# --- what a person does ------------------------------------------------------------------------


def _failure(what: str, report: dict[str, Any]) -> str:
    """Slack's words when the app did not answer as it should."""
    if report.get("ok"):
        return ""
    error = report.get("error") or "app_error"
    if error == "app_error":
        error = f"http_{report.get('status', 'error')}"
    return f'{what} failed with the error "{error}"'


@bp.post("/client/<team_id>/<channel_id>/command")
@_checked_post
def command(team_id: str, channel_id: str) -> Any:
    me = _me()
    channel = _channel_for(me, team_id, channel_id)
    line = request.form.get("text", "").strip()
    if not line:
        return _done(team_id, channel_id)
    if not line.startswith("/"):
        # A plain message, as the person: apps subscribed to its events hear of it.
        try:
            _state().post_as_user(channel.id, me.id, _state().with_mentions(team_id, line))
        except SimError as error:
            return _done(team_id, channel_id, f"Your message was not sent: {error.message}.")
        return _done(team_id, channel_id)
    name, _, text = line.partition(" ")
    try:
        report = _fake().actor.run_command(
            _base_url(),
            channel_id=channel.id,
            user_id=me.id,
            command=name,
            text=text.strip(),
            team_id=team_id,
        )
    except SimError as error:
        return _done(team_id, channel_id, f'{name} failed with the error "{error.code}"')
    if report.get("error") == "invalid_command":
        return _done(team_id, channel_id)  # Slackbot's answer is in the channel, for this page
    return _done(team_id, channel_id, _failure(name, report))


@bp.post("/client/<team_id>/dms")
@_checked_post
def open_direct_message(team_id: str) -> Any:
    """The person opens their DM with someone (a person or an installed app) and goes there."""
    me = _me()
    if team_id != me.team_id:
        raise PageError("team_not_found", "You are not a member of this workspace.")
    back = request.form.get("from", "")
    try:
        channel = _state().open_direct_message(team_id, me.id, request.form.get("user_id", ""))
    except SimError as error:
        if _found(_state().channel, back) is None:
            raise PageError(error.code, error.message, error.status) from None
        return _done(team_id, back, f"No direct message: {error.message}.")
    if _wants_json():
        target = url_for("slack_pages.channel_page", team_id=team_id, channel_id=channel.id)
        return jsonify({"ok": True, "notice": "", "redirect": target})
    return redirect(url_for("slack_pages.channel_page", team_id=team_id, channel_id=channel.id))


@bp.post("/client/<team_id>/<channel_id>/messages/<ts>/click")
@_checked_post
def click(team_id: str, channel_id: str, ts: str) -> Any:
    me = _me()
    channel = _channel_for(me, team_id, channel_id)
    form = request.form
    try:
        target = _state().find_element(
            channel_id=channel.id,
            message_ts=ts,
            user_id=me.id,
            kind="button",
            label=form.get("label", ""),
            action_id=form.get("action_id", ""),
            value=form.get("value", ""),
        )
        report = _fake().actor.interact(
            _base_url(), target, user_id=me.id, action=actor_module.button_action(target)
        )
    except SimError as error:
        return _done(team_id, channel_id, error.message)
    return _done(team_id, channel_id, _failure("The button", report))


@bp.post("/client/<team_id>/<channel_id>/messages/<ts>/select")
@_checked_post
def select(team_id: str, channel_id: str, ts: str) -> Any:
    me = _me()
    channel = _channel_for(me, team_id, channel_id)
    option = request.form.get("option", "")
    if not option:
        return _done(team_id, channel_id, "Choose an option first.")
    try:
        target = _state().find_element(
            channel_id=channel.id,
            message_ts=ts,
            user_id=me.id,
            kind="static_select",
            label=option,
            action_id=request.form.get("action_id", ""),
        )
        action = actor_module.select_action(target, option)
        report = _fake().actor.interact(_base_url(), target, user_id=me.id, action=action)
    except SimError as error:
        return _done(team_id, channel_id, error.message)
    return _done(team_id, channel_id, _failure("The menu", report))


@bp.get("/client/<team_id>/<channel_id>/messages/<ts>/suggest")
def suggest(team_id: str, channel_id: str, ts: str) -> Any:
    """The type-ahead of an external select: what the app offers for the text typed so far."""
    me = _me()
    channel = _channel_for(me, team_id, channel_id)
    try:
        target = _external_select(channel, ts, me, request.args.get("action_id", ""))
        report = _fake().actor.suggest(target, user_id=me.id, query=request.args.get("query", ""))
    except SimError as error:
        return jsonify({"ok": False, "notice": error.message, "options": []})
    labels = [o["text"]["text"] for o in report.get("options") or []]
    return jsonify({"ok": bool(report.get("ok")), "options": labels})


@bp.post("/client/<team_id>/<channel_id>/messages/<ts>/select-external")
@_checked_post
def select_external(team_id: str, channel_id: str, ts: str) -> Any:
    """The person typed an option's text (the type-ahead offers them) and chose it."""
    me = _me()
    channel = _channel_for(me, team_id, channel_id)
    option = request.form.get("option", "").strip()
    if not option:
        return _done(team_id, channel_id, "Type and choose an option first.")
    try:
        target = _external_select(channel, ts, me, request.form.get("action_id", ""))
        report = _fake().actor.pick_suggested(
            _base_url(), target, user_id=me.id, query=option, option_ref=option
        )
    except SimError as error:
        return _done(team_id, channel_id, error.message)
    return _done(team_id, channel_id, _failure("The menu", report))


def _external_select(channel: Channel, ts: str, me: User, action_id: str) -> Target:
    return _state().find_element(
        channel_id=channel.id,
        message_ts=ts,
        user_id=me.id,
        kind="external_select",
        action_id=action_id,
    )


@bp.post("/client/<team_id>/<channel_id>/invite")
@_checked_post
def invite_bot(team_id: str, channel_id: str) -> Any:
    """A member invites an installed app's bot: `/invite @ilert`, as a button."""
    me = _me()
    channel = _channel_for(me, team_id, channel_id)
    if me.id not in channel.members:
        return _done(team_id, channel_id, "Join the channel before inviting others.")
    bot_id = request.form.get("bot", "")
    bots = _state().workspace_overview(me.team_id, me.id).bots
    if bot_id not in {b.id for b in bots}:
        return _done(team_id, channel_id, "That app is not installed in this workspace.")
    _state().invite(channel.id, bot_id)
    return _done(team_id, channel_id)


def _view_form_values(view: dict[str, Any]) -> dict[str, str]:
    """The inputs of the modal as the form sent them, by block id."""
    values = {}
    for block in view.get("blocks") or []:
        if isinstance(block, dict) and block.get("type") == "input":
            values[block["block_id"]] = request.form.get(f"input:{block['block_id']}", "")
    return values


@bp.post("/client/<team_id>/<channel_id>/views/<view_id>/submit")
@_checked_post
def submit_view(team_id: str, channel_id: str, view_id: str) -> Any:
    me = _me()
    channel = _channel_for(me, team_id, channel_id)
    view = _modal(_state(), me)
    if view is None or view["id"] != view_id:
        return _done(team_id, channel_id, "This form is closed.")
    entered = _view_form_values(view)
    # An empty optional input is left out, so the model keeps its initial value (none).
    given = {k: v for k, v in entered.items() if v != ""}
    try:
        report = _fake().actor.submit_view(view_id, me.id, given)
    except SimError as error:
        return _modal_answer(team_id, channel, me, view, entered, {}, error.message)
    if report.get("errors"):
        errors = {str(k): str(v) for k, v in report["errors"].items()}
        return _modal_answer(team_id, channel, me, view, entered, errors, "")
    if not report.get("ok"):
        notice = "We had some trouble connecting. Try again?"
        return _modal_answer(team_id, channel, me, view, entered, {}, notice)
    return _done(team_id, channel_id)


def _modal_answer(
    team_id: str,
    channel: Channel,
    me: User,
    view: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str],
    notice: str,
) -> Any:
    """The modal stays open with what the person entered and what was wrong with it."""
    if not _wants_json():
        session["notice"] = notice or "; ".join(errors.values())
        _go_on_after_redirect()
        return redirect(url_for(".channel_page", team_id=team_id, channel_id=channel.id))
    context = _regions(me, channel, "", "").context
    context.update(modal=view, modal_values=values, modal_errors=errors, modal_notice=notice)
    return jsonify({"ok": False, "html": {"modal": render_page("pages/_modal.html", **context)}})


@bp.post("/client/<team_id>/<channel_id>/views/<view_id>/close")
@_checked_post
def close_view(team_id: str, channel_id: str, view_id: str) -> Any:
    me = _me()
    _channel_for(me, team_id, channel_id)
    try:
        _fake().actor.close_view(view_id, me.id)
    except SimError as error:
        return _done(team_id, channel_id, error.message)
    return _done(team_id, channel_id)


# --- drawing text ------------------------------------------------------------------------------


@bp.app_template_filter("slack_text")
def _text_filter(obj: Any, names: _Names | None = None) -> Markup:
    """A Block Kit text object (mrkdwn or plain_text) as HTML."""
    if isinstance(obj, str):
        return mrkdwn(obj, names)
    if not isinstance(obj, dict):
        return Markup("")
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn(text, names)
    return plain(text, emoji=obj.get("emoji", True) is not False)


def _moment(ts: str, zone: str) -> datetime:
    try:
        where: tzinfo = ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        where = UTC
    return datetime.fromtimestamp(float(ts or 0), UTC).astimezone(where)


@bp.app_template_filter("slack_unformatted")
def _unformatted_filter(text: str) -> Markup:
    """A message's text posted with `mrkdwn: false`."""
    return unformatted(text)


@bp.app_template_filter("slack_emoji")
def _emoji_filter(name: str) -> Markup:
    """An `icon_emoji` (`:rocket:`) as the glyph, or its name where fake Slack knows no glyph."""
    return plain(name)


@bp.app_template_filter("slack_time")
def _time_filter(ts: str, zone: str = "UTC") -> Markup:
    """A message's `<time>`: `4:04 PM CET` in the viewer's profile time zone, named, as Slack
    shows it (fake ilert names its person's zone the same way); the date in the tooltip."""
    moment = _moment(ts, zone)
    named = moment.tzname() or "UTC"
    return Markup(
        f'<time datetime="{moment.astimezone(UTC).isoformat(timespec="seconds")}" '
        f'title="{moment.strftime("%-d %b %Y, %H:%M:%S")} {named}">'
        f"{moment.strftime('%-I:%M %p')} {named}</time>"
    )


_NAMED_COLOURS = {"good": "#2eb886", "warning": "#daa038", "danger": "#a30200"}
_HEX_COLOUR = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@bp.app_template_filter("slack_colour")
def _colour_filter(colour: Any) -> str:
    """An attachment's colour bar: a hex colour or Slack's good / warning / danger."""
    colour = str(colour or "")
    if colour in _NAMED_COLOURS:
        return _NAMED_COLOURS[colour]
    match = _HEX_COLOUR.fullmatch(colour)
    return f"#{match.group(1)}" if match else "#dddddd"


@bp.app_template_filter("slack_initials")
def _initials_filter(name: str) -> str:
    parts = [p for p in re.split(r"[\s._-]+", name) if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"
