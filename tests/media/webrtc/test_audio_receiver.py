"""Remote audio is decoded on the loop, to mono (``app.media.webrtc.audio_receiver``): two
real aiortc peers on loopback, a tone sent through Parley's Opus path."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from app.media import FileAudioTrack, apply_ice_policy
from app.media.webrtc import OpusPacketTrack, install_parley_webrtc
from app.media.webrtc.audio_receiver import LoopDecodingReceiver, fits_installed_aiortc
from tests.media.signal_checks import dominant_frequency_hz

TONE_HZ = 660.0


async def _call(track: MediaStreamTrack) -> tuple[RTCPeerConnection, RTCPeerConnection]:
    apply_ice_policy(True)
    install_parley_webrtc()
    sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    sender.addTrack(track)
    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription)
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription)
    return sender, receiver


async def test_a_tone_is_decoded_on_the_loop_to_mono(tone_wav) -> None:
    assert fits_installed_aiortc()
    microphone = FileAudioTrack(tone_wav(TONE_HZ))
    sender, receiver = await _call(OpusPacketTrack(microphone))
    try:
        (transceiver,) = receiver.getTransceivers()
        remote = transceiver.receiver
        assert isinstance(remote, LoopDecodingReceiver) and remote.audio_decoding is not None
        loop_thread = threading.current_thread()
        frames = []
        for _ in range(60):
            frames.append(await asyncio.wait_for(remote.track.recv(), 10))
        # Each frame went through put() on this thread, not through aiortc's thread.
        assert remote.audio_decoding.frames_decoded >= len(frames)
        assert remote.audio_decoding.decoding_thread is loop_thread
    finally:
        await sender.close()
        await receiver.close()
        microphone.stop()
    assert {(f.layout.name, f.format.name, f.sample_rate, f.samples) for f in frames} == {
        ("mono", "s16", 48_000, 960)
    }
    assert np.all(np.diff([f.pts for f in frames]) == 960)
    audio = np.concatenate([f.to_ndarray().reshape(-1) for f in frames[10:]])
    assert abs(dominant_frequency_hz(audio, 48_000) - TONE_HZ) < 5
    assert np.sqrt(np.mean((audio / 32768.0) ** 2)) > 0.2  # the 0.35 RMS tone, not silence


async def test_closing_ends_the_track_and_the_idle_decoder_thread(tone_wav) -> None:
    microphone = FileAudioTrack(tone_wav(TONE_HZ))
    sender, receiver = await _call(OpusPacketTrack(microphone))
    try:
        (transceiver,) = receiver.getTransceivers()
        track = transceiver.receiver.track
        await asyncio.wait_for(track.recv(), 10)
        threads_before = {t for t in threading.enumerate() if t.name == "audio-decoder"}
        assert threads_before  # aiortc's thread exists, waiting without work
    finally:
        await receiver.close()
        await sender.close()
        microphone.stop()

    async def drain() -> None:
        while True:
            await track.recv()

    try:
        await asyncio.wait_for(drain(), 10)
    except MediaStreamError:
        pass
    assert not any(t.is_alive() for t in threads_before)
