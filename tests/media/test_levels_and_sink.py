"""rms_level, LevelMeter, SpeakingDetector and FrameSink."""

import asyncio

import av
import numpy as np

from app.media import FileVideoTrack, FrameSink, LevelMeter, SpeakingDetector, rms_level


def _sine(amplitude: float, samples: int = 4800) -> np.ndarray:
    t = np.arange(samples) / 48000
    return (amplitude * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)


def test_rms_level_of_a_sine_is_amplitude_over_sqrt2():
    assert abs(rms_level(_sine(0.5)) - 0.5 / np.sqrt(2)) < 0.005
    assert abs(rms_level(_sine(0.5).astype(np.float32) / 32768) - 0.5 / np.sqrt(2)) < 0.005
    assert rms_level(np.zeros(960, np.int16)) == 0.0
    assert rms_level(np.array([], np.int16)) == 0.0
    assert rms_level(np.full(10, -32768, np.int16)) == 1.0


def test_level_meter_covers_only_the_last_100_ms():
    meter = LevelMeter(window_ms=100)
    meter.add(_sine(0.5, 960), now_s=10.0)
    assert meter.level(now_s=10.05) > 0.3
    meter.add(np.zeros(960, np.int16), now_s=10.06)
    assert 0.1 < meter.level(now_s=10.08) < 0.3  # half loud, half silent
    assert meter.level(now_s=10.5) == 0.0  # nothing arrived for 100 ms


def test_speaking_detector_attack_and_hangover():
    detector = SpeakingDetector(threshold=0.02, attack_ms=60, release_ms=500)
    assert not detector.update(0.1, 20)
    assert not detector.update(0.1, 20)
    assert detector.update(0.1, 20)  # 60 ms above
    for _ in range(24):
        assert detector.update(0.0, 20)  # 480 ms below: still speaking
    assert not detector.update(0.0, 20)  # 500 ms below
    assert not detector.update(0.1, 20)  # a click is not speech


async def test_frame_sink_keeps_only_the_latest_and_notifies(vtest_clip_avi):
    sink = FrameSink()
    assert sink.latest() is None and sink.frame_size is None and sink.frame_count == 0
    calls: list[int] = []
    unsubscribe = sink.add_listener(lambda: calls.append(sink.frame_count))
    frames = [av.VideoFrame(64, 48, "yuv420p"), av.VideoFrame(32, 24, "yuv420p")]
    for frame in frames:
        sink.put(frame)
    assert sink.latest() is frames[1] and sink.frame_size == (32, 24)
    assert calls == [1, 2]
    unsubscribe()
    sink.put(frames[0])
    assert calls == [1, 2] and sink.frame_count == 3

    # consume() pulls a track until it ends.
    consumed = FrameSink()
    track = FileVideoTrack(vtest_clip_avi, loop=False)
    await asyncio.wait_for(consumed.consume(track), 20)
    assert consumed.frame_count == 20 and consumed.frame_size == (768, 576)
