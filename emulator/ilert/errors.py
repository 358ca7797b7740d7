"""Typed errors of fake ilert; `render` is the one place that turns them into wire JSON."""

from __future__ import annotations

from typing import Any


class IlertError(Exception):
    """An error the API answers with its own status, code and a message for a person."""

    status: int = 400
    code: str = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "code": self.code, "message": self.message}


class BadRequest(IlertError):
    status = 400
    code = "BAD_REQUEST"


class Unauthorized(IlertError):
    status = 401
    code = "UNAUTHORIZED"


class Forbidden(IlertError):
    status = 403
    code = "FORBIDDEN"


class NotFound(IlertError):
    status = 404
    code = "NOT_FOUND"


class MethodNotAllowed(IlertError):
    status = 405
    code = "METHOD_NOT_ALLOWED"


class Conflict(IlertError):
    status = 409
    code = "CONFLICT"


class PayloadTooLarge(IlertError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class InternalError(IlertError):
    status = 500
    code = "INTERNAL_ERROR"
