"""What Slack's install page tells a person about the scopes an app asks for.

Slack's consent page does not list scope names: it asks "What will <app> be able to view?" and
"What will <app> be able to do?", groups the answers ("Content and info about channels &
conversations", "Perform actions in your workspace", …) and words each scope as a phrase. The
phrases here are Slack's own, from each scope's reference page
(https://docs.slack.dev/reference/scopes/<scope>, e.g. `team:read`: "View the name, email domain,
and icon for workspaces your Slack app is connected to") with "your Slack app" in the app's name,
as the install page shows them ("Send messages as @app"). A scope missing from the table is shown
by its name, under the question its suffix suggests.
"""

from __future__ import annotations

from dataclasses import dataclass

VIEW, DO = "view", "do"
CONVERSATIONS, WORKSPACE, YOU = "conversations", "workspace", "you"

_GROUP_TITLES = {
    (VIEW, CONVERSATIONS): "Content and info about channels & conversations",
    (VIEW, WORKSPACE): "Content and info about your workspace",
    (VIEW, YOU): "Content and info about you",
    (DO, CONVERSATIONS): "Perform actions in channels & conversations",
    (DO, WORKSPACE): "Perform actions in your workspace",
    (DO, YOU): "Perform actions as you",
}

# scope: (question, group, phrase); {app} is the app's name.
BOT_SCOPES: dict[str, tuple[str, str, str]] = {
    "app_mentions:read": (
        VIEW,
        CONVERSATIONS,
        "View messages that directly mention @{app} in conversations that the app is in",
    ),
    "channels:history": (
        VIEW,
        CONVERSATIONS,
        "View messages and other content in public channels that {app} has been added to",
    ),
    "groups:history": (
        VIEW,
        CONVERSATIONS,
        "View messages and other content in private channels that {app} has been added to",
    ),
    "im:history": (
        VIEW,
        CONVERSATIONS,
        "View messages and other content in direct messages that {app} has been added to",
    ),
    "mpim:history": (
        VIEW,
        CONVERSATIONS,
        "View messages and other content in group direct messages that {app} has been added to",
    ),
    "channels:read": (
        VIEW,
        CONVERSATIONS,
        "View basic information about public channels in a workspace",
    ),
    "groups:read": (
        VIEW,
        CONVERSATIONS,
        "View basic information about private channels that {app} has been added to",
    ),
    "im:read": (
        VIEW,
        CONVERSATIONS,
        "View basic information about direct messages that {app} has been added to",
    ),
    "mpim:read": (
        VIEW,
        CONVERSATIONS,
        "View basic information about group direct messages that {app} has been added to",
    ),
    "files:read": (
        VIEW,
        CONVERSATIONS,
        "View files shared in channels and conversations that {app} has been added to",
    ),
    "links:read": (VIEW, CONVERSATIONS, "View URLs in messages"),
    "reactions:read": (
        VIEW,
        CONVERSATIONS,
        "View emoji reactions and their associated content in channels and conversations "
        "that {app} has been added to",
    ),
    "users:read": (VIEW, WORKSPACE, "View people in a workspace"),
    "users:read.email": (VIEW, WORKSPACE, "View email addresses of people in a workspace"),
    "team:read": (
        VIEW,
        WORKSPACE,
        "View the name, email domain, and icon for workspaces {app} is connected to",
    ),
    "usergroups:read": (VIEW, WORKSPACE, "View user groups in a workspace"),
    "chat:write": (DO, CONVERSATIONS, "Send messages as @{app}"),
    "chat:write.public": (DO, CONVERSATIONS, "Send messages to channels @{app} isn't a member of"),
    "chat:write.customize": (
        DO,
        CONVERSATIONS,
        "Send messages as @{app} with a customized username and avatar",
    ),
    "channels:join": (DO, CONVERSATIONS, "Join public channels in a workspace"),
    "channels:manage": (
        DO,
        CONVERSATIONS,
        "Manage public channels that {app} has been added to and create new ones",
    ),
    "groups:write": (
        DO,
        CONVERSATIONS,
        "Manage private channels that {app} has been added to and create new ones",
    ),
    "im:write": (DO, CONVERSATIONS, "Start direct messages with people"),
    "files:write": (DO, CONVERSATIONS, "Upload, edit, and delete files as {app}"),
    "links:write": (DO, CONVERSATIONS, "Show previews of URLs in messages"),
    "reactions:write": (DO, CONVERSATIONS, "Add and edit emoji reactions"),
    "incoming-webhook": (DO, CONVERSATIONS, "Post messages to specific channels in Slack"),
    "commands": (DO, WORKSPACE, "Add shortcuts and/or slash commands that people can use"),
    "users:write": (DO, WORKSPACE, "Set presence for {app}"),
}

# A user token acts as the person who installs: Slack words these "on your behalf".
USER_SCOPES: dict[str, tuple[str, str, str]] = {
    "identity.basic": (VIEW, YOU, "View information about your identity"),
    "users:read": (VIEW, WORKSPACE, "View people in a workspace"),
    "users:read.email": (VIEW, WORKSPACE, "View email addresses of people in a workspace"),
    "channels:read": (VIEW, CONVERSATIONS, "View basic information about public channels"),
    "chat:write": (DO, YOU, "Send messages on your behalf"),
}


@dataclass(frozen=True)
class Group:
    title: str
    phrases: tuple[str, ...]
    kind: str  # conversations, workspace or you: the page's icon


@dataclass(frozen=True)
class Question:
    """ "What will <app> be able to view?", with its groups."""

    title: str
    groups: tuple[Group, ...]


def _place(
    scope: str, table: dict[str, tuple[str, str, str]], app_name: str, unknown_group: str
) -> tuple[str, str, str]:
    """(question, group, phrase) of one scope; an unknown one is shown by its name."""
    if scope in table:
        question, group, phrase = table[scope]
        return question, group, phrase.format(app=app_name)
    reads = scope.endswith((":read", ":history")) or ":read." in scope
    return (VIEW if reads else DO), unknown_group, scope


def questions(app_name: str, scopes: list[str], user_scopes: list[str]) -> list[Question]:
    """The page's questions in Slack's order (view, then do), each group's phrases in the order
    the app asked for them."""
    placed: dict[tuple[str, str], list[str]] = {key: [] for key in _GROUP_TITLES}
    asked = [(s, BOT_SCOPES, WORKSPACE) for s in scopes] + [
        (s, USER_SCOPES, YOU) for s in user_scopes
    ]
    for scope, table, unknown_group in asked:
        question, group, phrase = _place(scope, table, app_name, unknown_group)
        if phrase not in placed[(question, group)]:
            placed[(question, group)].append(phrase)
    titles = {
        VIEW: f"What will {app_name} be able to view?",
        DO: f"What will {app_name} be able to do?",
    }
    return [
        Question(titles[question], groups)
        for question in (VIEW, DO)
        if (groups := _groups(placed, question))
    ]


def _groups(placed: dict[tuple[str, str], list[str]], question: str) -> tuple[Group, ...]:
    return tuple(
        Group(_GROUP_TITLES[(q, g)], tuple(phrases), g)
        for (q, g), phrases in placed.items()
        if q == question and phrases
    )
