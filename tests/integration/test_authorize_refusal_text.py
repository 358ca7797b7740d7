"""A person who may not authorize reads the same reason on ilert's Connectors page as in its 403."""

from __future__ import annotations

import html
import re

from harness.driver import Browser, Services
from harness.seed import build_world


def readable(page: str) -> str:
    """The page's text as a person reads it: no tags, one space between words."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_connectors_page_gives_the_reason_the_403_gives(sim_services: Services) -> None:
    world = build_world(sim_services.ilert, sim_services.slack, seed=6101)
    user = world.person("USER")
    browser = Browser()
    browser.submit(f"{sim_services.ilert_url}/login", {"user_id": user.ilert_id})

    page = readable(browser.get(f"{sim_services.ilert_url}/connectors/slack").text)
    refused = browser.submit(f"{sim_services.ilert_url}/connectors/slack/authorize", {})

    assert refused.status == 403
    reason = re.search(r"Only an Admin[^.]*\. You are logged in as [^.]*\.", readable(refused.text))
    assert reason, readable(refused.text)
    assert reason.group(0) in page
    assert f"You are logged in as {user.name} with the role USER." in page
