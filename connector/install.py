"""The install flow: ilert's ticket in, Slack's OAuth v2 out and back, the workspace registered.

Bolt's `OAuthFlow` is not used because it can neither carry the ilert account through the OAuth
state nor refuse an install before storing it; its building blocks from `slack_sdk.oauth` are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import AuthorizeUrlGenerator
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

from connector.config import ConnectorConfig
from connector.ilert_client import IlertApiError, IlertClient, register_installation
from connector.signing import InstallTicket, InvalidSignature, verify_ticket
from connector.store import ConnectorStore, WorkspaceLink

log = logging.getLogger(__name__)

# The cookie that ties the OAuth callback to the browser that started the install.
STATE_COOKIE = "ilert_slack_oauth_state"
STATE_TTL_SECONDS = 600


class InstallRefused(Exception):
    """An install that must end with an error shown in ilert; `code` is machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class InstallStart:
    authorize_url: str
    state: str


class Installer:
    """Each step of the install, free of Flask so it can be tested on its own."""

    def __init__(
        self,
        config: ConnectorConfig,
        store: ConnectorStore,
        installations: SQLite3InstallationStore,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.store = store
        self.installations = installations
        self.states = SQLite3OAuthStateStore(
            database=config.database_path, expiration_seconds=STATE_TTL_SECONDS
        )
        self.clock = clock
        self.urls = AuthorizeUrlGenerator(
            client_id=config.client_id,
            scopes=list(config.scopes),
            redirect_uri=config.redirect_uri,
            authorization_url=config.authorize_url,
        )

    def read_ticket(self, raw: str | None) -> InstallTicket:
        if not raw:
            raise InstallRefused(
                "missing_ticket", "Start the installation from ilert's Connectors page."
            )
        try:
            return verify_ticket(raw, secret=self.config.ilert_secret, now=self.clock())
        except InvalidSignature as error:
            raise InstallRefused("invalid_ticket", str(error)) from error

    def start(self, raw_ticket: str | None) -> InstallStart:
        ticket = self.read_ticket(raw_ticket)
        state = self.states.issue()
        self.store.bind_ticket(state, ticket.raw, at=self.clock())
        return InstallStart(self.urls.generate(state), state)

    def ticket_for_callback(self, state: str | None, cookie_state: str | None) -> InstallTicket:
        """The ticket of a callback whose state is genuine, fresh, unused and this browser's."""
        started = self.store.pending_since(state) if state else None
        if started is None:
            raise InstallRefused(
                "invalid_state",
                "This installation link has expired or was already used. "
                "Start again from ilert's Connectors page.",
            )
        # Age first: the browser's state cookie lives as long as the state, so after that time
        # a missing cookie says the link is old, not that another browser came back.
        if self.clock() - started > STATE_TTL_SECONDS:
            self.store.take_ticket(state)
            raise InstallRefused(
                "invalid_state",
                f"This installation link has expired: an installation must be finished within "
                f"{STATE_TTL_SECONDS // 60} minutes. Start again from ilert's Connectors page.",
            )
        if state != cookie_state:
            raise InstallRefused(
                "invalid_state",
                "The installation was started in another browser, or this browser did not keep "
                "its cookie. Finish it in the browser that started it, or start again from "
                "ilert's Connectors page.",
            )
        ticket = self.store.take_ticket(state)
        if not self.states.consume(state) or ticket is None:
            raise InstallRefused(
                "invalid_state", "This installation link has expired or was already used."
            )
        return self.read_ticket(ticket)

    def finish(
        self, ticket: InstallTicket, *, code: str | None, error: str | None
    ) -> WorkspaceLink:
        if error:
            raise InstallRefused(error, "Access to the Slack workspace was not allowed.")
        if not code:
            raise InstallRefused("missing_code", "Slack did not send an authorization code.")
        installation, workspace_url = self._exchange(code)
        team_id = installation.team_id or ""
        try:
            self._refuse_other_accounts_workspace(team_id, ticket.account_id)
            link = self._register(ticket, installation, workspace_url)
        except InstallRefused:
            self._give_back(installation)
            raise
        self.installations.save(installation)
        self.store.save_link(link)
        return link

    def _give_back(self, installation: Installation) -> None:
        """Revoke a token the connector will not keep, unless another link already uses it."""
        if self.installations.find_bot(enterprise_id=None, team_id=installation.team_id):
            return
        try:
            WebClient(base_url=self.config.slack_api_url).auth_revoke(token=installation.bot_token)
        except SlackApiError as failure:
            log.warning("could not revoke a refused install: %s", failure.response.get("error"))

    def _exchange(self, code: str) -> tuple[Installation, str]:
        """The installation Slack grants for `code`, and the workspace's URL."""
        client = WebClient(base_url=self.config.slack_api_url)
        try:
            oauth = client.oauth_v2_access(
                client_id=self.config.client_id,
                client_secret=self.config.client_secret,
                code=code,
                redirect_uri=self.config.redirect_uri,
            )
            identity = client.auth_test(token=oauth["access_token"])
        except SlackApiError as failure:
            raise InstallRefused(
                "oauth_failed",
                f"Slack refused the authorization ({failure.response.get('error')}).",
            ) from failure
        installation = Installation(
            app_id=oauth.get("app_id"),
            team_id=oauth["team"]["id"],
            team_name=oauth["team"]["name"],
            bot_token=oauth["access_token"],
            bot_id=identity.get("bot_id"),
            bot_user_id=oauth.get("bot_user_id"),
            bot_scopes=oauth.get("scope", ""),
            user_id=(oauth.get("authed_user") or {}).get("id") or "",
            installed_at=self.clock(),
            token_type="bot",
        )
        return installation, str(identity.get("url") or "")

    def _refuse_other_accounts_workspace(self, team_id: str, account_id: int) -> None:
        existing = self.store.link_for_team(team_id)
        if existing and existing.account_id != account_id and self._still_linked(existing):
            raise InstallRefused(
                "workspace_linked_elsewhere",
                "This Slack workspace is already linked to another ilert account. "
                "A workspace can be linked to one ilert account only.",
            )

    def _still_linked(self, link: WorkspaceLink) -> bool:
        """Whether ilert still has the account's Slack connector (docs/contract.md, point 1).

        ilert unlinks a workspace by deleting the connector, which revokes the account's
        integration key, and does not tell the connector: a 401 or 404 means the link is stale,
        and the new install replaces it. Any other failure keeps it: a workspace is never
        taken from an account because ilert could not be asked.
        """
        ilert = IlertClient(self.config.ilert_url, link.integration_key)
        try:
            ilert.connector(link.connector_id)
        except IlertApiError as refusal:
            if refusal.status in (401, 404):
                log.info("the link of %s to account %s is stale", link.team_id, link.account_id)
                return False
            log.warning("could not confirm the link of %s: %s", link.team_id, refusal)
        except OSError as failure:
            log.warning("could not confirm the link of %s: %s", link.team_id, failure)
        return True

    def _register(
        self, ticket: InstallTicket, installation: Installation, workspace_url: str
    ) -> WorkspaceLink:
        granted = set(installation.bot_scopes or [])
        domain = (urlparse(workspace_url).hostname or "").split(".")[0]
        body = {
            "ticket": ticket.raw,
            "workspace": {
                "id": installation.team_id,
                "domain": domain,
                "name": installation.team_name,
                "url": workspace_url,
            },
            "scopes": sorted(granted),
            "missingScopes": [s for s in self.config.scopes if s not in granted],
        }
        try:
            answer = register_installation(self.config.ilert_url, body)
        except IlertApiError as refusal:
            raise InstallRefused("ilert_refused", refusal.message) from refusal
        return WorkspaceLink(
            team_id=installation.team_id or "",
            account_id=ticket.account_id,
            team_domain=domain,
            team_name=installation.team_name or "",
            connector_id=str(answer["connector"]["id"]),
            integration_key=answer["integrationKey"],
        )


def return_url(ticket: InstallTicket, **outcome: str) -> str:
    separator = "&" if "?" in ticket.return_url else "?"
    return f"{ticket.return_url}{separator}{urlencode(outcome)}"
