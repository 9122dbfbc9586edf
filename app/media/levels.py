"""Audio levels: RMS meters for the Lobby's meter and speaking detection.

Levels are linear RMS in 0..1 relative to full scale (int16 full scale is 32768), the
same scale as W3C ``RTCAudioSourceStats.audioLevel``; 0.02 is about -34 dBFS, quiet speech.
"""

import time
from collections import deque

import numpy as np

__all__ = ["LevelMeter", "SpeakingDetector", "rms_level"]

_INT16_FULL_SCALE = 32768.0


def rms_level(samples: np.ndarray) -> float:
    """Return the RMS level of ``samples`` in 0..1 of full scale.

    ``samples``: any shape; int16 (full scale 32768) or float (full scale 1.0).
    An empty array has level 0.0.
    """
    if samples.size == 0:
        return 0.0
    values = samples.astype(np.float64)
    if np.issubdtype(samples.dtype, np.integer):
        values /= _INT16_FULL_SCALE
    return min(1.0, float(np.sqrt(np.mean(values * values))))


class LevelMeter:
    """RMS level over a sliding window of wall time (default the last 100 ms).

    Blocks are stamped with a monotonic clock when added, so a source that stops
    delivering decays to 0.0 instead of showing its last level forever. Not thread-safe:
    use it from one thread (the loop thread in Parley).
    """

    def __init__(self, window_ms: float = 100.0) -> None:
        self._window_s = window_ms / 1000.0
        # (arrival time s, sum of squares in full-scale units, sample count)
        self._blocks: deque[tuple[float, float, int]] = deque()

    def add(self, samples: np.ndarray, now_s: float | None = None) -> None:
        """Add a block of int16 samples (any shape) received at ``now_s`` (monotonic s)."""
        now_s = time.monotonic() if now_s is None else now_s
        values = samples.astype(np.float64) / _INT16_FULL_SCALE
        self._blocks.append((now_s, float(np.sum(values * values)), int(samples.size)))
        self._trim(now_s)

    def level(self, now_s: float | None = None) -> float:
        """RMS level (0..1) of the blocks that arrived within the window before ``now_s``."""
        self._trim(time.monotonic() if now_s is None else now_s)
        count = sum(block[2] for block in self._blocks)
        if count == 0:
            return 0.0
        return min(1.0, float(np.sqrt(sum(block[1] for block in self._blocks) / count)))

    def _trim(self, now_s: float) -> None:
        while self._blocks and self._blocks[0][0] < now_s - self._window_s:
            self._blocks.popleft()


class SpeakingDetector:
    """Threshold with attack and hangover, as voice-activity UIs use (Stream's ``isSpeaking``).

    Speaking starts once the level stays above ``threshold`` for ``attack_ms`` and stops
    after ``release_ms`` below it, so the highlight does not flicker between syllables.
    Time comes from the durations passed to :meth:`update`, which keeps it deterministic.
    """

    def __init__(
        self, threshold: float = 0.02, attack_ms: float = 60.0, release_ms: float = 500.0
    ) -> None:
        self.threshold = threshold
        self.attack_ms = attack_ms
        self.release_ms = release_ms
        self.speaking = False
        self._above_ms = 0.0
        self._below_ms = 0.0

    def update(self, level: float, duration_ms: float) -> bool:
        """Feed the level (0..1) measured over the last ``duration_ms``; return ``speaking``."""
        if level > self.threshold:
            self._above_ms += duration_ms
            self._below_ms = 0.0
            if self._above_ms >= self.attack_ms:
                self.speaking = True
        else:
            self._below_ms += duration_ms
            self._above_ms = 0.0
            if self._below_ms >= self.release_ms:
                self.speaking = False
        return self.speaking
