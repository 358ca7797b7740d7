"""Modals: view objects, their stacks, and the `state.values` a person's input becomes.

Plain functions and a dataclass, no web framework. Where the emulation stops: only `modal` views
(no App Home `views.publish`), no `response_urls` in submissions (`response_url_enabled`), no
dispatch actions on character entry. Views are checked by `blockkit.check_view`, and a view of
more than 250 kB is `view_too_large`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from emulator.slack.blockkit import Leniency, check_view, check_view_errors
from emulator.slack.errors import SimError, SlackError

MAX_STACK = 3
MAX_VIEW_BYTES = 250_000

_SPEC_KEYS = (
    "type",
    "title",
    "submit",
    "close",
    "blocks",
    "private_metadata",
    "callback_id",
    "external_id",
    "clear_on_close",
    "notify_on_close",
)


@dataclass
class View:
    """One modal view; `values` is `state.values` as of the last submission or interaction."""

    id: str
    team_id: str
    app_id: str
    bot_id: str
    user_id: str
    root_view_id: str
    previous_view_id: str | None
    spec: dict[str, Any]
    hash: str
    values: dict[str, Any] = field(default_factory=dict)
    # A submission is on its way to the app: Slack's client greys the button out until the app
    # answers, so the same view is not submitted twice at once.
    submitting: bool = False

    @property
    def external_id(self) -> str:
        return str(self.spec.get("external_id") or "")

    @property
    def blocks(self) -> list[Any]:
        return list(self.spec.get("blocks") or [])

    def to_api(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "id": self.id,
            "team_id": self.team_id,
            "type": spec.get("type", "modal"),
            "title": spec.get("title"),
            "submit": spec.get("submit"),
            "close": spec.get("close"),
            "blocks": self.blocks,
            "private_metadata": str(spec.get("private_metadata") or ""),
            "callback_id": str(spec.get("callback_id") or ""),
            "external_id": self.external_id,
            "state": {"values": self.values},
            "hash": self.hash,
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "root_view_id": self.root_view_id,
            "previous_view_id": self.previous_view_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }


def checked_view(view: Any, policy: Leniency | None = None) -> dict[str, Any]:
    """The view argument of views.open/push/update, validated with Slack's error codes (under
    `policy`, which may only warn; a view that is not an object is refused whatever it says)."""
    if policy is None or not isinstance(view, dict) or not isinstance(view.get("blocks"), list):
        check_view(view)
    else:
        policy.enforce("views", check_view, view)
    if len(json.dumps(view)) > MAX_VIEW_BYTES:
        raise SlackError("view_too_large")
    return {key: view[key] for key in _SPEC_KEYS if key in view}


# --- what a person enters ---------------------------------------------------------------------


def input_blocks(blocks: list[Any]) -> list[dict[str, Any]]:
    return [b for b in blocks if isinstance(b, dict) and b.get("type") == "input"]


def _label(block: dict[str, Any]) -> str:
    label = block.get("label")
    return str(label.get("text", "")) if isinstance(label, dict) else ""


def _block_id(block: dict[str, Any], index: int) -> str:
    return str(block.get("block_id") or f"input-{index}")


class InvalidSubmission(SimError):
    """A submitted value the view's inputs cannot take: it names the block and the action, so
    the test that sent it sees what to fix. Slack's client cannot submit such a value at all."""

    def __init__(
        self, code: str, message: str, *, block_id: str, action_id: str, status: int = 422
    ) -> None:
        super().__init__(code, message, status=status)
        self.block_id = block_id
        self.action_id = action_id

    def body(self) -> dict[str, Any]:
        return {**super().body(), "block_id": self.block_id, "action_id": self.action_id}


def submission_values(blocks: list[Any], given: dict[str, Any]) -> dict[str, Any]:
    """`state.values` for a submission: `given` maps a block_id to `{action_id: value}`, or an
    input's label (or its block_id) straight to a value. Inputs not given keep their initial value;
    a required input left empty is refused, as Slack's client refuses to submit it. A value the
    input cannot hold (an unknown block or action, the wrong type, an option it does not offer)
    is refused, never guessed at."""
    inputs = input_blocks(blocks)
    wanted = _match_given(inputs, given)
    values: dict[str, Any] = {}
    for index, block in enumerate(inputs):
        element = block.get("element")
        if not isinstance(element, dict):
            continue
        block_id, action_id = _block_id(block, index), str(element.get("action_id") or "")
        value = wanted.get(block_id, _MISSING)
        if value is _MISSING:
            entry = element_state(element, None)
        else:
            entry = _given_state(element, value, block_id=block_id, action_id=action_id)
        if not block.get("optional", False) and _is_empty(entry):
            raise InvalidSubmission(
                "input_required",
                f"the input {_label(block) or block_id!r} ({block_id}/{action_id}) is required",
                block_id=block_id,
                action_id=action_id,
            )
        values[block_id] = {action_id: entry}
    return values


