"""Pixel work shared by the built-in filters: blending with a person mask, cheap wide
blurs, and fitting a still image to a frame — all on I420 planes, with OpenCV/numpy.

Costs at 1280x720 on one core of the reference machine (``python -m bench.filters``): a
plane blend is ~0.6 ms for luma (int16 arithmetic, 7-bit alpha), a wide blur ~1 ms because it
is computed at a quarter of the resolution, where a wide Gaussian is cheap and the lost
detail is exactly what a blur removes anyway.
"""

from __future__ import annotations

import numpy as np

from app.media.filters.base import PersonMask
from app.media.video_sources import import_cv2

__all__ = ["blend_planes", "cover_resize", "masked_blur", "to_i420"]

cv2 = import_cv2()

# Below this, a pixel's blurred value is a weighted mean of almost nothing: keep it finite.
_MIN_WEIGHT = 1e-3


def blend_planes(foreground: np.ndarray, background: np.ndarray, alpha: np.ndarray) -> None:
    """``foreground = background + (foreground - background) * alpha / 128``, in place.

    ``foreground``/``background``: uint8 planes of one shape; ``alpha``: uint8 0..128 of
    the same shape (:class:`PersonMask` alpha). 7-bit alpha keeps the product in int16.
    """
    mixed = foreground.astype(np.int16)
    mixed -= background
    mixed *= alpha
    mixed >>= 7
    mixed += background
    foreground[...] = mixed


def masked_blur(plane: np.ndarray, mask: PersonMask, sigma_px: float) -> np.ndarray:
    """``plane`` blurred by a Gaussian of ``sigma_px`` (full-resolution pixels) using only
    background pixels, so the person does not bleed into the blur as a halo.

    Works at a quarter of the resolution: ``blur(plane * w) / blur(w)`` with ``w`` the
    background weight, then upscaled. Returns a new uint8 plane of ``plane``'s shape.
    """
    height, width = plane.shape
    small_w, small_h = max(2, width // 4), max(2, height // 4)
    small = cv2.resize(plane, (small_w, small_h), interpolation=cv2.INTER_AREA)
    weight = 1.0 - mask.alpha(small_w, small_h).astype(np.float32) / PersonMask.ALPHA_ONE
    sigma = max(0.5, sigma_px / 4)
    numerator = cv2.GaussianBlur(small.astype(np.float32) * weight, (0, 0), sigma)
    denominator = cv2.GaussianBlur(weight, (0, 0), sigma)
    blurred = numerator / np.maximum(denominator, _MIN_WEIGHT)
    # Where there is no background nearby at all the value does not matter (the person is
    # drawn over it), but it must be a real pixel value, not noise.
    blurred = np.where(denominator > _MIN_WEIGHT, blurred, small.astype(np.float32))
    small_blurred = np.clip(blurred, 0, 255).astype(np.uint8)
    return cv2.resize(small_blurred, (width, height), interpolation=cv2.INTER_LINEAR)


def cover_resize(image_bgr: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale ``image_bgr`` (h, w, 3) to cover ``width`` x ``height`` and crop the centre
    (CSS ``object-fit: cover``). Returns (height, width, 3) uint8."""
    src_h, src_w = image_bgr.shape[:2]
    scale = max(width / src_w, height / src_h)
    scaled_w, scaled_h = max(width, round(src_w * scale)), max(height, round(src_h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(image_bgr, (scaled_w, scaled_h), interpolation=interpolation)
    left, top = (scaled_w - width) // 2, (scaled_h - height) // 2
    return np.ascontiguousarray(scaled[top : top + height, left : left + width])


def to_i420(image_bgr: np.ndarray) -> np.ndarray:
    """BGR (h, w, 3) to I420 (h * 3 // 2, w); ``h`` and ``w`` must be even."""
    return np.asarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2YUV_I420))
