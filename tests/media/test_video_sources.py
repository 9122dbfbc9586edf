"""FileVideoTrack / CameraVideoTrack on real files: pacing, pts, content, looping, threads."""

import asyncio
import os
import threading
import time
from fractions import Fraction

import av
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from app.media import CameraVideoTrack, FileAudioTrack, FileVideoTrack, MediaDeviceError
from app.media.video_sources import import_cv2
from tests.media.signal_checks import decode_video, wait_until


async def _recv_video(track: FileVideoTrack, timeout_s: float = 10.0) -> av.VideoFrame:
    frame = await asyncio.wait_for(track.recv(), timeout_s)
    assert isinstance(frame, av.VideoFrame)
    return frame


async def test_file_track_paces_and_stamps_frames_at_the_file_rate(vtest_avi):
    track = FileVideoTrack(vtest_avi)
    count = 25
    try:
        assert track.fps == 10
        assert track.size == (768, 576)
        started_s = time.monotonic()
        frames = [await _recv_video(track) for _ in range(count)]
        elapsed_s = time.monotonic() - started_s
    finally:
        track.stop()

    # The producer never runs ahead of the file's clock (a lower bound, not a speed limit).
    assert elapsed_s >= (count - 1) / 10 * 0.95
    assert track.frames_produced >= count
    assert all(frame.time_base == Fraction(1, 90000) for frame in frames)
    assert [frame.pts for frame in frames] == [k * 9000 for k in range(count)]
    # Frames are exactly what decoding the file gives.
    for frame, expected in zip(frames, decode_video(vtest_avi, count), strict=True):
        assert frame.format.name == "yuv420p"
        assert np.array_equal(frame.to_ndarray(), expected)


async def test_file_track_loops_past_the_end(vtest_clip_avi):
    source = decode_video(vtest_clip_avi, 100)
    assert len(source) == 20
    track = FileVideoTrack(vtest_clip_avi, loop=True)
    try:
        frames = [await _recv_video(track) for _ in range(45)]
    finally:
        track.stop()
    for frame in frames:
        k = round(frame.pts * track.fps / 90000)
        assert frame.pts == track.pts_of(k)
        assert np.array_equal(frame.to_ndarray(), source[k % len(source)]), f"frame {k}"
    assert frames[-1].pts == track.pts_of(44)


async def test_file_track_without_loop_ends_after_the_last_frame(vtest_clip_avi):
    track = FileVideoTrack(vtest_clip_avi, loop=False)
    received = 0
    with pytest.raises(MediaStreamError):
        while True:
            await _recv_video(track)
            received += 1
    assert received == 20
    assert track.readyState == "ended"


async def test_720p_file_and_scaling(video_720p_y4m, vtest_avi):
    track = FileVideoTrack(video_720p_y4m)
    scaled = FileVideoTrack(vtest_avi, width=640)
    try:
        assert track.fps == 30
        assert track.size == (1280, 720)
        first, second = await _recv_video(track), await _recv_video(track)
        assert (first.width, first.height) == (1280, 720)
        assert second.pts - first.pts == 3000
        assert scaled.size == (640, 480)
        small = await _recv_video(scaled)
        assert (small.width, small.height) == (640, 480)
    finally:
        track.stop()
        scaled.stop()


async def test_preview_sink_is_fed_without_a_reader(vtest_avi):
    track = FileVideoTrack(vtest_avi)
    try:
        track.start()
        await wait_until(lambda: track.preview_sink.frame_count >= 5, 10, "preview frames")
        assert track.preview_sink.frame_size == (768, 576)
        # Nobody reads: the queue stays bounded and the overflow is counted as drops.
        assert track.frames_dropped >= 1
    finally:
        track.stop()


async def test_stop_joins_worker_threads(vtest_avi, vtest_clip_avi, speech_wav):
    baseline = {thread.ident for thread in threading.enumerate()}
    tracks = [FileVideoTrack(vtest_avi), FileVideoTrack(vtest_clip_avi), FileVideoTrack(vtest_avi)]
    for track in tracks:
        await _recv_video(track)
    audio = FileAudioTrack(speech_wav)
    await asyncio.wait_for(audio.recv(), 10)
    tracks.append(audio)
    workers = [
        t for t in threading.enumerate() if t.name.startswith(("file-video:", "file-audio:"))
    ]
    assert len(workers) == 4
    never_started = FileVideoTrack(vtest_avi)
    never_started.stop()
    for track in tracks:
        track.stop()
    assert not any(worker.is_alive() for worker in workers)
    assert {thread.ident for thread in threading.enumerate()} <= baseline
    with pytest.raises(MediaStreamError):
        await tracks[0].recv()


def test_missing_file_raises_media_device_error(tmp_path):
    with pytest.raises(MediaDeviceError, match=r"nothing\.mp4"):
        FileVideoTrack(tmp_path / "nothing.mp4")


def test_missing_camera_raises_media_device_error_naming_it():
    with pytest.raises(MediaDeviceError, match="Camera 7"):
        CameraVideoTrack(7)


def test_importing_opencv_leaves_qt_environment_alone(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM_PLUGIN_PATH", "/parley/plugins")
    monkeypatch.delenv("QT_QPA_FONTDIR", raising=False)
    cv2 = import_cv2()
    assert cv2.VideoCapture is not None
    assert os.environ["QT_QPA_PLATFORM_PLUGIN_PATH"] == "/parley/plugins"
    assert "QT_QPA_FONTDIR" not in os.environ
