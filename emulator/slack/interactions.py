"""Slack toward the app, as state: deliveries of commands and interactions, response URLs,
trigger ids and modals. A mixin of `SlackState`, sharing its lock and its maps.

The actor (`actor.py`) prepares each delivery here under the lock, sends it outside the lock, and
brings the app's answer back here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from emulator.clock import Clock
from emulator.ids import IdGenerator, secret_token
from emulator.slack.blockkit import Leniency
from emulator.slack.entities import (
    SLACKBOT_ID,
    App,
    Channel,
    Delivery,
    Install,
    Message,
    ResponseUrl,
    Target,
    Trigger,
    User,
    Workspace,
    locked,
)
from emulator.slack.errors import SimError, SlackError
from emulator.slack.modals import (
    MAX_STACK,
    View,
    ViewAnswer,
    checked_view,
    submission_values,
)

if TYPE_CHECKING:
    import threading

RESPONSE_URL_TTL = 1800.0
RESPONSE_URL_MAX_USES = 5
TRIGGER_TTL = 3.0
_SWEEP_EVERY = 256


def not_a_command(command: str) -> str:
    """Slackbot's ephemeral answer to a command no installed app owns, in Slack's words (as
    people quote it, e.g. github.com/nearform/lastlight/issues/119)."""
    return (
        f"{command} is not a valid command. In Slack, all messages that start with the"
        " \u201c/\u201d character are interpreted as commands.\n\nIf you are trying to send a"
        " message and not run a command, try preceding the \u201c/\u201d with an empty space."
    )


class Interactions:
    """Commands, clicks, selects, response URLs, triggers and modals (see the module doc)."""

    # Provided by SlackState.
    _lock: threading.RLock
    wall: Clock
    ids: IdGenerator
    workspaces: dict[str, Workspace]
    users: dict[str, User]
    channels: dict[str, Channel]
    apps: dict[str, App]
    installs: dict[tuple[str, str], Install]
    response_urls: dict[str, ResponseUrl]
    triggers: dict[str, Trigger]
    views: dict[str, View]
    stacks: dict[str, list[str]]
    block_kit: Leniency

    if TYPE_CHECKING:

        def new_id(self, prefix: str) -> str: ...
        def channel(self, channel_id: str) -> Channel: ...
        def user(self, user_id: str) -> User: ...
        def _append(self, channel: Channel, install: Install, **content: Any) -> Message: ...
        def _append_as(
            self, channel: Channel, user: str, bot_id: str, app_id: str, **content: Any
        ) -> Message: ...
        def _remove(self, channel: Channel, ts: str) -> None: ...
        def _previous(self, channel: Channel, message: Message) -> dict[str, Any] | None: ...
        def _publish_message_changed(
            self, channel: Channel, previous: dict[str, Any] | None, message: Message
        ) -> None: ...
        def _publish_message_deleted(self, channel: Channel, message: Message) -> None: ...

    # --- handles given to the app ------------------------------------------------------------

    def _issue_response_url(
        self, kind: str, install: Install, channel: Channel, user_id: str, message_ts: str = ""
    ) -> ResponseUrl:
        self._sweep()
        url = ResponseUrl(
            kind,
            str(self.ids.number()),
            secret_token(nbytes=12),
            install.app_id,
            install.team_id,
            channel.id,
            user_id,
            message_ts,
            self.wall.now(),
        )
        self.response_urls[url.id] = url
        return url

    def _issue_trigger(self, install: Install, user_id: str, view_root: str = "") -> str:
        trigger = Trigger(
            f"{self.ids.number()}.{secret_token(nbytes=8)}",
            install.app_id,
            install.team_id,
            user_id,
            self.wall.now(),
            view_root=view_root,
        )
        self.triggers[trigger.id] = trigger
        return trigger.id

    def _sweep(self) -> None:
        """Forget expired triggers and response URLs now and then, so memory stays flat."""
        if (len(self.triggers) + len(self.response_urls)) % _SWEEP_EVERY:
            return
        now = self.wall.now()
        self.triggers = {k: t for k, t in self.triggers.items() if now - t.issued <= TRIGGER_TTL}
        self.response_urls = {
            k: u for k, u in self.response_urls.items() if now - u.created <= RESPONSE_URL_TTL
        }

    # --- slash commands --------------------------------------------------------------------------

    def _actor(self, channel_id: str, user_id: str) -> tuple[Channel, User]:
        channel = self.channel(channel_id)
        user = self.user(user_id)
        if user.team_id != channel.team_id:
            raise SimError("user_not_in_workspace", f"{user_id} is not in {channel.team_id}")
        return channel, user

    def _command_install(self, team_id: str, app_id: str, command: str) -> Install | None:
        """The live install of an app that registered `command`, or None: Slack routes a
        command only to an app that owns it."""
        owners = [
            i
            for (a, t), i in self.installs.items()
            if t == team_id
            and not i.revoked
            and (not app_id or a == app_id)
            and command in self.apps[a].commands
        ]
        if not owners:
            return None
        routable = [i for i in owners if self.apps[i.app_id].request_url]
        if not routable:
            raise SimError("no_app", f"the app owning {command} has no request_url", status=409)
        return routable[0]

    @locked
    def prepare_command(
        self,
        *,
        channel_id: str,
        user_id: str,
        command: str,
        text: str,
        app_id: str = "",
        team_id: str = "",
    ) -> Delivery | Message:
        """A person types `command text` in a channel; the app owning it is chosen. When no
        installed app owns it, Slackbot answers the person, and the answer is returned."""
        channel, user = self._actor(channel_id, user_id)
        if team_id and team_id != channel.team_id:
            raise SimError("channel_not_in_workspace", f"{channel_id} is not in {team_id}")
        install = self._command_install(channel.team_id, app_id, command)
        if install is None:
            return self._append_as(
                channel,
                SLACKBOT_ID,
                "",
                "",
                text=not_a_command(command),
                ephemeral_to=user.id,
            )
        app, ws = self.apps[install.app_id], self.workspaces[channel.team_id]
        response_url = self._issue_response_url("commands", install, channel, user.id)
        trigger_id = self._issue_trigger(install, user.id)
        fields = {
            "token": app.verification_token,
            "team_id": ws.id,
            "team_domain": ws.domain,
            "channel_id": channel.id,
            "channel_name": channel.name,
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": app.id,
            "is_enterprise_install": "false",
            "trigger_id": trigger_id,
        }
        return Delivery(app, install, response_url, trigger_id, fields)

    # --- block actions on messages and in modals -------------------------------------------------

    @locked
    def find_element(
        self,
        *,
        channel_id: str,
        message_ts: str,
        user_id: str,
        kind: str,
        label: str = "",
        action_id: str = "",
        value: str = "",
    ) -> Target:
        """A button (`kind="button"`) or a static select in a message the user can see."""
        channel, _ = self._actor(channel_id, user_id)
        message = channel.messages.get(message_ts)
        if message is None or not message.visible_to(user_id):
            raise SimError(
                "message_not_found", f"{user_id} sees no message {message_ts}", status=404
            )
        block_id, element = _pick(
            _message_blocks(message), kind, label, action_id, value, where=message_ts
        )
        return Target(block_id, element, message=message)

    @locked
    def find_view_element(
        self,
        *,
        view_id: str,
        user_id: str,
        kind: str,
        label: str = "",
        action_id: str = "",
        value: str = "",
    ) -> Target:
        """A button or a static select in the modal the user has on top."""
        view = self._top_view(view_id, user_id)
        block_id, element = _pick(view.blocks, kind, label, action_id, value, where=view_id)
        return Target(block_id, element, view=view)

    @locked
    def prepare_interaction(self, target: Target, user_id: str) -> Delivery:
        if target.view is not None:
            install = self._live_install(target.view.app_id, target.view.team_id)
            trigger_id = self._issue_trigger(install, user_id, target.view.root_view_id)
            return Delivery(self.apps[install.app_id], install, None, trigger_id, {})
        message = target.message
        assert message is not None
        channel = self.channels[message.channel_id]
        install = self._live_install(message.app_id, channel.team_id)
        response_url = self._issue_response_url(
            "actions", install, channel, user_id, message_ts=message.ts
        )
        trigger_id = self._issue_trigger(install, user_id)
        return Delivery(self.apps[install.app_id], install, response_url, trigger_id, {})

    def _live_install(self, app_id: str, team_id: str) -> Install:
        install = self.installs.get((app_id, team_id))
        if install is None or install.revoked:
            raise SimError("app_not_installed", f"{app_id} is not installed", status=409)
        return install

    # --- what the app answers in messages ---------------------------------------------------------

    @locked
    def post_app_reply(
        self, install: Install, channel_id: str, *, user_id: str, body: dict[str, Any]
    ) -> Message:
        """The app answered a command (ack body or response_url): a new message."""
        channel = self.channels[channel_id]
        in_channel = body.get("response_type") == "in_channel"
        return self._append(
            channel,
            install,
            text=str(body.get("text") or ""),
            blocks=body.get("blocks"),
            attachments=body.get("attachments"),
            thread_ts=str(body.get("thread_ts") or ""),
            ephemeral_to="" if in_channel else user_id,
        )

    @locked
    def post_command_ack(
        self, delivery: Delivery, *, user_id: str, body: dict[str, Any]
    ) -> Message:
        """The app's ack body for a command became a message; later replace_original aims at it."""
        assert delivery.response_url is not None
        self.block_kit.message("command_ack", body.get("blocks"), body.get("attachments"))
        message = self.post_app_reply(
            delivery.install, delivery.response_url.channel_id, user_id=user_id, body=body
        )
        delivery.response_url.message_ts = message.ts
        return message

    @locked
    def respond(
        self, kind: str, team_id: str, url_id: str, secret: str, body: dict[str, Any]
    ) -> Message | None:
        """A POST to a response_url: replace, delete or add a message."""
        url = self.response_urls.get(url_id)
        if url is None or url.kind != kind or url.team_id != team_id or url.secret != secret:
            raise SimError("no_service", "unknown response_url", status=404)
        if url.uses >= RESPONSE_URL_MAX_USES or self.wall.now() - url.created > RESPONSE_URL_TTL:
            raise SimError("used_url", "response_url used 5 times or older than 30 min", status=404)
        self.block_kit.message("response_url", body.get("blocks"), body.get("attachments"))
        url.uses += 1
        install = self.installs[(url.app_id, url.team_id)]
        channel = self.channels[url.channel_id]
        original = channel.messages.get(url.message_ts) if url.message_ts else None
        if body.get("delete_original") and original is not None:
            self._remove(channel, original.ts)
            self._publish_message_deleted(channel, original)
            return None
        if body.get("replace_original") and original is not None:
            previous = self._previous(channel, original)
            original.text = str(body.get("text") or "")
            original.blocks = body.get("blocks")
            original.attachments = body.get("attachments")
            self._publish_message_changed(channel, previous, original)
            return original
        message = self.post_app_reply(install, channel.id, user_id=url.user_id, body=body)
        if url.kind == "commands" and not url.message_ts:
            url.message_ts = message.ts
        return message

    # --- modals: the Web API side -----------------------------------------------------------------

    @locked
    def use_trigger(self, install: Install, trigger_id: str) -> Trigger:
        trigger = self.triggers.get(trigger_id)
        if trigger is None or trigger.app_id != install.app_id:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.wall.now() - trigger.issued > TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    @locked
    def views_open(self, install: Install, trigger_id: str, view: dict[str, Any]) -> View:
        """Opens a modal for the trigger's user: a new root view on its own stack."""
        spec = checked_view(view, self.block_kit)
        self._check_external_id(install, spec, None)
        trigger = self.use_trigger(install, trigger_id)
        view_id = self.new_id("V")
        opened = self._new_view(install, trigger.user_id, view_id, view_id, None, spec)
        self.stacks[view_id] = [view_id]
        return opened

    @locked
    def views_push(self, install: Install, trigger_id: str, view: dict[str, Any]) -> View:
        """Pushes a view on the stack of the modal the trigger came from (at most three)."""
        spec = checked_view(view, self.block_kit)
        self._check_external_id(install, spec, None)
        trigger = self.use_trigger(install, trigger_id)
        stack = self.stacks.get(trigger.view_root)
        if not stack:
            # The trigger did not come from inside an open modal.
            raise SlackError("not_found")
        return self._push(install, trigger.user_id, stack, spec)

    def _push(self, install: Install, user_id: str, stack: list[str], spec: dict[str, Any]) -> View:
        if len(stack) >= MAX_STACK:
            raise SlackError("push_limit_reached")
        view_id = self.new_id("V")
        pushed = self._new_view(install, user_id, view_id, stack[0], stack[-1], spec)
        stack.append(view_id)
        return pushed

    @locked
    def views_update(
        self,
        install: Install,
        *,
        view_id: str,
        external_id: str,
        view: dict[str, Any],
        hash_: str,
    ) -> View:
        spec = checked_view(view, self.block_kit)
        target = self.views.get(view_id) if view_id else self._view_by_external(external_id)
        if target is None or target.app_id != install.app_id or not self._is_open(target):
            raise SlackError("not_found")
        if hash_ and hash_ != target.hash:
            raise SlackError("hash_conflict")
        self._check_external_id(install, spec, target)
        return self._replace(target, spec)

    def _new_view(
        self,
        install: Install,
        user_id: str,
        view_id: str,
        root: str,
        previous: str | None,
        spec: dict[str, Any],
    ) -> View:
        view = View(
            view_id,
            install.team_id,
            install.app_id,
            install.bot_id,
            user_id,
            root,
            previous,
            spec,
            self._view_hash(),
        )
        self.views[view_id] = view
        return view

    def _replace(self, view: View, spec: dict[str, Any]) -> View:
        view.spec, view.hash, view.values = spec, self._view_hash(), {}
        return view

    def _view_hash(self) -> str:
        return f"{int(self.wall.now())}.{secret_token(nbytes=4)}"

    def _is_open(self, view: View) -> bool:
        return view.id in self.stacks.get(view.root_view_id, ())

    def _view_by_external(self, external_id: str) -> View | None:
        # Linear in open views, which stay few: only tests and demos open them.
        return next(
            (v for v in self.views.values() if v.external_id == external_id and self._is_open(v)),
            None,
        )

    def _check_external_id(
        self, install: Install, spec: dict[str, Any], keeping: View | None
    ) -> None:
        wanted = str(spec.get("external_id") or "")
        other = self._view_by_external(wanted) if wanted else None
        if other is not None and other is not keeping and other.app_id == install.app_id:
            raise SlackError("duplicate_external_id")

    # --- modals: what the person does -------------------------------------------------------------

    def _top_view(self, view_id: str, user_id: str) -> View:
        view = self.views.get(view_id)
        if view is None or not self._is_open(view):
            raise SimError("view_not_found", f"no open view {view_id!r}", status=404)
        if view.user_id != user_id:
            raise SimError("view_not_found", f"{user_id} does not see {view_id}", status=404)
        if self.stacks[view.root_view_id][-1] != view_id:
            top = self.stacks[view.root_view_id][-1]
            raise SimError("view_not_on_top", f"{view_id} is under {top}", status=409)
        return view

    @locked
    def prepare_view_submission(
        self, view_id: str, user_id: str, given: dict[str, Any]
    ) -> tuple[Delivery, View]:
        """The person fills in the inputs and presses the submit button."""
        view = self._top_view(view_id, user_id)
        if not view.spec.get("submit"):
            # Slack's client shows no submit button, so nothing can be submitted.
            raise SimError("no_submit_button", f"{view_id} has no submit button", status=409)
        if view.submitting:
            raise SimError(
                "view_submitting",
                f"{view_id} is being submitted: the app has not answered the last submission",
                status=409,
            )
        view.values = submission_values(with_chosen_options(view.blocks, view.values), given)
        install = self._live_install(view.app_id, view.team_id)
        trigger_id = self._issue_trigger(install, user_id, view.root_view_id)
        view.submitting = True  # only once it really goes out: a refused one leaves none behind
        return Delivery(self.apps[install.app_id], install, None, trigger_id, {}), view

    # --- external selects: the app's options as the person types (block_suggestion) ---------------

    @locked
    def prepare_suggestion(self, target: Target) -> Delivery:
        """A delivery for `block_suggestion`: Slack sends it without a response_url or trigger."""
        if target.view is not None:
            install = self._live_install(target.view.app_id, target.view.team_id)
        else:
            message = target.message
            assert message is not None
            install = self._live_install(message.app_id, self.channels[message.channel_id].team_id)
        return Delivery(self.apps[install.app_id], install, None, "", {})

    @locked
    def choose_in_view(self, target: Target, option: dict[str, Any]) -> None:
        """The person picked `option` in a modal's external select: the view's state holds it
        (and a submission keeps it) as Slack's client does."""
        view = target.view
        assert view is not None
        self._top_view(view.id, view.user_id)
        action_id = str(target.element.get("action_id") or "")
        kind = str(target.element.get("type") or "external_select")
        view.values[target.block_id] = {action_id: {"type": kind, "selected_option": option}}

    @locked
    def end_view_submission(self, view: View) -> None:
        """The app answered (or could not be reached): the view can be submitted again."""
        view.submitting = False

    @locked
    def apply_view_answer(self, view: View, answer: ViewAnswer) -> View | None:
        """What the app's ack does to the modal; returns the view now on top, or None if closed."""
        stack = self.stacks.get(view.root_view_id, [])
        install = self._live_install(view.app_id, view.team_id)
        if answer.action == "errors":
            return view
        if answer.action == "update" and answer.view is not None:
            return self._replace(view, answer.view)
        if answer.action == "push" and answer.view is not None:
            return self._push(install, view.user_id, stack, answer.view)
        if answer.action == "clear":
            return self._close(view.root_view_id, everything=True)
        return self._close(view.root_view_id, everything=False)

    @locked
    def prepare_view_close(
        self, view_id: str, user_id: str
    ) -> tuple[Delivery | None, View, bool, View | None]:
        """The person closes the modal on top: the delivery (if the app asked to be told, with
        `notify_on_close`), the view, whether the whole stack went (`clear_on_close`) and the
        view now on top."""
        view = self._top_view(view_id, user_id)
        cleared = bool(view.spec.get("clear_on_close"))
        delivery = None
        if view.spec.get("notify_on_close"):
            install = self._live_install(view.app_id, view.team_id)
            delivery = Delivery(self.apps[install.app_id], install, None, "", {})
        top = self._close(view.root_view_id, everything=cleared)
        return delivery, view, cleared, top

    def _close(self, root: str, *, everything: bool) -> View | None:
        stack = self.stacks.get(root, [])
        closing = list(stack) if everything else stack[-1:]
        del stack[len(stack) - len(closing) :]
        for view_id in closing:
            self.views.pop(view_id, None)
        if not stack:
            self.stacks.pop(root, None)
            return None
        return self.views[stack[-1]]

    @locked
    def open_views(self, user_id: str = "") -> list[dict[str, Any]]:
        """Every open modal stack, bottom first, for the control plane."""
        return [
            {
                "root_view_id": root,
                "user_id": self.views[stack[0]].user_id,
                "views": [self.views[v].to_api() for v in stack],
            }
            for root, stack in self.stacks.items()
            if not user_id or self.views[stack[0]].user_id == user_id
        ]


