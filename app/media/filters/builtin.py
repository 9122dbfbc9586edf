"""Parley's built-in effects: background blur, background image, grayscale (the three
Stream's video-filter docs show: blur light/medium/heavy, image replacement, and the
grayscale custom-filter example)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from app.media.filters.base import (
    FilterCost,
    FilterUnavailable,
    PersonMask,
    VideoFilter,
    i420_planes,
)
from app.media.filters.compositing import blend_planes, cover_resize, cv2, masked_blur, to_i420

__all__ = ["BLUR_SIGMA_PX", "BackgroundBlurFilter", "BackgroundImageFilter", "GrayscaleFilter"]

type BlurLevel = Literal["light", "medium", "heavy"]

# Gaussian sigma in full-resolution pixels of a 720p frame, scaled with the frame height so
# a level looks the same at any resolution. Chosen by eye on messi5.jpg and vtest.avi:
# "light" still shows the shapes of a room, "heavy" only its colours.
BLUR_SIGMA_PX: dict[BlurLevel, float] = {"light": 6.0, "medium": 12.0, "heavy": 24.0}
_REFERENCE_HEIGHT_PX = 720


class BackgroundBlurFilter(VideoFilter):
    """Blurs everything but the person. ``level``: ``"light"``, ``"medium"`` or ``"heavy"``
    (``ValueError`` otherwise)."""

    cost = FilterCost(cpu_ms_720p=3.0, needs_person_mask=True)

    def __init__(self, level: BlurLevel = "medium") -> None:
        if level not in BLUR_SIGMA_PX:
            raise ValueError(f"blur level must be one of {sorted(BLUR_SIGMA_PX)}, not {level!r}")
        self.level = level
        self.label = f"Blur ({level})"

    def apply(self, image: np.ndarray, person_mask: PersonMask | None) -> np.ndarray:
        if person_mask is None:
            return image
        y, u, v = i420_planes(image)
        sigma_px = BLUR_SIGMA_PX[self.level] * y.shape[0] / _REFERENCE_HEIGHT_PX
        for plane, sigma in ((y, sigma_px), (u, sigma_px / 2), (v, sigma_px / 2)):
            background = masked_blur(plane, person_mask, sigma)
            blend_planes(plane, background, person_mask.alpha(plane.shape[1], plane.shape[0]))
        return image


class BackgroundImageFilter(VideoFilter):
    """Replaces the background with the picture at ``path``, scaled to cover the frame.

    Raises ``FilterUnavailable`` when the file cannot be read as an image.
    """

    cost = FilterCost(cpu_ms_720p=2.0, needs_person_mask=True)

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        picture = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
        if picture is None:
            raise FilterUnavailable(f"Cannot read {self.path} as an image (JPEG, PNG, …)")
        self._picture_bgr: np.ndarray = picture
        self._fitted: dict[tuple[int, int], np.ndarray] = {}
        self.label = f"Image: {self.path.name}"

    def background_i420(self, width: int, height: int) -> np.ndarray:
        """The picture fitted to ``width`` x ``height`` as I420 (cached per size)."""
        fitted = self._fitted.get((width, height))
        if fitted is None:
            fitted = to_i420(cover_resize(self._picture_bgr, width, height))
            self._fitted = {(width, height): fitted}  # one camera size at a time
        return fitted

    def apply(self, image: np.ndarray, person_mask: PersonMask | None) -> np.ndarray:
        if person_mask is None:
            return image
        y, u, v = i420_planes(image)
        height, width = y.shape
        back_y, back_u, back_v = i420_planes(self.background_i420(width, height))
        for plane, back in ((y, back_y), (u, back_u), (v, back_v)):
            blend_planes(plane, back, person_mask.alpha(plane.shape[1], plane.shape[0]))
        return image


class GrayscaleFilter(VideoFilter):
    """Removes colour: in I420 that is setting both chroma planes to neutral (128)."""

    label = "Grayscale"
    cost = FilterCost(cpu_ms_720p=0.1)

    def apply(self, image: np.ndarray, person_mask: PersonMask | None) -> np.ndarray:
        _, u, v = i420_planes(image)
        u.fill(128)
        v.fill(128)
        return image
