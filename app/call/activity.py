"""Speaking and dominant-speaker detection from audio levels (Stream's ``isSpeaking`` /
``isDominantSpeaker``, which Stream's SFU computes; in mesh mode each client does)."""

from __future__ import annotations

from dataclasses import dataclass, field

SPEAKING_LEVEL = 0.02  # RMS, full scale 1.0: about -34 dBFS, above room noise
SPEAKING_START_MS = 60  # level must hold this long before a participant counts as speaking
SPEAKING_HANGOVER_MS = 500  # pauses between words shorter than this keep "speaking"
DOMINANT_HOLD_MS = 1500  # a new dominant speaker must out-talk the current one this long


@dataclass
class _Track:
    above_ms: float = 0.0
    below_ms: float = 0.0
    speaking: bool = False
    talk_ms: float = 0.0  # speaking time in the current dominance window


@dataclass
class ActivityTracker:
    """Feed ``update(levels, elapsed_ms)`` every tick; read ``speaking`` and ``dominant``."""

    _tracks: dict[str, _Track] = field(default_factory=dict)
    dominant: str | None = None
    _challenger: str | None = None
    _challenge_ms: float = 0.0

    def update(self, levels: dict[str, float], elapsed_ms: float) -> None:
        for key in list(self._tracks):
            if key not in levels:
                del self._tracks[key]
        for key, level in levels.items():
            track = self._tracks.setdefault(key, _Track())
            if level >= SPEAKING_LEVEL:
                track.above_ms += elapsed_ms
                track.below_ms = 0.0
                if track.above_ms >= SPEAKING_START_MS:
                    track.speaking = True
            else:
                track.below_ms += elapsed_ms
                track.above_ms = 0.0
                if track.below_ms >= SPEAKING_HANGOVER_MS:
                    track.speaking = False
        self._update_dominant(levels, elapsed_ms)

    def is_speaking(self, key: str) -> bool:
        track = self._tracks.get(key)
        return bool(track and track.speaking)

    def _update_dominant(self, levels: dict[str, float], elapsed_ms: float) -> None:
        speaking = [k for k, t in self._tracks.items() if t.speaking]
        if not speaking:
            self._challenger, self._challenge_ms = None, 0.0
            if self.dominant not in self._tracks:
                self.dominant = None
            return  # the last dominant speaker stays dominant through silence, as Stream's
        loudest = max(speaking, key=lambda k: levels.get(k, 0.0))
        if self.dominant is None or not self.is_speaking(self.dominant):
            self.dominant, self._challenger, self._challenge_ms = loudest, None, 0.0
        elif loudest == self.dominant:
            self._challenger, self._challenge_ms = None, 0.0
        elif loudest == self._challenger:
            self._challenge_ms += elapsed_ms
            if self._challenge_ms >= DOMINANT_HOLD_MS:
                self.dominant, self._challenger, self._challenge_ms = loudest, None, 0.0
        else:
            self._challenger, self._challenge_ms = loudest, elapsed_ms
