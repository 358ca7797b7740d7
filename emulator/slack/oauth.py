"""The OAuth v2 install pages: sign in as a workspace user, consent, redirect with a code.

`GET /oauth/v2/authorize` accepts the URLs `slack_sdk`'s `AuthorizeUrlGenerator` builds. Errors
here are HTML pages (a person is looking), rendered in this blueprint's one error handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import (
    Blueprint,
    current_app,
    redirect,
    request,
    session,
    url_for,
)
from flask import (
    render_template as _render_template,
)
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from emulator.slack import consent
from emulator.slack.entities import Workspace
from emulator.slack.errors import SimError
from emulator.slack.models import App, SlackState, User
from emulator.slack.mrkdwn import visible

bp = Blueprint("slack_oauth", __name__)


@dataclass(frozen=True)
class AuthorizeRequest:
    client_id: str
    scope: str
    user_scope: str
    redirect_uri: str
    state: str

    @property
    def scopes(self) -> list[str]:
        return _split(self.scope)

    @property
    def user_scopes(self) -> list[str]:
        return _split(self.user_scope)

    def query(self) -> str:
        return urlencode(
            {
                "client_id": self.client_id,
                "scope": self.scope,
                "user_scope": self.user_scope,
                "redirect_uri": self.redirect_uri,
                "state": self.state,
            }
        )


def _split(scopes: str) -> list[str]:
    return [s.strip() for s in scopes.replace(" ", ",").split(",") if s.strip()]


def render_page(template: str, **context: Any) -> str:
    """A template of fake Slack's pages, drawn with every character a browser can show: a
    control character or a lone surrogate from any field becomes a visible stand-in (one pass
    over the page, so no field can be missed)."""
    return visible(_render_template(template, **context))


def _state() -> SlackState:
    return current_app.extensions["fakeslack"].state


@bp.errorhandler(SimError)
def _error_page(error: SimError) -> tuple[str, int]:
    return render_page("error.html", code=error.code, message=error.message), error.status


def _parse_authorize(values: MultiDict[str, str]) -> tuple[AuthorizeRequest, App]:
    app = _state().app_by_client_id(values.get("client_id", ""))
    if app is None:
        raise SimError("invalid_client_id", "No app has this client_id.")
    redirect_uri = values.get("redirect_uri", "") or (app.redirect_urls or [""])[0]
    if redirect_uri not in app.redirect_urls:
        raise SimError("bad_redirect_uri", f"{redirect_uri!r} is not a redirect URL of the app.")
    req = AuthorizeRequest(
        app.client_id,
        values.get("scope", ""),
        values.get("user_scope", ""),
        redirect_uri,
        values.get("state", ""),
    )
    if not req.scopes:
        raise SimError("invalid_scope", "The app asked for no scopes.")
    if req.user_scopes:
        # Refused before anything is installed: an install that Slack would complete with a
        # user token must not end here with a bot token alone.
        raise SimError(
            "user_scope_unsupported",
            f"{app.name} asks for user scopes ({', '.join(req.user_scopes)}): fake Slack issues"
            " bot tokens only, so it cannot install the app as asked. Nothing was installed."
            " Ask for bot scopes alone (`scope`) to install it here.",
        )
    return req, app


def _signed_in_user() -> User | None:
    user = _state().users.get(str(session.get("user_id", "")))
    # A reset empties the users while the browser keeps its cookie: treat it as signed out.
    return user if user is not None and not user.is_bot else None


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))


@bp.get("/oauth/v2/authorize")
def authorize_page() -> Response | str:
    req, app = _parse_authorize(request.args)
    user = _signed_in_user()
    if user is None:
        return redirect(url_for(".login", next=request.full_path))
    workspace = _state().workspaces[user.team_id]
    return render_page(
        "consent.html",
        app=app,
        workspace=workspace,
        user=user,
        req=req,
        questions=consent.questions(app.name, req.scopes, []),
        here=request.full_path,
    )


@bp.post("/oauth/v2/authorize")
def authorize_decision() -> Response:
    req, app = _parse_authorize(request.form)
    user = _signed_in_user()
    if user is None:
        return redirect(url_for(".login", next=f"{url_for('.authorize_page')}?{req.query()}"))
    if request.form.get("decision") != "allow":
        return redirect(_with_query(req.redirect_uri, error="access_denied", state=req.state))
    code = _state().issue_code(
        app,
        user_id=user.id,
        scopes=req.scopes,
        redirect_uri=req.redirect_uri,
    )
    return redirect(_with_query(req.redirect_uri, code=code, state=req.state))


def _safe_next(target: str) -> str:
    """Only a path on this host: an open redirect would let any page bounce users elsewhere."""
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc:
        if parts.netloc != request.host:
            return "/"
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))
    if not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def people_to_sign_in_as(state: SlackState) -> list[tuple[Workspace, list[User]]]:
    """Every workspace with the people one may sign in as (bots and deleted people left out)."""
    return [
        (workspace, [user for user in people if not user.deleted])
        for workspace, people in state.people_by_workspace()
    ]


@bp.get("/login")
def login() -> str:
    workspaces = people_to_sign_in_as(_state())
    return render_page(
        "login.html", workspaces=workspaces, next=_safe_next(request.args.get("next", ""))
    )


@bp.post("/login")
def login_submit() -> Response:
    user = _state().users.get(request.form.get("user_id", ""))
    if user is None or user.is_bot or user.deleted:
        raise SimError("user_not_found", "Pick a person of a workspace to sign in.")
    session["user_id"] = user.id
    return redirect(_safe_next(request.form.get("next", "")))


@bp.post("/logout")
def logout() -> Response:
    session.pop("user_id", None)
    target = _safe_next(request.form.get("next", ""))
    return redirect(url_for(".login", next=target))