_MISSING = object()


def _match_given(inputs: list[dict[str, Any]], given: dict[str, Any]) -> dict[str, Any]:
    """The given values by block_id: a key is a block_id or a label; a dict value names the
    element's action_id, `{action_id: value}`."""
    by_id = {_block_id(b, i): b for i, b in enumerate(inputs)}
    by_label = {_label(b): _block_id(b, i) for i, b in enumerate(inputs)}
    wanted: dict[str, Any] = {}
    for key, value in given.items():
        block_id = key if key in by_id else by_label.get(key)
        if block_id is None:
            there = ", ".join(repr(label or block_id) for label, block_id in by_label.items())
            raise InvalidSubmission(
                "input_not_found",
                f"no input {key!r}; there: {there}",
                block_id=key,
                action_id="",
                status=404,
            )
        element = by_id[block_id].get("element") or {}
        action_id = str(element.get("action_id") or "")
        if isinstance(value, dict):
            unknown = [a for a in value if a != action_id]
            if unknown or not value:
                raise InvalidSubmission(
                    "action_not_found",
                    f"block {block_id!r} has no action {(unknown or [''])[0]!r}; its input's"
                    f" action_id is {action_id!r}",
                    block_id=block_id,
                    action_id=str((unknown or [""])[0]),
                    status=404,
                )
            value = value[action_id]
        wanted[block_id] = value
    return wanted


def _is_empty(entry: dict[str, Any]) -> bool:
    present = [v for k, v in entry.items() if k != "type"]
    return all(v in (None, "", []) for v in present)


_SINGLE_PICKS = {
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}
_MULTI_PICKS = {
    "multi_users_select": "selected_users",
    "multi_conversations_select": "selected_conversations",
    "multi_channels_select": "selected_channels",
}
_ONE_OPTION = ("static_select", "external_select", "radio_buttons")
_SOME_OPTIONS = ("multi_static_select", "multi_external_select", "checkboxes")
_TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input")
# The formats Slack's date and time pickers give (Block Kit reference: datepicker, timepicker).
_DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URL = re.compile(r"https?://[^\s/]+\S*")


def _given_state(
    element: dict[str, Any], value: Any, *, block_id: str, action_id: str
) -> dict[str, Any]:
    """`element_state` for a value the person gave, once it is one the element can hold."""
    problem = _value_problem(element, value)
    if problem:
        kind = element.get("type")
        raise InvalidSubmission(
            "invalid_value",
            f"{block_id}/{action_id} ({kind}): {problem}",
            block_id=block_id,
            action_id=action_id,
        )
    return element_state(element, value)


def _value_problem(element: dict[str, Any], value: Any) -> str:
    """Why `value` cannot be what a person enters in `element`, or ''."""
    kind = str(element.get("type") or "")
    if kind in _ONE_OPTION:
        if not isinstance(value, str):
            return f"takes one option's label or value, not {_type_name(value)}"
        return _not_an_option(element, [value])
    if kind in _SOME_OPTIONS:
        if not _is_str_list(value):
            return f"takes a list of options' labels or values, not {_type_name(value)}"
        return _not_an_option(element, value)
    if kind in _MULTI_PICKS:
        return "" if _is_str_list(value) else f"takes a list of ids, not {_type_name(value)}"
    if kind == "datetimepicker":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return "" if ok else f"takes a Unix time in seconds, not {_type_name(value)}"
    if not isinstance(value, str):
        return f"takes a string, not {_type_name(value)}"
    if kind == "datepicker" and not _DATE.fullmatch(value):
        return f"{value!r} is not a date YYYY-MM-DD"
    if kind == "timepicker" and not _TIME.fullmatch(value):
        return f"{value!r} is not a time HH:mm"
    if kind in _TEXT_INPUTS and value:
        return _text_problem(element, kind, value)
    return ""


