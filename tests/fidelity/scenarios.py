"""One successful call of every emulated Web API method, made as an app makes it.

`SUCCESS[method](acme)` returns the method's `SlackResponse` data. The examples test compares each
with Slack's published example; the shapes test checks what each must say.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from slack_sdk.oauth import AuthorizeUrlGenerator

from tests.fidelity.conftest import Acme

Data = dict[str, Any]
SUCCESS: dict[str, Callable[[Acme], Data]] = {}
REDIRECT = "http://app.test/slack/oauth_redirect"
_VIEW_OUTPUT = {
    "id",
    "team_id",
    "state",
    "hash",
    "root_view_id",
    "previous_view_id",
    "app_id",
    "bot_id",
}


def metadata(method: str) -> Data:
    """Slack's published metadata for `method`, as fake Slack ships it."""
    files = resources.files("emulator.slack.methods")
    return json.loads(files.joinpath(f"{method}.json").read_text(encoding="utf-8"))


def example(method: str) -> Data | None:
    return (metadata(method).get("examples") or {}).get("success", {}).get("example")


def example_view(method: str) -> Data:
    """The view of a views.* example, as an app would send it."""
    view = example(method)["view"]  # type: ignore[index]
    return {k: v for k, v in view.items() if k not in _VIEW_OUTPUT}


def success(method: str) -> Callable[[Callable[[Acme], Data]], Callable[[Acme], Data]]:
    def register(scenario: Callable[[Acme], Data]) -> Callable[[Acme], Data]:
        SUCCESS[method] = scenario
        return scenario

    return register


def posted(acme: Acme, text: str = "Here's a message for you", **extra: Any) -> Data:
    acme.invite_bot(acme.general["id"])
    return acme.client().chat_postMessage(channel=acme.general["id"], text=text, **extra).data


def consent(acme: Acme, *, scopes: list[str], user_scopes: list[str] = ()) -> str:  # type: ignore[assignment]
    """A person allows the app on the authorize page; answers the code the redirect carries."""
    acme.sim.update_app(acme.app["id"], redirect_urls=[REDIRECT])
    url = AuthorizeUrlGenerator(
        client_id=acme.app["client_id"],
        scopes=scopes,
        user_scopes=list(user_scopes),
        redirect_uri=REDIRECT,
        authorization_url=f"{acme.sim.url}/oauth/v2/authorize",
    ).generate("state-1")
    browser = requests.Session()
    login = browser.get(url, timeout=10)
    next_url = parse_qs(urlsplit(login.url).query)["next"][0]
    page = browser.post(
        f"{acme.sim.url}/login", data={"user_id": acme.alice["id"], "next": next_url}, timeout=10
    )
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    decided = browser.post(
        f"{acme.sim.url}/oauth/v2/authorize",
        data={**fields, "decision": "allow"},
        allow_redirects=False,
        timeout=10,
    )
    return parse_qs(urlsplit(decided.headers["Location"]).query)["code"][0]


@success("api.test")
def api_test(acme: Acme) -> Data:
    return acme.client().api_test().data


@success("apps.uninstall")
def apps_uninstall(acme: Acme) -> Data:
    app = acme.app
    return (
        acme.client()
        .apps_uninstall(client_id=app["client_id"], client_secret=app["client_secret"])
        .data
    )


@success("auth.revoke")
def auth_revoke(acme: Acme) -> Data:
    return acme.client().auth_revoke().data


@success("auth.test")
def auth_test(acme: Acme) -> Data:
    return acme.client().auth_test().data


@success("bots.info")
def bots_info(acme: Acme) -> Data:
    return acme.client().bots_info(bot=acme.install["bot_id"]).data


@success("chat.delete")
def chat_delete(acme: Acme) -> Data:
    ts = posted(acme)["ts"]
    return acme.client().chat_delete(channel=acme.general["id"], ts=ts).data


@success("chat.getPermalink")
def chat_get_permalink(acme: Acme) -> Data:
    ts = posted(acme)["ts"]
    return acme.client().chat_getPermalink(channel=acme.general["id"], message_ts=ts).data


