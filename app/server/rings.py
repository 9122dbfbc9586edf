"""Rings in progress: the in-memory ``RingRegistry`` (one ``Ring`` per call at most).

Like ``CallSessions`` this is process state, not storage: a ring lives for seconds, and a
restarted coordinator has no connection left to ring anyway. What must outlive it — the
missed calls — is stored (``Store.add_missed_call``). Each ring carries its own timers
(asyncio tasks), so it ends on time even when every client involved has crashed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from app.protocol import RejectReason, RingResponse, UserResponse


def stop_timer(task: asyncio.Task[None] | None) -> None:
    """Cancel a ring timer, unless it is the running task (a timer that fires resolves
    the ring itself; cancelling it would abort that resolution half-way)."""
    if task is not None and task is not asyncio.current_task():
        task.cancel()


@dataclass(eq=False)
class Ring:
    """One call's ring.

    ``ringing`` maps each callee whose devices ring now to their incoming-call timer
    (``incoming_call_timeout_ms``); ``auto_cancel`` is the caller's timer
    (``auto_cancel_timeout_ms``) while nobody has accepted, ``None`` after. Mutated only
    under ``RingingService``'s lock.
    """

    call_cid: str
    caller: UserResponse
    video: bool
    started_at: datetime
    incoming_call_timeout_ms: int
    auto_cancel_timeout_ms: int
    callees: dict[str, UserResponse] = field(default_factory=dict)  # in the order rung
    ringing: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    accepted_by: list[str] = field(default_factory=list)
    rejected_by: dict[str, RejectReason] = field(default_factory=dict)
    auto_cancel: asyncio.Task[None] | None = None

    def to_response(self) -> RingResponse:
        return RingResponse(
            caller=self.caller,
            callees=list(self.callees.values()),
            ringing_user_ids=list(self.ringing),
            accepted_by=list(self.accepted_by),
            rejected_by=dict(self.rejected_by),
            video=self.video,
            started_at=self.started_at,
            incoming_call_timeout_ms=self.incoming_call_timeout_ms,
            auto_cancel_timeout_ms=self.auto_cancel_timeout_ms,
        )

    def stop_timers(self) -> None:
        for task in self.ringing.values():
            stop_timer(task)
        stop_timer(self.auto_cancel)
        self.auto_cancel = None


class RingRegistry:
    """The rings of this process by call cid (event loop only; not thread-safe)."""

    def __init__(self) -> None:
        self._rings: dict[str, Ring] = {}

    def get(self, call_cid: str) -> Ring | None:
        return self._rings.get(call_cid)

    def add(self, ring: Ring) -> None:
        self._rings[ring.call_cid] = ring

    def remove(self, call_cid: str) -> Ring | None:
        """Forget a ring and stop its timers; the ring, or None when there was none."""
        ring = self._rings.pop(call_cid, None)
        if ring is not None:
            ring.stop_timers()
        return ring

    def response(self, call_cid: str) -> RingResponse | None:
        ring = self._rings.get(call_cid)
        return ring.to_response() if ring is not None else None

    def ringing_user(self, user_id: str) -> list[Ring]:
        """Rings in which ``user_id``'s devices ring now."""
        return [ring for ring in self._rings.values() if user_id in ring.ringing]

    def outgoing(self, caller_id: str, callee_id: str) -> Ring | None:
        """A ring by ``caller_id`` in which ``callee_id`` is still ringing (glare check)."""
        return next(
            (
                ring
                for ring in self._rings.values()
                if ring.caller.id == caller_id and callee_id in ring.ringing
            ),
            None,
        )

    def close(self) -> None:
        """Stop every timer and forget every ring (shutdown)."""
        for call_cid in list(self._rings):
            self.remove(call_cid)
