"""Keep the lowercase spelling of `x-oauth-scopes` on the wire when waitress serves fake Slack.

Bolt reads `auth_test_result.headers.get("x-oauth-scopes")` from a plain dict that keeps the
server's spelling, so the header must go out in lowercase, as Slack sends it. Waitress
capitalises every response header name (`X-Oauth-Scopes`), so this wraps its header builder once,
per process, and restores the spelling of only the headers listed here. HTTP header names are
case-insensitive, so no other client or app notices.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

LOWERCASE_HEADERS = ("x-oauth-scopes",)

_installed = False
_lock = threading.Lock()


def _capitalised(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _restore(raw: bytes) -> bytes:
    for name in LOWERCASE_HEADERS:
        raw = raw.replace(f"\r\n{_capitalised(name)}: ".encode(), f"\r\n{name}: ".encode())
    return raw


def keep_lowercase_headers() -> None:
    """Idempotent; a no-op when waitress is not installed."""
    global _installed
    with _lock:
        if _installed:
            return
        try:
            from waitress.task import Task
        except ImportError:  # pragma: no cover - waitress is a dependency
            return
        original: Callable[[Any], bytes] = Task.build_response_header

        def build_response_header(self: Any) -> bytes:
            return _restore(original(self))

        Task.build_response_header = build_response_header  # type: ignore[method-assign]
        _installed = True
