"""Access tokens: HS256 JWTs naming a user.

Claims: ``user_id`` (Stream's claim name) and ``sub`` (the registered JWT claim) both
hold the user id; ``iat`` and ``exp`` are Unix times in seconds. Tokens travel only in the
``Authorization: Bearer`` header and in the WebSocket's first ``auth`` message, never in
URLs, so access logs hold no secrets.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import jwt

from app.protocol import ErrorCode
from app.protocol.models import USER_ID_PATTERN
from app.server.errors import ApiError

ALGORITHM = "HS256"
_USER_ID_RE = re.compile(USER_ID_PATTERN)


def mint_token(secret: str, user_id: str, ttl_s: int, *, now: datetime | None = None) -> str:
    """An HS256 JWT for ``user_id`` valid for ``ttl_s`` seconds from ``now`` (UTC now by
    default; pass a past ``now`` to make an already expired token)."""
    issued_at = now or datetime.now(UTC)
    claims = {
        "user_id": user_id,
        "sub": user_id,
        "iat": int(issued_at.timestamp()),
        "exp": int((issued_at + timedelta(seconds=ttl_s)).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def token_expiry(token: str) -> datetime:
    """The ``exp`` of a token this module minted (no signature check: the caller just
    minted it)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return datetime.fromtimestamp(int(claims["exp"]), UTC)


def unauthorized(code: ErrorCode, message: str) -> ApiError:
    """A 401 with the ``WWW-Authenticate`` header of RFC 6750."""
    return ApiError(
        401, code, message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


def verify_token(secret: str, token: str) -> str:
    """The user id of a valid token.

    Raises ``ApiError`` 401 with ``token_expired`` when ``exp`` has passed and
    ``token_invalid`` for a bad signature, a malformed token, missing claims or a user id
    that is not ``USER_ID_PATTERN``.
    """
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "iat"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise unauthorized(ErrorCode.TOKEN_EXPIRED, "the access token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise unauthorized(ErrorCode.TOKEN_INVALID, "the access token is not valid") from exc
    user_id = claims.get("user_id", claims.get("sub"))
    if not isinstance(user_id, str) or not _USER_ID_RE.match(user_id):
        raise unauthorized(ErrorCode.TOKEN_INVALID, "the access token names no valid user")
    return user_id


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value.

    Raises ``ApiError`` 401 ``token_missing`` when there is no header and
    ``token_invalid`` when it is not a bearer token.
    """
    if not authorization:
        raise unauthorized(ErrorCode.TOKEN_MISSING, "the Authorization header is missing")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized(ErrorCode.TOKEN_INVALID, "expected 'Authorization: Bearer <token>'")
    return token.strip()
