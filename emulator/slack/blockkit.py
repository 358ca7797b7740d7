"""Block Kit as Slack checks it, for messages and modals, wherever they come from.

Two entry points: `check_message(blocks, attachments)` for every message surface (chat.postMessage,
chat.update, chat.postEphemeral, a POST to a response_url, a slash command's ack body) and
`check_view(view)` for every modal (views.open / update / push and a view_submission's
`response_action: update | push`). Both raise `BlockKitError` at the first rule broken, with
Slack's code (`invalid_blocks` for messages, `invalid_arguments` for views) and a
`response_metadata.messages` line naming the field: `[ERROR] must be more than 0 characters
[json-pointer:/blocks/0/text/text]`.

Where a limit is encoded in slack_sdk's Block Kit models (`slack_sdk.models.blocks`,
`slack_sdk.models.views`), it is read from there; the rest are in `OWN_LIMITS`, each with the
page of Slack's Block Kit reference it comes from. The README lists both. Left out: unknown
fields are not refused, rich text and the newer blocks slack_sdk knows (`table`, `card`, ...) are
checked only for their type, block_id and surface.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import basic_components as sdk_basic
from slack_sdk.models.blocks import block_elements as sdk_elements
from slack_sdk.models.blocks import blocks as sdk_blocks
from slack_sdk.models.views import View as SdkView

from emulator.slack.errors import SlackError

# --- the limits -------------------------------------------------------------------------------

# Read from slack_sdk's models, so they move with the SDK that apps build their blocks with.
SDK_LIMITS: dict[str, int] = {
    "block_id": sdk_blocks.Block.block_id_max_length,  # 255
    "action_id": sdk_elements.InteractiveElement.action_id_max_length,  # 255
    "section.text": sdk_blocks.SectionBlock.text_max_length,  # 3000
    "section.fields": sdk_blocks.SectionBlock.fields_max_length,  # 10 items
    "header.text": sdk_blocks.HeaderBlock.text_max_length,  # 150
    "markdown.text": sdk_blocks.MarkdownBlock.text_max_length,  # 12000
    "actions.elements": sdk_blocks.ActionsBlock.elements_max_length,  # 25
    "context.elements": sdk_blocks.ContextBlock.elements_max_length,  # 10
    "input.label": sdk_blocks.InputBlock.label_max_length,  # 2000
    "input.hint": sdk_blocks.InputBlock.hint_max_length,  # 2000
    "image.image_url": sdk_blocks.ImageBlock.image_url_max_length,  # 3000
    "image.alt_text": sdk_blocks.ImageBlock.alt_text_max_length,  # 2000
    "image.title": sdk_blocks.ImageBlock.title_max_length,  # 2000
    "video.title": sdk_blocks.VideoBlock.title_max_length,  # 200
    "button.text": sdk_elements.ButtonElement.text_max_length,  # 75
    "button.url": sdk_elements.ButtonElement.url_max_length,  # 3000
    "button.value": sdk_elements.ButtonElement.value_max_length,  # 2000
    "placeholder": sdk_elements.InputInteractiveElement.placeholder_max_length,  # 150
    "select.options": sdk_elements.StaticSelectElement.options_max_length,  # 100
    "select.option_groups": sdk_elements.StaticSelectElement.option_groups_max_length,  # 100
    "overflow.options.min": sdk_elements.OverflowMenuElement.options_min_length,  # 1
    "overflow.options": sdk_elements.OverflowMenuElement.options_max_length,  # 5
    "image_element.alt_text": sdk_elements.ImageElement.alt_text_max_length,  # 2000
    "image_element.image_url": sdk_elements.ImageElement.image_url_max_length,  # 3000
    "option.text": sdk_basic.Option.label_max_length,  # 75
    "option.value": sdk_basic.Option.value_max_length,  # 150
    "option_group.label": sdk_basic.OptionGroup.label_max_length,  # 75
    "option_group.options": sdk_basic.OptionGroup.options_max_length,  # 100
    "confirm.title": sdk_basic.ConfirmObject.title_max_length,  # 100
    "confirm.text": sdk_basic.ConfirmObject.text_max_length,  # 300
    "confirm.confirm": sdk_basic.ConfirmObject.confirm_max_length,  # 30
    "confirm.deny": sdk_basic.ConfirmObject.deny_max_length,  # 30
    "view.title": SdkView.title_max_length,  # 24
    "view.submit": SdkView.submit_max_length,  # 24
    "view.close": SdkView.close_max_length,  # 24
    "view.blocks": SdkView.blocks_max_length,  # 100
    "view.private_metadata": SdkView.private_metadata_max_length,  # 3000
    "view.callback_id": SdkView.callback_id_max_length,  # 255
}

_REFERENCE = "https://docs.slack.dev/reference/block-kit"
# What slack_sdk's models do not encode, from Slack's Block Kit reference (page in the comment).
OWN_LIMITS: dict[str, int] = {
    "message.blocks": 50,  # /reference/methods/chat.postMessage: "up to 50 blocks"
    "section.field": 2000,  # /blocks/section-block: each field's text, 2000 characters
    "text": 3000,  # /composition-objects/text-object: any text object, 3000 characters
    "option.description": 75,  # /composition-objects/option-object: description, 75
    "option.url": 3000,  # /composition-objects/option-object: url (overflow menus), 3000
    "choices.options": 10,  # /block-elements/checkboxes-element, radio-button-group: 10
    "plain_text_input.length": 3000,  # /block-elements/plain-text-input-element: min/max
    "button.accessibility_label": 75,  # /block-elements/button-element
    "view.external_id": 255,  # /views: a unique identifier, 255 characters
}


LIMITS = {**OWN_LIMITS, **SDK_LIMITS}
# The limits read on every block and element, as names.
_BLOCK_ID, _ACTION_ID = LIMITS["block_id"], LIMITS["action_id"]
_BUTTON_VALUE = LIMITS["button.value"]


def limit(name: str) -> int:
    return LIMITS[name]


# slack_sdk's `initial_date` / `initial_time` formats (DatePickerElement, TimePickerElement).
_DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_TIME = re.compile(r"([0-1][0-9]|2[0-3]):([0-5][0-9])$")
# Slack opens a button's url in a browser: an absolute URL, no spaces (button-element page);
# the wording of the refusal, "must be a valid URL", is ours.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s]+$")

MESSAGE, MODAL = "message", "modal"

# --- errors -------------------------------------------------------------------------------------


class BlockKitError(SlackError):
    """A block, element or view Slack refuses; `pointer` is the JSON pointer Slack names."""

    def __init__(self, code: str, message: str, pointer: str) -> None:
        line = f"{message} [json-pointer:{pointer}]"
        # Slack repeats the lines in `errors` for messages; views only get response_metadata.
        extra: dict[str, Any] = {"errors": [line]} if code == "invalid_blocks" else {}
        super().__init__(code, **extra, response_metadata={"messages": [f"[ERROR] {line}"]})
        self.message, self.pointer, self.line = message, pointer, line


# A JSON pointer as a chain `(parent, segment)` from a root such as "/blocks": building one costs
# a tuple, and it is spelt out only when a rule is broken.
Pointer = str | tuple[Any, str | int]


def render(pointer: Pointer) -> str:
    segments: list[str] = []
    while isinstance(pointer, tuple):
        pointer, segment = pointer
        segments.append(str(segment))
    return "/".join([pointer, *reversed(segments)])


class _Broken(Exception):
    def __init__(self, message: str, pointer: Pointer) -> None:
        super().__init__(message)
        self.message, self.pointer = message, render(pointer)


def check_message(blocks: Any, attachments: Any = None) -> None:
    """A message's blocks and its attachments' blocks, as chat.postMessage checks them."""
    scope = _Scope(MESSAGE)
    try:
        if blocks is not None:
            _blocks(blocks, "/blocks", scope, LIMITS["message.blocks"])
        if attachments is not None and not isinstance(attachments, list):
            raise _Broken("must be an array", "/attachments")
        for index, attachment in enumerate(attachments or ()):
            if isinstance(attachment, dict) and attachment.get("blocks") is not None:
                pointer = f"/attachments/{index}/blocks"
                _blocks(attachment["blocks"], pointer, scope, LIMITS["message.blocks"])
    except _Broken as broken:
        raise BlockKitError("invalid_blocks", broken.message, broken.pointer) from None


def check_view(view: Any) -> None:
    """A modal view, as views.open checks it (App Home views are not emulated)."""
    try:
        _view(view)
    except _Broken as broken:
        raise BlockKitError("invalid_arguments", broken.message, broken.pointer) from None


def check_view_errors(errors: Any, blocks: list[Any]) -> None:
    """A view_submission's `response_action: errors`: a message for each input block named.

    Slack's modal reference: `errors` maps the block_id of an input block to its message.
    """
    inputs = {b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("type") == "input"}
    try:
        if not isinstance(errors, dict) or not errors:
            raise _Broken("must provide an object", "/errors")
        for block_id, message in errors.items():
            if block_id not in inputs:
                raise _Broken("must be the block_id of an input block", f"/errors/{block_id}")
            if not isinstance(message, str) or not message:
                raise _Broken("must be more than 0 characters", f"/errors/{block_id}")
    except _Broken as broken:
        raise BlockKitError("invalid_arguments", broken.message, broken.pointer) from None


# --- lenient mode -------------------------------------------------------------------------------

# The warnings of the Web API call being answered, gathered for its journal entry.
_COLLECTED: ContextVar[list[str] | None] = ContextVar("block_kit_warnings", default=None)


class Leniency:
    """Whether a broken rule is refused, as Slack refuses it (the default), or, `lenient`, let
    through with a warning in the journal. Only the rules are relaxed: blocks that are not an
    array, or a view that is not an object, cannot be kept and are refused either way."""

    def __init__(self) -> None:
        self.lenient = False
        # Where a warning from outside a Web API call goes (response URLs, acks): the journal.
        self.record: Callable[[str, str], None] | None = None

    def enforce(self, surface: str, check: Callable[..., None], *args: Any) -> None:
        try:
            check(*args)
        except BlockKitError as error:
            if not self.lenient:
                raise
            collected = _COLLECTED.get()
            if collected is not None:
                collected.append(error.line)
            elif self.record is not None:
                self.record(surface, error.line)

    def message(self, surface: str, blocks: Any, attachments: Any = None) -> None:
        """`check_message` under this policy; blocks or attachments that are not arrays are
        refused whatever the policy."""
        if not _is_array_or_none(blocks) or not _is_array_or_none(attachments):
            check_message(blocks, attachments)
        self.enforce(surface, check_message, blocks, attachments)

    def collecting(self) -> _Collecting:
        """Gather the warnings raised inside the block, for one Web API call."""
        return _Collecting()


class _Collecting:
    """`Leniency.collecting`, as a class: a generator-made context costs more than the rest
    of the journal's bookkeeping for a call."""

    __slots__ = ("token",)

    def __enter__(self) -> list[str]:
        collected: list[str] = []
        self.token = _COLLECTED.set(collected)
        return collected

    def __exit__(self, *exc: object) -> None:
        _COLLECTED.reset(self.token)