@success("chat.postEphemeral")
def chat_post_ephemeral(acme: Acme) -> Data:
    acme.invite_bot(acme.general["id"])
    return (
        acme.client()
        .chat_postEphemeral(channel=acme.general["id"], user=acme.alice["id"], text="psst")
        .data
    )


@success("chat.postMessage")
def chat_post_message(acme: Acme) -> Data:
    attachment = {"text": "This is an attachment", "fallback": "This is an attachment's fallback"}
    return posted(acme, attachments=[attachment])


@success("chat.update")
def chat_update(acme: Acme) -> Data:
    ts = posted(acme)["ts"]
    return (
        acme.client()
        .chat_update(channel=acme.general["id"], ts=ts, text="Updated text you carefully authored")
        .data
    )


@success("conversations.create")
def conversations_create(acme: Acme) -> Data:
    return acme.client().conversations_create(name="endeavor").data


@success("conversations.history")
def conversations_history(acme: Acme) -> Data:
    posted(acme, "one")
    posted(acme, "two")
    posted(acme, "three")
    return acme.client().conversations_history(channel=acme.general["id"], limit=2).data


@success("conversations.info")
def conversations_info(acme: Acme) -> Data:
    acme.invite_bot(acme.general["id"])
    return acme.client().conversations_info(channel=acme.general["id"]).data


@success("conversations.invite")
def conversations_invite(acme: Acme) -> Data:
    client = acme.client()
    created = client.conversations_create(name="war-room")["channel"]["id"]
    return client.conversations_invite(channel=created, users=acme.alice["id"]).data


def war_room(acme: Acme) -> str:
    """A public channel the bot made (so is in), with alice too."""
    client = acme.client()
    created = client.conversations_create(name="war-room")["channel"]["id"]
    client.conversations_invite(channel=created, users=acme.alice["id"])
    return created


@success("conversations.open")
def conversations_open(acme: Acme) -> Data:
    client = acme.client()
    client.conversations_open(users=acme.alice["id"])
    # Opening it again answers the flags the example shows.
    return client.conversations_open(users=acme.alice["id"]).data


@success("conversations.archive")
def conversations_archive(acme: Acme) -> Data:
    return acme.client().conversations_archive(channel=war_room(acme)).data


@success("conversations.unarchive")
def conversations_unarchive(acme: Acme) -> Data:
    client, channel = acme.client(), war_room(acme)
    client.conversations_archive(channel=channel)
    return client.conversations_unarchive(channel=channel).data


@success("conversations.rename")
def conversations_rename(acme: Acme) -> Data:
    return acme.client().conversations_rename(channel=war_room(acme), name="falcon").data


@success("conversations.setTopic")
def conversations_set_topic(acme: Acme) -> Data:
    channel = war_room(acme)
    return acme.client().conversations_setTopic(channel=channel, topic="Deploys").data


@success("conversations.setPurpose")
def conversations_set_purpose(acme: Acme) -> Data:
    channel = war_room(acme)
    return acme.client().conversations_setPurpose(channel=channel, purpose="Incidents").data


@success("conversations.kick")
def conversations_kick(acme: Acme) -> Data:
    return acme.client().conversations_kick(channel=war_room(acme), user=acme.alice["id"]).data


@success("conversations.leave")
def conversations_leave(acme: Acme) -> Data:
    return acme.client().conversations_leave(channel=war_room(acme)).data


@success("reactions.add")
def reactions_add(acme: Acme) -> Data:
    ts = posted(acme)["ts"]
    return acme.client().reactions_add(channel=acme.general["id"], timestamp=ts, name="eyes").data


@success("reactions.remove")
def reactions_remove(acme: Acme) -> Data:
    client, ts = acme.client(), posted(acme)["ts"]
    client.reactions_add(channel=acme.general["id"], timestamp=ts, name="eyes")
    return client.reactions_remove(channel=acme.general["id"], timestamp=ts, name="eyes").data


@success("reactions.get")
def reactions_get(acme: Acme) -> Data:
    client, ts = acme.client(), posted(acme)["ts"]
    acme.sim.react(acme.general["id"], ts, acme.alice["id"], "grinning")
    return client.reactions_get(channel=acme.general["id"], timestamp=ts).data


