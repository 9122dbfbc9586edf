"""Received-video quality against the source file: PSNR of the luma plane.

The receiver reads each frame's source index from its stamp (``frame_stamp``) and compares
it with the same frame of the file, stamped the same way, below the stamp rows.
"""

from __future__ import annotations

import math

import av
import numpy as np

from app.bot.frame_stamp import STAMP_HEIGHT_PX, luma_of


def psnr_db(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB of two uint8 arrays of one shape (peak 255); ``inf`` when identical."""
    mse = float(np.mean((a.astype(np.float32) - b.astype(np.float32)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


class ReferenceVideo:
    """Luma planes of a video file by frame index, looping like the file camera.

    Decodes sequentially and restarts at a loop, so asking for increasing indices (what a
    receiver sees) costs one decode per frame.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._container: av.container.InputContainer | None = None
        self._frames: list[np.ndarray] | None = None
        self._cursor = -1
        self._current: np.ndarray | None = None
        self.frame_count = self._count_frames()

    def _count_frames(self) -> int:
        with av.open(self._path) as container:
            return sum(1 for _ in container.decode(video=0))

    def luma(self, index: int) -> np.ndarray:
        """Luma of frame ``index`` (modulo the file's frame count), ``(h, w)`` uint8."""
        target = index % self.frame_count
        if self._container is None or target < self._cursor:
            if self._container is not None:
                self._container.close()
            self._container = av.open(self._path)
            self._decoder = self._container.decode(video=0)
            self._cursor = -1
        while self._cursor < target:
            self._current = luma_of(next(self._decoder)).copy()
            self._cursor += 1
        assert self._current is not None
        return self._current

    def compare(self, frame: av.VideoFrame, index: int) -> float | None:
        """PSNR (dB) of a received frame against source frame ``index`` below the stamp;
        ``None`` when the sizes differ (the sender scaled the picture)."""
        source = self.luma(index)
        received = luma_of(frame)
        if source.shape != received.shape:
            return None
        return psnr_db(received[STAMP_HEIGHT_PX:], source[STAMP_HEIGHT_PX:])

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None
