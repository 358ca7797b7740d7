"""Slack's mrkdwn and plain text as safe HTML, for the web client's pages.

Total and linear: any string renders, in time proportional to its length. Characters a page
cannot show (control characters, lone surrogates) are drawn as visible stand-ins, never passed
through; Slack's own clients do not show them either, and a lone surrogate cannot even be
encoded as UTF-8. What is drawn: links, mentions, channels, specials (`<!here>`), *bold*,
_italic_, ~strike~, `code`, ```code blocks```, emoji by name. Where it stops: no quotes (`>`),
no lists, no `<!date^…>` formatting (its fallback text is shown).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from markupsafe import Markup, escape

EMOJI = {
    "+1": "👍",
    "-1": "👎",
    "alarm_clock": "⏰",
    "arrow_double_up": "⏫",
    "arrow_up": "⬆️",
    "ballot_box_with_check": "☑️",
    "bell": "🔔",
    "bust_in_silhouette": "👤",
    "calendar": "📆",
    "clock3": "🕒",
    "exclamation": "❗",
    "eyes": "👀",
    "fire": "🔥",
    "gear": "⚙️",
    "heavy_check_mark": "✔️",
    "hourglass": "⌛",
    "information_source": "\u2139\ufe0f",
    "large_green_circle": "🟢",
    "large_yellow_circle": "🟡",
    "link": "🔗",
    "lock": "🔒",
    "mag": "🔍",
    "memo": "📝",
    "no_entry": "⛔",
    "pager": "📟",
    "question": "❓",
    "red_circle": "🔴",
    "robot_face": "🤖",
    "rocket": "🚀",
    "rotating_light": "🚨",
    "sos": "🆘",
    "speech_balloon": "💬",
    "tada": "🎉",
    "thumbsup": "👍",
    "warning": "⚠️",
    "wastebasket": "🗑️",
    "white_check_mark": "✅",
    "x": "❌",
    "zap": "⚡",
}


class Names(Protocol):
    """Display names for mentions, looked up as the page draws."""

    def user(self, user_id: str) -> str: ...

    def channel(self, channel_id: str) -> str: ...


# C0 controls but tab and newline, DEL, C1 controls, and lone surrogates.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode's Control Pictures: ␀ ␁ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def visible(text: str) -> str:
    """`text` with every character a page cannot show replaced by a visible stand-in."""
    if text.isprintable() or not _UNSHOWABLE.search(text):  # isprintable: the fast common case
        return text
    return _UNSHOWABLE.sub(_stand_in, text.replace("\r\n", "\n"))


_TOKEN = re.compile(r"<([^<>\n]+)>")
_CODE_BLOCK = re.compile(r"```(.+?)```", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_EMOJI = re.compile(r":([a-z0-9_+\-]+):")
_STYLES = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), "strong"),
    (re.compile(r"(?<![\w])_(?=\S)([^_\n]*?\S)_(?![\w])"), "em"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"), "del"),
)
_MARKS = re.compile(r"[*_~]")
_SAFE_URL = re.compile(r"^(https?:|mailto:)", re.I)
# A placeholder for HTML already drawn. The text holds no NUL once `visible` has run, so a
# placeholder can neither be forged nor appear by accident.
_HELD = re.compile("\x00([0-9]+)\x00")


class _Held:
    """HTML already drawn, kept out of the text while the rest is marked up.

    What is held never holds a placeholder itself (each is released as it is held), so one
    pass over the text puts everything back.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []

    def hold(self, html: str) -> str:
        self.parts.append(self.release(html))
        return f"\x00{len(self.parts) - 1}\x00"

    def release(self, text: str) -> str:
        if "\x00" not in text:
            return text
        return _HELD.sub(lambda m: self.parts[int(m.group(1))], text)


def _unslack(text: str) -> str:
    """Slack's escaped `&amp;`, `&lt;`, `&gt;` back to characters (before HTML escaping)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def emojify(escaped: str) -> str:
    if ":" not in escaped:
        return escaped
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), escaped)


def _named(target: str, label: str, lookup: Callable[[str], str] | None) -> str:
    return label or visible(lookup(target) if lookup else target)


def _token(body: str, names: Names | None) -> str:
    """One `<…>` of mrkdwn as HTML: a link, a mention, a channel or a special."""
    target, _, label = body.partition("|")
    if target.startswith("@"):
        name = _named(target[1:], label, names.user if names else None)
        return f'<span class="mention">@{escape(_unslack(name))}</span>'
    if target.startswith("#"):
        name = _named(target[1:], label, names.channel if names else None)
        return f'<span class="mention">#{escape(_unslack(name))}</span>'
    if target.startswith("!"):
        special = target[1:].split("^")[0]
        shown_as = label or ("@" + special)
        return f'<span class="mention">{escape(_unslack(shown_as))}</span>'
    url = _unslack(target)
    text = escape(_unslack(label or target))
    if not _SAFE_URL.match(url):
        return str(text)
    return f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{emojify(text)}</a>'


def mrkdwn(text: str, names: Names | None = None) -> Markup:
    """Slack's mrkdwn as safe HTML: links, mentions, *bold*, _italic_, ~strike~, code, emoji."""
    held = _Held()
    text = _TOKEN.sub(lambda m: held.hold(_token(m.group(1), names)), visible(text))
    out = str(escape(_unslack(text)))
    out = _CODE_BLOCK.sub(lambda m: held.hold(f"<pre>{m.group(1).strip(chr(10))}</pre>"), out)
    out = _CODE.sub(lambda m: held.hold(f"<code>{m.group(1)}</code>"), out)
    out = _styled(emojify(out), _STYLES, held)
    return Markup(held.release(out.replace("\n", "<br>")))


def _styled(text: str, styles: tuple[tuple[re.Pattern[str], str], ...], held: _Held) -> str:
    """*bold*, _italic_ and ~strike~, each span held once drawn: a later mark that starts
    inside a span and ends outside it is left as text, so the tags always nest."""
    if not styles or not _MARKS.search(text):
        return text
    (pattern, tag), rest = styles[0], styles[1:]

    def draw(match: re.Match[str]) -> str:
        return held.hold(f"<{tag}>{_styled(match.group(1), rest, held)}</{tag}>")

    return _styled(pattern.sub(draw, text), rest, held)


def plain(text: str, *, emoji: bool = True) -> Markup:
    """A `plain_text` object's text as HTML: escaped, emoji by name unless turned off."""
    out = str(escape(visible(text)))
    return Markup(emojify(out) if emoji else out)


def unformatted(text: str) -> Markup:
    """A message's text posted with `mrkdwn: false` ("Disable Slack markup parsing"): Slack's
    escapes undone and the rest drawn as it is, with no styles and no links."""
    return Markup(str(escape(visible(_unslack(text)))))
