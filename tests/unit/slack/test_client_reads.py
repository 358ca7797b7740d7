"""What the web client for people reads from the model: a page of a channel, the sidebar of a
workspace and who may sign in. Plain `SlackState` calls, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from emulator.clock import VirtualClock
from emulator.slack.entities import Channel, Install, Message, User, Workspace
from emulator.slack.errors import NotFound
from emulator.slack.models import SlackState

SCOPES = ["chat:write", "channels:read", "groups:read", "channels:history", "groups:history"]


@dataclass
class Acme:
    state: SlackState
    ws: Workspace
    alice: User
    bob: User
    general: Channel
    secret: Channel
    install: Install

    def post(self, text: str, *, thread_ts: str = "", channel: Channel | None = None) -> Message:
        return self.state.chat_post_message(
            self.install,
            (channel or self.general).id,
            text=text,
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
            attachments=None,
            thread_ts=thread_ts,
        )

    def whisper(self, text: str, to: User) -> Message:
        return self.state.chat_post_ephemeral(
            self.install, self.general.id, to.id, text=text, blocks=None, attachments=None
        )


@pytest.fixture
def acme() -> Acme:
    state = SlackState(clock=VirtualClock(start=1_700_000_000.0), seed=3)
    ws = state.create_workspace(name="Acme", domain="acme")
    alice = state.create_user(ws.id, name="alice", email="alice@example.com", real_name="Alice")
    bob = state.create_user(ws.id, name="bob", email="bob@example.com", real_name="Bob")
    general = state.create_channel(
        ws.id, name="general", is_private=False, members=[alice.id, bob.id]
    )
    secret = state.create_channel(ws.id, name="secret", is_private=True, members=[alice.id])
    app = state.create_app(name="ilert")
    install = state.install(app.id, ws.id, SCOPES)
    state.invite(general.id, install.bot_user_id)
    return Acme(state, ws, alice, bob, general, secret, install)


# --- channel_page ------------------------------------------------------------------------------


def test_a_page_is_the_newest_messages_oldest_first_with_the_way_to_older_ones(acme: Acme) -> None:
    posted = [acme.post(f"message {n}") for n in range(7)]

    page = acme.state.channel_page(acme.general.id, viewer_id=acme.alice.id, limit=3)
    previous = acme.state.channel_page(
        acme.general.id, viewer_id=acme.alice.id, before=page.older, limit=3
    )
    first = acme.state.channel_page(
        acme.general.id, viewer_id=acme.alice.id, before=previous.older, limit=3
    )

    assert [m.text for m in page.messages] == ["message 4", "message 5", "message 6"]
    assert page.older == posted[4].ts
    assert [m.text for m in previous.messages] == ["message 1", "message 2", "message 3"]
    assert [m.text for m in first.messages] == ["message 0"]
    assert first.older == ""


def test_a_page_that_holds_the_whole_channel_has_no_older_page(acme: Acme) -> None:
    for n in range(3):
        acme.post(f"message {n}")

    exactly = acme.state.channel_page(acme.general.id, viewer_id=acme.alice.id, limit=3)
    empty = acme.state.channel_page(acme.secret.id, viewer_id=acme.alice.id)

    assert len(exactly.messages) == 3 and exactly.older == ""
    assert empty.messages == [] and empty.older == ""


def test_before_that_is_not_a_ts_means_the_channels_end(acme: Acme) -> None:
    for n in range(3):
        acme.post(f"message {n}")

    for before in (None, "", "yesterday"):
        page = acme.state.channel_page(acme.general.id, viewer_id=acme.bob.id, before=before)
        assert [m.text for m in page.messages] == ["message 0", "message 1", "message 2"]


def test_replies_sit_under_their_parent_not_on_the_page(acme: Acme) -> None:
    parent = acme.post("alert")
    acme.post("accepted", thread_ts=parent.ts)
    acme.post("resolved", thread_ts=parent.ts)
    acme.post("next alert")

    page = acme.state.channel_page(acme.general.id, viewer_id=acme.bob.id)

    assert [m.text for m in page.messages] == ["alert", "next alert"]
    assert [r.text for r in page.messages[0].replies] == ["accepted", "resolved"]
    assert page.messages[1].replies == []


def test_an_ephemeral_message_is_on_its_persons_page_only(acme: Acme) -> None:
    acme.post("for everyone")
    acme.whisper("only for alice", acme.alice)

    alices = acme.state.channel_page(acme.general.id, viewer_id=acme.alice.id)
    bobs = acme.state.channel_page(acme.general.id, viewer_id=acme.bob.id)

    assert [(m.text, m.ephemeral) for m in alices.messages] == [
        ("for everyone", False),
        ("only for alice", True),
    ]
    assert [m.text for m in bobs.messages] == ["for everyone"]


def test_hidden_messages_do_not_count_towards_the_limit(acme: Acme) -> None:
    acme.post("one")
    acme.post("two")
    for n in range(5):
        acme.whisper(f"whisper {n}", acme.alice)

    page = acme.state.channel_page(acme.general.id, viewer_id=acme.bob.id, limit=2)

    assert [m.text for m in page.messages] == ["one", "two"] and page.older == ""


def test_a_page_shows_what_the_whole_channel_read_shows(acme: Acme) -> None:
    parent = acme.post("alert")
    acme.post("accepted", thread_ts=parent.ts)
    acme.whisper("only for alice", acme.alice)
    acme.post("next alert")

    page = acme.state.channel_page(acme.general.id, viewer_id=acme.alice.id)
    whole = acme.state.channel_messages(acme.general.id, acme.alice.id)

    assert [(m.ts, [r.ts for r in m.replies]) for m in page.messages] == [
        (m["ts"], [r["ts"] for r in m["replies"]]) for m in whole
    ]


def test_a_page_is_a_copy_that_later_changes_leave_alone(acme: Acme) -> None:
    message = acme.post("firing")

    page = acme.state.channel_page(acme.general.id, viewer_id=acme.alice.id)
    acme.state.chat_update(
        acme.install,
        acme.general.id,
        message.ts,
        text="resolved",
        blocks=[],
        attachments=[{"color": "good"}],
    )
    later = acme.state.channel_page(acme.general.id, viewer_id=acme.alice.id)

    shown = page.messages[0]
    assert (shown.text, shown.edited, shown.attachments) == ("firing", False, [])
    assert shown.blocks == [{"type": "section", "text": {"type": "mrkdwn", "text": "firing"}}]
    assert shown.user == acme.install.bot_user_id
    assert (later.messages[0].text, later.messages[0].edited) == ("resolved", True)
    assert later.messages[0].attachments == [{"color": "good"}]


def test_a_page_of_an_unknown_channel_or_of_nothing_is_refused(acme: Acme) -> None:
    with pytest.raises(NotFound):
        acme.state.channel_page("C404", viewer_id=acme.alice.id)
    with pytest.raises(ValueError):
        acme.state.channel_page(acme.general.id, viewer_id=acme.alice.id, limit=0)


# --- workspace_overview --------------------------------------------------------------------------


def test_the_overview_lists_the_channels_a_person_may_open(acme: Acme) -> None:
    archived = acme.state.create_channel(acme.ws.id, name="old", is_private=False)
    acme.state.archive(archived.id)
    open_to_all = acme.state.create_channel(acme.ws.id, name="random", is_private=False)

    alices = acme.state.workspace_overview(acme.ws.id, acme.alice.id)
    bobs = acme.state.workspace_overview(acme.ws.id, acme.bob.id)

    assert alices.workspace is acme.ws
    assert [(r.name, r.is_private, r.is_member) for r in alices.rows] == [
        ("general", False, True),
        ("secret", True, True),
        ("random", False, False),
    ]
    assert [r.id for r in bobs.rows] == [acme.general.id, open_to_all.id]
    assert bobs.row(acme.secret.id) is None
    general = bobs.row(acme.general.id)
    assert general is not None and (general.members, general.is_member) == (3, True)


def test_the_overview_shows_the_installed_bots_and_where_they_are(acme: Acme) -> None:
    other = acme.state.install(acme.state.create_app(name="Pager").id, acme.ws.id, SCOPES)
    bot = acme.state.user(acme.install.bot_user_id)

    overview = acme.state.workspace_overview(acme.ws.id, acme.alice.id)

    assert [b.id for b in overview.bots] == [acme.install.bot_user_id, other.bot_user_id]
    assert [[b.id for b in r.bots] for r in overview.rows] == [[bot.id], []]

    acme.state.auth_revoke(other)
    assert acme.state.workspace_overview(acme.ws.id, acme.alice.id).bots == [bot]


def test_the_overview_of_an_unknown_workspace_is_refused(acme: Acme) -> None:
    with pytest.raises(NotFound):
        acme.state.workspace_overview("T404", acme.alice.id)


# --- people_by_workspace -----------------------------------------------------------------------


def test_people_by_workspace_leaves_the_bots_out(acme: Acme) -> None:
    empty = acme.state.create_workspace(name="Beta", domain="beta")

    assert acme.state.people_by_workspace() == [(acme.ws, [acme.alice, acme.bob]), (empty, [])]
