"""JSON as fake Slack reads it, keeps it and answers with it: orjson, one place.

A message's content is kept as compact JSON bytes (`entities.Message`), so every post encodes it
once and every answer that shows it would parse it again, only for Flask to encode it once more.
orjson encodes a 20-block message ten times faster than the standard library, parses it twice as
fast, and its `Fragment` puts JSON text that is already at hand into an answer as it is, with no
parse and no encode (`bench/slack_webapi.py` measures the whole post).

Reading is strict where Slack's parser is: no `NaN` or `Infinity`, no number beyond a double,
no trailing comma, no lone UTF-16 surrogate (`"\\ud800"`), nothing nested deeper than 1,024.
An integer beyond 64 bits is read as a float, as a PHP-style parser reads it.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

Fragment = orjson.Fragment

_OPTIONS = orjson.OPT_NON_STR_KEYS
# For what orjson refuses to write (an integer beyond 64 bits made in code, say): the standard
# library, which writes it exactly.
_fallback = json.JSONEncoder(separators=(",", ":"), check_circular=False, default=str).encode


def loads(text: str | bytes) -> Any:
    """Raises `ValueError` (orjson's `JSONDecodeError` is one) for what is no JSON text."""
    return orjson.loads(text)


def dumps(value: Any) -> bytes:
    """Compact JSON, keys in the order they come, as UTF-8 bytes of their own size.

    Copied out, because the bytes orjson answers keep the whole buffer it wrote into (a 1 KB
    message held 8 KB: 100,000 stored messages held 400 MB more, `bench/memory.py`); and bytes,
    not text, because one character beyond Latin-1 (a dash, an emoji) makes all of a `str` two or
    four bytes a character. The copy costs half a microsecond."""
    try:
        return bytes(memoryview(orjson.dumps(value, option=_OPTIONS)))
    except orjson.JSONEncodeError:
        return _fallback(value).encode()


class SlackJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider on orjson: compact, keys in the order they come (as Slack's answers
    keep them), UTF-8 rather than `\\u` escapes, and `Fragment`s written as they are. Types orjson
    does not know go through Flask's own `default` (dates, decimals, `__html__`)."""

    sort_keys = False

    def encode(self, obj: Any) -> bytes:
        """`obj` as the UTF-8 bytes of an answer's body."""
        option = _OPTIONS | (orjson.OPT_SORT_KEYS if self.sort_keys else 0)
        try:
            return orjson.dumps(obj, default=self.default, option=option)
        except orjson.JSONEncodeError:
            return json.dumps(obj, default=self.default, sort_keys=self.sort_keys).encode()

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return self.encode(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.encode(obj), mimetype=self.mimetype)