def in_an_hour(acme: Acme, **extra: Any) -> Data:
    acme.invite_bot(acme.general["id"])
    post_at = int(time.time()) + 3600
    return (
        acme.client()
        .chat_scheduleMessage(channel=acme.general["id"], post_at=post_at, text="Later", **extra)
        .data
    )


@success("chat.scheduleMessage")
def chat_schedule_message(acme: Acme) -> Data:
    return in_an_hour(acme)


@success("chat.deleteScheduledMessage")
def chat_delete_scheduled_message(acme: Acme) -> Data:
    scheduled = in_an_hour(acme)["scheduled_message_id"]
    return (
        acme.client()
        .chat_deleteScheduledMessage(channel=acme.general["id"], scheduled_message_id=scheduled)
        .data
    )


@success("chat.scheduledMessages.list")
def chat_scheduled_messages_list(acme: Acme) -> Data:
    in_an_hour(acme)
    return acme.client().chat_scheduledMessages_list().data


@success("conversations.join")
def conversations_join(acme: Acme) -> Data:
    client = acme.client()
    client.conversations_join(channel=acme.general["id"])
    # Joining again answers the warning the example shows.
    return client.conversations_join(channel=acme.general["id"]).data


@success("conversations.list")
def conversations_list(acme: Acme) -> Data:
    acme.sim.channel(acme.team["id"], "random")
    return acme.client().conversations_list(types="public_channel,private_channel").data


@success("conversations.members")
def conversations_members(acme: Acme) -> Data:
    return acme.client().conversations_members(channel=acme.general["id"], limit=1).data


@success("conversations.replies")
def conversations_replies(acme: Acme) -> Data:
    parent = posted(acme, "island")["ts"]
    for text in ("one island", "two island", "three for the land"):
        posted(acme, text, thread_ts=parent)
    return acme.client().conversations_replies(channel=acme.general["id"], ts=parent, limit=4).data


@success("oauth.v2.access")
def oauth_v2_access(acme: Acme) -> Data:
    code = consent(acme, scopes=["commands", "chat:write"])
    return (
        acme.sim.client()
        .oauth_v2_access(
            client_id=acme.app["client_id"],
            client_secret=acme.app["client_secret"],
            code=code,
            redirect_uri=REDIRECT,
        )
        .data
    )


@success("team.info")
def team_info(acme: Acme) -> Data:
    return acme.client().team_info().data


@success("users.info")
def users_info(acme: Acme) -> Data:
    return acme.client().users_info(user=acme.alice["id"]).data


@success("users.list")
def users_list(acme: Acme) -> Data:
    return acme.client().users_list(limit=2).data


@success("users.lookupByEmail")
def users_lookup_by_email(acme: Acme) -> Data:
    return acme.client().users_lookupByEmail(email=acme.alice["profile"]["email"]).data


@success("views.open")
def views_open(acme: Acme) -> Data:
    view = example_view("views.open")
    return acme.client().views_open(trigger_id=acme.trigger_id(), view=view).data


BUTTON_MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Root"},
    "blocks": [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "more",
                    "text": {"type": "plain_text", "text": "More"},
                }
            ],
        }
    ],
}


@success("views.push")
def views_push(acme: Acme) -> Data:
    client = acme.client()
    root = client.views_open(trigger_id=acme.trigger_id(), view=BUTTON_MODAL)["view"]["id"]
    # A click inside the modal hands the app the trigger_id that views.push needs.
    trigger_id = acme.sim.click(acme.alice["id"], label="More", view_id=root)["trigger_id"]
    return client.views_push(trigger_id=trigger_id, view=example_view("views.push")).data


@success("views.update")
def views_update(acme: Acme) -> Data:
    client = acme.client()
    opened = client.views_open(trigger_id=acme.trigger_id(), view=BUTTON_MODAL)["view"]
    view = example_view("views.update")
    return client.views_update(view_id=opened["id"], hash=opened["hash"], view=view).data
