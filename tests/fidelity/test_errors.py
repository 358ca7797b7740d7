"""Documented error codes, at least three for every method that Slack documents that many for,
as `SlackApiError`s carrying Slack's body."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from tests.fidelity.conftest import Acme
from tests.fidelity.scenarios import (
    BUTTON_MODAL,
    consent,
    in_an_hour,
    metadata,
    posted,
    war_room,
)
from tests.fidelity.test_examples import methods

# Slack's "common errors", which every method's page lists besides its own.
COMMON = {
    "not_authed",
    "invalid_auth",
    "token_revoked",
    "token_expired",
    "account_inactive",
    "no_permission",
    "missing_scope",
    "invalid_arguments",
    "ratelimited",
    "internal_error",
    "fatal_error",
}

Case = tuple[str, str, Callable[[Acme], Any]]


def _ch(acme: Acme) -> str:
    return acme.general["id"]


def _revoked(acme: Acme) -> Any:
    client = acme.client()
    client.auth_revoke()
    return client.auth_revoke()


def _archived(acme: Acme) -> str:
    channel = acme.sim.channel(acme.team["id"], "old", members=[acme.bot])["id"]
    acme.sim.archive(channel)
    return channel


def _others_message(acme: Acme) -> str:
    """A message another app posted in #general."""
    other = acme.sim.app("Other")
    token = acme.sim.install(other["id"], acme.team["id"], ["chat:write", "chat:write.public"])
    return acme.client(token["access_token"]).chat_postMessage(channel=_ch(acme), text="x")["ts"]


def _code(acme: Acme) -> str:
    return consent(acme, scopes=["commands"])


def _access(acme: Acme, **args: Any) -> Any:
    creds = {"client_id": acme.app["client_id"], "client_secret": acme.app["client_secret"]}
    return acme.sim.client().oauth_v2_access(**{**creds, **args})


def _modal(acme: Acme, **extra: Any) -> dict[str, Any]:
    return acme.client().views_open(trigger_id=acme.trigger_id(), view={**BUTTON_MODAL, **extra})[
        "view"
    ]


def _in_modal_trigger(acme: Acme, view_id: str) -> str:
    return acme.sim.click(acme.alice["id"], label="More", view_id=view_id)["trigger_id"]


def _push_four(acme: Acme) -> Any:
    client, view_id = acme.client(), _modal(acme)["id"]
    for _ in range(3):
        trigger_id = _in_modal_trigger(acme, view_id)
        view_id = client.views_push(trigger_id=trigger_id, view=BUTTON_MODAL)["view"]["id"]
    return view_id


def _used_trigger(acme: Acme) -> str:
    trigger_id = acme.trigger_id()
    acme.client().views_open(trigger_id=trigger_id, view=BUTTON_MODAL)
    return trigger_id


def _too_many_emoji(acme: Acme) -> Any:
    ts = posted(acme)["ts"]
    for n in range(23):
        acme.sim.react(_ch(acme), ts, acme.alice["id"], f"emoji{n}")
    return acme.client().reactions_add(channel=_ch(acme), timestamp=ts, name="one-too-many")


TOO_LARGE = {
    **BUTTON_MODAL,
    "blocks": [{"type": "section", "text": {"type": "plain_text", "text": "x" * 3000}}] * 90,
}


