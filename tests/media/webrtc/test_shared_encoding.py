"""One encode feeds several peers: the senders of a tagged source share one libvpx encoder,
every receiver's stream decodes, and a sender that fell behind resyncs on a keyframe."""

from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.codecs.vpx import Vp8Decoder, vp8_depayload
from aiortc.contrib.media import MediaRelay
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamTrack

from app.media import FileVideoTrack, FrameSink, SwitchableTrack, apply_ice_policy
from app.media.webrtc import (
    FrameTag,
    LibvpxVp8Encoder,
    TaggedVideoTrack,
    VideoBitratePolicy,
    existing_shared_encoding,
    frame_tag,
    install_parley_webrtc,
    prepare_shared_encoding,
)
from app.media.webrtc.shared_encoding import REJOIN_KEYFRAME_INTERVAL
from tests.media.signal_checks import psnr_db, wait_until

WIDTH, HEIGHT = 640, 480
FRAMES = 45
STREAM_ID = 10_000  # far from the ids TaggedVideoTrack hands out in this process


@pytest.fixture(scope="module")
def source_frames(vtest_avi: Path) -> list[av.VideoFrame]:
    frames: list[av.VideoFrame] = []
    with av.open(str(vtest_avi)) as container:
        for frame in container.decode(video=0):
            frames.append(frame.reformat(width=WIDTH, height=HEIGHT, format="yuv420p"))
            if len(frames) == FRAMES:
                break
    return frames


def _tagged(frame: av.VideoFrame, index: int, stream_id: int = STREAM_ID) -> av.VideoFrame:
    """The frame as a sender gets it: its own pts (senders differ), the source's tag."""
    copy = av.VideoFrame.from_ndarray(frame.to_ndarray(), format="yuv420p")
    copy.pts = index * 3000 + 123_456  # a SwitchableTrack offset: not the source's pts
    copy.time_base = Fraction(1, 90000)
    copy.opaque = FrameTag(stream_id, index, index * 3000)
    return copy


def _decode(decoder: Vp8Decoder, payloads: list[bytes], timestamp: int) -> np.ndarray:
    data = b"".join(vp8_depayload(p) for p in payloads)
    (picture,) = decoder.decode(JitterFrame(data, timestamp))
    return picture.to_ndarray(format="yuv420p")


def test_three_senders_one_encode_and_every_stream_decodes(source_frames) -> None:
    policy = VideoBitratePolicy(1_000_000, WIDTH, HEIGHT)
    senders = [LibvpxVp8Encoder(policy) for _ in range(3)]
    decoders = [Vp8Decoder() for _ in senders]
    for index, frame in enumerate(source_frames):
        for sender, decoder in zip(senders, decoders, strict=True):
            payloads, timestamp = sender.encode(_tagged(frame, index))
            image = _decode(decoder, payloads, timestamp)
            assert psnr_db(image, frame.to_ndarray()) > 28, index

    shared = senders[0].shared
    assert shared is not None and all(s.shared is shared for s in senders)
    assert shared.sender_count == 3
    assert shared.compressor.frames_encoded == FRAMES  # not 3 x FRAMES
    assert shared.frames_sent == 3 * FRAMES
    assert shared.compressor.keyframes_encoded == 1 and shared.detachments == 0


def test_a_sender_out_of_step_encodes_alone_until_the_next_keyframe(source_frames) -> None:
    policy = VideoBitratePolicy(1_000_000, WIDTH, HEIGHT)
    steady, lagging = LibvpxVp8Encoder(policy), LibvpxVp8Encoder(policy)
    steady_decoder, lagging_decoder = Vp8Decoder(), Vp8Decoder()
    sent_by_lagging: list[int] = []
    for index in range(30):
        frame = source_frames[index]
        tagged = _tagged(frame, index, STREAM_ID + 1)
        payloads, timestamp = steady.encode(tagged, force_keyframe=index == 20)  # a PLI
        _decode(steady_decoder, payloads, timestamp)  # never disturbed by the other sender
        if index in (8, 9):
            continue  # the lagging sender's relay handed it a newer picture instead
        payloads, timestamp = lagging.encode(tagged)
        assert payloads, index  # every picture it is given reaches its receiver
        sent_by_lagging.append(index)
        image = _decode(lagging_decoder, payloads, timestamp)
        assert psnr_db(image, frame.to_ndarray()) > 28, index
        if index == 15:
            shared = lagging.shared
            assert shared is not None and shared.detached_count() == 1

    shared = steady.shared
    assert shared is not None and shared is lagging.shared
    assert sent_by_lagging == [*range(8), *range(10, 30)]
    # Picture 10 follows 9, which the lagging sender never sent: it went on alone (its
    # own keyframe, for its receiver only), and came back on the group's keyframe at 20.
    assert shared.detachments == 1 and shared.rejoins == 1 and shared.detached_count() == 0
    assert shared.compressor.keyframes_encoded == 2  # the first picture and the PLI's
    assert shared.compressor.frames_encoded == 30


