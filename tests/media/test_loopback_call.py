"""Two real aiortc peers on loopback: file sources through SwitchableTracks, received into
a FrameSink and an AudioMixer."""

import asyncio
import re
from collections.abc import AsyncIterator

import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack, MediaStreamTrack

from app.media import (
    AudioMixer,
    ClockedNullOutput,
    FileAudioTrack,
    FileVideoTrack,
    FrameSink,
    SwitchableTrack,
    apply_ice_policy,
)
from tests.media.signal_checks import (
    aligned_envelope_correlation,
    decode_video,
    envelope,
    psnr_db,
    read_wav,
    wait_until,
)


@pytest.fixture
async def loopback_policy() -> AsyncIterator[None]:
    apply_ice_policy(True)
    yield
    apply_ice_policy(False)


class _Receiver:
    """The answering peer: video into a FrameSink, audio into a mixer with a null output."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.sink = FrameSink()
        self.frames: list = []
        self.sink.add_listener(lambda: self.frames.append(self.sink.latest()))
        self.mixer = AudioMixer()
        self.audio: list[np.ndarray] = []
        self.mixer.add_tap(lambda block: self.audio.append(block[:, 0].copy()))
        self.tasks: list[asyncio.Task] = []
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            self.tasks.append(asyncio.ensure_future(self.sink.consume(track)))
        else:
            self.mixer.add_source("peer", track)

    def audio_seconds(self) -> float:
        return sum(block.size for block in self.audio) / 48000


def _candidate_addresses(sdp: str) -> list[str]:
    return re.findall(r"^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ", sdp, re.MULTILINE)


async def test_media_flows_and_survives_source_swaps(loopback_policy, vtest_avi, speech_wav):
    sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = _Receiver()
    video_out, audio_out = SwitchableTrack("video"), SwitchableTrack("audio")
    sender.addTrack(video_out)
    sender.addTrack(audio_out)
    video_source, audio_source = FileVideoTrack(vtest_avi), FileAudioTrack(speech_wav)
    video_out.set_source(video_source)
    audio_out.set_source(audio_source)
    output = ClockedNullOutput(receiver.mixer)
    sources: list[MediaStreamTrack] = [video_source, audio_source]
    try:
        await sender.setLocalDescription(await sender.createOffer())
        await receiver.pc.setRemoteDescription(sender.localDescription)
        await receiver.pc.setLocalDescription(await receiver.pc.createAnswer())
        await sender.setRemoteDescription(receiver.pc.localDescription)

        for sdp in (sender.localDescription.sdp, receiver.pc.localDescription.sdp):
            addresses = _candidate_addresses(sdp)
            assert addresses and set(addresses) == {"127.0.0.1"}, addresses
        await wait_until(lambda: sender.connectionState == "connected", 20, "connected")

        # Video arrives, and the RTP timestamps give back the source frame index.
        await wait_until(lambda: receiver.sink.frame_count >= 15, 30, "15 video frames")
        source_frames = decode_video(vtest_avi, 40)
        first = receiver.frames[0].to_ndarray()
        k0 = max(range(5), key=lambda k: psnr_db(first, source_frames[k]))
        for frame in receiver.frames[5:15]:
            k = k0 + round((frame.pts - receiver.frames[0].pts) / 9000)
            image = frame.to_ndarray()
            assert psnr_db(image, source_frames[k]) > 25
            assert psnr_db(image, source_frames[k]) > psnr_db(image, source_frames[k + 3])

        # Camera off: nothing more is sent (one frame may still be in the jitter buffer).
        video_out.set_source(None)
        paused_count = receiver.sink.frame_count
        await wait_until(lambda: receiver.audio_seconds() >= 1.0, 10, "audio during pause")
        paused_at = receiver.audio_seconds()
        await wait_until(lambda: receiver.audio_seconds() >= paused_at + 0.6, 10, "0.6 s paused")
        assert receiver.sink.frame_count <= paused_count + 2
        # Camera on again, with a fresh source: frames resume on the same connection.
        video_source.stop()
        video_source = FileVideoTrack(vtest_avi)
        sources.append(video_source)
        video_out.set_source(video_source)
        resumed_from = receiver.sink.frame_count
        await wait_until(lambda: receiver.sink.frame_count >= resumed_from + 10, 30, "resume")
        assert sender.connectionState == "connected"
        pts = [frame.pts for frame in receiver.frames]
        assert pts == sorted(pts)

        # Received audio carries the speech: energy envelopes correlate once aligned.
        speech, speech_rate = read_wav(speech_wav)
        speech_env = np.tile(envelope(speech, speech_rate), 3)
        await wait_until(lambda: receiver.audio_seconds() >= 7.0, 30, "7 s of audio")
        received = np.concatenate(receiver.audio)[-5 * 48000 :]
        speech_score = aligned_envelope_correlation(envelope(received, 48000), speech_env)
        assert speech_score >= 0.8, speech_score

        # A silent source through the same path fails the same check.
        audio_out.set_source(AudioStreamTrack())
        mark = receiver.audio_seconds()
        await wait_until(lambda: receiver.audio_seconds() >= mark + 3.0, 20, "3 s of silence")
        silent = np.concatenate(receiver.audio)[-2 * 48000 :]
        silent_score = aligned_envelope_correlation(envelope(silent, 48000), speech_env)
        assert silent_score < 0.5, silent_score
    finally:
        output.stop()
        for source in sources:
            source.stop()
        for task in receiver.tasks:
            task.cancel()
        await sender.close()
        await receiver.pc.close()
