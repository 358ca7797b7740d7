"""How a posted message is presented: its author's name and icon, and its text as Slack's server
turns it into markup (`parse`, `link_names`). Pure functions; the model applies them.

Sources, cited where each rule is used:
- chat.postMessage's reference and metadata (`methods/chat.postMessage.json`): `icon_emoji`
  "Overrides `icon_url`"; `username` "Set your bot's user name"; `link_names` "Find and link user
  groups. No longer supports linking individual users"; `mrkdwn` "Disable Slack markup parsing".
- The `chat:write.customize` scope: "Send messages as your Slack app with a customized username
  and avatar" (docs.slack.dev/reference/scopes/chat.write.customize). Without it Slack posts the
  message and ignores the three arguments, it does not refuse: github.com/papercups-io/papercups
  /pull/522 ("tested, seems to just ignore these fields when scope is missing"),
  github.com/linyows/dewy/pull/362 ("the Slack API ignores the `username` and `icon_url`
  parameters, causing notifications to display the Slack App's default name and icon").
- The message formatting spec, "Parsing modes" (github.com/slackhq/slack-api-docs,
  page_formatting.md): `link_names=1` links channel names and `@everyone`-style specials;
  `parse=full` "will ignore any markup formatting you added" (`<!everyone>` becomes
  `&lt;!everyone&gt;`) and links URLs, channel names and names; `parse=none` does no processing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator.slack.entities import Message

CUSTOMIZE_SCOPE = "chat:write.customize"

# Existing markup (kept as it is), a URL, a special mention, or a channel name. A URL ends before
# whitespace or markup; sentence punctuation after it is not part of it.
_TOKENS = re.compile(
    r"(?P<markup><[^<>]*>)"
    r"|(?P<url>\bhttps?://[^\s<>]*[^\s<>.,;:!?)\]'\"])"
    r"|(?<![\w@])@(?P<special>here|channel|everyone)\b"
    r"|(?<![\w#&])#(?P<channel>[a-z0-9][a-z0-9_\-]*)"
)


def authorship(presentation: Presentation, *, customize: bool) -> dict[str, str]:
    """The name and icon a message shows instead of the app's, as `Message` fields: none without
    the `chat:write.customize` scope (Slack ignores them then); `icon_emoji` wins over
    `icon_url`, as the metadata says."""
    if not customize:
        return {}
    emoji = presentation.icon_emoji.strip()
    return {
        "username": presentation.username.strip(),
        "icon_emoji": emoji,
        "icon_url": "" if emoji else presentation.icon_url.strip(),
    }


def formatted(
    text: str, *, parse: str, link_names: bool, channel_id: Callable[[str], str | None]
) -> str:
    """`text` as Slack stores it for the given `parse` and `link_names`.

    `parse=full` escapes what markup the text had (`&`, `<`, `>`), then links URLs, specials and
    channel names. `link_names` alone links specials (`@here` → `<!here>`) and channel names
    (`#general` → `<#C…|general>`) outside existing markup. `channel_id` gives the id of a
    public channel by its name; a `#word` that names none stays text. `@name` of a person is
    never linked, as the metadata says Slack no longer does. Anything else (`none`, absent)
    leaves the text alone.
    """
    full = parse.strip().lower() == "full"
    if not full and not link_names:
        return text
    if full:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def link(match: re.Match[str]) -> str:
        if match["url"]:
            return f"<{match['url']}>" if full else match[0]
        if match["special"]:
            return f"<!{match['special']}>"
        if match["channel"]:
            found = channel_id(match["channel"])
            return f"<#{found}|{match['channel']}>" if found else match[0]
        return match[0]  # markup already there

    return _TOKENS.sub(link, text)


def in_history(message: Message) -> bool:
    """Whether a message is in its channel's history (`conversations.history`, the channel in the
    web client): a top-level one, or a thread reply also sent to the channel (`reply_broadcast`,
    subtype `thread_broadcast`); never an ephemeral one."""
    return not message.ephemeral_to and (not message.is_reply or message.broadcast)


@dataclass(frozen=True)
class Presentation:
    """A post's presentation arguments, as the call gave them (`Call.presentation`)."""

    username: str = ""
    icon_emoji: str = ""
    icon_url: str = ""
    parse: str = ""
    link_names: bool = False
    mrkdwn: bool = True

    @property
    def links(self) -> bool:
        """Whether the text is to be parsed for links at all."""
        return self.link_names or self.parse.strip().lower() == "full"


# A post that asks for nothing: the app's own name and icon, its text as given.
PLAIN = Presentation()
