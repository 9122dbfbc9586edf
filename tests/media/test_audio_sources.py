"""FileAudioTrack on real speech; MicrophoneTrack's device errors (no device needed)."""

import asyncio

import av
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from app.media import FileAudioTrack, MediaDeviceError, MicrophoneTrack
from tests.media.signal_checks import envelope, pearson, read_wav


async def test_file_audio_track_delivers_the_speech_as_48k_mono_20ms_frames(speech_wav):
    source, source_rate = read_wav(speech_wav)
    assert source_rate == 22050
    track = FileAudioTrack(speech_wav, loop=False)
    frames: list[av.AudioFrame] = []
    peak_level = 0.0
    with pytest.raises(MediaStreamError):
        while True:
            frame = await asyncio.wait_for(track.recv(), 5)
            assert isinstance(frame, av.AudioFrame)
            frames.append(frame)
            peak_level = max(peak_level, track.level)

    assert track.frames_dropped == 0
    assert all(f.samples == 960 and f.sample_rate == 48000 for f in frames)
    assert all(f.format.name == "s16" and f.layout.name == "mono" for f in frames)
    assert [f.pts for f in frames] == [960 * i for i in range(len(frames))]
    received = np.concatenate([f.to_ndarray().reshape(-1) for f in frames])
    # Same duration, give or take the last padded frame.
    assert abs(received.size / 48000 - source.size / source_rate) < 0.03
    # Same sound: the 20 ms energy envelopes match (rate-independent, no resampling here).
    source_env, received_env = envelope(source, source_rate), envelope(received, 48000)
    n = min(source_env.size, received_env.size)
    assert pearson(source_env[:n], received_env[:n]) >= 0.9
    assert 0.02 < peak_level <= 1.0


async def test_file_audio_track_loops(tone_wav):
    track = FileAudioTrack(tone_wav(440), loop=True)  # a 2 s file
    try:
        frames = [await asyncio.wait_for(track.recv(), 5) for _ in range(110)]
    finally:
        track.stop()
    assert frames[-1].pts == 109 * 960
    tail = np.concatenate([f.to_ndarray().reshape(-1) for f in frames[100:]])
    assert np.sqrt(np.mean(tail.astype(np.float64) ** 2)) > 0.3 * 32768  # still the tone


def test_missing_audio_file_raises(tmp_path):
    with pytest.raises(MediaDeviceError, match=r"missing\.wav"):
        FileAudioTrack(tmp_path / "missing.wav")


async def test_unknown_microphone_raises_media_device_error_naming_it():
    with pytest.raises(MediaDeviceError, match="no-such-microphone"):
        MicrophoneTrack("no-such-microphone")
