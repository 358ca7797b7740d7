"""The connector's settings: peer URLs, Slack app credentials, the secret shared with ilert."""

from __future__ import annotations

from dataclasses import dataclass, field

# What the guide's features need; `users:read.email` is what automatic user mapping needs.
BOT_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:read",
    "groups:read",
    "channels:history",
    # Joining a public channel lets the bot read back its own messages there (exactly once).
    "channels:join",
    "groups:history",
    "users:read",
    "users:read.email",
    "team:read",
    # An alert's own channel: creating it and inviting its responders (public and private).
    "channels:manage",
    "groups:write",
)


@dataclass(frozen=True)
class ConnectorConfig:
    """What the connector knows of its surroundings: injected, never read from globals."""

    slack_url: str
    ilert_url: str
    public_url: str
    client_id: str
    client_secret: str
    signing_secret: str
    ilert_secret: str
    database_path: str
    scopes: tuple[str, ...] = BOT_SCOPES
    # Seconds a signed request from Slack or ilert may be old; Slack's own rule is five minutes.
    max_request_age: int = 300
    session_cookie_name: str = "connector_session"
    # Fake Slack's time scale for rate limits (1.0 is Slack's real windows).
    slack_time_scale: float = 1.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def slack_api_url(self) -> str:
        return f"{self.slack_url.rstrip('/')}/api/"

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url.rstrip('/')}/slack/oauth_redirect"

    @property
    def authorize_url(self) -> str:
        return f"{self.slack_url.rstrip('/')}/oauth/v2/authorize"
