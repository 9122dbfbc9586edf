"""Device listing and the device-id factories (no camera or sound card needed)."""

from pathlib import Path

import pytest

from app.media import (
    FakeDevices,
    FileAudioTrack,
    FileVideoTrack,
    MediaDeviceError,
    MediaDeviceInfo,
    list_audio_inputs,
    list_audio_outputs,
    list_video_inputs,
    open_audio_source,
    open_video_source,
)


def test_fake_devices_are_listed_first(vtest_avi, speech_wav):
    fake = FakeDevices(video_file=vtest_avi, audio_file=speech_wav)
    videos = list_video_inputs(fake)
    assert videos[0] == MediaDeviceInfo(f"file:{vtest_avi}", "File: vtest.avi", "videoinput")
    # This machine has no camera: only the file (sysfs lists /dev/video* cameras).
    assert len(videos) == len(list(Path("/sys/class/video4linux").glob("video*"))) + 1
    inputs = list_audio_inputs(fake)
    assert inputs[0] == MediaDeviceInfo(f"file:{speech_wav}", "File: speech.wav", "audioinput")
    assert inputs[1].device_id == "default"
    assert all(device.kind == "audioinput" for device in inputs)
    outputs = list_audio_outputs()
    assert outputs[0].device_id == "default"
    assert all(device.kind == "audiooutput" for device in outputs)


async def test_factories_map_device_ids_to_tracks(vtest_avi, speech_wav):
    video = open_video_source(f"file:{vtest_avi}", width=384)
    audio = open_audio_source(f"file:{speech_wav}")
    try:
        assert isinstance(video, FileVideoTrack) and video.size == (384, 288)
        assert isinstance(audio, FileAudioTrack)
    finally:
        video.stop()
        audio.stop()
    with pytest.raises(MediaDeviceError, match=r"camera:9|Camera 9"):
        open_video_source("camera:9")
    with pytest.raises(MediaDeviceError, match="webcam"):
        open_video_source("webcam")
    with pytest.raises(MediaDeviceError, match="no-such-mic"):
        open_audio_source("no-such-mic")
