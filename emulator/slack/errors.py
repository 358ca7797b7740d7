"""Typed errors raised by the fake Slack model; the HTTP layers render them in one place each.

`SlackError` is a Web API error (HTTP 200, `{"ok": false, "error": code, **extra}`).
`SimError` is a control-plane or page error (a 4xx status with a JSON or HTML body).
"""

from __future__ import annotations

from typing import Any


class SlackError(Exception):
    """An error the Web API answers as `{"ok": false, "error": code, ...extra}`."""

    code = "internal_error"

    def __init__(self, code: str | None = None, **extra: Any) -> None:
        if code is not None:
            self.code = code
        self.extra = extra
        super().__init__(self.code)

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, **self.extra}


class NotAuthed(SlackError):
    code = "not_authed"


class InvalidAuth(SlackError):
    code = "invalid_auth"


class TokenRevoked(SlackError):
    code = "token_revoked"


class UnknownMethod(SlackError):
    code = "unknown_method"


class ChannelNotFound(SlackError):
    code = "channel_not_found"


class NotInChannel(SlackError):
    code = "not_in_channel"


class UserNotFound(SlackError):
    code = "user_not_found"


class MessageNotFound(SlackError):
    code = "message_not_found"


class InvalidArguments(SlackError):
    """A required argument is missing or malformed; Slack lists what in `response_metadata`."""

    code = "invalid_arguments"

    def __init__(self, message: str) -> None:
        super().__init__(response_metadata={"messages": [f"[ERROR] {message}"]})


class MissingScope(SlackError):
    code = "missing_scope"

    def __init__(self, needed: str, provided: list[str]) -> None:
        super().__init__(needed=needed, provided=",".join(provided))


class RateLimited(SlackError):
    """HTTP 429 with an integer `Retry-After` (seconds, rounded up, at least 1)."""

    code = "ratelimited"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = max(1, int(retry_after))


class SimError(Exception):
    """A control-plane error: HTTP `status` with `{"ok": false, "error": code, "message": ...}`."""

    def __init__(self, code: str, message: str = "", *, status: int = 400) -> None:
        self.code = code
        self.message = message or code
        self.status = status
        super().__init__(f"{code}: {self.message}")

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, "message": self.message}


class NotFound(SimError):
    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"{what}_not_found", f"no {what} {key!r}", status=404)
