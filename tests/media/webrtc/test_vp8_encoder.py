"""LibvpxVp8Encoder: one running libvpx encoder across bitrate changes (no keyframe per
REMB step), the new target takes effect, and the output decodes."""

from fractions import Fraction
from pathlib import Path

import av
import pytest
from aiortc.codecs.vpx import Vp8Decoder, vp8_depayload
from aiortc.jitterbuffer import JitterFrame

from app.media.webrtc import (
    MIN_VIDEO_BITRATE_BPS,
    LibvpxVp8Encoder,
    VideoBitratePolicy,
)
from app.media.webrtc.vp8_compressor import Vp8Compressor
from tests.media.signal_checks import psnr_db

WIDTH, HEIGHT = 640, 480
FRAMES_PER_STEP = 30
# (bits per second set by "REMB", as the sender does) for each block of frames
SCHEDULE_BPS = [1_200_000, 300_000, 900_000, 400_000, 1_200_000]


@pytest.fixture(scope="module")
def source_frames(vtest_avi: Path) -> list[av.VideoFrame]:
    """vtest.avi scaled to 640x480: enough frames for the whole schedule."""
    frames: list[av.VideoFrame] = []
    with av.open(str(vtest_avi)) as container:
        for frame in container.decode(video=0):
            frames.append(frame.reformat(width=WIDTH, height=HEIGHT, format="yuv420p"))
            if len(frames) == FRAMES_PER_STEP * len(SCHEDULE_BPS):
                break
    return frames


def _stamp(frame: av.VideoFrame, index: int) -> av.VideoFrame:
    frame.pts = index * 3000
    frame.time_base = Fraction(1, 90000)
    frame.pict_type = av.video.frame.PictureType.NONE  # decoded frames say "I"
    return frame


def test_bitrate_changes_retarget_the_running_encoder(source_frames) -> None:
    encoder = LibvpxVp8Encoder(VideoBitratePolicy(1_200_000, WIDTH, HEIGHT))
    decoder = Vp8Decoder()
    bytes_per_step: list[int] = []
    context = None
    for step, bitrate_bps in enumerate(SCHEDULE_BPS):
        encoder.target_bitrate = bitrate_bps
        sent = 0
        for i in range(FRAMES_PER_STEP):
            index = step * FRAMES_PER_STEP + i
            payloads, timestamp = encoder.encode(_stamp(source_frames[index], index))
            data = b"".join(vp8_depayload(p) for p in payloads)
            sent += len(data)
            decoded = decoder.decode(JitterFrame(data, timestamp))
            assert len(decoded) == 1
            if i == FRAMES_PER_STEP - 1:
                image = decoded[0].to_ndarray(format="yuv420p")
                assert psnr_db(image, source_frames[index].to_ndarray()) > 30
        context = context or encoder.codec_context
        assert encoder.codec_context is context  # the same libvpx encoder throughout
        assert encoder.target_bitrate == bitrate_bps
        bytes_per_step.append(sent)

    assert encoder.encoders_created == 1
    assert encoder.keyframes_encoded == 1  # the first frame only
    assert encoder.bitrate_changes == len(SCHEDULE_BPS) - 1
    # Each target took effect: more bits where the target was higher.
    low, high = bytes_per_step[1], bytes_per_step[0]
    assert high > 2 * low, bytes_per_step
    assert bytes_per_step[2] > bytes_per_step[3], bytes_per_step
    encoder.close()


def test_keyframes_come_on_request_and_on_a_new_picture_size(source_frames) -> None:
    encoder = LibvpxVp8Encoder(VideoBitratePolicy(800_000, WIDTH, HEIGHT))
    for index in range(5):
        encoder.encode(_stamp(source_frames[index], index))
    assert encoder.keyframes_encoded == 1
    encoder.encode(_stamp(source_frames[5], 5), force_keyframe=True)  # a PLI
    assert encoder.keyframes_encoded == 2
    smaller = source_frames[6].reformat(width=320, height=240)
    encoder.encode(_stamp(smaller, 6))
    assert encoder.encoders_created == 2
    assert encoder.keyframes_encoded == 3
    encoder.close()


def test_the_target_starts_at_the_call_types_bitrate_and_estimates_only_lower_it() -> None:
    policy = VideoBitratePolicy(bitrate_bps=5_000_000, width=2560, height=1440)
    encoder = LibvpxVp8Encoder(policy)
    assert encoder.target_bitrate == 5_000_000  # before any frame: the target's size
    assert policy.max_bitrate_bps(1280, 720) == 2_500_000  # a quarter of the pixels
    assert policy.max_bitrate_bps(3840, 2160) == 5_000_000  # never above the target
    encoder.target_bitrate = 50_000_000
    assert encoder.target_bitrate == 5_000_000
    encoder.target_bitrate = 1_000
    assert encoder.target_bitrate == MIN_VIDEO_BITRATE_BPS
    assert encoder.receiver_estimate_bps == 1_000


def test_bitrate_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        VideoBitratePolicy(bitrate_bps=0)
    with pytest.raises(ValueError):
        VideoBitratePolicy(width=0)
    assert VideoBitratePolicy().max_bitrate_bps(1280, 720) == 2_500_000


def test_over_budget_inter_frames_are_dropped_but_never_a_requested_keyframe(
    source_frames,
) -> None:
    """libwebrtc's frame dropping: a picture the rate buffer cannot afford is skipped
    (no bytes) rather than sent over the target; a keyframe asked for (a PLI) always
    comes. 150 kbps with a keyframe every 10 frames is far beyond what 640x480 needs."""
    compressor = Vp8Compressor()
    encoded = []
    for index, frame in enumerate(source_frames[:120]):
        keyframe = index % 10 == 0
        data, is_key = compressor.compress(
            frame, index * 3000, keyframe=keyframe, bitrate_bps=150_000
        )
        encoded.append((keyframe, data, is_key))
    assert all(data and is_key for keyframe, data, is_key in encoded if keyframe)
    dropped = [index for index, (_, data, _) in enumerate(encoded) if not data]
    assert dropped and compressor.frames_dropped == len(dropped)
    sent_bits = sum(len(data) for _, data, _ in encoded) * 8
    assert sent_bits / (len(encoded) / 30) < 1.5 * 150_000  # held near the target
    # the frames that were sent still decode, in order, dropped ones simply missing
    decoder = Vp8Decoder()
    for index, (_, data, _) in enumerate(encoded):
        if data:
            (picture,) = decoder.decode(JitterFrame(data, index * 3000))
            assert (picture.width, picture.height) == (WIDTH, HEIGHT)
