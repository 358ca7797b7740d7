"""Drawing mrkdwn is total and linear: any text renders, as escaped, well-nested HTML, at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.slack.mrkdwn import mrkdwn, plain, visible

CONTROLS = [chr(c) for c in range(0x20)] + [chr(c) for c in range(0x7F, 0xA0)]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
TOKENS = [
    "*", "_", "~", "`", "```", "<", ">", "&", "|", ":", "!", "@", "#", "^", "\n", " ", "a", "7",
    "&amp;", "&lt;", "&gt;", "&amp;lt;", "<http://x|y>", "<https://e.test/a?b=1&amp;c=2>",
    "<mailto:a@b.test|mail>", "<javascript:alert(1)|no>", "<@U123>", "<@U123|al>", "<#C1>",
    "<#C1|general>", "<!here>", "<!channel>", "<!date^1392734382^{date}|Feb 18>", "<|>", "<>",
    ":tada:", ":white_check_mark:", ":not_an_emoji:", "\x00", "\x000\x00", "\x007\x00",
]  # fmt: skip
ALLOWED = {
    "strong": set(),
    "em": set(),
    "del": set(),
    "code": set(),
    "pre": set(),
    "br": set(),
    "span": {"class"},
    "a": {"href", "target", "rel"},
}
UNSHOWABLE = set(CONTROLS) - {"\t", "\n"} | {chr(c) for c in range(0xD800, 0xE000)}


def within(seconds: float, work: Callable[[], Any]) -> Any:
    """`work()`'s answer, or a failure if it takes longer: a hang must fail, not stall the run."""
    done: dict[str, Any] = {}

    def run() -> None:
        try:
            done["value"] = work()
        except BaseException as error:  # handed to the test below
            done["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    if "error" in done:
        raise done["error"]
    return done["value"]


class _Checked(HTMLParser):
    """Fails on a tag or attribute the renderer must not make, or on tags that do not nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED, tag
        assert {name for name, _ in attrs} <= ALLOWED[tag], (tag, attrs)
        if tag == "a":
            href = dict(attrs)["href"] or ""
            assert href.startswith(("http:", "https:", "mailto:")), href
        if tag != "br":
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, f"</{tag}> does not close the open tag"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_safe_html(html: str) -> str:
    """The page text of `html`, once checked."""
    html.encode("utf-8")  # a lone surrogate would fail here, as it fails the response
    assert not set(html) & UNSHOWABLE
    checked = _Checked()
    checked.feed(html)
    checked.close()
    assert not checked.open, f"left open: {checked.open}"
    return "".join(checked.text)


# --- the defects ------------------------------------------------------------------------------


def test_a_nul_in_the_text_is_drawn_and_does_not_hang() -> None:
    html = within(2, lambda: mrkdwn("a\u0000b"))

    assert html == "a\u2400b"


def test_what_looks_like_a_placeholder_is_drawn_as_text() -> None:
    html = within(2, lambda: mrkdwn("\u00007\u0000 and *\u00000\u0000*"))

    assert html == "\u24007\u2400 and <strong>\u24000\u2400</strong>"


@pytest.mark.parametrize("char", [c for c in CONTROLS if c not in "\t\n"] + SURROGATES)
def test_every_control_character_and_lone_surrogate_is_drawn_visibly(char: str) -> None:
    for draw in (mrkdwn, plain):
        html = within(2, lambda draw=draw: draw(f"x{char}y"))

        text = assert_safe_html(html)
        assert text.startswith("x") and text.endswith("y") and len(text) == 3


def test_a_windows_line_end_is_one_line_break() -> None:
    assert mrkdwn("one\r\ntwo") == "one<br>two"


def test_marks_that_overlap_are_left_as_text_so_the_tags_nest() -> None:
    assert mrkdwn("*a _b* c_") == "<strong>a _b</strong> c_"
    assert mrkdwn("_a *b* c_") == "<em>a <strong>b</strong> c</em>"


def test_marks_around_a_link_and_emoji_inside_marks_are_drawn() -> None:
    html = mrkdwn("*<http://x.test|go>* _:tada:_")

    assert html == (
        '<strong><a href="http://x.test" target="_blank" rel="noopener noreferrer">go</a>'
        "</strong> <em>🎉</em>"
    )


def test_a_name_looked_up_for_a_mention_is_drawn_visibly() -> None:
    class Names:
        def user(self, user_id: str) -> str:
            return "bad\x00name"

        def channel(self, channel_id: str) -> str:
            return "chan\x1bnel"

    assert mrkdwn("<@U1> <#C1>", Names()) == (
        '<span class="mention">@bad\u2400name</span> <span class="mention">#chan\u241bnel</span>'
    )


def test_visible_leaves_text_that_shows_as_it_is() -> None:
    assert visible("plain text, tabs\tand\nlines") == "plain text, tabs\tand\nlines"
    assert visible("a\x00b\r\nc") == "a\u2400b\nc"


# --- any text ---------------------------------------------------------------------------------

ANY_TEXT = st.lists(
    st.one_of(st.sampled_from(TOKENS + CONTROLS + SURROGATES), st.text(max_size=5)),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)  # the bound is `within`: no flaky timing
@given(text=ANY_TEXT)
def test_any_text_renders_as_escaped_well_nested_html(text: str) -> None:
    html = within(2, lambda: mrkdwn(text))

    assert_safe_html(html)


@settings(max_examples=200, deadline=None)
@given(text=ANY_TEXT)
def test_plain_text_renders_as_escaped_text(text: str) -> None:
    html = within(2, lambda: plain(text, emoji=False))

    assert assert_safe_html(html) == visible(text)


@pytest.mark.parametrize(
    "unit",
    ["*", "*a", "a*", "_ ", "~a ", "`", "` ", "```a", "<", "<x", "<a|", ":", ":a", "&lt;",
     "\x00", "\x000", "*_~`<>&:|", "<http://x|*a*>"],
)  # fmt: skip
def test_long_hostile_text_renders_in_linear_time(unit: str) -> None:
    text = unit * (200_000 // len(unit))

    html = within(5, lambda: mrkdwn(text))

    assert html
