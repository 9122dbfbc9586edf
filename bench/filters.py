"""``python -m bench.filters``: what video effects cost at 1280x720 (issue 5).

Prints ms per frame for segmentation (shrink + MediaPipe inference + smoothing) and for
compositing each built-in effect (with a fresh mask every frame: the worst case, no
cached alpha), the CPU cores, and the sustained output fps of a ``FilterChainTrack`` fed
by 30 and 60 fps camera stand-ins (segmentation capped at 15 masks a second). The picture is
messi5.jpg (opencv-doc) covered to 1280x720. Not a test: the numbers belong to the machine.
Needs the segmentation model (downloaded into the user cache on first run).
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import os
import statistics
import time
from collections.abc import Callable

import av
import cv2
import numpy as np
from aiortc import MediaStreamTrack

from app.media.filters import (
    BackgroundBlurFilter,
    BackgroundImageFilter,
    FilterChainTrack,
    GrayscaleFilter,
    MaskSmoother,
    PersonSegmenter,
    VideoFilter,
    provision_model,
    small_rgb_from_i420,
)
from app.media.filters.compositing import cover_resize, to_i420

DATA = "/usr/share/doc/opencv-doc/examples/data"
WIDTH, HEIGHT = 1280, 720


def _time_ms(work: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(median, 90th percentile) ms of ``work()`` after two warm-up runs."""
    work()
    work()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]


class _StillCamera(MediaStreamTrack):
    """The same 720p picture at ``fps``, with growing pts."""

    kind = "video"

    def __init__(self, i420: np.ndarray, fps: float) -> None:
        super().__init__()
        self._i420, self._fps, self._count = i420, fps, 0
        self._start = time.monotonic()

    async def recv(self) -> av.VideoFrame:
        due = self._start + self._count / self._fps
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        frame = av.VideoFrame.from_ndarray(self._i420, format="yuv420p")
        frame.pts, frame.time_base = self._count * 3000, fractions.Fraction(1, 90000)
        self._count += 1
        return frame


async def _sustained_fps(
    i420: np.ndarray, effect: VideoFilter, fps: float, seconds: float
) -> tuple[float, float]:
    """(output fps, share of frames filtered) of a chain reading a ``fps`` source."""
    chain = FilterChainTrack(_StillCamera(i420, fps))
    chain.set_filters([effect])
    for _ in range(15):  # model load, warm-up
        await chain.recv()
    before = chain.stats()
    started, frames = time.monotonic(), 0
    while time.monotonic() - started < seconds:
        await chain.recv()
        frames += 1
    elapsed = time.monotonic() - started
    filtered = chain.stats().frames_filtered - before.frames_filtered
    chain.stop()
    return frames / elapsed, filtered / max(1, frames)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.filters", description=__doc__)
    parser.add_argument("--repeats", type=int, default=60, help="timed runs per figure")
    parser.add_argument("--seconds", type=float, default=5.0, help="per sustained-fps run")
    args = parser.parse_args()

    model = provision_model()
    picture = cover_resize(cv2.imread(f"{DATA}/messi5.jpg"), WIDTH, HEIGHT)
    i420 = to_i420(picture)
    segmenter = PersonSegmenter(model)
    smoother = MaskSmoother()
    confidence = segmenter.confidence(small_rgb_from_i420(i420))

    rows: list[tuple[str, float, float]] = []
    rows.append(
        (
            "segmentation: shrink to 256 px + RGB",
            *_time_ms(lambda: small_rgb_from_i420(i420), args.repeats),
        )
    )
    small = small_rgb_from_i420(i420)
    rows.append(
        (
            "segmentation: MediaPipe inference",
            *_time_ms(lambda: segmenter.confidence(small), args.repeats),
        )
    )
    rows.append(
        (
            "segmentation: smoothing + feather",
            *_time_ms(lambda: smoother.update(confidence), args.repeats),
        )
    )
    effects: list[VideoFilter] = [
        BackgroundBlurFilter(level) for level in ("light", "medium", "heavy")
    ]
    effects += [BackgroundImageFilter(f"{DATA}/baboon.jpg"), GrayscaleFilter()]
    for effect in effects:

        def composite(effect: VideoFilter = effect) -> None:
            mask = smoother.update(confidence) if effect.cost.needs_person_mask else None
            effect.apply(i420.copy(), mask)

        rows.append(
            (
                f"compositing: {effect.label} (incl. mask upscale)",
                *_time_ms(composite, args.repeats),
            )
        )
    frame = av.VideoFrame.from_ndarray(i420, format="yuv420p")
    rows.append(("frame in/out: to_ndarray + from_ndarray", *_time_ms(
        lambda: av.VideoFrame.from_ndarray(frame.to_ndarray(), format="yuv420p"), args.repeats
    )))  # fmt: skip
    segmenter.close()

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    threads = cv2.getNumThreads()
    print(f"\nVideo effects at {WIDTH}x{HEIGHT} — {cores} CPU cores, OpenCV threads {threads}")
    print(f"{'stage':<52} {'median ms':>10} {'p90 ms':>8}")
    for name, median, p90 in rows:
        print(f"{name:<52} {median:>10.2f} {p90:>8.2f}")
    by_name = {name: median for name, median, _ in rows}
    segmentation = sum(v for k, v in by_name.items() if k.startswith("segmentation"))
    io = by_name["frame in/out: to_ndarray + from_ndarray"]
    for label in ("Blur (medium)", "Image: baboon.jpg"):
        blend = by_name[f"compositing: {label} (incl. mask upscale)"]
        every = segmentation + blend + io
        half = segmentation / 2 + blend + io  # 15 masks a second on a 30 fps camera
        print(f"{'total per frame, ' + label + ', mask every frame':<52} {every:>10.2f}")
        print(f"{'total per frame, ' + label + ', mask every 2nd frame':<52} {half:>10.2f}")

    print(f"\n{'sustained output (FilterChainTrack)':<52} {'fps':>10} {'filtered':>8}")
    for fps, what in ((30.0, "30 fps camera"), (60.0, "60 fps camera")):
        for effect in (BackgroundBlurFilter("medium"), BackgroundImageFilter(f"{DATA}/baboon.jpg")):
            out_fps, share = asyncio.run(_sustained_fps(i420, effect, fps, args.seconds))
            print(f"{what + ', ' + effect.label:<52} {out_fps:>10.1f} {share:>7.0%}")


if __name__ == "__main__":
    main()
