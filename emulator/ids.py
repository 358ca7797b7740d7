"""Identifiers from a seeded generator, so a seeded demo is the same on every run.

Secrets (tokens, API keys, signing secrets) come from `secrets` by default, because a predictable
token would let anyone who knows the seed guess them. A generator made with `stable_secrets=True`
draws them from the seed as well, for a simulation on loopback whose tests write a key down.
"""

from __future__ import annotations

import random
import secrets
import string
import threading

_ALPHABET = string.ascii_uppercase + string.digits


class IdGenerator:
    """Slack-style ids (`C0A1B2C3D4`) and ilert-style numeric ids, reproducible for a seed."""

    def __init__(
        self, seed: int = 0, *, first_number: int = 1000, stable_secrets: bool = False
    ) -> None:
        self._random = random.Random(seed)
        self._number = first_number
        self._issued: set[str] = set()
        self._lock = threading.Lock()
        self.stable_secrets = stable_secrets
        # A stream of its own, so that secrets being stable or not never shifts the ids; keyed
        # by where the numbering starts too, so that numbering continued after an import does
        # not hand out the keys issued before it again.
        self._secret_random = random.Random(f"secrets:{seed}:{first_number}")

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

    def secret(self, prefix: str = "", nbytes: int = 24) -> str:
        """A token like `secret_token`'s: from the seed if secrets are stable, else unguessable."""
        if not self.stable_secrets:
            return secret_token(prefix, nbytes)
        with self._lock:
            return prefix + self._secret_random.randbytes(nbytes).hex()


def secret_token(prefix: str = "", nbytes: int = 24) -> str:
    """An unguessable token, e.g. `secret_token("xoxb-")`."""
    return prefix + secrets.token_hex(nbytes)
