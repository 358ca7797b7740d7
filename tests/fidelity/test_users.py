"""User objects as Slack answers them: every field of Slack's example with its meaning (the time
zone's label and offset, the e-mail confirmed), and Slackbot, who is in every workspace."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.fidelity.conftest import Acme


def test_slackbot_is_listed_and_can_be_looked_up(acme: Acme) -> None:
    client = acme.client()
    listed = client.users_list()["members"]
    slackbot = client.users_info(user="USLACKBOT")["user"]

    assert listed[0]["id"] == "USLACKBOT"
    assert slackbot["name"] == "slackbot" and slackbot["real_name"] == "Slackbot"
    assert slackbot["is_bot"] is False  # as on Slack
    assert slackbot["team_id"] == acme.team["id"]


def test_a_persons_time_zone_is_labelled_and_offset_for_today(acme: Acme) -> None:
    alice = acme.client().users_info(user=acme.alice["id"])["user"]
    berlin = datetime.now(ZoneInfo("Europe/Berlin"))

    assert alice["tz"] == "Europe/Berlin"
    assert alice["tz_offset"] == int(berlin.utcoffset().total_seconds())  # type: ignore[union-attr]
    summer = bool(berlin.dst())
    assert alice["tz_label"] == f"Central European {'Summer ' if summer else ''}Time"


def test_contact_card_and_email_confirmation_are_said(acme: Acme) -> None:
    alice = acme.client().users_info(user=acme.alice["id"])["user"]

    assert alice["is_email_confirmed"] is True
    assert alice["who_can_share_contact_card"] == "EVERYONE"
    assert alice["deleted"] is False and alice["is_bot"] is False
