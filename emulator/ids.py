"""Identifiers from a seeded generator, so a seeded demo is the same on every run.

Secrets (tokens, signing secrets) are never drawn from here: they come from `secrets`, because a
predictable token would let one workspace guess another's.
"""

from __future__ import annotations

import random
import secrets
import string
import threading

_ALPHABET = string.ascii_uppercase + string.digits


class IdGenerator:
    """Slack-style ids (`C0A1B2C3D4`) and ilert-style numeric ids, reproducible for a seed."""

    def __init__(self, seed: int = 0, *, first_number: int = 1000) -> None:
        self._random = random.Random(seed)
        self._number = first_number
        self._issued: set[str] = set()
        self._lock = threading.Lock()

    def slack_id(self, prefix: str, length: int = 10) -> str:
        with self._lock:
            while True:
                candidate = prefix + "".join(self._random.choices(_ALPHABET, k=length))
                if candidate not in self._issued:
                    self._issued.add(candidate)
                    return candidate

    def number(self) -> int:
        with self._lock:
            self._number += 1
            return self._number


def secret_token(prefix: str = "", nbytes: int = 24) -> str:
    """An unguessable token, e.g. `secret_token("xoxb-")`."""
    return prefix + secrets.token_hex(nbytes)
