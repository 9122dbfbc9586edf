"""``CallError``: a call command that failed, with a code and a sentence for a person."""

from __future__ import annotations


class CallError(Exception):
    """``code`` is the coordinator's ``ErrorCode`` value when the coordinator refused
    (``forbidden``, ``call_ended``, ...) or a client-side code (``already_joined``,
    ``device_error``, ``unreachable``); ``message`` says what went wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
