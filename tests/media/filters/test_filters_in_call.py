"""Effects on the frames a peer *receives*: LocalMedia's camera (messi5.jpg as a video
file) through the filter chain, a relay proxy, VP8 and two real aiortc peers on loopback."""

import asyncio
import itertools

import cv2
import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

from app.call.local_media import LocalMedia
from app.media import FrameSink
from app.media.filters import BackgroundBlurFilter, BackgroundImageFilter, GrayscaleFilter
from app.media.filters.compositing import cover_resize
from tests.media.filters.conftest import (
    BABOON_JPG,
    MESSI_JPG,
    laplacian_variance,
    person_regions,
)
from tests.media.signal_checks import wait_until

SIZE = (640, 400)  # the messi_clip's frame size


class _Call:
    """LocalMedia's camera sent to a receiving peer whose frames land in a FrameSink."""

    def __init__(self, media: LocalMedia) -> None:
        self.media = media
        self.sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.sink = FrameSink()
        self.tasks: list[asyncio.Task] = []
        self.receiver.on("track", lambda track: self.tasks.append(
            asyncio.ensure_future(self.sink.consume(track))
        ))  # fmt: skip

    async def start(self) -> None:
        await self.media.set_camera_enabled(True)
        self.sender.addTrack(self.media.video_track_for_sender())
        await self.sender.setLocalDescription(await self.sender.createOffer())
        await self.receiver.setRemoteDescription(self.sender.localDescription)
        await self.receiver.setLocalDescription(await self.receiver.createAnswer())
        await self.sender.setRemoteDescription(self.receiver.localDescription)

    async def frames_after(self, count: int, timeout_s: float = 30) -> np.ndarray:
        """BGR of the received frame ``count`` frames from now."""
        target = self.sink.frame_count + count
        await wait_until(lambda: self.sink.frame_count >= target, timeout_s, f"{count} frames")
        return self.sink.latest().to_ndarray(format="bgr24")

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await self.sender.close()
        await self.receiver.close()
        await self.media.close()


@pytest.fixture
async def call(loopback_policy, messi_clip, segmentation_model):
    media = LocalMedia(
        video_file=str(messi_clip), audio_output="null", segmentation_model_path=segmentation_model
    )
    call = _Call(media)
    await call.start()
    yield call
    await call.close()


@pytest.fixture(scope="module")
def regions(segmentation_model):
    # Person/background: the model's own mask of the original picture, thresholded at 0.5,
    # the feathered edge (plus a margin for codec ringing) left out of both.
    messi = cv2.resize(cv2.imread(str(MESSI_JPG)), SIZE, interpolation=cv2.INTER_AREA)
    return person_regions(segmentation_model, messi, margin_px=12)


async def test_received_frames_have_a_blurred_background_and_a_sharp_person(call, regions):
    person, background = regions
    plain = await call.frames_after(30)  # VP8 has settled on the still picture by then
    call.media.set_video_filters([BackgroundBlurFilter("medium")])
    blurred = await call.frames_after(30)
    background_kept = laplacian_variance(blurred, background) / laplacian_variance(
        plain, background
    )
    person_kept = laplacian_variance(blurred, person) / laplacian_variance(plain, person)
    assert background_kept <= 0.30, background_kept
    assert person_kept >= 0.80, person_kept
    assert call.media.video_filter_chain.stats().frames_filtered >= 25

    # Background image: the receiver's background pixels are the picture's.
    call.media.set_video_filters([BackgroundImageFilter(BABOON_JPG)])
    replaced = await call.frames_after(30)
    picture = cover_resize(cv2.imread(str(BABOON_JPG)), *SIZE)
    error = np.abs(replaced.astype(np.int16) - picture).mean(axis=2)
    assert np.median(error[background]) < 12, np.median(error[background])
    assert np.median(np.abs(replaced.astype(np.int16) - plain).mean(axis=2)[person]) < 12


async def test_switching_effects_twenty_times_never_freezes_video(call, regions):
    choices = [
        [BackgroundBlurFilter("light")],
        [BackgroundBlurFilter("heavy")],
        [BackgroundImageFilter(BABOON_JPG)],
        [GrayscaleFilter(), BackgroundBlurFilter("medium")],
        [],
    ]
    await call.frames_after(5)
    counts = [call.sink.frame_count]
    for switch in range(20):
        call.media.set_video_filters(choices[switch % len(choices)])
        await call.frames_after(3, timeout_s=10)  # keeps growing after every switch
        counts.append(call.sink.frame_count)
    assert all(b > a for a, b in itertools.pairwise(counts))
    assert call.sender.connectionState == "connected"
    assert call.media.video_filter_status.problems == ()
