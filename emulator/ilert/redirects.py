"""The one check for redirects to a target someone gave us: only a path of this site is followed.

A browser reads a Location header by the WHATWG URL rules: it drops tabs and newlines anywhere,
strips leading and trailing spaces and control characters, and takes a backslash for a slash.
So `/\t/evil.example/x` is `//evil.example/x` to it, another host. The check judges the target
as the browser will read it, and refuses any control character outright (a newline in a header
is a crash or a header injection, never a path).
"""

from __future__ import annotations

from urllib.parse import urlsplit


def same_origin_path(target: str) -> str | None:
    """`target` if a browser would stay on this site following it, else None."""
    if not target or target != target.strip() or any(_is_control(c) for c in target):
        return None
    seen_by_browser = target.replace("\\", "/")
    if not seen_by_browser.startswith("/") or seen_by_browser.startswith("//"):
        return None
    parts = urlsplit(seen_by_browser)
    if parts.scheme or parts.netloc:
        return None
    return target


def same_origin_url(target: str, origin: str) -> str | None:
    """`target` as an absolute URL of `origin` (a path, or a URL already under it), else None."""
    origin = origin.rstrip("/")
    if origin and target.startswith(origin + "/"):
        target = target[len(origin) :]
    path = same_origin_path(target)
    return None if path is None else origin + path


def _is_control(char: str) -> bool:
    return ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0
