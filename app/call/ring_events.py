"""Pure functions that turn ring events into new ``CallState`` snapshots.

Status rules (the coordinator's side is in ``app.server.ringing``):

- Callee (``incoming``): ``call.ring`` naming this user among those ringing makes an idle
  or ended call ``incoming``; a call the user is in stays as it is. The ring ends with
  ``call.accepted`` by this user from another device (``ACCEPTED_ELSEWHERE``),
  ``call.rejected`` by this user (declined on any device: ``REJECTED``; timed out:
  ``TIMEOUT``) or by the caller (``CANCELLED`` / ``TIMEOUT``), unless the ring shows this
  user already accepted.
- Caller (``outgoing``, set only on the device that rang): the first ``call.accepted`` by a
  callee makes it ``outgoing(accepted_by_callee=True)`` (the ``Call`` then joins);
  ``call.rejected`` by the caller (cancelled on another device, or auto-cancel) ends it;
  so does the last callee's rejection when nobody accepted — ``REJECTED`` if anyone
  declined or was busy, ``TIMEOUT`` if nobody answered at all.
"""

from __future__ import annotations

from app.call.state import (
    CallState,
    CallStatus,
    CallStatusKind,
    DisconnectReason,
    RingingState,
    RingUser,
)
from app.protocol import (
    CallAcceptedEvent,
    CallMissedEvent,
    CallRejectedEvent,
    CallRingEvent,
    RejectReason,
    RingResponse,
    UserResponse,
)

RingEvent = CallRingEvent | CallAcceptedEvent | CallRejectedEvent | CallMissedEvent
_ANSWERED_NO = (RejectReason.DECLINE, RejectReason.BUSY)


def ring_user(user: UserResponse) -> RingUser:
    return RingUser(user_id=user.id, name=user.name or user.id, image=user.image)


def ringing_state(ring: RingResponse) -> RingingState:
    return RingingState(
        caller=ring_user(ring.caller),
        callees=tuple(ring_user(u) for u in ring.callees),
        ringing_user_ids=tuple(ring.ringing_user_ids),
        accepted_by=tuple(ring.accepted_by),
        rejected_by=dict(ring.rejected_by),
        video=ring.video,
        started_at=ring.started_at,
    )


def _callee_end_reason(reason: RejectReason) -> DisconnectReason:
    return DisconnectReason.TIMEOUT if reason is RejectReason.TIMEOUT else DisconnectReason.REJECTED


def _caller_end_reason(reason: RejectReason) -> DisconnectReason:
    return DisconnectReason.CANCELLED if reason is RejectReason.CANCEL else DisconnectReason.TIMEOUT


def apply_ring_event(state: CallState, event: RingEvent, user_id: str | None) -> CallState:
    """The snapshot after ``event`` for the signed-in ``user_id`` (module docstring)."""
    if isinstance(event, CallMissedEvent):
        if state.status.is_incoming and not state.status.accepted_by_me:
            return state.with_changes(status=CallStatus.disconnected(DisconnectReason.TIMEOUT))
        return state
    ring = event.ring
    state = state.with_changes(ringing=ringing_state(ring))
    status = _next_status(state.status, event, ring, user_id)
    return state if status is None else state.with_changes(status=status)


def _next_status(
    status: CallStatus,
    event: CallRingEvent | CallAcceptedEvent | CallRejectedEvent,
    ring: RingResponse,
    me: str | None,
) -> CallStatus | None:
    """The new status, or ``None`` to keep the current one."""
    if isinstance(event, CallRingEvent):
        rung = me in ring.ringing_user_ids
        if rung and (status.kind is CallStatusKind.IDLE or status.is_disconnected):
            return CallStatus.incoming()
        return None
    if status.is_incoming:
        if isinstance(event, CallAcceptedEvent):
            if event.user.id == me and not status.accepted_by_me:
                return CallStatus.disconnected(DisconnectReason.ACCEPTED_ELSEWHERE)
            return None
        if me in ring.accepted_by:
            return None  # answered here, the answer crossed this event: joining follows
        if event.user.id == me:
            return CallStatus.disconnected(_callee_end_reason(event.reason))
        if event.user.id == ring.caller.id:
            return CallStatus.disconnected(_caller_end_reason(event.reason))
        return None
    if status.is_outgoing and not status.accepted_by_callee:
        if isinstance(event, CallAcceptedEvent):
            if event.user.id != me:
                return CallStatus.outgoing(accepted_by_callee=True)
            return None
        if event.user.id == me:
            return CallStatus.disconnected(_caller_end_reason(event.reason))
        if not ring.ringing_user_ids and not ring.accepted_by:
            answered_no = any(r in _ANSWERED_NO for r in ring.rejected_by.values())
            reason = DisconnectReason.REJECTED if answered_no else DisconnectReason.TIMEOUT
            return CallStatus.disconnected(reason)
    return None
