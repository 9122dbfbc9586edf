"""Person segmentation with MediaPipe Tasks' ``ImageSegmenter`` and the selfie model, plus
the temporal smoothing and feathering that make its mask usable on video.

The selfie model reads 256x256 RGB; frames are shrunk to :data:`SEGMENTATION_WIDTH_PX` wide
before inference (the model would do it anyway) and the mask is upscaled when composited,
which costs nothing and softens the edge.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from app.media.filters.base import FilterUnavailable, PersonMask
from app.media.filters.compositing import cv2

__all__ = ["SEGMENTATION_WIDTH_PX", "MaskSmoother", "PersonSegmenter", "small_rgb_from_i420"]

SEGMENTATION_WIDTH_PX = 256
# Confidence below LOW is background, above HIGH person; between, a smooth ramp. Trims
# the model's grey fringe, which otherwise shows the background through the person.
_EDGE_LOW, _EDGE_HIGH = 0.3, 0.7
# Feather in segmentation pixels; at 720p one is 5 frame pixels.
_FEATHER_SIGMA_PX = 1.0
# Smoothing: how far the mask moves toward a new result, more where it changed a lot, so a
# still edge does not flicker and a moving arm does not leave a ghost.
_SMOOTHING_BASE, _SMOOTHING_GAIN = 0.4, 1.2


def small_rgb_from_i420(image: np.ndarray, width_px: int = SEGMENTATION_WIDTH_PX) -> np.ndarray:
    """An RGB (h', w', 3) uint8 copy of the I420 ``image`` shrunk to ``width_px`` wide (even
    height, aspect kept), the segmenter's input."""
    height, width = image.shape[0] * 2 // 3, image.shape[1]
    small_w = width_px
    small_h = max(2, round(height * width_px / width / 2) * 2)
    y = cv2.resize(image[:height], (small_w, small_h), interpolation=cv2.INTER_AREA)
    chroma = image[height:].reshape(2, height // 2, width // 2)
    u = cv2.resize(chroma[0], (small_w // 2, small_h // 2), interpolation=cv2.INTER_AREA)
    v = cv2.resize(chroma[1], (small_w // 2, small_h // 2), interpolation=cv2.INTER_AREA)
    small_i420 = np.concatenate([y, u.reshape(-1, small_w), v.reshape(-1, small_w)])
    return np.asarray(cv2.cvtColor(small_i420, cv2.COLOR_YUV2RGB_I420))


class MaskSmoother:
    """Temporal smoothing and feathering of raw confidence masks (float32, [0, 1]).

    :meth:`update` returns a new :class:`PersonMask`; a change of mask size restarts it.
    """

    def __init__(self) -> None:
        self._previous: np.ndarray | None = None
        self._sequence = 0

    def update(self, confidence: np.ndarray) -> PersonMask:
        """Blend ``confidence`` (h, w) float32 into the running mask; feather the edge."""
        previous = self._previous
        if previous is None or previous.shape != confidence.shape:
            smoothed = confidence.astype(np.float32, copy=True)
        else:
            change = np.abs(confidence - previous)
            rate = np.minimum(1.0, _SMOOTHING_BASE + _SMOOTHING_GAIN * change)
            smoothed = previous + rate * (confidence - previous)
        self._previous = smoothed
        ramp = np.clip((smoothed - _EDGE_LOW) / (_EDGE_HIGH - _EDGE_LOW), 0.0, 1.0)
        ramp = ramp * ramp * (3.0 - 2.0 * ramp)  # smoothstep: no visible band at the ends
        feathered = cv2.GaussianBlur(ramp.astype(np.float32), (0, 0), _FEATHER_SIGMA_PX)
        self._sequence += 1
        return PersonMask(feathered, self._sequence)


def _import_mediapipe() -> Any:
    # mediapipe imports the non-headless cv2, which rewrites Qt's plugin path for the whole
    # process (ARCHITECTURE.md, "Known pitfalls"): keep the environment as it was.
    saved = dict(os.environ)
    try:
        import mediapipe
        from mediapipe.tasks.python import vision
        from mediapipe.tasks.python.core import base_options
    except ImportError as exc:
        raise FilterUnavailable(
            "Background effects need the mediapipe package, which is not installed: "
            "pip install 'mediapipe>=0.10.14'"
        ) from exc
    finally:
        for name in set(os.environ) - set(saved):
            del os.environ[name]
        os.environ.update(saved)
    return mediapipe, vision, base_options


class PersonSegmenter:
    """MediaPipe ``ImageSegmenter`` (IMAGE mode, confidence masks) on the selfie model.

    Not thread-safe: create, use and close it on one thread. Raises ``FilterUnavailable``
    when mediapipe is missing or the model file cannot be loaded.
    """

    def __init__(self, model_path: Path) -> None:
        self.model_path = model_path
        self._mediapipe, vision, base_options = _import_mediapipe()
        options = vision.ImageSegmenterOptions(
            base_options=base_options.BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.IMAGE,
            output_confidence_masks=True,
            output_category_mask=False,
        )
        try:
            self._segmenter = vision.ImageSegmenter.create_from_options(options)
        except (RuntimeError, ValueError, OSError) as exc:
            raise FilterUnavailable(
                f"The segmentation model {model_path} cannot be loaded ({exc}); delete it and "
                "download it again from Effects"
            ) from exc

    def confidence(self, rgb: np.ndarray) -> np.ndarray:
        """Person confidence (h, w) float32 in [0, 1] for an RGB (h, w, 3) uint8 image."""
        mp = self._mediapipe
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        result = self._segmenter.segment(image)
        # The selfie model has one output: the person's confidence.
        mask = result.confidence_masks[-1].numpy_view()
        return np.array(mask.reshape(mask.shape[0], mask.shape[1]), dtype=np.float32)

    def close(self) -> None:
        self._segmenter.close()
