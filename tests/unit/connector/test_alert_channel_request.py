"""What the connector takes as a request for an alert's own channel (docs/contract.md, point 7):
any JSON is either a request or a MalformedRequest, never another exception."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.alert_channels import ChannelRequest, MalformedRequest, responder_emails

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "accountId": JSON | st.integers(min_value=1, max_value=2**63 - 1),
        "alert": JSON | st.fixed_dictionaries({"id": st.integers()}),
        "name": JSON,
        "isPrivate": JSON,
        "actor": JSON,
    },
)


@given(JSON | FIELDS)
def test_any_json_is_a_request_or_malformed(body: Any) -> None:
    try:
        request = ChannelRequest.parse(body)
    except MalformedRequest:
        return
    assert isinstance(request.name, str) and isinstance(request.is_private, bool)
    assert 0 < request.account_id < 2**63


def test_a_whole_request_is_read() -> None:
    body = {"accountId": 3, "alert": {"id": 9}, "name": "x", "isPrivate": True, "actor": None}
    assert ChannelRequest.parse(body) == ChannelRequest(3, {"id": 9}, "x", True, None)


@pytest.mark.parametrize("name", ["\ud800", "a\udfffb"])
def test_a_name_utf8_cannot_carry_is_malformed(name: str) -> None:
    body = {"accountId": 3, "alert": {"id": 9}, "name": name, "isPrivate": False, "actor": None}
    with pytest.raises(MalformedRequest):
        ChannelRequest.parse(body)


def test_responders_are_read_by_email_once_each_skipping_the_unreadable() -> None:
    alert = {
        "responders": [
            {"user": {"email": "a@x.example"}},
            {"user": {"email": "a@x.example"}},
            {"user": {"id": 4}},
            {"user": None},
            "nobody",
            {"user": {"email": 7}},
            {"user": {"email": "b@x.example"}},
        ]
    }
    assert responder_emails(alert) == ["a@x.example", "b@x.example"]
    for odd in (None, 5, "a@x.example", {"user": {"email": "a@x.example"}}):
        assert responder_emails({"responders": odd}) == []
