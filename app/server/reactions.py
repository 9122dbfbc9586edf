"""Reactions (Stream's ``call.sendReaction``): an emoji for everyone in the call, or a
raised hand that stays up until lowered.

Rules: sending needs ``create-reaction`` in the call (403 ``forbidden``); a
``raised-hand`` reaction needs the sender to be joined (409 ``not_joined``), and sets
``raised_hand`` on every session of the sender in the call, so late joiners see the hand in
the participant list. Every accepted reaction goes out as ``call.reaction`` to the call's
audience (creator, members, participants, watchers).
"""

from __future__ import annotations

from app.protocol import (
    CallReactionEvent,
    ErrorCode,
    OwnCapability,
    ReactionResponse,
    SendReactionRequest,
    SendReactionResponse,
)
from app.server.coordinator import Coordinator, require
from app.server.errors import ApiError
from app.server.storage import UserRecord
from app.server.validation import check_custom
from app.server.views import user_response


class ReactionsService:
    def __init__(self, coordinator: Coordinator) -> None:
        self._c = coordinator

    async def send(
        self, user: UserRecord, type_name: str, call_id: str, request: SendReactionRequest
    ) -> SendReactionResponse:
        """Send ``request`` from ``user`` to the call.

        Raises ``ApiError``: 404 ``call_type_not_found``/``call_not_found``, 422
        ``invalid_call_id``/``invalid_request`` (custom data), 403 ``forbidden`` without
        ``create-reaction``, 409 ``not_joined`` for a raised hand from outside the call.
        """
        call_type, cid = self._c.resolve(type_name, call_id)
        check_custom(request.custom, "custom")
        call = await self._c.load_call(call_type, call_id)
        members = await self._c.store.members(cid)
        granted = self._c.capabilities(user, call, members)
        require(granted, OwnCapability.CREATE_REACTION, "send reactions in this call")
        raised = request.hand_raised
        if raised is not None:
            # No await between reading the sessions and updating them: a session that
            # leaves meanwhile cannot be half-updated.
            sessions = [p for p in self._c.sessions.participants(cid) if p.user.id == user.id]
            if not sessions:
                raise ApiError(409, ErrorCode.NOT_JOINED, f"join call {cid} before raising a hand")
            for participant in sessions:
                self._c.sessions.set_raised_hand(participant.session_id, raised)
        reaction = ReactionResponse(
            user=user_response(user),
            type=request.type,
            emoji_code=request.emoji_code,
            custom=request.custom,
        )
        await self._c.publish(call, CallReactionEvent(call_cid=cid, reaction=reaction), members)
        return SendReactionResponse(reaction=reaction)
