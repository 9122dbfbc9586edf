"""Measurements used by the media tests: waiting, PSNR, spectra, energy envelopes."""

import asyncio
import time
import wave
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np

ENVELOPE_MS = 20


async def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``condition`` on the loop until true; fail with ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.02)


def decode_video(path: Path, count: int) -> list[np.ndarray]:
    """The first ``count`` frames of ``path`` as yuv420p arrays, decoded directly."""
    frames: list[np.ndarray] = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            frames.append(frame.reformat(format="yuv420p").to_ndarray())
            if len(frames) == count:
                break
    return frames


def psnr_db(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio of two 8-bit images (inf when identical)."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """First channel of a 16-bit WAV as int16, and its sample rate."""
    with wave.open(str(path), "rb") as wav:
        channels, rate = wav.getnchannels(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    return np.frombuffer(raw, np.int16).reshape(-1, channels)[:, 0], rate


def envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """RMS per 20 ms window (rate-independent, so no resampling is needed to compare)."""
    window = rate * ENVELOPE_MS // 1000
    usable = samples.size // window * window
    blocks = samples[:usable].astype(np.float64).reshape(-1, window)
    return np.sqrt(np.mean(blocks**2, axis=1))


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation; 0.0 when either side is constant (e.g. silence)."""
    if a.size < 2 or np.std(a) < 1e-9 or np.std(b) < 1e-9:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def aligned_envelope_correlation(received: np.ndarray, source_looped: np.ndarray) -> float:
    """Correlation of ``received``'s envelope with the best-aligned window of the source's.

    Both are envelopes (see :func:`envelope`); ``source_looped`` must be longer than
    ``received`` by at least the largest possible lag. The lag is found by
    cross-correlating the mean-removed envelopes.
    """
    if np.std(received) < 1e-9:
        return 0.0
    lags = source_looped.size - received.size + 1
    rec = received - received.mean()
    scores = np.correlate(source_looped - source_looped.mean(), rec, mode="valid")[:lags]
    lag = int(np.argmax(scores))
    return pearson(received, source_looped[lag : lag + received.size])


def dominant_frequency_hz(samples: np.ndarray, rate: int) -> float:
    """Frequency of the strongest FFT bin (Hann window)."""
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[int(np.argmax(spectrum[1:])) + 1])


def band_energy(samples: np.ndarray, rate: int, freq_hz: float, width_hz: float = 20) -> float:
    """Share of the spectrum's energy within ``freq_hz ± width_hz``."""
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(samples.size))) ** 2
    freqs = np.fft.rfftfreq(samples.size, 1 / rate)
    total = float(spectrum.sum())
    if total == 0:
        return 0.0
    return float(spectrum[np.abs(freqs - freq_hz) <= width_hz].sum()) / total