def test_senders_that_all_fell_out_of_step_come_back_to_one_encode(source_frames) -> None:
    """Two senders both skip a picture (a loaded start of a mesh call): both detach, the
    group encodes nothing, and once ``REJOIN_KEYFRAME_INTERVAL`` pictures have passed
    since its last keyframe the first to ask makes the group's keyframe: one encode per
    picture again, and both receivers decode throughout."""
    policy = VideoBitratePolicy(1_000_000, WIDTH, HEIGHT)
    senders = [LibvpxVp8Encoder(policy) for _ in range(2)]
    decoders = [Vp8Decoder() for _ in senders]
    pictures = REJOIN_KEYFRAME_INTERVAL + 10
    for index in range(pictures):
        frame = source_frames[index % FRAMES]
        for number, (sender, decoder) in enumerate(zip(senders, decoders, strict=True)):
            if index == 3 + number:
                continue  # each sender's relay handed it a newer picture once
            payloads, timestamp = sender.encode(_tagged(frame, index, STREAM_ID + 4))
            image = _decode(decoder, payloads, timestamp)
            assert psnr_db(image, frame.to_ndarray()) > 28, (number, index)
        if index == REJOIN_KEYFRAME_INTERVAL - 1:
            shared = senders[0].shared
            assert shared is not None and shared.detached_count() == 2
            before = shared.stats()

    shared = senders[0].shared
    assert shared is not None and shared is senders[1].shared
    assert shared.detachments == 2 and shared.rejoins == 2 and shared.detached_count() == 0
    # back to one encode per picture for both: the last 10 pictures, each sent twice
    after = shared.stats()
    assert after["frames_encoded"] - before["frames_encoded"] == 10, (before, after)
    assert after["frames_sent"] - before["frames_sent"] == 20, (before, after)
    assert after["keyframes_encoded"] == 2, after  # the first picture's and the rejoin's


def test_the_same_picture_twice_sends_nothing_new(source_frames) -> None:
    encoder = LibvpxVp8Encoder()
    tagged = _tagged(source_frames[0], 0, STREAM_ID + 3)
    assert encoder.encode(tagged)[0]
    assert encoder.encode(tagged)[0] == []
    assert encoder.shared is not None and encoder.shared.detachments == 0


def test_a_keyframe_request_from_one_receiver_reaches_all(source_frames) -> None:
    first, second = LibvpxVp8Encoder(), LibvpxVp8Encoder()
    for index in range(6):
        frame = _tagged(source_frames[index], index, STREAM_ID + 2)
        first.encode(frame, force_keyframe=index == 4)  # a PLI from the first's receiver
        second.encode(frame)
    assert first.keyframes_encoded == second.keyframes_encoded == 2


def test_a_prepared_group_sends_its_first_picture_without_setting_libvpx_up_again(
    source_frames,
) -> None:
    install_parley_webrtc()
    stream_id = STREAM_ID + 7
    picture = _tagged(source_frames[0], 0, stream_id)
    group = prepare_shared_encoding(picture)
    assert group is not None and existing_shared_encoding(stream_id) is group
    compressor = group.compressor
    assert compressor.encoders_created == 1 and compressor.frames_encoded == 0
    assert group.stats()["prepared_ahead"] == 1
    assert prepare_shared_encoding(picture) is group  # a second peer: nothing to redo
    assert compressor.encoders_created == 1

    sender = LibvpxVp8Encoder(VideoBitratePolicy(1_000_000, WIDTH, HEIGHT))
    decoder = Vp8Decoder()
    payloads, timestamp = sender.encode(picture)
    assert sender.shared is group and compressor.encoders_created == 1
    assert compressor.keyframes_encoded == 1  # a fresh encoder's first picture is a keyframe
    image = _decode(decoder, payloads, timestamp)
    assert psnr_db(image, source_frames[0].to_ndarray()) > 28


