"""ilert's own published OpenAPI document, the reference fake ilert's API is checked against.

`ilert-openapi.json` beside this module is api.ilert.com's OpenAPI 3.0 document as published in
2024 (the copy in konfig-sdks/openapi-examples, `ilert/openapi.yaml`, about March 2024: 80
paths), converted from YAML to JSON once when it was vendored (1 December 2026) so that nothing
at runtime needs a YAML parser; its content is unchanged apart from the `x-vendored` note, which
records the source and the SHA-256 of the YAML. It is shipped as package data.

fake ilert's own document (`emulator/ilert/openapi.py`) is derived from it: the operations fake
ilert serves, taken as they are, plus a small overlay of what fake ilert adds.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@cache
def real_spec() -> dict[str, Any]:
    """ilert's document, parsed once; callers must not change it."""
    text = resources.files(__package__).joinpath("ilert-openapi.json").read_text("utf-8")
    return json.loads(text)


def real_operations() -> dict[tuple[str, str], dict[str, Any]]:
    """Every operation of ilert's document: (method, ilert's path) -> the operation."""
    return {
        (method, path): op
        for path, item in real_spec()["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    }
