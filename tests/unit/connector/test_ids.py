"""Which ids from outside the connector takes: ilert's, within SQLite's 64-bit integers."""

from __future__ import annotations

import pytest

from connector.ids import LARGEST_ID, ilert_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), ("42", 42), (LARGEST_ID, LARGEST_ID), (str(LARGEST_ID), LARGEST_ID)],
)
def test_ilert_ids_are_taken_as_json_numbers_or_ascii_digits(value: object, expected: int) -> None:
    assert ilert_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        LARGEST_ID + 1,
        str(LARGEST_ID + 1),
        "9" * 5000,
        0,
        -1,
        "-1",
        "+1",
        " 1",
        "1_0",
        "\u0661",
        "",
        None,
        True,
        1.0,
        "1.0",
    ],
)
def test_anything_else_is_no_ilert_id(value: object) -> None:
    assert ilert_id(value) is None
