"""Error bodies of the REST API and the WebSocket.

Every 4xx answer has the body ``{"code": <ErrorCode>, "message": str, "field": str | None}``;
the server never answers 5xx for bad input.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class ErrorCode(StrEnum):
    TOKEN_EXPIRED = "token_expired"
    TOKEN_INVALID = "token_invalid"
    TOKEN_MISSING = "token_missing"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CALL_TYPE_NOT_FOUND = "call_type_not_found"
    CALL_NOT_FOUND = "call_not_found"
    CALL_ENDED = "call_ended"
    INVALID_REQUEST = "invalid_request"
    INVALID_CALL_ID = "invalid_call_id"
    CONFLICT = "conflict"
    NOT_JOINED = "not_joined"
    GUEST_DISABLED = "guest_disabled"


class ErrorResponse(BaseModel):
    """The body of every 4xx answer and of WebSocket ``error`` events."""

    code: ErrorCode
    message: str
    field: str | None = None
