"""Fake ilert: the alerting core, its REST API, its pages and its webhooks to the connector."""

from emulator.ilert.app import FakeIlert

__all__ = ["FakeIlert"]