CASES: list[Case] = [
    ("api.test", "my_error", lambda a: a.client().api_test(error="my_error")),
    ("apps.uninstall", "invalid_client_id", lambda a: a.client().apps_uninstall(
        client_id="1.2", client_secret="x")),
    ("apps.uninstall", "bad_client_secret", lambda a: a.client().apps_uninstall(
        client_id=a.app["client_id"], client_secret="wrong")),
    ("apps.uninstall", "client_id_token_mismatch", lambda a: a.client().apps_uninstall(
        client_id=a.sim.app("Other")["client_id"], client_secret=a.sim.get(
            "/state")["apps"][-1]["client_secret"])),
    ("auth.revoke", "token_revoked", _revoked),
    ("auth.revoke", "not_authed", lambda a: a.sim.client().auth_revoke()),
    ("auth.revoke", "invalid_auth", lambda a: a.client("xoxb-nope").auth_revoke()),
    ("auth.test", "invalid_auth", lambda a: a.client("xoxb-nope").auth_test()),
    ("auth.test", "not_authed", lambda a: a.sim.client().auth_test()),
    ("auth.test", "token_revoked", lambda a: (a.client().auth_revoke(), a.client().auth_test())),
    ("bots.info", "bot_not_found", lambda a: a.client().bots_info(bot="BNOPE")),
    ("bots.info", "team_not_found", lambda a: a.client().bots_info(team_id="TOTHER")),
    ("bots.info", "missing_scope", lambda a: a.install_with(["chat:write"]).bots_info()),
    ("chat.delete", "channel_not_found", lambda a: a.client().chat_delete(
        channel="CNOPE", ts="1.000001")),
    ("chat.delete", "message_not_found", lambda a: a.client().chat_delete(
        channel=_ch(a), ts="1.000001")),
    ("chat.delete", "cant_delete_message", lambda a: a.client().chat_delete(
        channel=_ch(a), ts=_others_message(a))),
    ("chat.getPermalink", "channel_not_found", lambda a: a.client().chat_getPermalink(
        channel="CNOPE", message_ts="1.000001")),
    ("chat.getPermalink", "message_not_found", lambda a: a.client().chat_getPermalink(
        channel=_ch(a), message_ts="1.000001")),
    ("chat.getPermalink", "invalid_arguments", lambda a: a.client().api_call(
        "chat.getPermalink", params={"channel": _ch(a)})),
    ("chat.postEphemeral", "channel_not_found", lambda a: a.client().chat_postEphemeral(
        channel="CNOPE", user=a.alice["id"], text="x")),
    ("chat.postEphemeral", "not_in_channel", lambda a: a.client().chat_postEphemeral(
        channel=_ch(a), user=a.alice["id"], text="x")),
    ("chat.postEphemeral", "user_not_in_channel", lambda a: (
        a.invite_bot(_ch(a)), a.client().chat_postEphemeral(
            channel=_ch(a), user=a.sim.user(a.team["id"], "carol")["id"], text="x"))),
    ("chat.postEphemeral", "is_archived", lambda a: a.client().chat_postEphemeral(
        channel=_archived(a), user=a.alice["id"], text="x")),
    ("chat.postEphemeral", "msg_too_long", lambda a: (a.invite_bot(_ch(a)), a.client(
        ).chat_postEphemeral(channel=_ch(a), user=a.alice["id"], text="x" * 40_001))),
    ("chat.postMessage", "channel_not_found", lambda a: a.client().chat_postMessage(
        channel="CNOPE", text="x")),
    ("chat.postMessage", "not_in_channel", lambda a: a.client().chat_postMessage(
        channel=_ch(a), text="x")),
    ("chat.postMessage", "is_archived", lambda a: a.client().chat_postMessage(
        channel=_archived(a), text="x")),
    ("chat.postMessage", "no_text", lambda a: (a.invite_bot(_ch(a)), a.client().api_call(
        "chat.postMessage", json={"channel": _ch(a)}))),
    ("chat.postMessage", "invalid_blocks_format", lambda a: a.client().api_call(
        "chat.postMessage", params={"channel": _ch(a), "blocks": "[nope"})),
    ("chat.postMessage", "invalid_blocks", lambda a: a.client().chat_postMessage(
        channel=_ch(a), text="x", blocks=[{"text": "no type"}])),
    ("chat.postMessage", "invalid_metadata_format", lambda a: a.client().chat_postMessage(
        channel=_ch(a), text="x", metadata={"event_payload": {}})),
    ("chat.postMessage", "too_many_attachments", lambda a: a.client().chat_postMessage(
        channel=_ch(a), text="x", attachments=[{"text": "a"}] * 101)),
    ("chat.postMessage", "markdown_text_conflict", lambda a: a.client().chat_postMessage(
        channel=_ch(a), text="x", markdown_text="*x*")),
    ("chat.update", "channel_not_found", lambda a: a.client().chat_update(
        channel="CNOPE", ts="1.000001", text="x")),
    ("chat.update", "message_not_found", lambda a: a.client().chat_update(
        channel=_ch(a), ts="1.000001", text="x")),
    ("chat.update", "cant_update_message", lambda a: a.client().chat_update(
        channel=_ch(a), ts=_others_message(a), text="x")),
    ("chat.update", "msg_too_long", lambda a: a.client().chat_update(
        channel=_ch(a), ts=posted(a)["ts"], text="x" * 40_001)),
    ("chat.update", "invalid_blocks", lambda a: a.client().chat_update(
        channel=_ch(a), ts=posted(a)["ts"], text="x", blocks=[{}])),
    ("conversations.create", "name_taken", lambda a: a.client().conversations_create(
        name="general")),
    ("conversations.create", "invalid_name_specials", lambda a: a.client(
        ).conversations_create(name="No Spaces")),
    ("conversations.create", "invalid_name_maxlength", lambda a: a.client(
        ).conversations_create(name="x" * 81)),
    ("conversations.create", "invalid_name_punctuation", lambda a: a.client(
        ).conversations_create(name="__")),
    ("conversations.create", "missing_scope", lambda a: a.install_with(
        ["channels:manage"]).conversations_create(name="hidden", is_private=True)),
    ("conversations.history", "channel_not_found", lambda a: a.client(
        ).conversations_history(channel="CNOPE")),
    ("conversations.history", "not_in_channel", lambda a: a.client().conversations_history(
        channel=_ch(a))),
    ("conversations.history", "invalid_cursor", lambda a: (a.invite_bot(_ch(a)), a.client(
        ).conversations_history(channel=_ch(a), cursor="bm9wZQ=="))),
    ("conversations.history", "invalid_ts_latest", lambda a: (a.invite_bot(_ch(a)), a.client(
        ).conversations_history(channel=_ch(a), latest="yesterday"))),
    ("conversations.history", "invalid_ts_oldest", lambda a: (a.invite_bot(_ch(a)), a.client(
        ).conversations_history(channel=_ch(a), oldest="soon"))),
    ("conversations.info", "channel_not_found", lambda a: a.client().conversations_info(
        channel=a.secret["id"])),
    ("conversations.info", "missing_scope", lambda a: a.install_with(
        ["chat:write"]).conversations_info(channel=_ch(a))),
    ("conversations.info", "invalid_auth", lambda a: a.client("xoxb-x").conversations_info(
        channel=_ch(a))),
    ("conversations.invite", "not_in_channel", lambda a: a.client().conversations_invite(
        channel=_ch(a), users=a.alice["id"])),
    ("conversations.invite", "already_in_channel", lambda a: (a.invite_bot(_ch(a)), a.client(
        ).conversations_invite(channel=_ch(a), users=a.alice["id"]))),
    ("conversations.invite", "cant_invite_self", lambda a: (a.invite_bot(_ch(a)), a.client(
        ).conversations_invite(channel=_ch(a), users=a.bot))),
    ("conversations.invite", "user_not_found", lambda a: (a.invite_bot(_ch(a)), a.client(
        ).conversations_invite(channel=_ch(a), users="UNOPE"))),
    ("conversations.invite", "channel_not_found", lambda a: a.client().conversations_invite(
        channel="CNOPE", users=a.alice["id"])),
    ("conversations.invite", "is_archived", lambda a: a.client().conversations_invite(
        channel=_archived(a), users=a.alice["id"])),
    ("conversations.join", "channel_not_found", lambda a: a.client().conversations_join(
        channel="CNOPE")),
    ("conversations.join", "is_archived", lambda a: a.client().conversations_join(
        channel=_archived(a))),
    ("conversations.join", "method_not_supported_for_channel_type", lambda a: (
        a.invite_bot(a.secret["id"]), a.client().conversations_join(channel=a.secret["id"]))),
    ("conversations.join", "missing_scope", lambda a: a.install_with(
        ["chat:write"]).conversations_join(channel=_ch(a))),
    ("conversations.list", "invalid_cursor", lambda a: a.client().conversations_list(
        cursor="garbage!")),
    ("conversations.list", "invalid_limit", lambda a: a.client().conversations_list(
        limit=-1)),
    ("conversations.list", "invalid_types", lambda a: a.client().conversations_list(
        types="public_channel,dm")),
    ("conversations.list", "missing_scope", lambda a: a.install_with(
        ["channels:read"]).conversations_list(types="private_channel")),
    ("conversations.members", "channel_not_found", lambda a: a.client(
        ).conversations_members(channel="CNOPE")),
    ("conversations.members", "invalid_cursor", lambda a: a.client().conversations_members(
        channel=_ch(a), cursor="eHl6")),
    ("conversations.members", "invalid_limit", lambda a: a.client().conversations_members(
        channel=_ch(a), limit=-1)),
    ("conversations.members", "missing_scope", lambda a: a.install_with(
        ["chat:write"]).conversations_members(channel=_ch(a))),
    ("conversations.replies", "channel_not_found", lambda a: a.client(
        ).conversations_replies(channel="CNOPE", ts="1.000001")),
    ("conversations.replies", "thread_not_found", lambda a: (a.invite_bot(_ch(a)), a.client(
        ).conversations_replies(channel=_ch(a), ts="1.000001"))),
    ("conversations.replies", "invalid_cursor", lambda a: a.client().conversations_replies(
        channel=_ch(a), ts=posted(a)["ts"], cursor="!!")),
    ("conversations.replies", "invalid_ts_oldest", lambda a: a.client(
        ).conversations_replies(channel=_ch(a), ts=posted(a)["ts"], oldest="x")),
    ("conversations.replies", "missing_scope", lambda a: a.install_with(
        ["chat:write"]).conversations_replies(channel=_ch(a), ts="1.000001")),
    ("oauth.v2.access", "invalid_client_id", lambda a: a.sim.client().oauth_v2_access(
        client_id="1.2", client_secret="x", code="c")),
    ("oauth.v2.access", "bad_client_secret", lambda a: _access(a, client_secret="wrong",
        code="c")),
    ("oauth.v2.access", "invalid_code", lambda a: _access(a, code="not-a-code")),
    ("oauth.v2.access", "bad_redirect_uri", lambda a: _access(a, code=_code(a),
        redirect_uri="http://elsewhere.test/")),
    ("oauth.v2.access", "invalid_grant_type", lambda a: _access(a, code="c",
        grant_type="password")),
    ("oauth.v2.access", "invalid_refresh_token", lambda a: _access(a,
        grant_type="refresh_token", refresh_token="xoxe-1")),
    ("team.info", "team_not_found", lambda a: a.client().team_info(team="TOTHER")),
    ("team.info", "missing_scope", lambda a: a.install_with(["chat:write"]).team_info()),
    ("team.info", "not_authed", lambda a: a.sim.client().team_info()),
    ("users.info", "user_not_found", lambda a: a.client().users_info(user="UNOPE")),
    ("users.info", "too_many_users", lambda a: a.client().users_info(
        user=f"{a.alice['id']},{a.bob['id']}")),
    ("users.info", "missing_scope", lambda a: a.install_with(["chat:write"]).users_info(
        user=a.alice["id"])),
    ("users.list", "invalid_cursor", lambda a: a.client().users_list(cursor="nope")),
    ("users.list", "missing_scope", lambda a: a.install_with(["chat:write"]).users_list()),
    ("users.list", "invalid_auth", lambda a: a.client("xoxb-x").users_list()),
    ("users.lookupByEmail", "users_not_found", lambda a: a.client().users_lookupByEmail(
        email="nobody@example.com")),
    ("users.lookupByEmail", "missing_scope", lambda a: a.install_with(
        ["users:read"]).users_lookupByEmail(email="alice@example.com")),
    ("users.lookupByEmail", "invalid_arguments", lambda a: a.client().api_call(
        "users.lookupByEmail", params={})),
    ("views.open", "invalid_trigger_id", lambda a: a.client().views_open(
        trigger_id="1.nope", view=BUTTON_MODAL)),
    ("views.open", "exchanged_trigger_id", lambda a: a.client().views_open(
        trigger_id=_used_trigger(a), view=BUTTON_MODAL)),
    ("views.open", "duplicate_external_id", lambda a: (_modal(a, external_id="e1"), _modal(
        a, external_id="e1"))),
    ("views.open", "view_too_large", lambda a: a.client().views_open(
        trigger_id=a.trigger_id(), view=TOO_LARGE)),
    ("views.push", "not_found", lambda a: a.client().views_push(
        trigger_id=a.trigger_id(), view=BUTTON_MODAL)),
    ("views.push", "invalid_trigger_id", lambda a: a.client().views_push(
        trigger_id="1.nope", view=BUTTON_MODAL)),
    ("views.push", "exchanged_trigger_id", lambda a: a.client().views_push(
        trigger_id=_used_trigger(a), view=BUTTON_MODAL)),
    ("conversations.archive", "cant_archive_general", lambda a: (a.invite_bot(_ch(a)),
        a.client().conversations_archive(channel=_ch(a)))),
    ("conversations.archive", "already_archived", lambda a: a.client().conversations_archive(
        channel=_archived(a))),
    ("conversations.archive", "not_in_channel", lambda a: a.client().conversations_archive(
        channel=a.sim.channel(a.team["id"], "quiet")["id"])),
    ("conversations.archive", "channel_not_found", lambda a: a.client().conversations_archive(
        channel=a.secret["id"])),
    ("conversations.unarchive", "not_archived", lambda a: a.client().conversations_unarchive(
        channel=war_room(a))),
    ("conversations.unarchive", "channel_not_found", lambda a: a.client().conversations_unarchive(
        channel="CNOPE")),
    ("conversations.unarchive", "missing_scope", lambda a: a.install_with(
        ["chat:write"]).conversations_unarchive(channel=_archived(a))),
    ("conversations.rename", "name_taken", lambda a: a.client().conversations_rename(
        channel=war_room(a), name="general")),
    ("conversations.rename", "invalid_name_specials", lambda a: a.client().conversations_rename(
        channel=war_room(a), name="War Room")),
    ("conversations.rename", "invalid_name_maxlength", lambda a: a.client().conversations_rename(
        channel=war_room(a), name="w" * 81)),
    ("conversations.rename", "is_archived", lambda a: a.client().conversations_rename(
        channel=_archived(a), name="attic")),
    ("conversations.setTopic", "too_long", lambda a: a.client().conversations_setTopic(
        channel=war_room(a), topic="t" * 251)),
    ("conversations.setTopic", "not_in_channel", lambda a: a.client().conversations_setTopic(
        channel=_ch(a), topic="hello")),
    ("conversations.setTopic", "is_archived", lambda a: a.client().conversations_setTopic(
        channel=_archived(a), topic="hello")),
    ("conversations.setPurpose", "too_long", lambda a: a.client().conversations_setPurpose(
        channel=war_room(a), purpose="p" * 251)),
    ("conversations.setPurpose", "channel_not_found", lambda a: a.client(
        ).conversations_setPurpose(channel="CNOPE", purpose="p")),
    ("conversations.setPurpose", "is_archived", lambda a: a.client().conversations_setPurpose(
        channel=_archived(a), purpose="p")),
    ("conversations.kick", "cant_kick_self", lambda a: a.client().conversations_kick(
        channel=war_room(a), user=a.bot)),
    ("conversations.kick", "user_not_found", lambda a: a.client().conversations_kick(
        channel=war_room(a), user="UNOPE")),
    ("conversations.kick", "not_in_channel", lambda a: a.client().conversations_kick(
        channel=war_room(a), user=a.bob["id"])),
    ("conversations.kick", "cant_kick_from_general", lambda a: (a.invite_bot(_ch(a)),
        a.client().conversations_kick(channel=_ch(a), user=a.alice["id"]))),
    ("conversations.leave", "cant_leave_general", lambda a: (a.invite_bot(_ch(a)),
        a.client().conversations_leave(channel=_ch(a)))),
    ("conversations.leave", "is_archived", lambda a: a.client().conversations_leave(
        channel=_archived(a))),
    ("conversations.leave", "channel_not_found", lambda a: a.client().conversations_leave(
        channel="CNOPE")),
    ("reactions.add", "already_reacted", lambda a: [a.client().reactions_add(
        channel=_ch(a), timestamp=ts, name="eyes") for ts in [posted(a)["ts"]] * 2]),
    ("reactions.add", "invalid_name", lambda a: a.client().reactions_add(
        channel=_ch(a), timestamp=posted(a)["ts"], name="Not An Emoji")),
    ("reactions.add", "message_not_found", lambda a: a.client().reactions_add(
        channel=_ch(a), timestamp="1.000001", name="eyes")),
    ("reactions.add", "bad_timestamp", lambda a: a.client().reactions_add(
        channel=_ch(a), timestamp="yesterday", name="eyes")),
    ("reactions.add", "too_many_emoji", _too_many_emoji),
    ("reactions.remove", "no_reaction", lambda a: a.client().reactions_remove(
        channel=_ch(a), timestamp=posted(a)["ts"], name="eyes")),
    ("reactions.remove", "no_item_specified", lambda a: a.client().reactions_remove(name="eyes")),
    ("reactions.remove", "message_not_found", lambda a: a.client().reactions_remove(
        channel=_ch(a), timestamp="1.000001", name="eyes")),
    ("reactions.get", "no_item_specified", lambda a: a.client().reactions_get()),
    ("reactions.get", "message_not_found", lambda a: a.client().reactions_get(
        channel=_ch(a), timestamp="1.000001")),
    ("reactions.get", "missing_scope", lambda a: a.install_with(["chat:write"]).reactions_get(
        channel=_ch(a), timestamp="1.000001")),
    ("chat.scheduleMessage", "time_in_past", lambda a: a.client().chat_scheduleMessage(
        channel=_ch(a), post_at=1, text="x")),
    ("chat.scheduleMessage", "time_too_far", lambda a: a.client().chat_scheduleMessage(
        channel=_ch(a), post_at=int(time.time()) + 121 * 86_400, text="x")),
    ("chat.scheduleMessage", "invalid_time", lambda a: a.client().chat_scheduleMessage(
        channel=_ch(a), post_at="tomorrow", text="x")),
    ("chat.scheduleMessage", "restricted_too_many", lambda a: [in_an_hour(a) for _ in range(31)]),
    ("chat.scheduleMessage", "not_in_channel", lambda a: a.client().chat_scheduleMessage(
        channel=_ch(a), post_at=int(time.time()) + 60, text="x")),
    ("chat.deleteScheduledMessage", "invalid_scheduled_message_id", lambda a: a.client(
        ).chat_deleteScheduledMessage(channel=_ch(a), scheduled_message_id="QNOPE")),
    ("chat.deleteScheduledMessage", "channel_not_found", lambda a: a.client(
        ).chat_deleteScheduledMessage(channel="CNOPE", scheduled_message_id="QNOPE")),
    ("chat.deleteScheduledMessage", "missing_scope", lambda a: a.install_with(
        ["channels:read"]).chat_deleteScheduledMessage(channel=_ch(a), scheduled_message_id="Q1")),
    ("chat.scheduledMessages.list", "invalid_channel", lambda a: a.client(
        ).chat_scheduledMessages_list(channel="CNOPE")),
    ("chat.scheduledMessages.list", "invalid_cursor", lambda a: a.client(
        ).chat_scheduledMessages_list(cursor="bm9wZQ==")),
    ("chat.scheduledMessages.list", "not_authed", lambda a: a.sim.client(
        ).chat_scheduledMessages_list()),
    ("conversations.open", "users_list_not_supplied", lambda a: a.client().api_call(
        "conversations.open", json={})),
    ("conversations.open", "user_not_found", lambda a: a.client().conversations_open(
        users="UNOPE")),
    ("conversations.open", "too_many_users", lambda a: a.client().conversations_open(
        users=",".join(a.sim.user(a.team["id"], f"p{n}")["id"] for n in range(9)))),
    ("conversations.open", "cannot_dm_bot", lambda a: a.client().conversations_open(
        users=a.sim.install(a.sim.app("Other")["id"], a.team["id"], ["chat:write"])[
            "bot_user_id"])),
    ("conversations.open", "method_not_supported_for_channel_type", lambda a: a.client(
        ).conversations_open(channel=_ch(a))),
    ("conversations.open", "channel_not_found", lambda a: a.client().conversations_open(
        channel="DNOPE")),
    ("conversations.open", "missing_scope", lambda a: a.install_with(
        ["chat:write"]).conversations_open(users=a.alice["id"])),
    ("views.push", "push_limit_reached", _push_four),
    ("views.update", "not_found", lambda a: a.client().views_update(
        view_id="VNOPE", view=BUTTON_MODAL)),
    ("views.update", "hash_conflict", lambda a: a.client().views_update(
        view_id=_modal(a)["id"], hash="1.stale", view=BUTTON_MODAL)),
    ("views.update", "duplicate_external_id", lambda a: (_modal(a, external_id="e1"),
        a.client().views_update(view_id=_modal(a)["id"], view={**BUTTON_MODAL,
        "external_id": "e1"}))),
    ("views.update", "view_too_large", lambda a: a.client().views_update(
        view_id=_modal(a)["id"], view=TOO_LARGE)),
]  # fmt: skip


