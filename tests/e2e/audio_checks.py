"""Does a recording carry a source's sound? 20 ms energy envelopes, aligned, correlated."""

from __future__ import annotations

import wave

import numpy as np

ENVELOPE_MS = 20


def read_wav_mono(path: str) -> tuple[np.ndarray, int]:
    """Samples as float32 in [-1, 1] (first channel) and the sample rate."""
    with wave.open(path, "rb") as wav:
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
        raw = wav.readframes(wav.getnframes())
    if width != 2:
        raise ValueError(f"{path}: expected 16-bit PCM, got {8 * width}-bit")
    samples = np.frombuffer(raw, np.int16).reshape(-1, channels)[:, 0]
    return samples.astype(np.float32) / 32768.0, rate


def envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """RMS energy per 20 ms window."""
    window = rate * ENVELOPE_MS // 1000
    usable = len(samples) // window * window
    blocks = samples[:usable].reshape(-1, window)
    return np.sqrt(np.mean(blocks.astype(np.float64) ** 2, axis=1))


def envelope_correlation(
    recorded: np.ndarray,
    recorded_rate: int,
    source: np.ndarray,
    source_rate: int,
    *,
    skip_s: float = 1.0,
    window_s: float = 2.0,
) -> float:
    """How well the recording's 20 ms envelope follows the looping source's: the median,
    over consecutive ``window_s`` windows, of each window's best Pearson correlation with
    the source at any alignment.

    Each window is aligned on its own because a real receiver's jitter buffer shifts the
    audio in time when it adapts (a stall, a burst); one global lag would punish a call
    that sounds fine. The median still needs most of the call to follow the speech. A
    silent window scores 0; noise scores near 0.
    """
    rec = envelope(recorded, recorded_rate)[int(skip_s * 1000 / ENVELOPE_MS) :]
    src = envelope(source, source_rate)
    width = int(window_s * 1000 / ENVELOPE_MS)
    if len(rec) < width:
        return 0.0
    tiled = np.tile(src, int(np.ceil(width / len(src))) + 2)
    scores = []
    for start in range(0, len(rec) - width + 1, width):
        window = rec[start : start + width]
        if np.std(window) < 1e-6:
            scores.append(0.0)
            continue
        best = 0.0
        for lag in range(len(src)):
            segment = tiled[lag : lag + width]
            if np.std(segment) > 1e-9:
                best = max(best, float(np.corrcoef(window, segment)[0, 1]))
        scores.append(best)
    return float(np.median(scores))
