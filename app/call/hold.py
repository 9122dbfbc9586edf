"""Hold that reaches the others (beyond Stream): ``Call.set_on_hold``, as a mixin so
``Call`` keeps one public face.

Stream's ``suspendAudio`` on Windows and Linux only disables tracks: the other side is not
told, the camera keeps sending and video keeps arriving. A held Parley call instead

- sends nothing: its microphone, camera and screen-share senders read no source (the
  devices and the share's capture stay open for the other calls and for later) and its
  published tracks drop ``audio``, ``video`` and ``screen_share``; a share in progress
  resumes when the call is taken off hold (Teams pauses it the same way);
- plays nothing: its remote audio is at gain 0 whatever its suspension says;
- tells the others (``hold.update`` → ``call.session_participant_hold``): their tiles show
  ``is_on_hold`` and their senders to the held session pause, so no video (or audio) is
  downloaded for a call nobody watches.

Hold is separate from the audio suspension the multicall policy drives: taking a call off
hold restores whatever suspension, mute and camera choices it had. Like the suspension it
is call state, so it may be set before joining and lasts until taken off: each new
session (a join, a rejoin after a reconnect) announces it before its media starts.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from app.call import call_events
from app.call.background import spawn
from app.call.errors import CallError
from app.call.state import CallState
from app.protocol import CallParticipantHoldEvent, HoldUpdateMessage

if TYPE_CHECKING:
    from app.call.call_media import CallMedia

log = logging.getLogger(__name__)


class CallHold:
    """Mixin of ``Call``: the hold command and ``call.session_participant_hold``."""

    if TYPE_CHECKING:
        cid: str
        _state: CallState
        _media: CallMedia | None
        _host: Any

        def _set_state(self, state: CallState) -> None: ...
        def _on_local_media_changed(self) -> None: ...
        def _attach_screen_share(self, media: CallMedia | None) -> None: ...

    async def set_on_hold(self, on_hold: bool) -> None:
        """Put the call on hold (True) or take it off (False), for this client and for
        everyone in it; outside the call, from its next join on. Idempotent. Raises
        ``CallError``: ``media_error`` when the media could not follow (logged),
        ``unreachable`` when the coordinator could not be told (logged; the local side is
        held all the same)."""
        state = self._state
        if state.is_on_hold == on_hold:
            return
        what = "hold" if on_hold else "unhold"
        log.info("%s %s", what, self.cid)
        state = state.with_changes(is_on_hold=on_hold)
        session_id = state.session_id
        if session_id is None or not state.status.is_active:
            self._set_state(state)  # announced by the next session (below)
            return
        self._set_state(call_events.update_participant(state, session_id, is_on_hold=on_hold))
        try:
            if self._media is not None:
                self._media.apply_playout_volume()
            self._on_local_media_changed()  # senders and published tracks
            self._attach_screen_share(self._media)  # a share in progress pauses or resumes
        except Exception as exc:
            log.exception("could not %s the media of %s", what, self.cid)
            raise CallError("media_error", f"could not {what} the media: {exc}") from exc
        message = HoldUpdateMessage(call_cid=self.cid, session_id=session_id, on_hold=on_hold)
        try:
            await self._host.send_message(message)
        except Exception as exc:
            log.warning("could not tell the others about the %s of %s: %s", what, self.cid, exc)
            raise CallError("unreachable", f"could not tell the others: {exc}") from exc

    def _carry_hold_into_session(self) -> None:
        """A new session's answer arrived (a join, or a rejoin after a reconnect), before
        its media starts: a held call tells the coordinator, whose new session knows
        nothing of the hold yet."""
        state = self._state
        session_id = state.session_id
        if not state.is_on_hold or session_id is None:
            return
        self._set_state(call_events.update_participant(state, session_id, is_on_hold=True))
        message = HoldUpdateMessage(call_cid=self.cid, session_id=session_id, on_hold=True)
        spawn(self._host.send_message(message), name=f"hold.update {self.cid}")

    def _handle_hold_event(self, event: CallParticipantHoldEvent) -> None:
        state = self._state
        if state.participant(event.session_id) is None:
            return
        self._set_state(
            call_events.update_participant(state, event.session_id, is_on_hold=event.on_hold)
        )
        if self._media is not None and event.session_id != state.session_id:
            self._media.apply_peer_hold(event.session_id)
