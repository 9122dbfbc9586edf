"""Received-video quality against the source file: PSNR and SSIM of the luma plane.

The receiver reads each frame's source index from its stamp (``frame_stamp``) and compares
it with the same frame of the file, stamped the same way, below the stamp rows.
"""

from __future__ import annotations

import math

import av
import numpy as np

from app.bot.frame_stamp import STAMP_HEIGHT_PX, luma_of
from app.media.video_sources import import_cv2


def psnr_db(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB of two uint8 arrays of one shape (peak 255); ``inf`` when identical."""
    mse = float(np.mean((a.astype(np.float32) - b.astype(np.float32)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


# SSIM constants of Wang, Bovik, Sheikh and Simoncelli (IEEE TIP 2004): an 11x11 Gaussian
# window with sigma 1.5, K1 = 0.01, K2 = 0.03, dynamic range L = 255.
_SSIM_C1 = (0.01 * 255) ** 2
_SSIM_C2 = (0.03 * 255) ** 2


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM of two uint8 luma planes of one shape (1.0 when identical), as Wang et
    al. 2004 define it; the window is the paper's Gaussian, computed with OpenCV."""
    cv2 = import_cv2()
    x, y = a.astype(np.float32), b.astype(np.float32)

    def blur(image: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(image, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x * mu_x
    var_y = blur(y * y) - mu_y * mu_y
    cov = blur(x * y) - mu_x * mu_y
    numerator = (2 * mu_x * mu_y + _SSIM_C1) * (2 * cov + _SSIM_C2)
    denominator = (mu_x * mu_x + mu_y * mu_y + _SSIM_C1) * (var_x + var_y + _SSIM_C2)
    return float(np.mean(numerator / denominator))


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

    def compare(
        self, frame: av.VideoFrame, index: int, *, with_ssim: bool = False
    ) -> tuple[float, float | None] | None:
        """(PSNR dB, SSIM or None) of a received frame against source frame ``index``
        below the stamp; SSIM only ``with_ssim`` (it costs ~10x PSNR). ``None`` when the
        sizes differ (the sender scaled the picture)."""
        source = self.luma(index)
        received = luma_of(frame)
        if source.shape != received.shape:
            return None
        below_received, below_source = received[STAMP_HEIGHT_PX:], source[STAMP_HEIGHT_PX:]
        similarity = ssim(below_received, below_source) if with_ssim else None
        return psnr_db(below_received, below_source), similarity

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None
