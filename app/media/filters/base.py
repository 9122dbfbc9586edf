"""The ``VideoFilter`` interface: one image in, one image out, on a worker thread.

Images are 8-bit I420 (planar YUV 4:2:0) arrays of shape ``(height * 3 // 2, width)``, the
layout ``av.VideoFrame.to_ndarray()`` returns for ``yuv420p`` — what cameras deliver and
encoders want, so the common path converts no colours. A filter that would rather work in
BGR declares ``pixel_format = "bgr24"`` and gets (and returns) ``(height, width, 3)`` BGR;
the chain converts around it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

__all__ = [
    "FilterCost",
    "FilterUnavailable",
    "PersonMask",
    "PixelFormat",
    "VideoFilter",
    "i420_planes",
]

type PixelFormat = Literal["yuv420p", "bgr24"]


class FilterUnavailable(RuntimeError):
    """A filter cannot run on this machine; the message says what is missing and how to
    get it, in words fit to show the user (e.g. "The background model is not downloaded
    yet: choose Download in Effects")."""


@dataclass(frozen=True, slots=True)
class FilterCost:
    """What a filter declares about its price, so the chain and the picker can plan.

    ``cpu_ms_720p``: the author's estimate of CPU time per 1280x720 frame, excluding
    segmentation. ``needs_person_mask``: the chain must run person segmentation for it.
    """

    cpu_ms_720p: float
    needs_person_mask: bool = False


class PersonMask:
    """Where the person is in one frame: alpha 0..128 (128 = person), feathered.

    Built once per segmentation result and reused for the frames that follow it while the
    segmenter is busy; the luma and chroma resolutions are computed once and cached.
    ``small`` is the smoothed mask at segmentation resolution, float32 in [0, 1].
    """

    ALPHA_ONE: ClassVar[int] = 128  # 7 bits: (a - b) * alpha fits in int16 for 8-bit a, b

    def __init__(self, small: np.ndarray, sequence: int) -> None:
        self.small = small
        self.sequence = sequence  # increases with every new segmentation result
        self._alpha: dict[tuple[int, int], np.ndarray] = {}
        self._small_alpha: np.ndarray | None = None

    def alpha(self, width: int, height: int) -> np.ndarray:
        """uint8 alpha of shape ``(height, width)``, values 0..``ALPHA_ONE``."""
        key = (width, height)
        cached = self._alpha.get(key)
        if cached is None:
            import cv2

            if self._small_alpha is None:
                self._small_alpha = np.rint(self.small * self.ALPHA_ONE).astype(np.uint8)
            # Upscaling 8-bit alpha is ~10x cheaper than float at 720p; bilinear steps of
            # 1/128 are far below what an eye sees at the edge.
            cached = cv2.resize(self._small_alpha, (width, height), interpolation=cv2.INTER_LINEAR)
            self._alpha[key] = cached
        return cached

    def coverage(self) -> float:
        """Fraction of the frame that is person (0..1)."""
        return float(self.small.mean())


def i420_planes(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views ``(y, u, v)`` of an I420 image ``(h * 3 // 2, w)``; y is ``(h, w)``, u and v
    ``(h // 2, w // 2)``. Writing to a view writes to ``image``. Needs even ``w`` and ``h``."""
    height = image.shape[0] * 2 // 3
    width = image.shape[1]
    y = image[:height]
    chroma = image[height:].reshape(2, height // 2, width // 2)
    return y, chroma[0], chroma[1]


class VideoFilter(ABC):
    """One video effect. Subclass it, give it a ``label`` and a ``cost``, implement
    :meth:`apply`.

    Threading: :meth:`apply` and :meth:`close` run on the chain's worker thread, one frame
    at a time, never on the asyncio/GUI thread; a filter needs no locks of its own.
    Failure: an exception from :meth:`apply` removes the filter from the chain and the
    camera goes on unfiltered; its message is shown to the user.
    Third-party filters register a no-argument factory (usually the class) in the
    ``parley.video_filters`` entry point group.
    """

    label: str = "Filter"
    cost: FilterCost = FilterCost(cpu_ms_720p=1.0)
    pixel_format: PixelFormat = "yuv420p"

    @abstractmethod
    def apply(self, image: np.ndarray, person_mask: PersonMask | None) -> np.ndarray:
        """Return the filtered image, same shape and dtype (uint8) as ``image``.

        ``image`` may be modified in place and returned. ``person_mask`` is given when
        ``cost.needs_person_mask`` and a mask exists; it may be up to a few frames old.
        """

    def close(self) -> None:  # noqa: B027 - optional hook, most filters hold nothing
        """Release resources; called on the worker thread after the filter leaves a chain."""
