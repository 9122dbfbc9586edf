"""Errors the client raises, carrying the coordinator's error code."""

from __future__ import annotations

from app.protocol import ErrorCode


class ClientError(Exception):
    """A request the coordinator refused, or could not be reached for.

    ``status`` is the HTTP status (0 when the server could not be reached), ``code`` the
    coordinator's ``ErrorCode`` (``None`` when unreachable), ``message`` a sentence for a
    person, ``field`` the offending request field when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: ErrorCode | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field

    def __repr__(self) -> str:
        return f"ClientError(status={self.status}, code={self.code}, message={self.message!r})"
