"""Fake Slack: the Slack platform as an HTTP-mode app sees it."""

from emulator.slack.app import FakeSlack
from emulator.slack.models import SlackState

__all__ = ["FakeSlack", "SlackState"]
