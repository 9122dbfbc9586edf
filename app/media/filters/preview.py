"""Small renders of each effect on the user's own camera, for the effects picker."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from app.media.filters.base import FilterUnavailable, PersonMask, VideoFilter
from app.media.filters.chain import run_filter
from app.media.filters.compositing import cv2
from app.media.filters.model_store import find_model
from app.media.filters.segmentation import MaskSmoother, PersonSegmenter, small_rgb_from_i420

__all__ = ["EffectPreviewer", "EffectPreviews"]


@dataclass(frozen=True, slots=True)
class EffectPreviews:
    """``images``: effect id → RGB (h, w, 3) uint8 thumbnail (the plain frame for an effect
    that could not run); ``problem``: why segmentation effects show no effect, or None."""

    images: dict[str, np.ndarray]
    problem: str | None


class EffectPreviewer:
    """Renders thumbnails ``width_px`` wide. Segments each thumbnail itself (a 256-pixel
    inference, ~6 ms), so it needs no running call. One thread at a time."""

    def __init__(self, *, width_px: int = 256, model_path: str | Path | None = None) -> None:
        self.width_px = width_px
        self._model_path = model_path
        self._segmenter: PersonSegmenter | None = None
        self._smoother = MaskSmoother()
        self._problem: str | None = None

    @property
    def problem(self) -> str | None:
        """Why segmentation effects cannot be previewed (model missing…), or None."""
        return self._problem

    def retry(self) -> None:
        """Forget that the model was unavailable (after it was downloaded)."""
        self._problem = None

    def render(self, frame: av.VideoFrame, effects: Mapping[str, VideoFilter]) -> EffectPreviews:
        """Apply each of ``effects`` to a shrunk copy of ``frame``. A filter that raises
        shows the plain thumbnail; it is the chain's job to report it during a call."""
        height = max(2, round(frame.height * self.width_px / frame.width / 2) * 2)
        small = frame.reformat(width=self.width_px, height=height, format="yuv420p").to_ndarray()
        mask = (
            self._mask(small) if any(f.cost.needs_person_mask for f in effects.values()) else None
        )
        images: dict[str, np.ndarray] = {}
        for effect_id, effect in effects.items():
            image = small.copy()
            if not effect.cost.needs_person_mask or mask is not None:
                try:
                    image = run_filter(effect, image, mask)
                except Exception:
                    image = small.copy()
            images[effect_id] = np.asarray(cv2.cvtColor(image, cv2.COLOR_YUV2RGB_I420))
        return EffectPreviews(images, self._problem)

    def _mask(self, small_i420: np.ndarray) -> PersonMask | None:
        if self._problem is not None:
            return None
        try:
            if self._segmenter is None:
                self._segmenter = PersonSegmenter(find_model(self._model_path))
        except FilterUnavailable as exc:
            self._problem = str(exc)
            return None
        return self._smoother.update(self._segmenter.confidence(small_rgb_from_i420(small_i420)))

    def close(self) -> None:
        if self._segmenter is not None:
            self._segmenter.close()
            self._segmenter = None
