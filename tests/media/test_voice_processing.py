"""Voice processing (WebRTC's APM from the livekit wheel): the speakers' sound picked up
by the microphone is cancelled, a talker's speech is kept, and the track wrapper keeps
frame sizes and timestamps."""

from __future__ import annotations

import asyncio
from pathlib import Path

import av
import numpy as np

from app.media import FileAudioTrack
from app.media.voice_processing import SAMPLE_RATE_HZ, VoiceProcessedTrack, VoiceProcessor

BLOCK = 960  # 20 ms at 48 kHz: what microphones and the mixer hand over


def _speech(path: Path) -> np.ndarray:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE_HZ)
    parts = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            parts += [p.to_ndarray().reshape(-1) for p in resampler.resample(frame)]
    return np.concatenate(parts).astype(np.int16)


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def test_the_speakers_echo_is_cancelled(speech_wav: Path) -> None:
    far = _speech(speech_wav)  # what the speakers play
    delay = round(0.03 * SAMPLE_RATE_HZ)  # speaker → room → microphone
    echo = (np.concatenate((np.zeros(delay, np.int16), far[:-delay])) * 0.5).astype(np.int16)
    processor = VoiceProcessor()
    out = []
    for start in range(0, len(far) - BLOCK + 1, BLOCK):
        processor.add_far_end(far[start : start + BLOCK, None])  # as a mixer tap hands it
        out.append(processor.process(echo[start : start + BLOCK]))
    cancelled = np.concatenate(out)
    adapted = slice(3 * SAMPLE_RATE_HZ, len(cancelled))  # after three seconds of adaptation
    assert _rms(cancelled[adapted]) < 0.1 * _rms(echo[adapted])  # at least 20 dB less


def test_a_talker_without_echo_is_kept(speech_wav: Path) -> None:
    near = _speech(speech_wav)
    processor = VoiceProcessor()
    out = np.concatenate(
        [processor.process(near[s : s + BLOCK]) for s in range(0, len(near) - BLOCK + 1, BLOCK)]
    )
    assert _rms(out) > 0.7 * _rms(near[: len(out)])  # measured: 0.92


async def test_the_track_keeps_frame_sizes_and_timestamps(speech_wav: Path) -> None:
    source = FileAudioTrack(speech_wav)
    track = VoiceProcessedTrack(source, VoiceProcessor())
    try:
        frames = [await asyncio.wait_for(track.recv(), 10) for _ in range(10)]
    finally:
        source.stop()
    assert all(f.sample_rate == SAMPLE_RATE_HZ and f.samples == BLOCK for f in frames)
    pts = [f.pts for f in frames]
    assert pts == sorted(pts) and len(set(pts)) == len(pts)
