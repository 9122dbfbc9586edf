"""Video filters: background blur, background image, grayscale and third-party effects
(entry point group ``parley.video_filters``), applied by :class:`FilterChainTrack` between
the camera and its readers. Segmentation: MediaPipe Tasks ``ImageSegmenter`` with the
selfie model, provisioned by :mod:`app.media.filters.model_store`.
"""

from app.media.filters.base import (
    FilterCost,
    FilterUnavailable,
    PersonMask,
    PixelFormat,
    VideoFilter,
    i420_planes,
)
from app.media.filters.builtin import (
    BLUR_SIGMA_PX,
    BackgroundBlurFilter,
    BackgroundImageFilter,
    GrayscaleFilter,
)
from app.media.filters.chain import FilterChainStats, FilterChainStatus, FilterChainTrack
from app.media.filters.model_store import (
    SELFIE_SEGMENTATION,
    ModelSource,
    default_cache_dir,
    find_model,
    provision_model,
)
from app.media.filters.preview import EffectPreviewer, EffectPreviews
from app.media.filters.registry import (
    ENTRY_POINT_GROUP,
    FilterSpec,
    available_filters,
    builtin_filters,
)
from app.media.filters.segmentation import MaskSmoother, PersonSegmenter, small_rgb_from_i420

__all__ = [
    "BLUR_SIGMA_PX",
    "ENTRY_POINT_GROUP",
    "SELFIE_SEGMENTATION",
    "BackgroundBlurFilter",
    "BackgroundImageFilter",
    "EffectPreviewer",
    "EffectPreviews",
    "FilterChainStats",
    "FilterChainStatus",
    "FilterChainTrack",
    "FilterCost",
    "FilterSpec",
    "FilterUnavailable",
    "GrayscaleFilter",
    "MaskSmoother",
    "ModelSource",
    "PersonMask",
    "PersonSegmenter",
    "PixelFormat",
    "VideoFilter",
    "available_filters",
    "builtin_filters",
    "default_cache_dir",
    "find_model",
    "i420_planes",
    "provision_model",
    "small_rgb_from_i420",
]
