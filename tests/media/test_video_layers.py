"""Which layer a sender picks for a painted size, and the scaled picture it sends."""

from __future__ import annotations

import av
import numpy as np
import pytest
from pydantic import ValidationError

from app.media import VideoDimension, layer_size
from app.media.video_layers import scaled_picture
from app.media.webrtc import FrameTag, frame_tag, layer_stream_id
from app.protocol import SignalPayload


@pytest.mark.parametrize(
    ("wanted", "layer"),
    [
        (None, (1280, 720)),  # no preference: the camera as it is
        (VideoDimension(1248, 702), (1280, 720)),  # a 1:1 call's stage
        (VideoDimension(616, 347), (640, 360)),  # a grid of four
        (VideoDimension(720, 405), (1280, 720)),  # 640 would be upscaled by 12 %: no
        (VideoDimension(240, 135), (320, 180)),  # a thumbnail: two halvings at most
        (VideoDimension(1, 1), (320, 180)),  # not shown: the smallest layer
        (VideoDimension(2560, 1440), (1280, 720)),  # bigger than the camera: never upscaled
    ],
)
def test_the_layer_covers_what_is_painted(wanted: VideoDimension | None, layer) -> None:
    assert layer_size(1280, 720, wanted) == layer


def test_small_sources_are_not_halved_into_stamps() -> None:
    assert layer_size(320, 240, VideoDimension(1, 1)) == (160, 120)
    assert layer_size(300, 200, VideoDimension(1, 1)) == (300, 200)  # 150 < 160 wide


def test_a_dimension_needs_positive_sides() -> None:
    with pytest.raises(ValueError, match="positive"):
        VideoDimension(0, 10)
    with pytest.raises(ValidationError):
        SignalPayload(kind="video_dimension", width=0, height=10)
    with pytest.raises(ValidationError):
        SignalPayload(kind="video_dimension", width=100_000, height=10)


def test_a_picture_is_scaled_once_per_layer_and_tagged_as_the_layer() -> None:
    gradient = np.tile(np.arange(768, dtype=np.uint8) // 3, (576, 1))
    frame = av.VideoFrame.from_ndarray(np.dstack([gradient] * 3), format="rgb24")
    frame = frame.reformat(format="yuv420p")
    frame.pts = 4242
    tag = FrameTag(stream_id=90_001, index=7, pts_90k=4242)
    first = scaled_picture(frame, tag, 384, 288)
    again = scaled_picture(frame, tag, 384, 288)
    assert first is again  # the second peer of the layer reuses the picture
    assert (first.width, first.height, first.pts) == (384, 288, 4242)
    scaled_tag = frame_tag(first)
    assert scaled_tag == FrameTag(layer_stream_id(90_001, 384, 288), 7, 4242)
    assert scaled_tag.stream_id not in (90_001, layer_stream_id(90_001, 192, 144))