@pytest.mark.parametrize(("method", "error", "call"), CASES, ids=[f"{m}-{e}" for m, e, _ in CASES])
def test_a_documented_error(method: str, error: str, call: Callable[[Acme], Any], acme: Acme):
    with pytest.raises(SlackApiError) as caught:
        call(acme)

    response = caught.value.response
    assert response["error"] == error
    assert response["ok"] is False and response.status_code == 200
    documented = set(metadata(method).get("errors") or {}) | COMMON
    assert error in documented or method == "api.test"


def test_each_method_is_checked_for_three_documented_errors() -> None:
    checked = Counter(method for method, _, _ in CASES)

    short = {
        method: checked[method]
        for method in methods()
        if len(metadata(method).get("errors") or {}) >= 3 and checked[method] < 3
    }
    assert short == {}
    assert all(checked[m] >= 3 for m in methods() if m != "api.test")


def test_missing_scope_says_what_is_needed_and_provided(acme: Acme) -> None:
    client = acme.install_with(["chat:write", "channels:read"])

    with pytest.raises(SlackApiError) as caught:
        client.users_info(user=acme.alice["id"])

    assert caught.value.response.data == {
        "ok": False,
        "error": "missing_scope",
        "needed": "users:read",
        "provided": "chat:write,channels:read",
    }
