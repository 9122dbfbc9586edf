"""``ActiveCalls``: the calls a client has joined, which one has focus, and the one place
where ``MultiCallAudioPolicy`` is enforced (Stream's ``setActiveCall`` /
``removeActiveCall``, see Stream's Flutter "Multicall" cookbook).

Policies, as Stream defines them (cookbook, "Choosing an audio policy"):

- ``suspend_existing`` (default): on join every other active call gets
  ``suspend_audio()``; on leave a remaining call gets ``resume_audio()``. Stream resumes
  the most recently *added* call; Parley resumes the call the user focused *last* (the
  top of the focus stack), which is the same call unless the user switched focus.
- ``suspend_incoming``: a call joined while another is active is suspended; nothing
  resumes automatically.
- ``manual``: nothing automatic; the app calls ``suspend_audio()`` / ``resume_audio()``.

``switch_focus(from_call, to_call)`` is the cookbook's ``switchFocus`` for already-joined
calls (no join or leave happens, so no policy applies): ``from_call`` is suspended,
``to_call`` resumed and put on top of the focus stack.

Ducking (beyond Stream): with ``background_call_volume`` > 0 a call the policy or
``switch_focus`` suspends still stops sending the microphone, but its remote audio plays
at that linear gain instead of not at all.

Hold (beyond Stream): with ``hold_background_calls`` a call the policy or
``switch_focus`` suspends is also put on hold (``Call.set_on_hold``: the others see it,
the camera pauses for that call, no video is received), and taken off hold when it
resumes: the "livestream + 1:1" flow, where the first call waits while a ring is taken.

Single-call mode (``allow_multiple`` False, Stream's default): joining a call leaves the
active one with ``DisconnectReason.REPLACED``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from app.call.errors import CallError
from app.call.state import DisconnectReason

if TYPE_CHECKING:
    from app.call.call import Call

log = logging.getLogger(__name__)

ActiveCallsListener = Callable[[tuple["Call", ...]], None]


class MultiCallAudioPolicy(StrEnum):
    """What happens to the audio of the other calls when one joins or leaves (Stream's
    ``MultiCallAudioPolicy``)."""

    SUSPEND_EXISTING = "suspend_existing"
    SUSPEND_INCOMING = "suspend_incoming"
    MANUAL = "manual"


class ActiveCalls:
    """The client's joined calls, in join order, and the focus stack.

    ``allow_multiple``: keep several calls joined (Stream's ``allowMultipleActiveCalls``).
    ``policy``: see the module docstring. ``background_call_volume``: linear gain 0..1 of
    a suspended call's remote audio (0 = full suspension). ``hold_background_calls``:
    hold suspended calls too (module docstring). Raises ``ValueError`` for a volume
    outside 0..1. Loop thread only.
    """

    def __init__(
        self,
        *,
        allow_multiple: bool = False,
        policy: MultiCallAudioPolicy = MultiCallAudioPolicy.SUSPEND_EXISTING,
        background_call_volume: float = 0.0,
        hold_background_calls: bool = False,
    ) -> None:
        if not 0.0 <= background_call_volume <= 1.0:
            raise ValueError(f"background_call_volume not in 0..1: {background_call_volume}")
        self.allow_multiple = allow_multiple
        self.policy = MultiCallAudioPolicy(policy)
        self.background_call_volume = background_call_volume
        self.hold_background_calls = hold_background_calls
        self._calls: list[Call] = []  # join order
        self._focus: list[Call] = []  # least recently focused first
        self._listeners: list[ActiveCallsListener] = []

    # --- queries ----------------------------------------------------------------------

    @property
    def calls(self) -> tuple[Call, ...]:
        """The active calls (connecting, connected or reconnecting), in join order."""
        return tuple(self._calls)

    @property
    def focused(self) -> Call | None:
        """The call focused last (top of the focus stack), or None with no active call.
        Under ``suspend_incoming`` and ``manual`` it may be suspended: after its focused
        call left, nothing resumes by itself (Stream's rule) until ``switch_focus``."""
        return self._focus[-1] if self._focus else None

    @property
    def focus_order(self) -> tuple[Call, ...]:
        """The active calls, least recently focused first."""
        return tuple(self._focus)

    @property
    def active_call(self) -> Call | None:
        """The one active call in single-call mode. Raises ``CallError``
        (``multiple_active_calls``) when several calls are allowed: Stream's
        ``activeCall`` throws then too; use ``calls`` / ``focused``."""
        if self.allow_multiple:
            raise CallError(
                "multiple_active_calls",
                "several calls may be active: use active_calls or focused_call",
            )
        return self._calls[-1] if self._calls else None

    def subscribe(self, listener: ActiveCallsListener) -> Callable[[], None]:
        """Call ``listener(calls)`` whenever the active calls or the focus change (Stream's
        ``listenActiveCalls``); returns the unsubscriber."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # --- the enforcement point --------------------------------------------------------

    async def set_active_call(self, call: Call) -> None:
        """``call`` starts joining (Stream runs ``setActiveCall`` at the top of ``join``):
        add it and apply the policy. Idempotent."""
        if call in self._calls:
            return
        others = list(self._calls)
        self._calls.append(call)
        if not self.allow_multiple:
            self._focus = [*others, call]
            self._notify()
            for other in others:
                await _leave_replaced(other)
            return
        match self.policy:
            case MultiCallAudioPolicy.SUSPEND_EXISTING:
                # newest call wins; it may come back suspended from an earlier session
                self._focus.append(call)
                for other in others:
                    await self._suspend(other)
                await self._resume(call)
            case MultiCallAudioPolicy.SUSPEND_INCOMING if others:
                self._focus.insert(0, call)  # joins in the background
                await self._suspend(call)
            case MultiCallAudioPolicy.SUSPEND_INCOMING:
                self._focus.append(call)
                await self._resume(call)
            case MultiCallAudioPolicy.MANUAL:
                # the app drives focus; a call joined beside others starts behind them
                self._focus.insert(0, call)
        self._notify()

    async def remove_active_call(self, call: Call) -> None:
        """``call`` left or failed (Stream's ``removeActiveCall``): under
        ``suspend_existing`` resume the call focused last. Idempotent."""
        if call not in self._calls:
            return
        self._calls.remove(call)
        self._focus.remove(call)
        self._notify()
        if (
            self.allow_multiple
            and self.policy is MultiCallAudioPolicy.SUSPEND_EXISTING
            and self._focus
        ):
            await self._resume(self._focus[-1])

    async def switch_focus(self, from_call: Call | None, to_call: Call) -> None:
        """Hand the microphone and speakers from ``from_call`` (None: from nobody) to
        ``to_call``, both already active; ``to_call`` goes on top of the focus stack.
        Raises ``CallError`` (``not_active``) for a call that is not active."""
        for call in (from_call, to_call):
            if call is not None and call not in self._calls:
                raise CallError("not_active", f"call {call.cid} is not active")
        if from_call is not None and from_call is not to_call:
            await self._suspend(from_call)
        await self._resume(to_call)
        self._focus.remove(to_call)
        self._focus.append(to_call)
        self._notify()

    # --- internals --------------------------------------------------------------------

    async def _suspend(self, call: Call) -> None:
        try:
            await call.suspend_audio(playout_volume=self.background_call_volume)
            if self.hold_background_calls:
                await call.set_on_hold(True)
        except CallError as exc:  # the call logged the cause; the others still go on
            log.warning("could not suspend %s: %s", call.cid, exc.message)

    async def _resume(self, call: Call) -> None:
        try:
            if self.hold_background_calls:
                await call.set_on_hold(False)
            await call.resume_audio()
        except CallError as exc:
            log.warning("could not resume %s: %s", call.cid, exc.message)

    def _notify(self) -> None:
        calls = self.calls
        for listener in list(self._listeners):
            try:
                listener(calls)
            except Exception:
                log.exception("active-calls listener failed")


async def _leave_replaced(call: Call) -> None:
    try:
        await call.leave(DisconnectReason.REPLACED)
    except Exception:  # the new call goes on; the old one's own state says what failed
        log.exception("leaving %s for a new call failed", call.cid)
