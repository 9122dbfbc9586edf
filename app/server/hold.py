"""Hold (beyond Stream): a session tells the others that it put the call on hold.

Stream's ``suspendAudio`` is invisible to the other side on desktop; Parley's hold is
not. A ``hold.update`` client message sets ``on_hold`` on the sender's own session (no
capability needed: like mute, it is the user's own state) and the coordinator sends
``call.session_participant_hold`` to the call's audience; people who join later read it
from the participant list. A held session sends and plays nothing in that call, so the
others pause their senders to it (``app.call.hold``).
"""

from __future__ import annotations

from app.protocol import CallParticipantHoldEvent, ErrorCode, HoldUpdateMessage
from app.server.coordinator import Coordinator
from app.server.errors import ApiError
from app.server.events_hub import Connection


class HoldService:
    def __init__(self, coordinator: Coordinator) -> None:
        self._c = coordinator

    async def update(self, connection: Connection, message: HoldUpdateMessage) -> None:
        """Put the session ``message.session_id`` (of ``connection``, in
        ``message.call_cid``) on hold or take it off, and announce the change.

        Raises ``ApiError`` 409 ``not_joined`` for a session that is not this connection's
        in that call, or a call that is gone.
        """
        participant = self._c.sessions.get(message.session_id)
        if (
            participant is None
            or participant.connection_id != connection.connection_id
            or participant.call_cid != message.call_cid
        ):
            raise ApiError(
                409,
                ErrorCode.NOT_JOINED,
                f"session {message.session_id[:64]!r} is not a session of this connection "
                f"in call {message.call_cid[:140]!r}",
            )
        if participant.on_hold == message.on_hold:
            return
        call = await self._c.store.get_call(participant.call_cid)
        if call is None:
            raise ApiError(409, ErrorCode.NOT_JOINED, f"call {participant.call_cid} is gone")
        updated = self._c.sessions.set_on_hold(participant.session_id, message.on_hold)
        if updated is None:  # left while the call was read
            return
        event = CallParticipantHoldEvent(
            call_cid=call.cid,
            session_id=updated.session_id,
            on_hold=updated.on_hold,
            participant=updated.to_response(),
        )
        await self._c.publish(call, event)
