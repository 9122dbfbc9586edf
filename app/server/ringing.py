"""Ringing: ring members, accept, reject, the server-side timers, glare and missed calls.

Rules (Stream's ringing flow, "Ringing" in ``shared/reference/stream-video-flutter-docs.txt``,
made safe against crashed clients by enforcing the timeouts here):

- Who: the caller must be the call's creator or a member; callees must be members (or the
  creator) other than the caller, and real users (signed in at least once): 404
  ``not_found`` otherwise. A call ended (410) or whose ring timeouts are 0 (422: the
  ``audio_room``/``livestream`` types do not ring) cannot ring.
- Events, to the call's creator, members, participants and watchers, on every connection
  (so a user's second device hears them too): ``call.ring`` when members start ringing,
  ``call.accepted`` / ``call.rejected`` as each answers; each carries the ring as it now
  is. ``call.missed`` goes to the callee alone.
- Timers: each callee rings for ``incoming_call_timeout_ms`` at most, then
  ``call.rejected`` (that callee, ``timeout``) and a missed call. The caller waits
  ``auto_cancel_timeout_ms`` at most for a first accept, then the ring is cancelled for
  everyone: ``call.rejected`` (the caller, ``timeout``) and a missed call for each callee
  still ringing. A caller's ``reject`` cancels the same way (reason ``cancel``).
- A rung callee who joins the call without accepting first accepts by joining.
- The ring ends when nobody rings any more. Accepting, rejecting or cancelling a call that
  does not ring the user answers 409 ``conflict``; ending the call stops its ring silently
  (``call.ended`` says it all).
- Glare: when A rings exactly one user B while a ring by B is still ringing A, no new ring
  starts: the coordinator accepts B's call for A (``call.accepted`` from A there) and
  answers A with ``ring_redirect_cid`` = B's call, which A joins. Two people ringing each
  other at the same moment thus end up in one call; the ring requests are serialised by
  one lock, so whichever arrives second is the one redirected.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from app.protocol import (
    CallAcceptedEvent,
    CallMissedEvent,
    CallRejectedEvent,
    CallRingEvent,
    CallSettings,
    CallStateResponse,
    ErrorCode,
    MissedCallResponse,
    RejectCallRequest,
    RejectReason,
    RingCallRequest,
    RingCallResponse,
    UserRole,
)
from app.server.coordinator import Coordinator, utc_now
from app.server.errors import ApiError, forbidden, invalid_request
from app.server.events_hub import Connection
from app.server.rings import Ring, stop_timer
from app.server.storage import CallRecord, MemberRecord, UserRecord
from app.server.views import call_response, member_response, user_response

MISSED_CALLS_LIMIT = 50
_log = logging.getLogger(__name__)


def _not_ringing(what: str) -> ApiError:
    return ApiError(409, ErrorCode.CONFLICT, what)


class RingingService:
    def __init__(self, coordinator: Coordinator) -> None:
        self._c = coordinator
        self._lock = asyncio.Lock()

    # --- ring ----------------------------------------------------------------------------

    async def check_callees_exist(self, user_ids: Sequence[str], field: str) -> None:
        """404 ``not_found`` naming ``{field}.{index}`` for an id that is no real user
        (unknown, or only ever named as a member): ringing them could reach no one."""
        for index, user_id in enumerate(user_ids):
            user = await self._c.store.get_user(user_id)
            if user is None or user.origin == "member":
                raise ApiError(
                    404,
                    ErrorCode.NOT_FOUND,
                    f"user {user_id[:128]!r} does not exist (never signed in)",
                    field=f"{field}.{index}",
                )

    async def ring(
        self, user: UserRecord, type_name: str, call_id: str, request: RingCallRequest
    ) -> RingCallResponse:
        """``POST .../ring``: ring ``request.members`` (all members but the caller when
        empty). Raises ``ApiError`` (module docstring)."""
        call_type, _ = self._c.resolve(type_name, call_id)
        call = await self._c.load_call(call_type, call_id)
        members = await self._c.store.members(call.cid)
        redirect = await self.start(user, call, members, request.members, request.video)
        state = self._c.state(user, call, members)
        return RingCallResponse(**dict(state), ring_redirect_cid=redirect)

    async def start(
        self,
        user: UserRecord,
        call: CallRecord,
        members: Sequence[MemberRecord],
        callee_ids: Sequence[str],
        video: bool,
    ) -> str | None:
        """Ring ``callee_ids`` (empty: every member but ``user``) in ``call``; returns
        the cid of the call to join instead when the ring met one the other way (glare),
        else ``None``."""
        self._check_party(user, call, members, "ring members of this call")
        if call.ended_at is not None:
            raise ApiError(410, ErrorCode.CALL_ENDED, f"call {call.cid} has ended")
        settings = CallSettings.model_validate(call.settings).ring
        if settings.incoming_call_timeout_ms <= 0 or settings.auto_cancel_timeout_ms <= 0:
            raise invalid_request(
                f"call {call.cid} does not ring (its ring timeouts are 0)", "settings.ring"
            )
        parties = {call.created_by.id: call.created_by} | {m.user.id: m.user for m in members}
        if callee_ids:
            for index, callee_id in enumerate(callee_ids):
                if callee_id == user.id:
                    raise invalid_request("the caller cannot ring themselves", f"members.{index}")
                if callee_id not in parties:
                    raise invalid_request(
                        f"{callee_id[:128]!r} is not a member of the call", f"members.{index}"
                    )
            await self.check_callees_exist(callee_ids, "members")
        else:  # everyone who can be reached: members only ever named have no device
            callee_ids = [
                uid for uid, u in parties.items() if uid != user.id and u.origin != "member"
            ]
            if not callee_ids:
                raise invalid_request("the call has no member to ring", "members")
        async with self._lock:
            if len(callee_ids) == 1:
                other = self._c.rings.outgoing(caller_id=callee_ids[0], callee_id=user.id)
                if other is not None:
                    await self._accept_locked(user, other)
                    return other.call_cid
            ring = self._c.rings.get(call.cid)
            if ring is not None and ring.caller.id != user.id:
                raise _not_ringing(f"call {call.cid} is already ringing (rung by {ring.caller.id})")
            if ring is None:
                ring = Ring(
                    call_cid=call.cid,
                    caller=user_response(user),
                    video=video,
                    started_at=utc_now(),
                    incoming_call_timeout_ms=settings.incoming_call_timeout_ms,
                    auto_cancel_timeout_ms=settings.auto_cancel_timeout_ms,
                )
                ring.auto_cancel = self._timer(
                    settings.auto_cancel_timeout_ms,
                    partial(self._auto_cancel, ring),
                    f"ring auto-cancel {call.cid}",
                )
                self._c.rings.add(ring)
            for callee_id in callee_ids:
                if callee_id in ring.ringing or callee_id in ring.accepted_by:
                    continue
                ring.callees[callee_id] = user_response(parties[callee_id])
                ring.rejected_by.pop(callee_id, None)
                ring.ringing[callee_id] = self._timer(
                    ring.incoming_call_timeout_ms,
                    partial(self._incoming_timed_out, ring, callee_id),
                    f"ring timeout {call.cid} {callee_id}",
                )
            event = CallRingEvent(
                call_cid=call.cid,
                call=call_response(call, self._c.sessions.call_session_id(call.cid)),
                members=[member_response(m) for m in members],
                user=ring.caller,
                video=ring.video,
                ring=ring.to_response(),
            )
            await self._c.publish(call, event, members)
        return None

    async def replay(self, connection: Connection) -> None:
        """Send ``call.ring`` for every ring that rings ``connection``'s user now, so a
        device that connects (or reconnects) mid-ring rings too."""
        async with self._lock:
            for ring in self._c.rings.ringing_user(connection.user.id):
                call = await self._c.store.get_call(ring.call_cid)
                if call is None:
                    continue
                members = await self._c.store.members(call.cid)
                event = CallRingEvent(
                    call_cid=call.cid,
                    call=call_response(call, self._c.sessions.call_session_id(call.cid)),
                    members=[member_response(m) for m in members],
                    user=ring.caller,
                    video=ring.video,
                    ring=ring.to_response(),
                )
                self._c.hub.send_to(connection.connection_id, event)

    # --- answers -------------------------------------------------------------------------

    async def accept(self, user: UserRecord, type_name: str, call_id: str) -> CallStateResponse:
        """``POST .../accept``: the user answers (then joins with ``POST .../join``).
        403 for a non-member, 410 for an ended call, 409 when the call does not ring
        them (answered on another device, cancelled, timed out)."""
        call, members = await self._load(user, type_name, call_id, "accept this call")
        if call.ended_at is not None:
            raise ApiError(410, ErrorCode.CALL_ENDED, f"call {call.cid} has ended")
        async with self._lock:
            ring = self._c.rings.get(call.cid)
            if ring is None or user.id not in ring.ringing:
                raise _not_ringing(f"call {call.cid} is not ringing you")
            await self._accept_locked(user, ring)
        return self._c.state(user, call, members)

    async def reject(
        self, user: UserRecord, type_name: str, call_id: str, request: RejectCallRequest
    ) -> CallStateResponse:
        """``POST .../reject``: a callee declines (``busy``/``decline``/...), or the
        caller cancels the ring for everyone. 403 for a non-member, 409 when there is no
        ring of theirs to end."""
        call, members = await self._load(user, type_name, call_id, "reject this call")
        async with self._lock:
            ring = self._c.rings.get(call.cid)
            if ring is not None and ring.caller.id == user.id:
                await self._cancel_locked(ring, call, members, RejectReason.CANCEL)
            elif ring is not None and user.id in ring.ringing:
                await self._end_callee_locked(ring, call, members, user.id, request.reason)
            else:
                raise _not_ringing(f"call {call.cid} is not ringing you")
        return self._c.state(user, call, members)

    async def joined(self, user: UserRecord, call_cid: str) -> None:
        """``user`` joined ``call_cid``: if it was ringing them, that is their answer."""
        async with self._lock:
            ring = self._c.rings.get(call_cid)
            if ring is not None and user.id in ring.ringing:
                await self._accept_locked(user, ring)

    async def call_ended(self, call_cid: str) -> None:
        """The call ended: its ring stops without further events."""
        async with self._lock:
            self._c.rings.remove(call_cid)

    async def missed_calls(self, user: UserRecord) -> list[MissedCallResponse]:
        """The user's last ``MISSED_CALLS_LIMIT`` missed calls, newest first."""
        records = await self._c.store.missed_calls(user.id, MISSED_CALLS_LIMIT)
        return [
            MissedCallResponse(
                call=call_response(r.call, self._c.sessions.call_session_id(r.call.cid)),
                caller=user_response(r.caller),
                missed_at=r.missed_at,
            )
            for r in records
        ]

    def close(self) -> None:
        """Stop every ring's timers (shutdown)."""
        self._c.rings.close()

    # --- internals -----------------------------------------------------------------------

    @staticmethod
    def _check_party(
        user: UserRecord, call: CallRecord, members: Sequence[MemberRecord], doing: str
    ) -> None:
        if (
            user.role != UserRole.ADMIN
            and user.id != call.created_by.id
            and all(m.user.id != user.id for m in members)
        ):
            raise forbidden(f"only the call's creator and members may {doing}")

    async def _load(
        self, user: UserRecord, type_name: str, call_id: str, doing: str
    ) -> tuple[CallRecord, list[MemberRecord]]:
        call_type, _ = self._c.resolve(type_name, call_id)
        call = await self._c.load_call(call_type, call_id)
        members = await self._c.store.members(call.cid)
        self._check_party(user, call, members, doing)
        return call, members

    async def _load_for(self, ring: Ring) -> tuple[CallRecord, list[MemberRecord]] | None:
        call = await self._c.store.get_call(ring.call_cid)
        if call is None:  # cannot happen while calls are never deleted; stay safe
            self._c.rings.remove(ring.call_cid)
            return None
        return call, await self._c.store.members(call.cid)

    def _is_current(self, ring: Ring) -> bool:
        return self._c.rings.get(ring.call_cid) is ring

    def _finish_if_silent(self, ring: Ring) -> None:
        if not ring.ringing and self._is_current(ring):
            self._c.rings.remove(ring.call_cid)

    async def _accept_locked(self, user: UserRecord, ring: Ring) -> None:
        loaded = await self._load_for(ring)
        if loaded is None:
            return
        call, members = loaded
        stop_timer(ring.ringing.pop(user.id, None))
        ring.accepted_by.append(user.id)
        stop_timer(ring.auto_cancel)  # the caller has an answer: it stops waiting
        ring.auto_cancel = None
        event = CallAcceptedEvent(
            call_cid=call.cid,
            call=call_response(call, self._c.sessions.call_session_id(call.cid)),
            user=user_response(user),
            ring=ring.to_response(),
        )
        await self._c.publish(call, event, members)
        self._finish_if_silent(ring)

    async def _end_callee_locked(
        self,
        ring: Ring,
        call: CallRecord,
        members: Sequence[MemberRecord],
        callee_id: str,
        reason: RejectReason,
        *,
        missed: bool = False,
    ) -> None:
        stop_timer(ring.ringing.pop(callee_id, None))
        ring.rejected_by[callee_id] = reason
        event = CallRejectedEvent(
            call_cid=call.cid,
            call=call_response(call, self._c.sessions.call_session_id(call.cid)),
            user=ring.callees[callee_id],
            reason=reason,
            ring=ring.to_response(),
        )
        await self._c.publish(call, event, members)
        if missed:
            await self._record_missed(ring, call, callee_id)
        self._finish_if_silent(ring)

    async def _cancel_locked(
        self,
        ring: Ring,
        call: CallRecord,
        members: Sequence[MemberRecord],
        reason: RejectReason,
    ) -> None:
        """End the ring for everyone from the caller's side (cancel or auto-cancel)."""
        unanswered = list(ring.ringing)
        for callee_id in unanswered:
            stop_timer(ring.ringing.pop(callee_id))
            ring.rejected_by[callee_id] = reason
        event = CallRejectedEvent(
            call_cid=call.cid,
            call=call_response(call, self._c.sessions.call_session_id(call.cid)),
            user=ring.caller,
            reason=reason,
            ring=ring.to_response(),
        )
        if self._is_current(ring):
            self._c.rings.remove(ring.call_cid)
        await self._c.publish(call, event, members)
        for callee_id in unanswered:
            await self._record_missed(ring, call, callee_id)

    async def _record_missed(self, ring: Ring, call: CallRecord, callee_id: str) -> None:
        now = utc_now()
        await self._c.store.add_missed_call(callee_id, call.cid, ring.caller.id, now)
        event = CallMissedEvent(
            call_cid=call.cid,
            call=call_response(call, self._c.sessions.call_session_id(call.cid)),
            user=ring.caller,
            created_at=now,
        )
        self._c.hub.send_to_user(callee_id, event)

    async def _incoming_timed_out(self, ring: Ring, callee_id: str) -> None:
        async with self._lock:
            if not self._is_current(ring) or callee_id not in ring.ringing:
                return  # answered (or the ring ended) while this timer fired
            loaded = await self._load_for(ring)
            if loaded is not None:
                call, members = loaded
                await self._end_callee_locked(
                    ring, call, members, callee_id, RejectReason.TIMEOUT, missed=True
                )

    async def _auto_cancel(self, ring: Ring) -> None:
        async with self._lock:
            if not self._is_current(ring) or ring.auto_cancel is not asyncio.current_task():
                return  # someone accepted (or the ring ended) while this timer fired
            loaded = await self._load_for(ring)
            if loaded is not None:
                call, members = loaded
                _log.info("nobody accepted %s in time; cancelling its ring", call.cid)
                await self._cancel_locked(ring, call, members, RejectReason.TIMEOUT)

    @staticmethod
    def _timer(
        delay_ms: int, action: Callable[[], Awaitable[None]], name: str
    ) -> asyncio.Task[None]:
        """Run ``action()`` after ``delay_ms`` (a callee's incoming-call timeout or the
        caller's auto-cancel)."""

        async def fire() -> None:
            await asyncio.sleep(delay_ms / 1000)
            try:
                await action()
            except Exception:  # a timer has nobody to report to: log, never lose it
                _log.exception("%s failed", name)

        return asyncio.get_running_loop().create_task(fire(), name=name)
