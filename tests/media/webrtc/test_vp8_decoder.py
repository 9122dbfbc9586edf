"""FFmpeg's VP8 decoder in aiortc's place: Parley's libvpx frames decode to the picture
libvpx's own decoder gives, a frame it cannot use raises ``av.FFmpegError`` (aiortc then
asks for a keyframe), and aiortc's receivers get it once installed."""

from __future__ import annotations

from pathlib import Path

import aiortc.rtcrtpreceiver
import av
import numpy as np
import pytest
from aiortc.codecs.vpx import Vp8Decoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from app.media.webrtc import install_parley_webrtc
from app.media.webrtc.vp8_compressor import Vp8Compressor
from app.media.webrtc.vp8_decoder import FfmpegVp8Decoder
from tests.media.signal_checks import psnr_db

WIDTH, HEIGHT = 640, 480
FRAMES = 20


@pytest.fixture(scope="module")
def encoded(vtest_avi: Path) -> list[tuple[bytes, np.ndarray]]:
    """(VP8 frame, source picture as yuv420p array) for the clip's first frames."""
    compressor = Vp8Compressor()
    out: list[tuple[bytes, np.ndarray]] = []
    with av.open(str(vtest_avi)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            picture = frame.reformat(width=WIDTH, height=HEIGHT, format="yuv420p")
            data, _key = compressor.compress(
                picture, index * 3000, keyframe=index == 0, bitrate_bps=1_500_000
            )
            out.append((data, picture.to_ndarray()))
            if len(out) == FRAMES:
                break
    compressor.close()
    return out


def test_decodes_parley_frames_as_libvpx_does(encoded: list[tuple[bytes, np.ndarray]]) -> None:
    ours, libvpx = FfmpegVp8Decoder(), Vp8Decoder()
    for index, (data, source) in enumerate(encoded):
        (frame,) = ours.decode(JitterFrame(data, index * 3000))
        (reference,) = libvpx.decode(JitterFrame(data, index * 3000))
        assert (frame.width, frame.height, frame.format.name) == (WIDTH, HEIGHT, "yuv420p")
        assert frame.pts == index * 3000
        picture = frame.to_ndarray()
        # VP8 decoding is exact: both decoders give the same pixels
        np.testing.assert_array_equal(picture, reference.to_ndarray())
        assert psnr_db(source[:HEIGHT], picture[:HEIGHT]) > 30


def test_an_inter_frame_before_any_keyframe_raises(
    encoded: list[tuple[bytes, np.ndarray]],
) -> None:
    decoder = FfmpegVp8Decoder()
    with pytest.raises(av.FFmpegError):
        decoder.decode(JitterFrame(encoded[1][0], 3000))
    with pytest.raises(av.FFmpegError):
        decoder.decode(JitterFrame(b"\x00garbage" * 20, 6000))
    # the decoder is kept (aiortc does not reset it): the next keyframe decodes
    (frame,) = decoder.decode(JitterFrame(encoded[0][0], 9000))
    assert frame.width == WIDTH


def test_aiortc_receivers_get_it_once_installed() -> None:
    install_parley_webrtc()
    vp8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
    opus = RTCRtpCodecParameters(
        mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111
    )
    assert isinstance(aiortc.rtcrtpreceiver.get_decoder(vp8), FfmpegVp8Decoder)
    assert not isinstance(aiortc.rtcrtpreceiver.get_decoder(opus), FfmpegVp8Decoder)
