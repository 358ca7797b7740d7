"""ilert's ids as the connector takes them from outside, before they reach its SQLite tables.

ilert's ids are positive 64-bit integers, as SQLite's are: a larger number would stop inside
sqlite3 (OverflowError) rather than be refused. Every id read from a request, a webhook or a
ticket goes through `ilert_id`.
"""

from __future__ import annotations

LARGEST_ID = 2**63 - 1


def ilert_id(value: object) -> int | None:
    """`value` as an ilert id: a JSON integer, or a string of ASCII digits (a query parameter),
    between 1 and SQLite's largest integer; None for anything else.

    `int()` alone would take "+7", " 7", "7_0" and non-ASCII digits as well, and a boolean as
    0 or 1.
    """
    if isinstance(value, str) and 0 < len(value) <= 19 and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= LARGEST_ID else None
