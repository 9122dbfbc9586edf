"""Ringing routes (``app/protocol/routes.py`` lists them); thin wrappers over
``RingingService``, whose docstring states the rules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from app.protocol import (
    CallStateResponse,
    ErrorResponse,
    MissedCallResponse,
    RejectCallRequest,
    RingCallRequest,
    RingCallResponse,
)
from app.server.dependencies import CurrentUser, RingingDep

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (401, 403, 404, 409, 410, 422)
}
router = APIRouter(tags=["ringing"], responses=_ERRORS)
CALL = "/calls/{call_type}/{call_id}"


@router.post(CALL + "/ring", response_model=RingCallResponse)
async def ring(
    call_type: str,
    call_id: str,
    user: CurrentUser,
    ringing: RingingDep,
    body: Annotated[RingCallRequest | None, Body()] = None,
) -> RingCallResponse:
    """Ring members of the call (all but the caller when ``members`` is empty);
    ``call.ring``. ``ring_redirect_cid`` names the call to join instead on glare."""
    return await ringing.ring(user, call_type, call_id, body or RingCallRequest())


@router.post(CALL + "/accept", response_model=CallStateResponse)
async def accept(
    call_type: str, call_id: str, user: CurrentUser, ringing: RingingDep
) -> CallStateResponse:
    """Answer a ring (then join); ``call.accepted`` to every device of everyone."""
    return await ringing.accept(user, call_type, call_id)


@router.post(CALL + "/reject", response_model=CallStateResponse)
async def reject(
    call_type: str,
    call_id: str,
    user: CurrentUser,
    ringing: RingingDep,
    body: Annotated[RejectCallRequest | None, Body()] = None,
) -> CallStateResponse:
    """Decline a ring (``decline``/``busy``), or as the caller cancel it for everyone;
    ``call.rejected``."""
    return await ringing.reject(user, call_type, call_id, body or RejectCallRequest())


@router.get("/users/me/missed_calls", response_model=list[MissedCallResponse])
async def missed_calls(user: CurrentUser, ringing: RingingDep) -> list[MissedCallResponse]:
    """The user's last 50 missed calls, newest first."""
    return await ringing.missed_calls(user)
