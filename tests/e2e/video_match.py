"""Is what a video tile shows really the source video? Pixel statistics against its frames.

A tile paints a remote frame with ``VideoFit.COVER``: scaled to fill the tile, centred, the
overflow cropped (``ui/video_renderer.py``). :func:`best_match` undoes that geometry — it
crops every source frame to the part a tile of that shape shows — then compares both at a
small common size: the Pearson correlation of the luma (structure) and the per-channel mean
and standard deviation (colour and contrast). Which source frame is on screen is unknown
(the sender loops its file from its own start), so the best-correlated one is reported.
A flat placeholder, a black frame or another picture correlates far below 0.8.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

_LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601, as the decoder's YUV was made


@dataclass(frozen=True)
class SourceClip:
    """Every frame of a video file, downscaled: ``frames`` is (n, height, width, 3) uint8
    RGB; ``source_size`` is the file's own (width, height) in pixels."""

    frames: np.ndarray
    source_size: tuple[int, int]


@dataclass(frozen=True)
class FrameMatch:
    """The source frame that best explains a view. Means and standard deviations are per
    RGB channel in 0–255 units, both measured at the comparison size."""

    frame_index: int
    correlation: float
    view_mean: np.ndarray
    view_std: np.ndarray
    frame_mean: np.ndarray
    frame_std: np.ndarray


def load_clip(path: Path, width: int = 192) -> SourceClip:
    """Decode all of ``path``'s video, scaled (area average) to ``width`` pixels wide."""
    frames: list[np.ndarray] = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        source_size = (stream.codec_context.width, stream.codec_context.height)
        height = round(width * source_size[1] / source_size[0])
        for frame in container.decode(stream):
            small = frame.reformat(width=width, height=height, format="rgb24", interpolation="AREA")
            frames.append(small.to_ndarray())
    return SourceClip(np.stack(frames), source_size)


def cover_crop(
    source_size: tuple[int, int], view_size: tuple[int, int]
) -> tuple[float, float, float, float]:
    """``(left, top, right, bottom)`` in source pixels of the part of a frame that a view
    of ``view_size`` (width, height) shows under ``VideoFit.COVER``."""
    (source_w, source_h), (view_w, view_h) = source_size, view_size
    scale = max(view_w / source_w, view_h / source_h)
    shown_w, shown_h = view_w / scale, view_h / scale
    left, top = (source_w - shown_w) / 2, (source_h - shown_h) / 2
    return left, top, left + shown_w, top + shown_h


def area_resize(images: np.ndarray, width: int, height: int) -> np.ndarray:
    """Average ``images`` (..., h, w, channels) into ``height`` × ``width`` cells (float64).
    Cell borders are rounded to whole input pixels; inputs must be at least that large."""
    rows = np.linspace(0, images.shape[-3], height + 1).round().astype(int)
    cols = np.linspace(0, images.shape[-2], width + 1).round().astype(int)
    sums = np.add.reduceat(images.astype(np.float64), rows[:-1], axis=-3)
    sums = np.add.reduceat(sums, cols[:-1], axis=-2)
    counts = np.diff(rows)[:, None, None] * np.diff(cols)[None, :, None]
    return sums / counts


def best_match(view_rgb: np.ndarray, clip: SourceClip, compare_width: int = 64) -> FrameMatch:
    """Compare a grab of a COVER-fitted video view, (height, width, 3) uint8 RGB, with
    every frame of ``clip``; return the frame whose luma correlates best."""
    view_h, view_w = view_rgb.shape[:2]
    compare_height = max(8, round(compare_width * view_h / view_w))
    left, top, right, bottom = cover_crop(clip.source_size, (view_w, view_h))
    to_clip = clip.frames.shape[2] / clip.source_size[0]
    shown = clip.frames[
        :,
        round(top * to_clip) : round(bottom * to_clip),
        round(left * to_clip) : round(right * to_clip),
    ]
    frames = area_resize(shown, compare_width, compare_height)
    view = area_resize(view_rgb, compare_width, compare_height)

    def standardised_luma(images: np.ndarray) -> np.ndarray:
        luma = (images @ _LUMA).reshape(*images.shape[:-3], -1)
        centred = luma - luma.mean(axis=-1, keepdims=True)
        norm = np.linalg.norm(centred, axis=-1, keepdims=True)
        return centred / np.where(norm == 0, 1.0, norm)  # a flat image correlates 0

    correlations = standardised_luma(frames) @ standardised_luma(view)
    index = int(np.argmax(correlations))
    return FrameMatch(
        frame_index=index,
        correlation=float(correlations[index]),
        view_mean=view.mean(axis=(0, 1)),
        view_std=view.std(axis=(0, 1)),
        frame_mean=frames[index].mean(axis=(0, 1)),
        frame_std=frames[index].std(axis=(0, 1)),
    )
