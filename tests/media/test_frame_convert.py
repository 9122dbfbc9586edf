"""FrameConverter: swscale's pictures with one kept context, frame after frame."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from app.media.frame_convert import FrameConverter


def _frames(vtest_avi: Path, count: int) -> list[av.VideoFrame]:
    with av.open(str(vtest_avi)) as container:
        return [frame for _, frame in zip(range(count), container.decode(video=0), strict=False)]


def test_converts_like_reformat_frame_after_frame(vtest_avi: Path) -> None:
    converter = FrameConverter()
    for frame in _frames(vtest_avi, 5):
        for kwargs in (
            {"format": "bgra"},
            {"width": 240, "height": 180, "format": "bgra", "interpolation": "AREA"},
            {"width": 384, "height": 288, "format": "yuv420p"},
        ):
            ours = converter.convert(frame, **kwargs).to_ndarray()  # type: ignore[arg-type]
            theirs = frame.reformat(**kwargs).to_ndarray()  # type: ignore[arg-type]
            assert ours.shape == theirs.shape
            assert np.array_equal(ours, theirs)


def test_returns_the_frame_itself_when_nothing_changes(vtest_avi: Path) -> None:
    frame = _frames(vtest_avi, 1)[0].reformat(format="yuv420p")
    assert FrameConverter().convert(frame, format="yuv420p") is frame