def _text_problem(element: dict[str, Any], kind: str, value: str) -> str:
    """What Slack's client would not let a person submit in a text input."""
    longest, shortest = element.get("max_length"), element.get("min_length")
    if isinstance(longest, int) and len(value) > longest:
        return f"longer than its max_length {longest}"
    if isinstance(shortest, int) and len(value) < shortest:
        return f"shorter than its min_length {shortest}"
    if kind == "email_text_input" and not _EMAIL.fullmatch(value):
        return f"{value!r} is not an e-mail address"
    if kind == "url_text_input" and not _URL.fullmatch(value):
        return f"{value!r} is not a URL"
    if kind == "number_input":
        return _number_problem(element, value)
    return ""


def _number_problem(element: dict[str, Any], value: str) -> str:
    decimal = bool(element.get("is_decimal_allowed"))
    try:
        number = float(value) if decimal else int(value)
    except ValueError:
        return f"{value!r} is not {'a number' if decimal else 'a whole number'}"
    low, high = element.get("min_value"), element.get("max_value")
    if low is not None and number < float(low):
        return f"{value} is below its min_value {low}"
    if high is not None and number > float(high):
        return f"{value} is above its max_value {high}"
    return ""


def _not_an_option(element: dict[str, Any], wanted: list[str]) -> str:
    offered = [(_option_text(o), o.get("value")) for o in _options(element)]
    for item in wanted:
        if not any(item in pair for pair in offered):
            return f"{item!r} is not among its options {[label for label, _ in offered]}"
    return ""


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", type(None): "null"}.get(
        type(value), f"a {type(value).__name__}"
    )


def element_state(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """One element's entry in `state.values`, from a value (None: its initial value)."""
    kind = str(element.get("type") or "")
    if kind in _ONE_OPTION:
        chosen = _initial_option(element) if value is None else _option(element, value)
        return {"type": kind, "selected_option": chosen}
    if kind in _SOME_OPTIONS:
        if value is None:
            chosen = list(element.get("initial_options") or [])
        else:
            chosen = [_option(element, item) for item in value]
        return {"type": kind, "selected_options": chosen}
    if kind in _SINGLE_PICKS:
        key = _SINGLE_PICKS[kind]
        initial = element.get("initial_" + key.removeprefix("selected_"))
        return {"type": kind, key: initial if value is None else value}
    if kind in _MULTI_PICKS:
        key = _MULTI_PICKS[kind]
        initial = element.get("initial_" + key.removeprefix("selected_")) or []
        return {"type": kind, key: list(initial if value is None else value)}
    text = element.get("initial_value") if value is None else value
    return {"type": kind, "value": None if text is None else str(text)}


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return [o for o in options if isinstance(o, dict)]


def _option_text(option: dict[str, Any]) -> str:
    text = option.get("text")
    return str(text.get("text", "")) if isinstance(text, dict) else ""


def _option(element: dict[str, Any], wanted: Any) -> dict[str, Any]:
    for option in _options(element):
        if wanted in (_option_text(option), option.get("value")):
            return option
    labels = [_option_text(o) for o in _options(element)]
    raise SimError(
        "option_not_found",
        f"no option {wanted!r} in {element.get('action_id')}: {labels}",
        status=404,
    )


def _initial_option(element: dict[str, Any]) -> dict[str, Any] | None:
    initial = element.get("initial_option")
    return initial if isinstance(initial, dict) else None


# --- what the app answers -----------------------------------------------------------------------


@dataclass(frozen=True)
class ViewAnswer:
    """An app's ack to a view_submission: `response_action` and what came with it."""

    action: str  # "", "errors", "update", "push" or "clear"
    errors: dict[str, Any] | None = None
    view: dict[str, Any] | None = None


def parse_view_answer(body: Any, view: View, policy: Leniency | None = None) -> ViewAnswer:
    """The ack to a submission of `view`; a view or errors Slack refuses raise `BlockKitError`
    (or, under a lenient `policy`, are warned about)."""
    if not isinstance(body, dict) or not body.get("response_action"):
        return ViewAnswer("")
    action = str(body["response_action"])
    if action == "errors":
        errors = body.get("errors")
        if policy is None or not isinstance(errors, dict) or not errors:
            check_view_errors(errors, view.blocks)
        else:
            policy.enforce("view_submission", check_view_errors, errors, view.blocks)
        return ViewAnswer(action, errors=errors)
    if action in ("update", "push"):
        return ViewAnswer(action, view=checked_view(body.get("view"), policy))
    if action == "clear":
        return ViewAnswer(action)
    raise SimError("invalid_response_action", f"unknown response_action {action!r}", status=502)
