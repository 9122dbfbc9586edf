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
) -> float:
    """Best Pearson correlation between the recording's envelope and the looping source's
    envelope over all alignments. The source loops (the file microphone loops), so it is
    tiled to cover the recording. A silent or noise-only recording scores near 0."""
    rec = envelope(recorded, recorded_rate)[int(skip_s * 1000 / ENVELOPE_MS) :]
    src = envelope(source, source_rate)
    if len(rec) < 50 or np.std(rec) < 1e-6:
        return 0.0
    tiled = np.tile(src, int(np.ceil(len(rec) / len(src))) + 2)
    best = -1.0
    for lag in range(len(src)):
        segment = tiled[lag : lag + len(rec)]
        if np.std(segment) < 1e-9:
            continue
        best = max(best, float(np.corrcoef(rec, segment)[0, 1]))
    return best
