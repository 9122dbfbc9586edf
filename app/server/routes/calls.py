"""Call routes (``app/protocol/routes.py`` lists them); thin wrappers over
``CallsService`` and ``ParticipationService``.

Besides the listed routes: ``POST /api/v1/calls/{type}`` is get-or-create with a fresh
id, and ``POST .../go_live`` / ``.../stop_live`` are Stream's ``goLive()``/``stopLive()``
(backstage off/on; needs update-call).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body

from app.protocol import (
    CallStateResponse,
    ErrorResponse,
    GetOrCreateCallRequest,
    GetOrCreateCallResponse,
    JoinCallRequest,
    JoinCallResponse,
    LeaveCallRequest,
    SendEventRequest,
    UpdateCallMembersRequest,
    UpdateCallRequest,
)
from app.server.dependencies import CallsDep, CurrentUser, ParticipationDep

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (401, 403, 404, 409, 410, 422)
}
router = APIRouter(prefix="/calls", tags=["calls"], responses=_ERRORS)
CALL = "/{call_type}/{call_id}"


@router.get("", response_model=list[CallStateResponse])
async def recent_calls(user: CurrentUser, calls: CallsDep) -> list[CallStateResponse]:
    """Up to 50 calls the user created, is a member of or joined, latest first."""
    return await calls.recent(user)


@router.post("/{call_type}", response_model=GetOrCreateCallResponse)
async def create_call(
    call_type: str,
    user: CurrentUser,
    calls: CallsDep,
    body: Annotated[GetOrCreateCallRequest | None, Body()] = None,
    connection_id: str | None = None,
) -> GetOrCreateCallResponse:
    """Get-or-create with a new random call id (32 hex digits)."""
    request = body or GetOrCreateCallRequest()
    return await calls.get_or_create(user, call_type, uuid.uuid4().hex, request, connection_id)


@router.post(CALL, response_model=GetOrCreateCallResponse)
async def get_or_create_call(
    call_type: str,
    call_id: str,
    user: CurrentUser,
    calls: CallsDep,
    body: Annotated[GetOrCreateCallRequest | None, Body()] = None,
    connection_id: str | None = None,
) -> GetOrCreateCallResponse:
    """Create the call (needs create-call) or get it (needs read-call); ``created`` says
    which. ``?connection_id=`` makes that connection watch the call."""
    request = body or GetOrCreateCallRequest()
    return await calls.get_or_create(user, call_type, call_id, request, connection_id)


@router.get(CALL, response_model=CallStateResponse)
async def get_call(
    call_type: str,
    call_id: str,
    user: CurrentUser,
    calls: CallsDep,
    connection_id: str | None = None,
) -> CallStateResponse:
    return await calls.get(user, call_type, call_id, connection_id)


@router.patch(CALL, response_model=CallStateResponse)
async def update_call(
    call_type: str, call_id: str, body: UpdateCallRequest, user: CurrentUser, calls: CallsDep
) -> CallStateResponse:
    """Custom data (update-call) and settings (update-call-settings); ``call.updated``."""
    return await calls.update(user, call_type, call_id, body)


@router.post(CALL + "/members", response_model=CallStateResponse)
async def update_members(
    call_type: str,
    call_id: str,
    body: UpdateCallMembersRequest,
    user: CurrentUser,
    calls: CallsDep,
) -> CallStateResponse:
    """Add/update (update-call) and remove (remove-call-member) members;
    ``call.member_added`` for new ones."""
    return await calls.update_members(user, call_type, call_id, body)


@router.post(CALL + "/join", response_model=JoinCallResponse)
async def join_call(
    call_type: str,
    call_id: str,
    body: JoinCallRequest,
    user: CurrentUser,
    participation: ParticipationDep,
) -> JoinCallResponse:
    """A new session of the caller's WebSocket connection in the call (join-call)."""
    return await participation.join(user, call_type, call_id, body)


@router.post(CALL + "/leave", response_model=dict[str, Any])
async def leave_call(
    call_type: str,
    call_id: str,
    body: LeaveCallRequest,
    user: CurrentUser,
    participation: ParticipationDep,
) -> dict[str, Any]:
    await participation.leave(user, call_type, call_id, body)
    return {}


@router.post(CALL + "/end", response_model=CallStateResponse)
async def end_call(
    call_type: str, call_id: str, user: CurrentUser, calls: CallsDep
) -> CallStateResponse:
    """End the call for everyone (end-call); ``call.ended``."""
    return await calls.end(user, call_type, call_id)


@router.post(CALL + "/go_live", response_model=CallStateResponse)
async def go_live(
    call_type: str, call_id: str, user: CurrentUser, calls: CallsDep
) -> CallStateResponse:
    return await calls.set_live(user, call_type, call_id, live=True)


@router.post(CALL + "/stop_live", response_model=CallStateResponse)
async def stop_live(
    call_type: str, call_id: str, user: CurrentUser, calls: CallsDep
) -> CallStateResponse:
    return await calls.set_live(user, call_type, call_id, live=False)


@router.post(CALL + "/event", response_model=dict[str, Any])
async def send_event(
    call_type: str, call_id: str, body: SendEventRequest, user: CurrentUser, calls: CallsDep
) -> dict[str, Any]:
    """A ``custom`` event to everyone following the call (read-call)."""
    await calls.send_event(user, call_type, call_id, body.custom)
    return {}
