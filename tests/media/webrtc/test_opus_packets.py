"""The microphone is encoded once: an ``OpusPacketTrack`` turns a tone into mono Opus
packets at a voice bitrate that decode back to the tone, with timestamps 20 ms apart, and
several senders reading it through a relay get the very same packets."""

from __future__ import annotations

import asyncio

import numpy as np
from aiortc.codecs.opus import OpusDecoder
from aiortc.contrib.media import MediaRelay
from aiortc.jitterbuffer import JitterFrame

from app.media import FileAudioTrack
from app.media.webrtc import OpusPacketTrack
from app.media.webrtc.opus_packets import VOICE_BITRATE_BPS
from tests.media.signal_checks import dominant_frequency_hz

TONE_HZ = 660.0
PACKETS = 50  # one second


async def test_a_tone_comes_back_from_the_packets(tone_wav) -> None:
    microphone = FileAudioTrack(tone_wav(TONE_HZ))
    track = OpusPacketTrack(microphone)
    decoder = OpusDecoder()
    pts: list[int] = []
    samples: list[np.ndarray] = []
    payloads: list[bytes] = []
    try:
        for _ in range(PACKETS):
            packet = await asyncio.wait_for(track.recv(), 10)
            pts.append(packet.pts)
            payloads.append(bytes(packet))
            assert packet.time_base.denominator == 48_000
            for frame in decoder.decode(JitterFrame(bytes(packet), packet.pts)):
                samples.append(frame.to_ndarray().reshape(-1, 2)[:, 0])
    finally:
        microphone.stop()
    assert np.all(np.diff(pts) == 960), pts[:5]  # 20 ms at 48 kHz, no gap, no repeat
    # Coded mono (RFC 6716 section 3.1: the TOC byte's "s" bit is 0) at a voice bitrate,
    # as libwebrtc codes a mono microphone, not aiortc's 96 kbps stereo (81 kbps here).
    # Opus is VBR: over this one second of a pure tone it runs ~30 % over its target, so
    # the bound is half of aiortc's rate.
    assert all(payload[0] & 0x04 == 0 for payload in payloads)
    bitrate_bps = sum(len(p) for p in payloads[10:]) * 8 / ((PACKETS - 10) * 0.020)
    assert VOICE_BITRATE_BPS < 48_000 and bitrate_bps < 48_000, bitrate_bps
    audio = np.concatenate(samples)[4800:]  # past the codec's start-up
    assert abs(dominant_frequency_hz(audio, 48_000) - TONE_HZ) < 5
    assert np.sqrt(np.mean((audio / 32768.0) ** 2)) > 0.2  # the 0.35 RMS tone, not silence


async def test_every_sender_gets_the_same_packets_from_one_encode(tone_wav) -> None:
    microphone = FileAudioTrack(tone_wav(TONE_HZ))
    encoded = OpusPacketTrack(microphone)
    relay = MediaRelay()
    senders = [relay.subscribe(encoded, buffered=True) for _ in range(3)]

    async def read(sender) -> dict[int, bytes]:
        packets = [await asyncio.wait_for(sender.recv(), 10) for _ in range(20)]
        return {p.pts: bytes(p) for p in packets}

    try:
        received = await asyncio.gather(*(read(s) for s in senders))
    finally:
        for sender in senders:
            sender.stop()
        microphone.stop()
    assert received[0] and all(r == received[0] for r in received[1:])
    assert encoded.frames_encoded <= 20 + 5  # once per frame, not once per sender