def test_a_sender_back_from_another_layer_restarts_with_a_keyframe(source_frames) -> None:
    """Its receiver asked for another layer and then for this one again: meanwhile its
    decoder dropped this layer's pictures, so an inter frame from here would not decode,
    even if the group encoded nothing while it was away (a prepared group is kept)."""
    here, elsewhere = STREAM_ID + 20, STREAM_ID + 21
    sender = LibvpxVp8Encoder(VideoBitratePolicy(1_000_000, WIDTH, HEIGHT))
    decoder = Vp8Decoder()
    small = [f.reformat(width=WIDTH // 2, height=HEIGHT // 2) for f in source_frames[5:10]]
    group = None
    for index in range(5):
        payloads, timestamp = sender.encode(_tagged(source_frames[index], index, here))
        _decode(decoder, payloads, timestamp)
        group = sender.shared
    assert group is not None and group.stats()["senders"] == 1
    for offset, frame in enumerate(small):
        payloads, timestamp = sender.encode(_tagged(frame, 5 + offset, elsewhere))
        assert _decode(decoder, payloads, timestamp).shape[1] == WIDTH // 2
    assert group.stats()["senders"] == 0  # it left when it moved

    keyframes_before = group.compressor.keyframes_encoded
    payloads, timestamp = sender.encode(_tagged(source_frames[10], 10, here))
    assert sender.shared is group and group.compressor.keyframes_encoded == keyframes_before + 1
    image = _decode(decoder, payloads, timestamp)
    assert image.shape[1] == WIDTH and psnr_db(image, source_frames[10].to_ndarray()) > 28


def test_an_untagged_picture_prepares_nothing(source_frames) -> None:
    install_parley_webrtc()
    assert prepare_shared_encoding(source_frames[0]) is None


def test_untagged_frames_get_an_encoder_of_their_own(source_frames) -> None:
    a, b = LibvpxVp8Encoder(), LibvpxVp8Encoder()
    for index in range(3):
        frame = av.VideoFrame.from_ndarray(source_frames[index].to_ndarray(), format="yuv420p")
        frame.pts, frame.time_base = index * 3000, Fraction(1, 90000)
        assert frame_tag(frame) is None
        a.encode(frame)
        b.encode(frame)
    assert a.shared is None and b.shared is None
    assert a.compressor is not b.compressor
    assert a.compressor is not None and a.compressor.frames_encoded == 3


async def test_a_mesh_of_three_peers_encodes_each_picture_once(vtest_avi: Path) -> None:
    """One tagged camera, a relay proxy and a SwitchableTrack per peer (as the mesh does),
    three real peer connections on loopback."""
    apply_ice_policy(True)
    install_parley_webrtc()
    source = TaggedVideoTrack(FileVideoTrack(vtest_avi, width=WIDTH))
    relay = MediaRelay()
    pairs: list[tuple[RTCPeerConnection, RTCPeerConnection]] = []
    sinks: list[FrameSink] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        for _ in range(3):
            sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            sink = FrameSink()

            def on_track(track: MediaStreamTrack, sink: FrameSink = sink) -> None:
                tasks.append(asyncio.ensure_future(sink.consume(track)))

            receiver.on("track", on_track)
            outgoing = SwitchableTrack("video")
            outgoing.set_source(relay.subscribe(source, buffered=False))
            sender.addTrack(outgoing)
            await sender.setLocalDescription(await sender.createOffer())
            await receiver.setRemoteDescription(sender.localDescription)
            await receiver.setLocalDescription(await receiver.createAnswer())
            await sender.setRemoteDescription(receiver.localDescription)
            pairs.append((sender, receiver))
            sinks.append(sink)
        await wait_until(lambda: all(s.frame_count >= 25 for s in sinks), 60, "25 frames each")

        encoders = [
            next(s for s in pc.getSenders() if s.track)._RTCRtpSender__encoder  # private
            for pc, _ in pairs
        ]
        shared = encoders[0].shared
        assert shared is not None and all(e.shared is shared for e in encoders)
        # Every sender sent most pictures, and those were encoded once for all three.
        assert shared.frames_sent >= 2 * shared.compressor.frames_encoded, (
            shared.frames_sent,
            shared.compressor.frames_encoded,
            shared.detachments,
        )
        for sink in sinks:
            frame = sink.latest()
            assert frame is not None and (frame.width, frame.height) == (WIDTH, HEIGHT)
            luma = frame.to_ndarray(format="gray")
            assert luma.std() > 20  # vtest's street, not a grey or broken picture
    finally:
        source.stop()
        for task in tasks:
            task.cancel()
        for sender, receiver in pairs:
            await sender.close()
            await receiver.close()
        apply_ice_policy(False)
