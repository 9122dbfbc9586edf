"""``ScreenShareTrack``: frames pushed from other threads, sent newest-first, scaled to the
screen-share profile and paced to its frame rate (checked on pts, not on the clock)."""

from __future__ import annotations

import asyncio
import itertools
import threading

import av
import numpy as np
import pytest
from aiortc.mediastreams import VIDEO_TIME_BASE, MediaStreamError

from app.media import ScreenShareProfile, ScreenShareTrack
from app.media.screen_share_track import VIDEO_CLOCK_RATE, fit_size
from tests.media.screen_pattern import PatternPusher, luma, screen_pattern
from tests.media.signal_checks import psnr_db

pytestmark = pytest.mark.asyncio
RECV_TIMEOUT_S = 10.0


async def next_frame(track: ScreenShareTrack) -> av.VideoFrame:
    return await asyncio.wait_for(track.recv(), RECV_TIMEOUT_S)


@pytest.mark.parametrize(
    ("size", "fitted"),
    [
        ((2560, 1440), (1920, 1080)),  # a QHD screen: 1080p at most
        ((1280, 720), (1280, 720)),  # never scaled up
        ((1023, 767), (1022, 766)),  # odd window sizes: even for I420
        ((1080, 1920), (606, 1080)),  # a portrait screen: the height binds
        ((3840, 1080), (1920, 540)),  # two screens side by side: the width binds
    ],
)
async def test_fit_size_keeps_the_aspect_within_the_profile(size, fitted) -> None:
    assert fit_size(*size, 1920, 1080) == fitted


async def test_a_qhd_screen_is_sent_at_1080p_with_its_detail() -> None:
    track = ScreenShareTrack()
    image = screen_pattern(2560, 1440)
    assert track.push(image)

    frame = await next_frame(track)

    assert (frame.width, frame.height, frame.format.name) == (1920, 1080, "yuv420p")
    assert frame.pts == 0 and frame.time_base == VIDEO_TIME_BASE
    reference = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(
        width=1920, height=1080, format="yuv420p", interpolation="AREA"
    )
    assert psnr_db(frame.to_ndarray(), reference.to_ndarray()) == float("inf")
    assert track.preview_sink.latest() is frame  # the sharer's own view of the share
    track.stop()


async def test_only_the_newest_pushed_frame_is_sent() -> None:
    track = ScreenShareTrack()
    images = [screen_pattern(640, 360, f"frame {k}") for k in range(5)]
    for image in images:
        track.push(image)

    frame = await next_frame(track)

    sent_luma = frame.to_ndarray()[:360]
    assert np.array_equal(sent_luma, luma(images[-1]))
    assert not any(np.array_equal(sent_luma, luma(image)) for image in images[:-1])
    assert (track.frames_pushed, track.frames_replaced, track.frames_sent) == (5, 4, 1)
    track.stop()


async def test_frames_are_paced_to_the_profile_frame_rate() -> None:
    track = ScreenShareTrack(ScreenShareProfile(max_fps=5))
    pusher = PatternPusher(track, screen_pattern(640, 360), fps=30)
    try:
        frames = [await next_frame(track) for _ in range(6)]
    finally:
        pusher.stop()
        track.stop()
    gaps_s = [(b.pts - a.pts) / VIDEO_CLOCK_RATE for a, b in itertools.pairwise(frames)]
    assert all(gap >= 1 / 5 for gap in gaps_s), gaps_s
    assert track.frames_replaced > 0  # the 30 fps capture outran the 5 fps sender


async def test_an_unchanged_screen_is_sent_again_after_the_idle_period() -> None:
    track = ScreenShareTrack(ScreenShareProfile(idle_resend_s=0.2))
    track.push(screen_pattern(320, 180))
    first = await next_frame(track)

    again = await next_frame(track)  # nothing new was pushed

    assert again is not first and again.pts - first.pts >= 0.2 * VIDEO_CLOCK_RATE
    assert np.array_equal(again.to_ndarray(), first.to_ndarray())
    assert track.frames_pushed == 1
    track.stop()


async def test_a_push_from_another_thread_wakes_a_waiting_recv() -> None:
    track = ScreenShareTrack(ScreenShareProfile(idle_resend_s=60))
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0)  # recv now waits for a push
    pusher = threading.Thread(target=track.push, args=(screen_pattern(320, 180),))
    pusher.start()
    frame = await asyncio.wait_for(waiting, RECV_TIMEOUT_S)
    pusher.join()
    assert (frame.width, frame.height) == (320, 180)
    track.stop()


async def test_stop_ends_a_waiting_recv_and_later_pushes_are_dropped() -> None:
    track = ScreenShareTrack(ScreenShareProfile(idle_resend_s=60))
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0)
    track.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(waiting, RECV_TIMEOUT_S)
    assert track.push(screen_pattern(320, 180)) is False
    with pytest.raises(MediaStreamError):
        await track.recv()


async def test_pixel_formats_and_shapes() -> None:
    track = ScreenShareTrack()
    rgb = screen_pattern(320, 180)
    bgra = np.dstack([rgb[:, :, ::-1], np.full(rgb.shape[:2], 255, np.uint8)])
    track.push(bgra, "bgra")
    from_bgra = await next_frame(track)
    assert psnr_db(from_bgra.to_ndarray()[:180], luma(rgb)) > 45
    with pytest.raises(ValueError):
        track.push(rgb, "yuv420p")  # (180, 320, 3) is not an I420 layout
    with pytest.raises(ValueError):
        ScreenShareProfile(max_fps=0)
    track.stop()
