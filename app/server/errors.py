"""REST error answers: every refusal is an ``app.protocol.ErrorResponse`` body.

``ApiError`` is raised by the service layer and the routes; the handlers installed by
``install_error_handlers`` turn it, FastAPI's request validation errors, Starlette's
routing errors (404/405/400) and storage races into ErrorResponse answers, so bad input
never turns into a 5xx (``app/protocol/errors.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.protocol import ErrorCode, ErrorResponse


class ApiError(Exception):
    """A refused request: HTTP ``status``, an ``ErrorCode``, a human message, and the
    request field at fault (dotted path, e.g. ``"data.members.0.user_id"``) when known."""

    def __init__(
        self,
        status: int,
        code: ErrorCode,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers

    def to_response(self) -> ErrorResponse:
        return ErrorResponse(code=self.code, message=self.message, field=self.field)


def forbidden(message: str) -> ApiError:
    return ApiError(403, ErrorCode.FORBIDDEN, message)


def invalid_request(message: str, field: str | None = None) -> ApiError:
    return ApiError(422, ErrorCode.INVALID_REQUEST, message, field=field)


def error_field(loc: Sequence[int | str]) -> str | None:
    """Dotted field path from a pydantic/FastAPI error location.

    ``("body", "data", "members", 0, "user_id")`` → ``"data.members.0.user_id"``; the
    ``body``/``query``/``path`` prefix is dropped since the name alone is unambiguous here
    (``("body",)`` alone, a missing or wholly wrong body, stays ``"body"``).
    """
    parts = [str(part) for part in loc]
    if len(parts) > 1 and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or None


def _json(status: int, body: ErrorResponse, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"), headers=headers)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _json(exc.status, exc.to_response(), exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors: Sequence[Any] = exc.errors()
    if not errors:
        return _json(422, ErrorResponse(code=ErrorCode.INVALID_REQUEST, message="invalid request"))
    first = errors[0]
    field = error_field(first.get("loc", ()))
    if first.get("type") == "json_invalid":
        # The location of a JSON syntax error is a character offset, not a field.
        field = "body"
    message = f"{field}: {first.get('msg', 'invalid value')}" if field else first.get("msg", "")
    return _json(422, ErrorResponse(code=ErrorCode.INVALID_REQUEST, message=message, field=field))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = ErrorCode.NOT_FOUND if exc.status_code == 404 else ErrorCode.INVALID_REQUEST
    if exc.status_code >= 500:
        # Starlette raises HTTPException for client faults only; keep the contract anyway.
        code = ErrorCode.INVALID_REQUEST
    return _json(
        exc.status_code,
        ErrorResponse(code=code, message=str(exc.detail)),
        dict(exc.headers) if exc.headers else None,
    )


async def _integrity_error(_request: Request, _exc: Exception) -> JSONResponse:
    # Two requests raced to create the same row (the service serialises writes per call
    # in one process; replicas sharing a database can still race).
    return _json(
        409,
        ErrorResponse(code=ErrorCode.CONFLICT, message="a concurrent request changed this data"),
    )


def install_error_handlers(app: FastAPI) -> None:
    """Make every refusal an ErrorResponse (see the module docstring)."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
