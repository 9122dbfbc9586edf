"""The bots' frame stamp: drawn straight into the I420 planes, read back from luma, and
nothing else in the picture changes (the benchmark's PSNR is measured below it)."""

from __future__ import annotations

import av
import numpy as np
import pytest

from app.bot.frame_stamp import STAMP_HEIGHT_PX, read_stamp, stamp_i420


def test_the_stamp_reads_back_and_leaves_the_rest_of_the_picture_exact() -> None:
    rng = np.random.default_rng(7)
    width, height = 640, 360
    picture = rng.integers(16, 236, size=(height * 3 // 2, width), dtype=np.uint8)
    stamped = picture.copy()
    stamp_i420(stamped, width, height, frame_index=123_456, capture_ms=9_876_543)

    frame = av.VideoFrame.from_ndarray(stamped, format="yuv420p")
    luma = frame.to_ndarray()[:height]
    assert read_stamp(luma) == (123_456, 9_876_543)
    # below the stamp rows every luma sample is the source's, bit for bit
    assert np.array_equal(stamped[STAMP_HEIGHT_PX:height], picture[STAMP_HEIGHT_PX:height])


def test_a_picture_smaller_than_the_stamp_is_refused() -> None:
    with pytest.raises(ValueError, match="too small"):
        stamp_i420(np.zeros((48, 320), np.uint8), 320, 32, 1, 1)
