"""Parley's join time: from ``Call.join()`` to the first remote video frame decoded.

The joiner runs in this process (so the clock starts exactly at ``join()``, as Chromium's
starts at ``createOffer``); the participant already in the call is a bot process with its
camera on. The joiner's camera and microphone are on before the clock starts, as after
a Lobby. "Decoded" = the frame reached the remote participant's ``FrameSink`` (what a
video tile paints); the check polls every 2 ms.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from app.call import LocalMedia
from app.client import VideoClient

FIRST_FRAME_TIMEOUT_S = 30.0
_POLL_S = 0.002


async def join_to_first_frame_ms(server_url: str, call_id: str, clip: Path, audio: Path) -> float:
    """One join of a new guest into ``default:<call_id>``; ms to the first remote frame.
    Raises ``TimeoutError`` when no frame arrives in ``FIRST_FRAME_TIMEOUT_S``."""
    media = LocalMedia(video_file=str(clip), audio_file=str(audio), audio_output="null")
    client = await VideoClient.sign_in_guest(server_url, "joiner", local_media=media)
    call = client.make_call("default", call_id)
    try:
        await call.set_camera_enabled(True)
        await call.set_microphone_enabled(True)
        started = time.perf_counter()
        await call.join(create=False)
        deadline = started + FIRST_FRAME_TIMEOUT_S
        while True:
            for participant in call.state.remote_participants:
                sink = call.video_sink(participant.session_id)
                if sink is not None and sink.frame_count > 0:
                    return (time.perf_counter() - started) * 1000
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no remote frame {FIRST_FRAME_TIMEOUT_S} s after join()")
            await asyncio.sleep(_POLL_S)
    finally:
        await client.disconnect()
