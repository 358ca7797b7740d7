"""Why a Slack user cannot be matched to an ilert user, in words that say what to do."""

from __future__ import annotations

from typing import Any, cast

import pytest
from slack_sdk import WebClient

from connector.ilert_client import IlertClient
from connector.people import NO_EMAIL_IN_SLACK, REAUTHORIZE_FOR_MAPPING, Refusal, ilert_user_for


class SlackWithoutEmail:
    """users.info as Slack answers it for a profile without an e-mail address."""

    def users_info(self, *, user: str) -> dict[str, Any]:
        return {"ok": True, "user": {"id": user, "profile": {"real_name": "Build Bot"}}}


@pytest.mark.parametrize(
    ("scopes", "told"),
    [
        (["users:read", "users:read.email"], NO_EMAIL_IN_SLACK),
        (["users:read"], REAUTHORIZE_FOR_MAPPING),
        (None, REAUTHORIZE_FOR_MAPPING),
    ],
)
def test_a_profile_without_an_email_address_is_told_apart_from_a_missing_scope(
    scopes: list[str] | None, told: str
) -> None:
    with pytest.raises(Refusal) as refused:
        ilert_user_for(
            "U1",
            slack=cast(WebClient, SlackWithoutEmail()),
            ilert=IlertClient("http://ilert.test", "il-key"),
            scopes=scopes,
        )
    assert refused.value.message == told
