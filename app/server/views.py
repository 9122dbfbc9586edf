"""Stored records → wire models (``app.protocol``)."""

from __future__ import annotations

from app.protocol import CallResponse, CallSettings, MemberResponse, UserResponse
from app.server.storage import CallRecord, MemberRecord, UserRecord


def user_response(user: UserRecord) -> UserResponse:
    return UserResponse(
        id=user.id,
        name=user.name,
        image=user.image,
        role=user.role,
        custom=user.custom,
        created_at=user.created_at,
    )


def member_response(member: MemberRecord) -> MemberResponse:
    return MemberResponse(
        user_id=member.user.id,
        user=user_response(member.user),
        role=member.role,
        custom=member.custom,
        created_at=member.created_at,
    )


def call_response(call: CallRecord, session_id: str | None) -> CallResponse:
    """``session_id`` is the call's live session (``CallSessions.call_session_id``)."""
    return CallResponse(
        cid=call.cid,
        type=call.type,
        id=call.id,
        created_by=user_response(call.created_by),
        custom=call.custom,
        settings=CallSettings.model_validate(call.settings),
        backstage=call.backstage,
        created_at=call.created_at,
        updated_at=call.updated_at,
        ended_at=call.ended_at,
        session_id=session_id,
    )
