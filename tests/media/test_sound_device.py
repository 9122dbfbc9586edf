"""SoundDeviceOutput and MicrophoneTrack through PulseAudio's null sink and virtual source."""

import asyncio

import numpy as np
import pytest

from app.media import (
    AudioMixer,
    FileAudioTrack,
    MicrophoneTrack,
    SoundDeviceOutput,
    list_audio_inputs,
)
from app.media.portaudio import refresh_devices
from tests.media.signal_checks import dominant_frequency_hz, wait_until

pytestmark = [
    pytest.mark.audio,
    # sounddevice 0.5.6 itself sets ndarray.shape, deprecated in NumPy 2.5.
    pytest.mark.filterwarnings("ignore:Setting the shape on a NumPy array:DeprecationWarning"),
]


async def test_tone_played_to_the_sink_is_recorded_back(pulse_null_sink, tone_wav):
    assert refresh_devices()  # PortAudio may have started before PulseAudio did
    assert len(list_audio_inputs()) > 1
    microphone = MicrophoneTrack()  # parley_mic, the sink's monitor
    mixer = AudioMixer()
    tone = FileAudioTrack(tone_wav(1000))
    mixer.add_source("tone", tone)
    speaker = SoundDeviceOutput(mixer)
    recorded: list[np.ndarray] = []
    try:
        assert not refresh_devices()  # refused while streams are open

        async def record() -> None:
            while True:
                frame = await microphone.recv()
                recorded.append(frame.to_ndarray().reshape(-1))

        recorder = asyncio.ensure_future(record())
        # The first input callback comes ~2 s after start under PulseAudio (TESTING.md).
        await wait_until(lambda: microphone.level > 0.05, 20, "the tone at the microphone")
        start = len(recorded)
        await wait_until(lambda: len(recorded) >= start + 50, 10, "1 s of recording")
        recorder.cancel()
    finally:
        speaker.stop()
        microphone.stop()
        mixer.remove_source("tone")
        tone.stop()
    captured = np.concatenate(recorded[start:])
    assert abs(dominant_frequency_hz(captured, 48000) - 1000) < 5