def _is_array_or_none(value: Any) -> bool:
    return value is None or isinstance(value, list)


# --- shared pieces ----------------------------------------------------------------------------


@dataclass
class _Scope:
    surface: str
    block_ids: set[str] = field(default_factory=set)


def _object(value: Any, pointer: Pointer) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Broken("must provide an object", pointer)
    return value


def _required(obj: dict[str, Any], key: str, pointer: Pointer) -> Any:
    value = obj.get(key)
    if value is None:
        raise _Broken(f"missing required field: {key}", pointer)
    return value


def _string(
    obj: dict[str, Any],
    key: str,
    pointer: Pointer,
    most: int,
    *,
    required: bool = False,
    least: int = 1,
) -> str | None:
    """A string field; `least=0` where Slack's reference sets no minimum (ids, values)."""
    value = obj.get(key)
    if type(value) is str and least <= len(value) <= most:
        return value  # the common case, checked without building a pointer
    if value is None:
        if required:
            raise _Broken(f"missing required field: {key}", pointer)
        return None
    where = (pointer, key)
    if not isinstance(value, str):
        raise _Broken("must be a string", where)
    if len(value) < least:
        raise _Broken(f"must be more than {least - 1} characters", where)
    if len(value) > most:
        raise _Broken(f"must be less than {most + 1} characters", where)
    return value


