"""Stopping a live source wakes whoever is waiting for its next frame."""

import asyncio

import pytest
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError

from app.media import FileVideoTrack


async def test_a_reader_waiting_on_a_stopped_source_ends_instead_of_hanging(vtest_clip_avi):
    source = FileVideoTrack(str(vtest_clip_avi))
    proxy = MediaRelay().subscribe(source, buffered=False)
    await proxy.recv()  # the relay is now reading the source
    waiting = asyncio.create_task(proxy.recv())
    await asyncio.sleep(0)  # let the reader block (a scheduling point, not a timing wait)
    source.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(waiting, 5)
