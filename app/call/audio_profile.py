"""``Call.set_audio_profile``: per-call microphone use, over the client's default
(Stream's ``DefaultCallPreferences.audioConfigurationPolicy``: broadcaster or viewer).

A profile changes only what this call's senders read — the echo-cancelled microphone, or
nothing — and what the call publishes; the microphone device and the user's mute stay as
they are, so a viewer call beside a broadcaster call costs no second capture.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from app.call.state import AudioProfile, CallState

log = logging.getLogger(__name__)


class CallAudioProfile:
    """Mixin of ``Call``: the audio profile command."""

    if TYPE_CHECKING:
        cid: str
        _state: CallState

        def _set_state(self, state: CallState) -> None: ...
        def _on_local_media_changed(self) -> None: ...

    def set_audio_profile(self, profile: AudioProfile | None) -> None:
        """Use ``profile`` for this call from now on (None: the microphone unprocessed).
        Allowed before joining and during the call, where the senders switch at once and
        a viewer's audio track is unpublished. Idempotent."""
        if self._state.audio_profile == profile:
            return
        log.info("audio profile of %s: %s", self.cid, profile or "unprocessed")
        self._set_state(self._state.with_changes(audio_profile=profile))
        # the path a mute takes: re-point this call's senders, re-publish its tracks
        self._on_local_media_changed()