def _array(
    obj: dict[str, Any], key: str, pointer: Pointer, most: int, *, least: int = 1, required: bool
) -> list[Any]:
    value = _required(obj, key, pointer) if required else obj.get(key)
    if value is None:
        return []
    where = (pointer, key)
    if not isinstance(value, list):
        raise _Broken("must be an array", where)
    if len(value) < least:
        raise _Broken(f"must have at least {least} items", where)
    if len(value) > most:
        raise _Broken(f"no more than {most} items allowed", where)
    return value


def _text(
    obj: dict[str, Any],
    key: str,
    pointer: Pointer,
    most: int,
    *,
    plain: bool = False,
    required: bool = False,
) -> None:
    """A text object; `plain` where Slack takes only `plain_text`."""
    value = obj.get(key)
    if type(value) is dict:  # the common case, as `_good_text` has it, without a call
        kind, text = value.get("type"), value.get("text")
        if (
            (kind == "plain_text" or (kind == "mrkdwn" and not plain))
            and type(text) is str
            and 0 < len(text) <= most
        ):
            return
    elif value is None:
        if required:
            raise _Broken(f"missing required field: {key}", pointer)
        return
    _text_object(value, (pointer, key), most, plain=plain)


def _good_text(value: Any, most: int, plain: bool) -> bool:
    """The common case of a text object, checked without building a pointer."""
    if type(value) is not dict:
        return False
    kind, text = value.get("type"), value.get("text")
    return (
        (kind == "plain_text" or (kind == "mrkdwn" and not plain))
        and type(text) is str
        and 0 < len(text) <= most
    )


