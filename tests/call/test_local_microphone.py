"""The local microphone feeds its meter, the plain senders and the echo-cancelled senders
(``LocalMedia``): each reader gets every 20 ms frame, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from app.call import LocalMedia
from tests.media.signal_checks import wait_until

TONE_HZ = 660.0
FRAMES = 50  # one second


async def _read_pts(track, count: int) -> list[int]:
    return [(await asyncio.wait_for(track.recv(), 10)).pts for _ in range(count)]


async def test_voice_and_plain_senders_each_get_every_frame(
    tone_wav: Callable[[float], Path],
) -> None:
    media = LocalMedia(audio_file=str(tone_wav(TONE_HZ)), audio_output="null")
    await media.set_microphone_enabled(True)
    try:
        voice, plain = media.voice_track_for_sender(), media.audio_track_for_sender()
        assert voice is not None and plain is not None
        voice_pts, plain_pts = await asyncio.gather(
            _read_pts(voice, FRAMES), _read_pts(plain, FRAMES)
        )
        # Every frame encoded once per stream: 960 samples apart, none skipped.
        assert np.all(np.diff(voice_pts) == 960), voice_pts[:8]
        assert np.all(np.diff(plain_pts) == 960), plain_pts[:8]
        if media.voice_processor is not None:
            # 10 ms chunks: two per frame, and none lost to another reader of the device
            assert media.voice_processor.chunks_processed >= 2 * FRAMES
        # The meter runs from the source itself, with nobody else reading.
        assert media.microphone_level > 0.2  # the 0.35 RMS tone
    finally:
        await media.close()
    # Closing ends every reader down the chain: no relay task is left waiting.
    await wait_until(
        lambda: not [t for t in asyncio.all_tasks() if "__run_track" in repr(t.get_coro())],
        5,
        "the relay tasks to end",
    )
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(voice.recv(), 5)
