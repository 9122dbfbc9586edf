"""Checks of request values that the wire models cannot express.

- Call ids: ``CALL_ID_PATTERN`` (1–64 of letters, digits, ``_`` and ``-``; Stream's rule
  with a length cap).
- Free-form ``custom`` objects: JSON that round-trips — Python's ``json`` parser accepts
  ``NaN``/``Infinity``, which no strict JSON reader (nor our own responses) accepts, so
  they are refused at the door; size and nesting are capped so one call's custom data
  stays a small record (Stream caps custom data at a few kilobytes too).
"""

from __future__ import annotations

import json
import math
from typing import Any

from app.protocol import ErrorCode, is_valid_call_id
from app.server.errors import ApiError, invalid_request

CUSTOM_MAX_BYTES = 16 * 1024
CUSTOM_MAX_DEPTH = 16
CALL_ID_RULE = "call ids are 1-64 characters of letters, digits, '_' and '-'"


def check_call_id(call_id: str) -> str:
    """``call_id`` itself; raises ``ApiError`` 422 ``invalid_call_id`` (field ``id``)."""
    if not is_valid_call_id(call_id):
        raise ApiError(
            422, ErrorCode.INVALID_CALL_ID, f"invalid call id: {CALL_ID_RULE}", field="id"
        )
    return call_id


def _check_value(value: Any, field: str, depth: int) -> None:
    if depth > CUSTOM_MAX_DEPTH:
        raise invalid_request(f"{field}: nested deeper than {CUSTOM_MAX_DEPTH} levels", field)
    if isinstance(value, float) and not math.isfinite(value):
        raise invalid_request(f"{field}: numbers must be finite", field)
    if isinstance(value, dict):
        for key, item in value.items():
            _check_value(item, f"{field}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, f"{field}.{index}", depth + 1)


def check_custom(value: dict[str, Any] | None, field: str) -> None:
    """Refuse (``ApiError`` 422 ``invalid_request`` naming ``field``) custom data that is
    not finite JSON, nests deeper than ``CUSTOM_MAX_DEPTH`` or encodes to more than
    ``CUSTOM_MAX_BYTES``."""
    if value is None:
        return
    _check_value(value, field, 0)
    if len(json.dumps(value, separators=(",", ":")).encode()) > CUSTOM_MAX_BYTES:
        raise invalid_request(f"{field}: larger than {CUSTOM_MAX_BYTES} bytes", field)