def _text_object(value: Any, pointer: Pointer, most: int, *, plain: bool = False) -> None:
    if _good_text(value, most, plain):
        return
    text = _object(value, pointer)
    kind = _required(text, "type", pointer)
    if kind not in (("plain_text",) if plain else ("plain_text", "mrkdwn")):
        raise _Broken(f"unsupported type: {kind}", (pointer, "type"))
    _string(text, "text", pointer, most, required=True)


def _flag(obj: dict[str, Any], key: str, pointer: Pointer) -> None:
    if key in obj and not isinstance(obj[key], bool):
        raise _Broken("must be a boolean", (pointer, key))


def _integer(obj: dict[str, Any], key: str, pointer: Pointer, least: int, most: int) -> None:
    value = obj.get(key)
    if value is None:
        return
    where = (pointer, key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Broken("must be an integer", where)
    if not least <= value <= most:
        raise _Broken(f"must be between {least} and {most}", where)


# --- blocks -----------------------------------------------------------------------------------


def _blocks(blocks: Any, pointer: Pointer, scope: _Scope, most: int) -> None:
    if not isinstance(blocks, list):
        raise _Broken("must be an array", pointer)
    if len(blocks) > most:
        raise _Broken(f"no more than {most} items allowed", pointer)
    for index, block in enumerate(blocks):
        _block(block, (pointer, index), scope)


def _block(value: Any, pointer: Pointer, scope: _Scope) -> None:
    kind = value.get("type") if type(value) is dict else None
    rule = BLOCKS.get(kind) if type(kind) is str else None
    if rule is None or scope.surface not in rule.surfaces:
        kind = _required(_object(value, pointer), "type", pointer)
        raise _Broken(f"unsupported type: {kind}", (pointer, "type"))
    block: dict[str, Any] = value
    # Optional fields are checked where present: a call saved per field absent, which on a
    # 20-block message was a third of the check (bench/slack_webapi.py).
    block_id = block.get("block_id")
    if block_id is not None:
        if type(block_id) is not str or len(block_id) > _BLOCK_ID:
            _string(block, "block_id", pointer, _BLOCK_ID, least=0)  # says what is wrong
        # Reference, blocks: "block_id should be unique for each message or view" (the wording
        # of the refusal is ours: Slack's is not documented).
        if block_id in scope.block_ids:
            raise _Broken(f"duplicate block_id: {block_id}", (pointer, "block_id"))
        scope.block_ids.add(block_id)
    rule.check(block, pointer, scope)


def _section(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    if block.get("text") is None and block.get("fields") is None:
        # Slack's wording and pointer, as it answers a section with neither.
        raise _Broken("must define either `text` or `fields`", (pointer, "type"))
    if "text" in block:
        _text(block, "text", pointer, LIMITS["section.text"])
    if "fields" in block:
        fields = _array(block, "fields", pointer, LIMITS["section.fields"], required=False)
        for index, item in enumerate(fields):
            _text_object(item, ((pointer, "fields"), index), LIMITS["section.field"])
    if block.get("accessory") is not None:
        _element(block["accessory"], (pointer, "accessory"), SECTION_ACCESSORIES)
    if "expand" in block:
        _flag(block, "expand", pointer)


def _divider(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    return None


def _header(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    _text(block, "text", pointer, LIMITS["header.text"], plain=True, required=True)


def _image(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    _image_source(block, pointer, LIMITS["image.image_url"])
    _string(block, "alt_text", pointer, LIMITS["image.alt_text"], required=True)
    _text(block, "title", pointer, LIMITS["image.title"], plain=True)


def _image_source(obj: dict[str, Any], pointer: Pointer, most: int) -> None:
    if obj.get("image_url") is None and obj.get("slack_file") is None:
        raise _Broken("must define either `image_url` or `slack_file`", pointer)
    url = _string(obj, "image_url", pointer, most)
    if url is not None and not _URL.match(url):
        raise _Broken("must be a valid URL", (pointer, "image_url"))
    if obj.get("slack_file") is not None:
        _object(obj["slack_file"], (pointer, "slack_file"))


def _actions(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    elements = _array(block, "elements", pointer, LIMITS["actions.elements"], required=True)
    action_ids: set[str] = set()
    for index, element in enumerate(elements):
        where = ((pointer, "elements"), index)
        action_id = _element(element, where, ACTIONS_ELEMENTS)
        # Element reference: an action_id "should be unique among all other action_ids in the
        # containing block"; Slack refuses two buttons sharing one.
        if action_id is not None:
            if action_id in action_ids:
                raise _Broken(f"duplicate action_id: {action_id}", (where, "action_id"))
            action_ids.add(action_id)


def _context(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    elements = _array(block, "elements", pointer, LIMITS["context.elements"], required=True)
    most = LIMITS["text"]
    for index, element in enumerate(elements):
        if _good_text(element, most, False):
            continue
        where = ((pointer, "elements"), index)
        kind = _required(_object(element, where), "type", where)
        if kind == "image":
            _image_element(element, where)
        elif kind in ("plain_text", "mrkdwn"):
            _text_object(element, where, most)
        else:
            raise _Broken(f"unsupported type: {kind}", (where, "type"))


def _input(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    _text(block, "label", pointer, LIMITS["input.label"], plain=True, required=True)
    _element(_required(block, "element", pointer), (pointer, "element"), INPUT_ELEMENTS)
    _text(block, "hint", pointer, LIMITS["input.hint"], plain=True)
    _flag(block, "optional", pointer)
    _flag(block, "dispatch_action", pointer)


def _markdown(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    _string(block, "text", pointer, LIMITS["markdown.text"], required=True)


def _rich_text(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    _array(block, "elements", pointer, 10_000, least=0, required=True)


def _file(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    _string(block, "external_id", pointer, 255, required=True)
    if _string(block, "source", pointer, 255, required=True) != "remote":
        raise _Broken("unsupported source", (pointer, "source"))


def _video(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    _string(block, "alt_text", pointer, LIMITS["text"], required=True)
    _text(block, "title", pointer, LIMITS["video.title"], plain=True, required=True)
    for key in ("thumbnail_url", "video_url"):
        _string(block, key, pointer, LIMITS["button.url"], required=True)


def _type_only(block: dict[str, Any], pointer: Pointer, scope: _Scope) -> None:
    return None


@dataclass(frozen=True)
class BlockRule:
    surfaces: frozenset[str]
    check: Callable[[dict[str, Any], str, _Scope], None]


_EVERYWHERE = frozenset({MESSAGE, MODAL})
_MESSAGES = frozenset({MESSAGE})

# Each block's "available in surfaces" from its page of the reference (/reference/block-kit/blocks).
BLOCKS: dict[str, BlockRule] = {
    "section": BlockRule(_EVERYWHERE, _section),
    "divider": BlockRule(_EVERYWHERE, _divider),
    "header": BlockRule(_EVERYWHERE, _header),
    "image": BlockRule(_EVERYWHERE, _image),
    "actions": BlockRule(_EVERYWHERE, _actions),
    "context": BlockRule(_EVERYWHERE, _context),
    "input": BlockRule(_EVERYWHERE, _input),
    "rich_text": BlockRule(_EVERYWHERE, _rich_text),
    "video": BlockRule(_EVERYWHERE, _video),
    "markdown": BlockRule(_MESSAGES, _markdown),
    "file": BlockRule(_MESSAGES, _file),
}
# The other block types slack_sdk's models know (`table`, `card`, `alert`, ...): messages only,
# and only their type, block_id and surface are checked.
for _model in sdk_blocks.Block.__subclasses__():
    if isinstance(_model.type, str):
        BLOCKS.setdefault(_model.type, BlockRule(_MESSAGES, _type_only))


# --- elements ---------------------------------------------------------------------------------


def _element(value: Any, pointer: Pointer, allowed: frozenset[str]) -> str | None:
    """An interactive element (or image) where `allowed` types may stand; its action_id."""
    kind = value.get("type") if type(value) is dict else None
    if kind not in allowed:
        kind = _required(_object(value, pointer), "type", pointer)
        raise _Broken(f"unsupported type: {kind}", (pointer, "type"))
    element: dict[str, Any] = value
    action_id = element.get("action_id")
    if action_id is not None and (type(action_id) is not str or len(action_id) > _ACTION_ID):
        _string(element, "action_id", pointer, _ACTION_ID, least=0)  # says what is wrong
    if "placeholder" in element:
        _text(element, "placeholder", pointer, LIMITS["placeholder"], plain=True)
    if element.get("confirm") is not None:
        _confirm(element["confirm"], (pointer, "confirm"))
    if "focus_on_load" in element:
        _flag(element, "focus_on_load", pointer)
    ELEMENTS.get(kind, _no_more)(element, pointer)
    return action_id


def _no_more(element: dict[str, Any], pointer: Pointer) -> None:
    return None


def _button(element: dict[str, Any], pointer: Pointer) -> None:
    _text(element, "text", pointer, LIMITS["button.text"], plain=True, required=True)
    value = element.get("value")
    if value is not None and (type(value) is not str or len(value) > _BUTTON_VALUE):
        _string(element, "value", pointer, _BUTTON_VALUE, least=0)  # says what is wrong
    if "url" in element:
        url = _string(element, "url", pointer, LIMITS["button.url"])
        if url is not None and not _URL.match(url):
            raise _Broken("must be a valid URL", (pointer, "url"))
    style = element.get("style")
    if style is not None and style not in ("primary", "danger"):
        raise _Broken(f"unsupported style: {style}", (pointer, "style"))
    if "accessibility_label" in element:
        most = LIMITS["button.accessibility_label"]
        _string(element, "accessibility_label", pointer, most)


def _option(value: Any, pointer: Pointer, *, mrkdwn: bool = False, url: bool = False) -> None:
    option = _object(value, pointer)
    _text(option, "text", pointer, LIMITS["option.text"], plain=not mrkdwn, required=True)
    _string(option, "value", pointer, LIMITS["option.value"], required=True)
    _text(option, "description", pointer, LIMITS["option.description"], plain=not mrkdwn)
    if url:
        _string(option, "url", pointer, LIMITS["option.url"])


def _option_key(option: Any) -> tuple[Any, Any]:
    if not isinstance(option, dict):
        return None, None
    text = option.get("text")
    return option.get("value"), text.get("text") if isinstance(text, dict) else None


def _static_options(element: dict[str, Any], pointer: Pointer) -> list[Any]:
    """The options of a static menu (or of its groups), checked."""
    has_options, has_groups = "options" in element, "option_groups" in element
    if has_options == has_groups:
        raise _Broken("must define either `options` or `option_groups`", pointer)
    if has_options:
        options = _array(element, "options", pointer, LIMITS["select.options"], required=True)
        for index, option in enumerate(options):
            _option(option, ((pointer, "options"), index))
        return options
    groups = _array(
        element, "option_groups", pointer, LIMITS["select.option_groups"], required=True
    )
    every: list[Any] = []
    for index, group in enumerate(groups):
        where = ((pointer, "option_groups"), index)
        _text(_object(group, where), "label", where, LIMITS["option_group.label"], plain=True)
        options = _array(group, "options", where, LIMITS["option_group.options"], required=True)
        for number, option in enumerate(options):
            _option(option, ((where, "options"), number))
        every.extend(options)
    return every


def _initial_among(element: dict[str, Any], pointer: Pointer, options: list[Any]) -> None:
    """`initial_option(s)` must be options the element offers (compared by value and text);
    the wording of the refusal is ours."""
    offered = {_option_key(option) for option in options}
    initial_option = element.get("initial_option")
    if initial_option is not None and _option_key(initial_option) not in offered:
        raise _Broken("must match one of the options", (pointer, "initial_option"))
    initial = _array(element, "initial_options", pointer, len(options), least=0, required=False)
    for index, option in enumerate(initial):
        if _option_key(option) not in offered:
            raise _Broken("must match one of the options", ((pointer, "initial_options"), index))


def _static_select(element: dict[str, Any], pointer: Pointer) -> None:
    _initial_among(element, pointer, _static_options(element, pointer))
    _integer(element, "max_selected_items", pointer, 1, LIMITS["select.options"])


def _external_select(element: dict[str, Any], pointer: Pointer) -> None:
    if element.get("initial_option") is not None:
        _option(element["initial_option"], (pointer, "initial_option"))
    for index, option in enumerate(element.get("initial_options") or ()):
        _option(option, ((pointer, "initial_options"), index))
    _integer(element, "min_query_length", pointer, 0, 10_000)
    _integer(element, "max_selected_items", pointer, 1, LIMITS["select.options"])


def _choices(element: dict[str, Any], pointer: Pointer) -> None:
    """Checkboxes and radio buttons: up to 10 options, whose text may be mrkdwn."""
    options = _array(element, "options", pointer, LIMITS["choices.options"], required=True)
    for index, option in enumerate(options):
        _option(option, ((pointer, "options"), index), mrkdwn=True)
    _initial_among(element, pointer, options)


def _overflow(element: dict[str, Any], pointer: Pointer) -> None:
    least, most = LIMITS["overflow.options.min"], LIMITS["overflow.options"]
    options = _array(element, "options", pointer, most, least=least, required=True)
    for index, option in enumerate(options):
        _option(option, ((pointer, "options"), index), url=True)


def _datepicker(element: dict[str, Any], pointer: Pointer) -> None:
    initial = element.get("initial_date")
    if initial is not None and not (isinstance(initial, str) and _DATE.match(initial)):
        raise _Broken("must be in format YYYY-MM-DD", (pointer, "initial_date"))


def _timepicker(element: dict[str, Any], pointer: Pointer) -> None:
    initial = element.get("initial_time")
    if initial is not None and not (isinstance(initial, str) and _TIME.match(initial)):
        raise _Broken("must be in format HH:mm", (pointer, "initial_time"))


def _plain_text_input(element: dict[str, Any], pointer: Pointer) -> None:
    most = LIMITS["plain_text_input.length"]
    _integer(element, "min_length", pointer, 0, most)
    _integer(element, "max_length", pointer, 1, most)
    if element.get("initial_value") is not None and not isinstance(element["initial_value"], str):
        raise _Broken("must be a string", (pointer, "initial_value"))
    _flag(element, "multiline", pointer)


def _image_element(element: dict[str, Any], pointer: Pointer) -> None:
    _image_source(element, pointer, LIMITS["image_element.image_url"])
    _string(element, "alt_text", pointer, LIMITS["image_element.alt_text"], required=True)


def _workflow_button(element: dict[str, Any], pointer: Pointer) -> None:
    _text(element, "text", pointer, LIMITS["button.text"], plain=True, required=True)
    _object(_required(element, "workflow", pointer), (pointer, "workflow"))


def _confirm(value: Any, pointer: Pointer) -> None:
    confirm = _object(value, pointer)
    _text(confirm, "title", pointer, LIMITS["confirm.title"], plain=True, required=True)
    _text(confirm, "text", pointer, LIMITS["confirm.text"], required=True)
    _text(confirm, "confirm", pointer, LIMITS["confirm.confirm"], plain=True, required=True)
    _text(confirm, "deny", pointer, LIMITS["confirm.deny"], plain=True, required=True)


ELEMENTS: dict[str, Callable[[dict[str, Any], str], None]] = {
    "button": _button,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "external_select": _external_select,
    "multi_external_select": _external_select,
    "checkboxes": _choices,
    "radio_buttons": _choices,
    "overflow": _overflow,
    "datepicker": _datepicker,
    "timepicker": _timepicker,
    "plain_text_input": _plain_text_input,
    "image": _image_element,
    "workflow_button": _workflow_button,
}

_SELECTS = frozenset(
    f"{multi}{kind}_select"
    for multi in ("", "multi_")
    for kind in ("static", "external", "users", "conversations", "channels")
)
# "Compatible blocks" of each element's page in the reference (/reference/block-kit/block-elements).
SECTION_ACCESSORIES = _SELECTS | {
    "button",
    "checkboxes",
    "datepicker",
    "image",
    "overflow",
    "radio_buttons",
    "timepicker",
    "workflow_button",
}
ACTIONS_ELEMENTS = _SELECTS | {
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "overflow",
    "radio_buttons",
    "rich_text_input",
    "timepicker",
    "workflow_button",
}
INPUT_ELEMENTS = _SELECTS | {
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "email_text_input",
    "file_input",
    "number_input",
    "plain_text_input",
    "radio_buttons",
    "rich_text_input",
    "timepicker",
    "url_text_input",
}


# --- views ------------------------------------------------------------------------------------


def _view(value: Any) -> None:
    view = _object(value, "/view")
    kind = _required(view, "type", "/view")
    if kind != "modal":
        raise _Broken(f"unsupported type: {kind}", "/view/type")
    _text(view, "title", "/view", LIMITS["view.title"], plain=True, required=True)
    _text(view, "submit", "/view", LIMITS["view.submit"], plain=True)
    _text(view, "close", "/view", LIMITS["view.close"], plain=True)
    blocks = _required(view, "blocks", "/view")
    _blocks(blocks, "/view/blocks", _Scope(MODAL), LIMITS["view.blocks"])
    if view.get("submit") is None:
        for index, block in enumerate(blocks):
            if block.get("type") == "input":
                # Slack's own wording and pointer for a modal with inputs and no submit button.
                pointer = f"/view/blocks/{index}/input"
                raise _Broken("must define `submit` to use `input` block", pointer)
    for key in ("private_metadata", "callback_id", "external_id"):
        _string(view, key, "/view", LIMITS[f"view.{key}"], least=0)
    for key in ("clear_on_close", "notify_on_close"):
        _flag(view, key, "/view")
