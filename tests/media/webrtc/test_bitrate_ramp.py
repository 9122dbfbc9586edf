"""Two real aiortc peers on loopback with Parley's components installed: video goes out at
the call type's target bitrate and stays there once the receiver's estimates (REMB)
arrive; frames arrive through the marker-bit jitter buffer."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamTrack

from app.media import FileVideoTrack, FrameSink, apply_ice_policy
from app.media.webrtc import (
    LibvpxVp8Encoder,
    MarkerJitterBuffer,
    VideoBitratePolicy,
    current_video_policy,
    install_parley_webrtc,
)
from tests.media.signal_checks import wait_until

TARGET = VideoBitratePolicy(bitrate_bps=800_000, width=640, height=480)
WINDOW_S = 2.0
MAX_WINDOWS = 20  # a generous bound on the wait, not a performance limit


@pytest.fixture
async def installed() -> AsyncIterator[None]:
    previous = current_video_policy()
    apply_ice_policy(True)
    install_parley_webrtc(TARGET)
    yield
    install_parley_webrtc(previous)
    apply_ice_policy(False)


async def _sent_bps_over_window(pc: RTCPeerConnection) -> float:
    """Bits per second of video RTP payload sent over one ``WINDOW_S`` window, from the
    sender's ``outbound-rtp`` stats and their own timestamps."""

    async def reading() -> tuple[float, int]:
        (sender,) = [s for s in pc.getSenders() if s.track and s.track.kind == "video"]
        report = await sender.getStats()
        outbound = next(s for s in report.values() if s.type == "outbound-rtp")
        return outbound.timestamp.timestamp(), outbound.bytesSent

    start_s, start_bytes = await reading()
    while True:
        await asyncio.sleep(0.1)
        now_s, now_bytes = await reading()
        if now_s - start_s >= WINDOW_S:
            return 8 * (now_bytes - start_bytes) / (now_s - start_s)


async def test_video_is_sent_at_the_call_types_target_on_a_clean_link(
    installed, vtest_avi: Path
) -> None:
    sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    source = FileVideoTrack(vtest_avi, width=TARGET.width)  # 640x480 at the file's 10 fps
    sink = FrameSink()
    tasks: list[asyncio.Task[None]] = []

    def on_track(track: MediaStreamTrack) -> None:
        tasks.append(asyncio.ensure_future(sink.consume(track)))

    receiver.on("track", on_track)
    sender.addTrack(source)
    try:
        await sender.setLocalDescription(await sender.createOffer())
        await receiver.setRemoteDescription(sender.localDescription)
        await receiver.setLocalDescription(await receiver.createAnswer())
        await sender.setRemoteDescription(receiver.localDescription)
        await wait_until(lambda: sink.frame_count >= 5, 30, "the first video frames")

        (video_receiver,) = [r for r in receiver.getReceivers() if r.track.kind == "video"]
        assert isinstance(video_receiver._RTCRtpReceiver__jitter_buffer, MarkerJitterBuffer)
        (video_sender,) = [s for s in sender.getSenders() if s.track.kind == "video"]
        encoder = video_sender._RTCRtpSender__encoder  # aiortc keeps it private
        assert isinstance(encoder, LibvpxVp8Encoder)

        # The receiver's estimates arrive (aiortc sends the first after ~3 s of media)...
        await wait_until(lambda: encoder.receiver_estimate_bps is not None, 60, "a REMB")
        # ...and in a whole window after that, the sender fills the target.
        goal_bps = 0.8 * TARGET.bitrate_bps
        windows = [await _sent_bps_over_window(sender)]
        while windows[-1] < goal_bps and len(windows) < MAX_WINDOWS:
            windows.append(await _sent_bps_over_window(sender))
        assert windows[-1] >= goal_bps, (windows, encoder.receiver_estimate_bps)
        assert encoder.target_bitrate >= goal_bps, encoder.receiver_estimate_bps
        assert encoder.keyframes_encoded == 1
    finally:
        source.stop()
        for task in tasks:
            task.cancel()
        await sender.close()
        await receiver.close()
