"""``suspend_audio()`` / ``resume_audio()`` of a ``Call`` (Stream's ``Call.suspendAudio`` /
``resumeAudio``), as a mixin so ``Call`` keeps one public face.

Suspending a call stops its microphone contribution and takes its remote audio out of the
output mix; the other calls are untouched. ``LocalMedia`` (the devices) is shared by all
calls, so nothing is closed: this call's audio senders read no source (the W3C
``replaceTrack(null)`` idea: nothing is sent, and the other side's level falls to
silence), its published tracks drop ``audio`` (so the others see it as muted rather than
hearing nothing unexplained, a gap of Stream's desktop SDKs), and its remote sources
play at gain 0 (or at ``playout_volume`` when ducked). Remote tracks that arrive while
suspended join the mix at that gain, so they start playing on resume, not before.

Resuming restores exactly the user's choices: the microphone flag is the user's own
(``LocalMedia.microphone_enabled``), never changed here, so a microphone muted before or
during the suspension stays muted.

The suspension is call state (``CallState.is_audio_suspended``), so it is safe at any
time: before the call is connected it takes effect when the media starts (the join
request publishes no audio, the senders start with no source), and a rejoin keeps it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from app.call.errors import CallError
from app.call.state import CallState

if TYPE_CHECKING:
    from app.call.call_media import CallMedia

log = logging.getLogger(__name__)


class CallAudioSuspension:
    """Mixin of ``Call``: audio suspension commands."""

    if TYPE_CHECKING:
        cid: str
        _state: CallState
        _media: CallMedia | None

        def _set_state(self, state: CallState) -> None: ...
        def _on_local_media_changed(self) -> None: ...

    async def suspend_audio(self, *, playout_volume: float = 0.0) -> None:
        """Stop sending the microphone to this call and play its remote audio at
        ``playout_volume`` (linear gain 0..1; 0 = silent, above 0 = ducked). Idempotent;
        a second call with another volume changes the volume. Raises ``CallError``:
        ``invalid_request`` for a volume outside 0..1, ``media_error`` when the media could
        not follow (logged; the state says suspended all the same, and a later
        ``resume_audio`` retries)."""
        if not 0.0 <= playout_volume <= 1.0:
            raise CallError("invalid_request", f"playout_volume must be in 0..1: {playout_volume}")
        self._apply_audio_suspension(suspended=True, playout_volume=playout_volume)

    async def resume_audio(self) -> None:
        """Send the microphone again (if the user has it on) and play this call's remote
        audio at full volume. Idempotent. Raises ``CallError`` (``media_error``), logged."""
        self._apply_audio_suspension(suspended=False, playout_volume=1.0)

    def _apply_audio_suspension(self, *, suspended: bool, playout_volume: float) -> None:
        state = self._state
        if state.is_audio_suspended == suspended and state.audio_playout_volume == playout_volume:
            return
        what = "suspend" if suspended else "resume"
        log.info("%s audio of %s (playout volume %.2f)", what, self.cid, playout_volume)
        self._set_state(
            state.with_changes(is_audio_suspended=suspended, audio_playout_volume=playout_volume)
        )
        try:
            if self._media is not None:
                self._media.apply_playout_volume()
            # re-points this call's senders and re-publishes its tracks (without audio
            # while suspended): the same path a mute takes
            self._on_local_media_changed()
        except Exception as exc:
            log.exception("could not %s the audio of %s", what, self.cid)
            raise CallError("media_error", f"could not {what} the audio: {exc}") from exc
