"""CPU adaptation: a loop that keeps waking late halves the sent frame rate, a quiet one
restores it, with hysteresis; every sender drops the same pictures."""

from __future__ import annotations

import asyncio
import time
from fractions import Fraction

import av
import numpy as np
from aiortc import MediaStreamTrack

from app.media import CpuOveruseDetector, LayeredVideoTrack
from app.media.cpu_overuse import HOLD_S, OVERUSE_WINDOW, SAMPLE_INTERVAL_S, UNDERUSE_WINDOW
from app.media.webrtc import FrameTag, frame_tag


def test_sustained_lateness_halves_the_frame_rate_and_quiet_restores_it() -> None:
    detector = CpuOveruseDetector()
    for _ in range(OVERUSE_WINDOW):
        detector.add_sample(5.0)
    assert detector.frame_rate_divisor == 1  # a loaded but punctual loop: nothing
    for _ in range(5):
        detector.add_sample(80.0)
    assert detector.frame_rate_divisor == 1  # half a second of lateness is not overuse
    late = 0
    while detector.frame_rate_divisor == 1 and late < 10 * OVERUSE_WINDOW:
        detector.add_sample(80.0)
        late += 1
    assert detector.frame_rate_divisor == 2 and detector.changes == 1
    # Quiet again: back to the full rate only after a long calm stretch.
    calm = 0
    while detector.frame_rate_divisor == 2 and calm < 10 * UNDERUSE_WINDOW:
        detector.add_sample(1.0)
        calm += 1
    assert detector.frame_rate_divisor == 1 and detector.changes == 2
    assert calm == UNDERUSE_WINDOW  # ten seconds of calm samples, not fewer


def test_no_decision_within_the_hold_time_after_a_change() -> None:
    detector = CpuOveruseDetector()
    for _ in range(OVERUSE_WINDOW):
        detector.add_sample(80.0)
    assert detector.frame_rate_divisor == 2
    hold_samples = round(HOLD_S / SAMPLE_INTERVAL_S)
    for _ in range(min(hold_samples, UNDERUSE_WINDOW) - 1):
        detector.add_sample(0.0)
    assert detector.frame_rate_divisor == 2


async def test_a_blocked_loop_is_measured_as_late() -> None:
    detector = CpuOveruseDetector()
    detector.start()
    try:
        for _ in range(20 * OVERUSE_WINDOW):  # a bound, not a timing: it breaks far sooner
            await asyncio.sleep(SAMPLE_INTERVAL_S / 2)
            time.sleep(0.15)  # noqa: ASYNC251 - the point: a busy loop runs its timers late
            if detector.frame_rate_divisor == 2:
                break
        assert detector.frame_rate_divisor == 2
    finally:
        await detector.stop()


class _Pictures(MediaStreamTrack):
    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._index = 0

    async def recv(self) -> av.VideoFrame:
        frame = av.VideoFrame.from_ndarray(np.zeros((72, 128, 3), np.uint8), format="rgb24")
        frame.pts, frame.time_base = self._index * 3000, Fraction(1, 90000)
        frame.opaque = FrameTag(77_000, self._index, self._index * 3000)
        self._index += 1
        return frame


async def test_every_sender_sends_the_even_pictures_while_overused() -> None:
    detector = CpuOveruseDetector()
    for _ in range(OVERUSE_WINDOW):
        detector.add_sample(80.0)
    senders = [LayeredVideoTrack(_Pictures(), overuse=detector) for _ in range(2)]
    sent = [[frame_tag(await s.recv()).index for _ in range(4)] for s in senders]
    assert sent == [[0, 2, 4, 6], [0, 2, 4, 6]]
