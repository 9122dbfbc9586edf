"""Ringing commands of a ``Call`` (Stream's ``ring``/``accept``/``reject``), as a mixin so
``Call`` keeps one public face while its lifecycle code stays in ``call.py``.

Flow: the caller's ``get_or_create(ring=True)`` or ``ring()`` makes the call ``outgoing``
on that device; callees' clients get ``call.ring`` and an ``incoming`` call
(``VideoClient.incoming_calls``). ``accept()`` answers and joins; when the first callee
accepts, the caller's call joins by itself (as Stream's does). ``reject()`` declines
(``busy`` when in another call), ``cancel()`` stops the caller's ring for everyone. The
coordinator's timers end unanswered rings. State rules: ``app.call.ring_events``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, cast

from app.call import ring_events
from app.call.background import spawn
from app.call.errors import CallError
from app.call.state import CallState, CallStatus, DisconnectReason
from app.protocol import (
    CallStateResponse,
    RejectCallRequest,
    RejectReason,
    RingCallRequest,
    RingCallResponse,
    call_path,
)

if TYPE_CHECKING:
    from app.call.call import Call, CallHost

log = logging.getLogger(__name__)


class CallRinging:
    """Mixin of ``Call``: ringing commands and ring-event handling."""

    if TYPE_CHECKING:
        call_type: str
        id: str
        cid: str
        _host: CallHost
        _state: CallState

        def _set_state(self, state: CallState) -> None: ...
        def _apply_loaded(self, response: CallStateResponse) -> None: ...
        async def _request(self, method: str, path: str, body: Any, model: type[Any]) -> Any: ...
        async def join(self, *, create: bool = True) -> None: ...

    async def ring(self, members: list[str] | None = None, *, video: bool = True) -> Call:
        """Ring ``members`` (user ids of the call's members; all but me when empty) of an
        existing call. Returns the call the user is now calling in: this one (status
        ``outgoing``, or unchanged when already in it), or — when the callee was ringing
        this user at that moment — the callee's call, joined at once (this call's status
        then is ``disconnected(REPLACED)`` with ``replaced_by_call_cid``). Raises
        ``CallError`` (``not_found`` for a user who does not exist, ``forbidden``, ...)."""
        async with self._ringing_out():
            response: RingCallResponse = await self._request(
                "POST",
                call_path(self.call_type, self.id, "ring"),
                RingCallRequest(members=members or [], video=video),
                RingCallResponse,
            )
        self._apply_loaded(response)
        return await self._after_ring(response.ring_redirect_cid)

    async def accept(self, *, join: bool = True) -> None:
        """Answer the ring, then (with ``join``) join the call with the current camera and
        microphone choices. Raises ``CallError``: ``conflict`` when the call no longer
        rings this user (cancelled, timed out, answered on another device), ``call_ended``,
        ``forbidden``; the status then says how the ring ended, or is
        ``disconnected(FAILURE)`` with the reason."""
        if self._state.status.is_incoming:
            self._set_state(
                self._state.with_changes(status=CallStatus.incoming(accepted_by_me=True))
            )
        try:
            await self._request("POST", call_path(self.call_type, self.id, "accept"), None, dict)
        except CallError as exc:
            if not self._state.status.is_disconnected:
                failed = CallStatus.disconnected(DisconnectReason.FAILURE, exc.message)
                self._set_state(self._state.with_changes(status=failed))
            raise
        if join:
            await self.join(create=False)

    async def reject(self, reason: RejectReason | str = RejectReason.DECLINE) -> None:
        """Decline the ring (``"decline"``, or ``"busy"`` when in another call); from the
        caller, cancel it for everyone. A ring that already ended is not an error (the
        user wanted it to stop). Raises ``CallError`` for anything else the coordinator
        refuses, and ``ValueError`` for an unknown reason."""
        reason = RejectReason(reason)
        try:
            await self._request(
                "POST",
                call_path(self.call_type, self.id, "reject"),
                RejectCallRequest(reason=reason),
                dict,
            )
        except CallError as exc:
            if exc.code != "conflict":
                raise
            log.info("%s no longer rang when rejected: %s", self.cid, exc.message)
        status = self._state.status
        if status.is_incoming:
            ended = CallStatus.disconnected(DisconnectReason.REJECTED)
            self._set_state(self._state.with_changes(status=ended))
        elif status.is_outgoing:
            ended = CallStatus.disconnected(DisconnectReason.CANCELLED)
            self._set_state(self._state.with_changes(status=ended))

    async def cancel(self) -> None:
        """The caller stops ringing (``reject`` with reason ``cancel``)."""
        await self.reject(RejectReason.CANCEL)

    # --- internals --------------------------------------------------------------------

    @asynccontextmanager
    async def _ringing_out(self) -> AsyncIterator[None]:
        """Be ``outgoing`` while the ring request is in flight: a callee may answer before
        its answer arrives, and that ``call.accepted`` must find the call ringing. Back to
        the previous status when the request fails."""
        before = self._state.status
        if not before.is_active:
            self._set_state(self._state.with_changes(status=CallStatus.outgoing()))
        try:
            yield
        except BaseException:
            if self._state.status.is_outgoing:
                self._set_state(self._state.with_changes(status=before))
            raise

    async def _after_ring(self, redirect_cid: str | None) -> Call:
        me = cast("Call", self)
        if redirect_cid is None:
            return me
        other = self._host.call_for(redirect_cid)
        if other is not me:
            self._set_state(
                self._state.with_changes(
                    status=CallStatus.disconnected(DisconnectReason.REPLACED),
                    replaced_by_call_cid=redirect_cid,
                )
            )
        log.info("%s met a ring the other way; joining %s", self.cid, redirect_cid)
        await other.join(create=False)
        return other

    def _handle_ring_event(self, event: ring_events.RingEvent) -> None:
        before = self._state.status
        self._set_state(ring_events.apply_ring_event(self._state, event, self._host.user_id))
        after = self._state.status
        if after.is_outgoing and after.accepted_by_callee and not before.accepted_by_callee:
            spawn(self._join_accepted(), name=f"join accepted {self.cid}")

    async def _join_accepted(self) -> None:
        try:
            await self.join(create=False)
        except CallError as exc:  # the status says disconnected(FAILURE) with the reason
            log.warning("joining %s after it was accepted failed: %s", self.cid, exc.message)
