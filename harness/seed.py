"""A world to play in: one ilert account and one Slack workspace with the same people.

The demo and every test scenario build their world with this, over HTTP only, so a scenario can
also run against services started elsewhere. Names come from faker with a seed, so the same seed
gives the same people, sources and channels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from harness.driver import IlertControl, SlackControl

Json = dict[str, Any]

ROLES = ("ADMIN", "USER", "RESPONDER")
SOURCES = (("NEWRELIC", "New Relic"), ("GRAFANA", "Grafana"), ("API", "Checkout API"))
PUBLIC_CHANNELS = ("ops-alerts", "incidents", "general")
PRIVATE_CHANNELS = ("sre-private",)
ESCALATION_MINUTES = 15


@dataclass
class Person:
    """Someone who is both an ilert user and a Slack user, with the same e-mail."""

    role: str
    name: str
    email: str
    ilert_id: int
    api_key: str
    slack_id: str


@dataclass
class World:
    account_id: int
    owner_key: str
    team_id: str
    team_domain: str
    team_name: str
    people: dict[str, Person] = field(default_factory=dict)
    sources: list[Json] = field(default_factory=list)
    policy: Json = field(default_factory=dict)
    channels: dict[str, Json] = field(default_factory=dict)

    def person(self, role: str) -> Person:
        return self.people[role.upper()]

    def source(self, name: str) -> Json:
        return next(s for s in self.sources if s["name"] == name)

    def channel(self, name: str) -> Json:
        return self.channels[name.lstrip("#")]


def build_world(
    ilert: IlertControl,
    slack: SlackControl,
    *,
    seed: int,
    company: str | None = None,
    roles: tuple[str, ...] = ROLES,
) -> World:
    fake = Faker()
    fake.seed_instance(seed)
    company = company or fake.company().split(",")[0].split(" ")[0]
    domain = "".join(ch for ch in company.lower() if ch.isalnum()) + f"-{seed}"
    account = ilert.create_account(company)
    workspace = slack.create_workspace(company, domain)
    world = World(
        account_id=account["id"],
        owner_key=account["apiKey"],
        team_id=workspace["id"],
        team_domain=domain,
        team_name=company,
    )
    for role in roles:
        world.people[role] = _person(ilert, slack, world, fake, role, domain)
    world.policy = _policy(ilert, world)
    world.sources = [_source(ilert, world, kind, name) for kind, name in SOURCES]
    for name in PUBLIC_CHANNELS + PRIVATE_CHANNELS:
        members = [p.slack_id for p in world.people.values()]
        world.channels[name] = slack.create_channel(
            world.team_id, name, is_private=name in PRIVATE_CHANNELS, members=members
        )
    return world


def _person(
    ilert: IlertControl, slack: SlackControl, world: World, fake: Faker, role: str, domain: str
) -> Person:
    first, last = fake.first_name(), fake.last_name()
    email = f"{first}.{last}@{domain}.example".lower()
    created = ilert.create_user(
        world.account_id, firstName=first, lastName=last, email=email, role=role
    )
    slack_user = slack.create_user(
        world.team_id, name=f"{first}.{last}".lower(), email=email, real_name=f"{first} {last}"
    )
    return Person(
        role=role,
        name=f"{first} {last}",
        email=email,
        ilert_id=created["user"]["id"],
        api_key=created["apiKey"],
        slack_id=slack_user["id"],
    )


def _policy(ilert: IlertControl, world: World) -> Json:
    """The Responder is on call first; after 15 minutes without an answer the User takes over."""
    order = [world.people[r] for r in ("RESPONDER", "USER") if r in world.people]
    order = order or list(world.people.values())[:1]
    return ilert.call(
        "POST",
        "/escalation-policies",
        key=world.owner_key,
        json={
            "name": "On-call first line",
            "escalationRules": [
                {"escalationTimeout": ESCALATION_MINUTES, "users": [{"id": p.ilert_id}]}
                for p in order
            ],
            "repeating": False,
            "frequency": 1,
        },
    )


def _source(ilert: IlertControl, world: World, kind: str, name: str) -> Json:
    return ilert.call(
        "POST",
        "/alert-sources",
        key=world.owner_key,
        json={
            "name": name,
            "integrationType": kind,
            "escalationPolicy": {"id": world.policy["id"]},
        },
    )
