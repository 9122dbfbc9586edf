"""Ringing sounds, synthesised: the caller's ringback tone and the callee's ringtone.

No sound files are shipped or downloaded. Each pattern is rendered once with numpy into a
16-bit mono WAV in the user's cache folder (named by a hash of the pattern, so a changed
pattern gets a new file) and played in a loop by ``QSoundEffect``, which keeps short,
uncompressed sounds decoded in memory — what a looping ring needs.

- Ringback (what the caller hears): 440 Hz + 480 Hz, 2 s on, 4 s off — the North American
  ringback of ITU-T E.180 Supplement 2, the tone most people know as "it's ringing".
- Ringtone (what the callee hears): a soft three-note marimba-like arpeggio (E5 G5 B5),
  twice, then silence; decaying notes are easier on the ear than a steady beep.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import platformdirs
from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QSoundEffect

log = logging.getLogger(__name__)

SAMPLE_RATE_HZ = 48_000
_FADE_MS = 8  # ramps at every edge: a hard cut clicks


@dataclass(frozen=True, slots=True)
class Note:
    """One sound of a pattern: ``frequencies_hz`` summed, starting at ``start_ms`` for
    ``duration_ms``; ``decay_per_s`` > 0 makes it fade exponentially (a struck note)."""

    start_ms: int
    duration_ms: int
    frequencies_hz: tuple[float, ...]
    decay_per_s: float = 0.0


@dataclass(frozen=True, slots=True)
class TonePattern:
    """A looping sound: ``notes`` within one ``period_ms``, at ``gain`` (0–1 of full
    scale)."""

    name: str
    period_ms: int
    notes: tuple[Note, ...]
    gain: float = 0.25


RINGBACK = TonePattern("ringback", period_ms=6000, notes=(Note(0, 2000, (440.0, 480.0)),), gain=0.2)

_ARPEGGIO_HZ = (659.25, 783.99, 987.77)  # E5, G5, B5
RINGTONE = TonePattern(
    "ringtone",
    period_ms=3000,
    notes=tuple(
        Note(repeat * 700 + step * 150, 520, (freq, 2 * freq), decay_per_s=6.0)
        for repeat in range(2)
        for step, freq in enumerate(_ARPEGGIO_HZ)
    ),
    gain=0.3,
)


def render(pattern: TonePattern, sample_rate_hz: int = SAMPLE_RATE_HZ) -> np.ndarray:
    """One period of ``pattern`` as int16 samples (shape ``(period_samples,)``)."""
    out = np.zeros(pattern.period_ms * sample_rate_hz // 1000, dtype=np.float64)
    fade = _FADE_MS * sample_rate_hz // 1000
    for note in pattern.notes:
        start = note.start_ms * sample_rate_hz // 1000
        length = min(note.duration_ms * sample_rate_hz // 1000, out.size - start)
        t = np.arange(length) / sample_rate_hz
        # the second partial of a struck note is quieter, as on a marimba bar
        weights = [1.0 / (1 + i) for i in range(len(note.frequencies_hz))]
        partials = zip(weights, note.frequencies_hz, strict=True)
        wave_ = np.zeros(length)
        for weight, freq in partials:
            wave_ += weight * np.sin(2 * np.pi * freq * t)
        wave_ /= sum(weights)
        if note.decay_per_s:
            wave_ = wave_ * np.exp(-note.decay_per_s * t)
        envelope = np.ones(length)
        ramp = np.linspace(0.0, 1.0, min(fade, length // 2))
        envelope[: ramp.size] = ramp
        envelope[length - ramp.size :] = ramp[::-1]
        out[start : start + length] += wave_ * envelope
    peak = max(1.0, float(np.abs(out).max()))  # overlapping notes must not clip
    return np.round(out / peak * pattern.gain * 32767).astype(np.int16)


def sounds_dir() -> Path:
    """``platformdirs.user_cache_dir("Parley")/sounds``, or a temp folder when the cache
    cannot be written (read-only home)."""
    folder = Path(platformdirs.user_cache_dir("Parley")) / "sounds"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir()) / "parley-sounds"
        folder.mkdir(parents=True, exist_ok=True)
    return folder


@cache
def tone_file(pattern: TonePattern) -> Path:
    """The WAV of ``pattern`` (rendered on first use). Raises ``OSError`` when no folder
    can be written."""
    digest = hashlib.sha256(repr((pattern, SAMPLE_RATE_HZ)).encode()).hexdigest()[:12]
    path = sounds_dir() / f"{pattern.name}-{digest}.wav"
    if not path.is_file():
        partial = path.with_suffix(".part")
        with wave.open(str(partial), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE_HZ)
            out.writeframes(render(pattern).tobytes())
        partial.replace(path)  # atomic: two instances never read half a file
    return path


class TonePlayer(QObject):
    """Loops one :class:`TonePattern` through ``QSoundEffect`` between :meth:`start` and
    :meth:`stop` (both idempotent). With ``enabled`` False it stays silent, so a muted
    ringtone setting needs no special cases in the callers."""

    def __init__(self, pattern: TonePattern, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pattern = pattern
        self.enabled = True
        self.effect = QSoundEffect(self)
        self.effect.setLoopCount(QSoundEffect.Loop.Infinite.value)
        self.effect.setVolume(1.0)  # the level is in the rendered samples
        self._wanted = False
        try:
            self.effect.setSource(QUrl.fromLocalFile(str(tone_file(pattern))))
        except OSError:  # no sound is better than no ringing window
            log.warning("cannot write the %s tone; ringing silently", pattern.name, exc_info=True)
        # QSoundEffect refuses play() until the file is loaded: start once it is.
        self.effect.statusChanged.connect(self._on_status)

    @property
    def is_playing(self) -> bool:
        return self.effect.isPlaying()

    def start(self) -> None:
        self._wanted = True
        if self.enabled and not self.effect.isPlaying():
            if self.effect.status() is QSoundEffect.Status.Ready:
                self.effect.play()

    def stop(self) -> None:
        self._wanted = False
        self.effect.stop()

    def _on_status(self) -> None:
        if self._wanted and self.effect.status() is QSoundEffect.Status.Ready:
            self.start()