# --- finding interactive elements ---------------------------------------------------------------


def with_chosen_options(blocks: list[Any], values: dict[str, Any]) -> list[Any]:
    """`blocks` where each external select holds, as its initial option, the option the person
    picked from the app's suggestions: an external select has no options of its own to pick
    from when the modal is submitted."""
    return [_with_chosen_option(block, index, values) for index, block in enumerate(blocks)]


def _with_chosen_option(block: Any, index: int, values: dict[str, Any]) -> Any:
    element = block.get("element") if isinstance(block, dict) else None
    if not isinstance(element, dict) or element.get("type") != "external_select":
        return block
    picked = values.get(str(block.get("block_id") or f"b{index}")) or {}
    entry = picked.get(str(element.get("action_id") or "")) if isinstance(picked, dict) else None
    option = entry.get("selected_option") if isinstance(entry, dict) else None
    if not isinstance(option, dict):
        return block
    return {**block, "element": {**element, "initial_option": option}}


def _message_blocks(message: Message) -> list[Any]:
    blocks = list(message.blocks or [])
    for attachment in message.attachments or []:
        if isinstance(attachment, dict):
            blocks.extend(attachment.get("blocks") or [])
    return blocks


def _interactive_elements(blocks: list[Any], kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        block_id = str(block.get("block_id") or f"b{index}")
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("type") == kind:
                yield block_id, element


def _pick(
    blocks: list[Any], kind: str, label: str, action_id: str, value: str, *, where: str
) -> tuple[str, dict[str, Any]]:
    found = list(_interactive_elements(blocks, kind))
    if found and not label and not action_id:
        return found[0]
    for block_id, element in found:
        if value and kind == "button" and element.get("value") != value:
            continue
        if (action_id and element.get("action_id") == action_id) or (
            not action_id and _element_matches(element, kind, label)
        ):
            return block_id, element
    there = ", ".join(_describe(e) for _, e in found) or "none"
    raise SimError(
        "action_not_found",
        f"no {kind} {label or action_id!r} on {where}; there: {there}",
        status=404,
    )


def _text_of(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return [o for o in options if isinstance(o, dict)]


def _element_matches(element: dict[str, Any], kind: str, label: str) -> bool:
    if kind == "button":
        return _text_of(element.get("text")) == label
    return find_option(element, label) is not None


def find_option(element: dict[str, Any], wanted: str) -> dict[str, Any] | None:
    """A select's option by its label text or its value."""
    for option in _options(element):
        if wanted in (_text_of(option.get("text")), option.get("value")):
            return option
    return None


def _describe(element: dict[str, Any]) -> str:
    if element.get("type") == "button":
        return f"button {_text_of(element.get('text'))!r} ({element.get('action_id')})"
    labels = [_text_of(o.get("text")) for o in _options(element)]
    return f"select {element.get('action_id')} {labels}"
