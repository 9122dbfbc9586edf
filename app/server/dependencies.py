"""FastAPI dependencies: the app's services and the authenticated user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.server.auth import bearer_token, verify_token
from app.server.calls_service import CallsService
from app.server.coordinator import Coordinator, utc_now
from app.server.participation import ParticipationService
from app.server.reactions import ReactionsService
from app.server.ringing import RingingService
from app.server.storage import UserRecord

# Declares the bearer scheme in /openapi.json; the header itself is checked below so the
# answers carry Parley's error codes (token_missing / token_invalid / token_expired).
_bearer_scheme = HTTPBearer(auto_error=False, description="HS256 JWT (see app.server.auth)")


def get_coordinator(request: Request) -> Coordinator:
    coordinator: Coordinator = request.app.state.coordinator
    return coordinator


def get_calls(request: Request) -> CallsService:
    calls: CallsService = request.app.state.calls
    return calls


def get_participation(request: Request) -> ParticipationService:
    participation: ParticipationService = request.app.state.participation
    return participation


def get_ringing(request: Request) -> RingingService:
    ringing: RingingService = request.app.state.ringing
    return ringing


def get_reactions(request: Request) -> ReactionsService:
    reactions: ReactionsService = request.app.state.reactions
    return reactions


async def get_current_user(
    request: Request,
    coordinator: Annotated[Coordinator, Depends(get_coordinator)],
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
) -> UserRecord:
    """The user named by the request's bearer token (created on first sight, as Stream
    upserts users of tokens its integrators mint). Raises ``ApiError`` 401."""
    token = bearer_token(request.headers.get("authorization"))
    user_id = verify_token(coordinator.settings.secret, token)
    return await coordinator.store.ensure_user(user_id, origin="token", now=utc_now())


CoordinatorDep = Annotated[Coordinator, Depends(get_coordinator)]
CallsDep = Annotated[CallsService, Depends(get_calls)]
ParticipationDep = Annotated[ParticipationService, Depends(get_participation)]
RingingDep = Annotated[RingingService, Depends(get_ringing)]
ReactionsDep = Annotated[ReactionsService, Depends(get_reactions)]
CurrentUser = Annotated[UserRecord, Depends(get_current_user)]
