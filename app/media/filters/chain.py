"""``FilterChainTrack``: the video-filter stage between a camera and everything that reads
it (preview, every sender), switchable while the call runs.

Two worker threads per chain keep filtering off the asyncio/GUI thread: one composites
each frame, one runs segmentation. Video never waits on a slow stage:

* segmentation runs on at most one frame at a time; the compositor waits for it only
  ``mask_wait_s`` and otherwise reuses the newest mask — when inference cannot keep up,
  masks simply arrive at a lower rate than frames. Masks are also capped at
  ``max_segmentation_fps`` (15: every other frame of a 30 fps camera, which the temporal
  smoothing hides, and it halves the ~6 ms inference cost per frame);
* a frame whose filtering takes longer than ``frame_timeout_s`` (a hung or very slow
  filter) is sent unfiltered, and so is every frame while that work is still running;
* a filter that raises, returns garbage, or needs a model that is unavailable is taken out
  of the chain and its message appears in :attr:`FilterChainTrack.status`; the camera goes
  on unfiltered (never black).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from aiortc import MediaStreamTrack

from app.media.filters.base import FilterUnavailable, PersonMask, VideoFilter
from app.media.filters.compositing import cv2, to_i420
from app.media.filters.model_store import find_model
from app.media.filters.segmentation import MaskSmoother, PersonSegmenter, small_rgb_from_i420
from app.media.frame_convert import FrameConverter

__all__ = ["FilterChainStats", "FilterChainStatus", "FilterChainTrack", "run_filter"]

log = logging.getLogger(__name__)

# Weight of a new sample in the running averages of the stats.
_EMA_WEIGHT = 0.1
# After this long without a mask being asked for (effects were off), the last mask belongs
# to another scene: wait for a fresh one as for the very first.
_STALE_MASK_S = 0.5


@dataclass(frozen=True, slots=True)
class FilterChainStats:
    """Timing of one chain (its own report for the call stats).

    ``frames_in``: frames read from the source; ``frames_filtered``: sent with at least
    one effect applied; ``frames_unfiltered``: sent as they came although effects were
    chosen (worker busy, timeout, no mask yet). ``filter_ms``/``segmentation_ms``: running
    averages of CPU wall time per frame / per inference; ``segmentations``: inferences run;
    ``mask_reuses``: frames composited with a mask from an earlier frame.
    """

    frames_in: int
    frames_filtered: int
    frames_unfiltered: int
    timeouts: int
    filter_ms: float
    segmentation_ms: float
    segmentations: int
    mask_reuses: int


@dataclass(frozen=True, slots=True)
class FilterChainStatus:
    """What the user chose and what is wrong: ``active`` labels of the filters in the
    chain, ``problems`` messages fit to show (model missing, a filter that failed)."""

    active: tuple[str, ...]
    problems: tuple[str, ...]


class FilterChainTrack(MediaStreamTrack):
    """A video track that applies a list of :class:`VideoFilter` to ``source``'s frames.

    ``model_path``: the segmentation model from settings (else the user cache, see
    :func:`find_model`). ``segmenter_factory`` replaces how the segmenter is made (it runs
    on the segmentation thread and may raise ``FilterUnavailable``). With no filters the
    track passes frames through untouched, at no cost. :meth:`set_filters`,
    :attr:`status`, :meth:`stats` and :meth:`subscribe` are for the loop thread.
    """

    kind = "video"

    def __init__(
        self,
        source: MediaStreamTrack,
        *,
        model_path: str | Path | None = None,
        segmenter_factory: Callable[[], PersonSegmenter] | None = None,
        frame_timeout_s: float = 0.25,
        mask_wait_s: float = 0.015,
        first_mask_wait_s: float = 1.0,
        max_segmentation_fps: float = 15.0,
    ) -> None:
        super().__init__()
        self._source = source
        self._converter = FrameConverter()  # the compositor thread's
        self._segmenter_factory = segmenter_factory or (
            lambda: PersonSegmenter(find_model(model_path))
        )
        self._frame_timeout_s = frame_timeout_s
        self._mask_wait_s = mask_wait_s
        self._first_mask_wait_s = first_mask_wait_s
        self._segmentation_interval_s = 1.0 / max_segmentation_fps
        self._inference_started_s = 0.0
        self._filters: tuple[VideoFilter, ...] = ()
        self._problems: tuple[str, ...] = ()
        self._reported_status: FilterChainStatus | None = None
        self._listeners: list[Callable[[], None]] = []
        self._latest_input: av.VideoFrame | None = None
        self._in_flight: asyncio.Future[_Processed] | None = None
        self._stopped = False
        self._compositor = concurrent.futures.ThreadPoolExecutor(1, "parley-filters")
        self._segmentation = concurrent.futures.ThreadPoolExecutor(1, "parley-segmentation")
        # Owned by the compositor thread:
        self._broken: set[int] = set()  # id() of filters that failed
        self._inference: concurrent.futures.Future[None] | None = None
        self._mask_asked_s = 0.0  # when a mask was last asked for
        # Written by the segmentation thread, read by the compositor (atomic rebinding):
        self._segmenter: PersonSegmenter | None = None
        self._segmenter_error: FilterUnavailable | None = None
        self._smoother = MaskSmoother()
        self._mask: PersonMask | None = None
        # Stats (each written by one thread):
        self._frames_in = self._frames_filtered = self._frames_unfiltered = 0
        self._timeouts = self._segmentations = self._mask_reuses = 0
        self._filter_ms = self._segmentation_ms = 0.0

    # --- control (loop thread) ----------------------------------------------------------

    @property
    def filters(self) -> tuple[VideoFilter, ...]:
        """The filters applied, in order."""
        return self._filters

    def set_filters(self, filters: Sequence[VideoFilter]) -> None:
        """Apply ``filters`` (in order) from the next frame on; an empty list turns effects
        off. Filters that leave the chain are closed on the worker thread. A new choice
        also retries a segmentation model that was unavailable (it may have been
        downloaded since)."""
        new = tuple(filters)
        if self._stopped:
            raise RuntimeError("set_filters() on a stopped FilterChainTrack")
        for old in self._filters:
            if all(old is not f for f in new):
                self._close_later(old)
        self._filters = new
        self._problems = ()
        self._segmenter_error = None
        self._notify()

    @property
    def status(self) -> FilterChainStatus:
        problems = self._problems
        error = self._segmenter_error
        if error is not None and any(f.cost.needs_person_mask for f in self._filters):
            problems = (str(error), *problems)
        return FilterChainStatus(tuple(f.label for f in self._filters), problems)

    def stats(self) -> FilterChainStats:
        return FilterChainStats(
            frames_in=self._frames_in,
            frames_filtered=self._frames_filtered,
            frames_unfiltered=self._frames_unfiltered,
            timeouts=self._timeouts,
            filter_ms=round(self._filter_ms, 2),
            segmentation_ms=round(self._segmentation_ms, 2),
            segmentations=self._segmentations,
            mask_reuses=self._mask_reuses,
        )

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener()`` on the loop thread whenever :attr:`status` may have changed;
        returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def latest_input_frame(self) -> av.VideoFrame | None:
        """The newest unfiltered camera frame (for effect previews); read-only."""
        return self._latest_input

    # --- MediaStreamTrack -----------------------------------------------------------------

    async def recv(self) -> av.VideoFrame:
        frame: av.VideoFrame = await self._source.recv()  # type: ignore[assignment]
        self._latest_input = frame
        self._frames_in += 1
        filters = self._filters
        if not filters:
            return frame
        if self._in_flight is not None and not self._in_flight.done():
            self._frames_unfiltered += 1  # the last frame's work is still running: skip
            return frame
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self._compositor, self._process, frame, filters)
        self._in_flight = work
        work.add_done_callback(self._processed)
        try:
            result = await asyncio.wait_for(asyncio.shield(work), self._frame_timeout_s)
        except TimeoutError:
            self._timeouts += 1
            self._frames_unfiltered += 1
            return frame
        if result.frame is None:
            self._frames_unfiltered += 1
            return frame
        self._frames_filtered += 1
        return result.frame

    def stop(self) -> None:
        """Stop the source and the worker threads (idempotent)."""
        if self._stopped:
            return
        for filter_ in self._filters:
            self._close_later(filter_)
        self._stopped = True
        self._filters = ()
        super().stop()
        self._source.stop()
        self._segmentation.submit(self._close_segmenter)
        self._compositor.shutdown(wait=False)
        self._segmentation.shutdown(wait=False)

    # --- loop-thread bookkeeping --------------------------------------------------------

    def _processed(self, work: asyncio.Future[_Processed]) -> None:
        if work.cancelled():
            return
        error = work.exception()
        if error is not None:  # a bug of the chain itself: log it, video goes on unfiltered
            log.error("video filter chain failed", exc_info=error)
            return
        failures = work.result().failures
        if not failures:
            if self.status != self._reported_status:  # e.g. the model turned out unavailable
                self._notify()
            return
        failed_ids = {id(f) for f, _ in failures}
        self._filters = tuple(f for f in self._filters if id(f) not in failed_ids)
        self._problems = (*self._problems, *(message for _, message in failures))
        for filter_, _ in failures:
            self._close_later(filter_)
        self._notify()

    def _close_later(self, filter_: VideoFilter) -> None:
        # On the compositor thread, after any frame it is working on.
        if not self._stopped:
            self._compositor.submit(_close_quietly, filter_)

    def _notify(self) -> None:
        self._reported_status = self.status
        for listener in tuple(self._listeners):
            try:
                listener()
            except Exception:
                log.exception("filter chain listener failed")

    # --- compositor thread --------------------------------------------------------------

    def _process(self, frame: av.VideoFrame, filters: tuple[VideoFilter, ...]) -> _Processed:
        started = time.perf_counter()
        if frame.width % 2 or frame.height % 2:
            return _Processed(None, [])  # I420 needs even sizes; cameras deliver them
        if frame.format.name != "yuv420p":
            frame = self._converter.convert(frame, format="yuv420p")
        image = frame.to_ndarray()  # a copy: the relay shares `frame` with other readers
        failures: list[tuple[VideoFilter, str]] = []
        mask: PersonMask | None = None
        if any(f.cost.needs_person_mask for f in filters if id(f) not in self._broken):
            mask = self._person_mask(image)
        applied = 0
        for filter_ in filters:
            if id(filter_) in self._broken or (filter_.cost.needs_person_mask and mask is None):
                continue
            try:
                image = run_filter(filter_, image, mask)
            except Exception as exc:
                log.warning("video filter %s failed", filter_.label, exc_info=True)
                self._broken.add(id(filter_))
                failures.append(
                    (filter_, f"The effect {filter_.label!r} failed and was turned off: {exc}")
                )
                continue
            applied += 1
        if not applied:
            return _Processed(None, failures)
        out = av.VideoFrame.from_ndarray(image, format="yuv420p")
        out.pts, out.time_base = frame.pts, frame.time_base
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._filter_ms += (
            _EMA_WEIGHT * (elapsed_ms - self._filter_ms) if self._filter_ms else elapsed_ms
        )
        return _Processed(out, failures)

    def _person_mask(self, image: np.ndarray) -> PersonMask | None:
        if self._segmenter_error is not None:
            return None
        previous = self._mask
        now_s = time.monotonic()
        fresh = previous is not None and now_s - self._mask_asked_s < _STALE_MASK_S
        self._mask_asked_s = now_s
        inference = self._inference
        due = not fresh or now_s - self._inference_started_s >= self._segmentation_interval_s
        if due and (inference is None or inference.done()):
            inference = self._segmentation.submit(self._segment, small_rgb_from_i420(image))
            self._inference, self._inference_started_s = inference, now_s
        if inference is not None:
            try:
                inference.result(timeout=self._mask_wait_s if fresh else self._first_mask_wait_s)
            except concurrent.futures.TimeoutError:
                pass
            except FilterUnavailable:
                return None
        mask = self._mask
        if mask is not None and mask is previous:
            self._mask_reuses += 1
        return mask

    # --- segmentation thread ------------------------------------------------------------

    def _segment(self, rgb: np.ndarray) -> None:
        if self._segmenter is None:
            try:
                self._segmenter = self._segmenter_factory()
            except FilterUnavailable as exc:
                log.warning("background effects unavailable: %s", exc)
                self._segmenter_error = exc
                raise
        started = time.perf_counter()
        mask = self._smoother.update(self._segmenter.confidence(rgb))
        self._mask = mask
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._segmentations += 1
        self._segmentation_ms += (
            _EMA_WEIGHT * (elapsed_ms - self._segmentation_ms)
            if self._segmentation_ms
            else elapsed_ms
        )

    def _close_segmenter(self) -> None:
        if self._segmenter is not None:
            self._segmenter.close()
            self._segmenter = None


@dataclass(slots=True)
class _Processed:
    frame: av.VideoFrame | None  # None: send the source frame as it is
    failures: list[tuple[VideoFilter, str]]


def run_filter(filter_: VideoFilter, image: np.ndarray, mask: PersonMask | None) -> np.ndarray:
    """Run one filter on an I420 ``image``, converting to and from its ``pixel_format``.

    Raises what the filter raises, and ``ValueError`` when it returns a malformed image.
    """
    given = image
    if filter_.pixel_format == "bgr24":
        given = np.asarray(cv2.cvtColor(image, cv2.COLOR_YUV2BGR_I420))
    result = filter_.apply(given, mask if filter_.cost.needs_person_mask else None)
    if (
        not isinstance(result, np.ndarray)
        or result.shape != given.shape
        or result.dtype != np.uint8
    ):
        shape = getattr(result, "shape", type(result).__name__)
        raise ValueError(f"returned {shape}, expected a uint8 image of shape {given.shape}")
    return to_i420(result) if filter_.pixel_format == "bgr24" else result


def _close_quietly(filter_: VideoFilter) -> None:
    try:
        filter_.close()
    except Exception:
        log.warning("closing video filter %s failed", filter_.label, exc_info=True)
