"""Health, guest sign-in and the signed-in user."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body

from app.protocol import (
    ErrorCode,
    ErrorResponse,
    GuestRequest,
    HealthResponse,
    TokenResponse,
    UserResponse,
)
from app.server.auth import mint_token, token_expiry
from app.server.coordinator import utc_now
from app.server.dependencies import CoordinatorDep, CurrentUser
from app.server.errors import ApiError
from app.server.validation import check_custom
from app.server.version import SERVER_VERSION
from app.server.views import user_response

router = APIRouter()
# Records guest sign-in may take over: earlier guests, and users so far only named as
# call members. Accounts first seen in operator-minted tokens stay theirs.
_GUEST_CLAIMABLE_ORIGINS = {"guest", "member"}
GUEST_DEFAULT_NAME = "Guest"


@router.get("/health", response_model=HealthResponse)
async def health(coordinator: CoordinatorDep) -> HealthResponse:
    """Liveness, and how busy this process is (no auth)."""
    return HealthResponse(
        version=SERVER_VERSION,
        local_mode=coordinator.settings.local_mode,
        active_calls=coordinator.sessions.active_calls,
        active_sessions=coordinator.sessions.active_sessions,
    )


@router.post(
    "/auth/guest",
    response_model=TokenResponse,
    responses={
        403: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)
async def guest_sign_in(
    coordinator: CoordinatorDep, body: Annotated[GuestRequest | None, Body()] = None
) -> TokenResponse:
    """Sign in as a guest (local mode only; 403 ``guest_disabled`` otherwise).

    Without ``user.id`` a new guest id is made; with one, that guest is updated (or
    created). 409 ``conflict`` when the id belongs to a non-guest account.
    """
    settings = coordinator.settings
    if not settings.local_mode:
        raise ApiError(
            403, ErrorCode.GUEST_DISABLED, "guest sign-in is only available in local mode"
        )
    request = (body or GuestRequest()).user
    check_custom(request.custom, "user.custom")
    user_id = request.id or f"guest-{uuid.uuid4().hex[:12]}"
    existing = await coordinator.store.get_user(user_id)
    if existing is not None and (
        existing.origin not in _GUEST_CLAIMABLE_ORIGINS or existing.role != "user"
    ):
        raise ApiError(
            409, ErrorCode.CONFLICT, "this user id belongs to an account", field="user.id"
        )
    user = await coordinator.store.put_user(
        user_id,
        name=request.name or (existing.name if existing else GUEST_DEFAULT_NAME),
        image=request.image,
        custom=request.custom,
        origin="guest",
        now=utc_now(),
    )
    token = mint_token(settings.secret, user.id, settings.token_ttl_s)
    return TokenResponse(
        user=user_response(user), access_token=token, expires_at=token_expiry(token)
    )


@router.get("/users/me", response_model=UserResponse, responses={401: {"model": ErrorResponse}})
async def me(user: CurrentUser) -> UserResponse:
    return user_response(user)
