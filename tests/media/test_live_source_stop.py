"""A live source's reader: stopping the source wakes whoever waits for its next frame,
and a reader that comes late starts from the newest frame."""

import asyncio

import av
import numpy as np
import pytest
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError

from app.media import FileVideoTrack
from app.media.live_source import LiveSourceTrack


async def test_a_reader_waiting_on_a_stopped_source_ends_instead_of_hanging(vtest_clip_avi):
    source = FileVideoTrack(str(vtest_clip_avi))
    proxy = MediaRelay().subscribe(source, buffered=False)
    await proxy.recv()  # the relay is now reading the source
    waiting = asyncio.create_task(proxy.recv())
    await asyncio.sleep(0)  # let the reader block (a scheduling point, not a timing wait)
    source.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(waiting, 5)


class _ManualSource(LiveSourceTrack):
    """A live source fed by the test itself, on the loop."""

    kind = "audio"

    def _start_producer(self) -> None:
        pass


async def test_a_late_reader_starts_from_the_newest_frame() -> None:
    # A microphone open in the Lobby produces for its meter before any sender reads it.
    source = _ManualSource(queue_size=5)
    source.start()
    samples = np.zeros(960, np.int16)
    for index in range(12):
        frame = av.AudioFrame.from_ndarray(samples[None, :], format="s16", layout="mono")
        frame.pts = index * 960
        source._deliver(frame)
    first = await asyncio.wait_for(source.recv(), 5)
    assert first.pts == 11 * 960  # not 7 * 960, a queue's worth of latency
    assert source.frames_dropped == 11
    source.stop()
