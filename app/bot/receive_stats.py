"""Per-participant receive statistics of a bot: frames, fps, size, latency, PSNR, audio."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

import av
import numpy as np

from app.bot.frame_stamp import STAMP_HEIGHT_PX, STAMP_WIDTH_PX, luma_of, ms_since, read_stamp
from app.bot.quality import ReferenceVideo
from app.media import FrameSink

log = logging.getLogger(__name__)

QUALITY_EVERY_N_FRAMES = 3  # PSNR on every 3rd frame keeps a bot under ~1/4 core at 30 fps
SSIM_EVERY_N_FRAMES = 15  # SSIM (~10x PSNR's cost) twice a second at 30 fps
MAX_PLAUSIBLE_LATENCY_MS = 60_000  # a misread stamp gives a wild value: drop it
# A gap between two received frames longer than this is a freeze (the media-performance
# issue's definition; the W3C stats' freezeCount uses a frame-rate-relative threshold,
# which is 150-200 ms at 30 fps).
FREEZE_GAP_MS = 200.0


@dataclass
class ParticipantReceiveStats:
    """What one bot received from one remote session so far."""

    session_id: str
    user_id: str
    frames_received: int = 0
    frames_last_second: int = 0
    longest_gap_last_second_ms: float = 0.0  # the longest gap that ended in that second
    width: int = 0
    height: int = 0
    audio_level: float = 0.0
    latencies_ms: list[int] = field(default_factory=list)
    psnr_db: list[float] = field(default_factory=list)
    ssim: list[float] = field(default_factory=list)
    frame_indices: list[int] = field(default_factory=list)
    max_gap_ms: float = 0.0
    # (seconds after the first frame the freeze ended, gap ms) for each freeze: a freeze
    # at call start and one mid-call have different causes
    freeze_times: list[tuple[float, float]] = field(default_factory=list)
    video_bitrate_bps: int = 0
    audio_bitrate_bps: int = 0
    _last_frame_s: float | None = None
    _first_frame_s: float | None = None

    @property
    def freezes(self) -> int:
        """Gaps longer than ``FREEZE_GAP_MS`` so far."""
        return len(self.freeze_times)

    def summary(self) -> dict[str, Any]:
        finite_psnr = [p for p in self.psnr_db if np.isfinite(p)]
        return {
            "session_id": self.session_id,
            "user_id": self.user_id,
            "frames_received": self.frames_received,
            "fps": self.frames_last_second,
            "longest_gap_last_second_ms": round(self.longest_gap_last_second_ms, 1),
            "width": self.width,
            "height": self.height,
            "audio_level": round(self.audio_level, 4),
            "latency_ms_p50": _percentile(self.latencies_ms, 50),
            "latency_ms_p95": _percentile(self.latencies_ms, 95),
            "psnr_db_mean": round(float(np.mean(finite_psnr)), 2) if finite_psnr else None,
            "psnr_db_min": round(float(np.min(finite_psnr)), 2) if finite_psnr else None,
            "ssim_mean": round(float(np.mean(self.ssim)), 4) if self.ssim else None,
            "frames_compared": len(self.psnr_db),
            "distinct_frames": len(set(self.frame_indices)),
            "max_gap_ms": round(self.max_gap_ms, 1),
            "freezes": self.freezes,
            "freeze_times": [[round(t, 2), round(g, 1)] for t, g in self.freeze_times],
            "first_frame_monotonic_s": self._first_frame_s,
            "video_bitrate_bps": self.video_bitrate_bps,
            "audio_bitrate_bps": self.audio_bitrate_bps,
        }


class ReceiveMonitor:
    """Watches one remote participant's ``FrameSink``: counts every frame, reads stamps
    (when ``read_stamps``) and measures PSNR against ``reference`` on a sample of frames.

    With ``quality_executor`` (one worker thread, shared by the monitors of one
    reference) the PSNR/SSIM comparisons run there, off the loop thread that also
    receives and paints video: measuring quality must not delay the frames whose latency
    is measured. A sample due while the worker is still busy is skipped."""

    def __init__(
        self,
        stats: ParticipantReceiveStats,
        sink: FrameSink,
        *,
        read_stamps: bool,
        reference: ReferenceVideo | None,
        clock: Any,
        quality_executor: Executor | None = None,
    ) -> None:
        self.stats = stats
        self._quality_executor = quality_executor
        self._quality_pending: Future[None] | None = None
        self.sink = sink
        self._read_stamps = read_stamps
        self._reference = reference
        self._clock = clock
        self._count_this_second = 0
        self._longest_gap_this_second_ms = 0.0
        self._bytes: dict[str, int] = {}
        self.unsubscribe = sink.add_listener(self._on_frame)

    def _on_frame(self) -> None:
        frame = self.sink.latest()
        if frame is None:
            return
        stats = self.stats
        now_s = self._clock()
        if stats._last_frame_s is not None:
            gap_ms = (now_s - stats._last_frame_s) * 1000
            stats.max_gap_ms = max(stats.max_gap_ms, gap_ms)
            self._longest_gap_this_second_ms = max(self._longest_gap_this_second_ms, gap_ms)
            if gap_ms > FREEZE_GAP_MS:
                stats.freeze_times.append((now_s - (stats._first_frame_s or now_s), gap_ms))
        else:
            stats._first_frame_s = now_s
        stats._last_frame_s = now_s
        stats.frames_received += 1
        self._count_this_second += 1
        stats.width, stats.height = frame.width, frame.height
        if not self._read_stamps or frame.width < STAMP_WIDTH_PX or frame.height < STAMP_HEIGHT_PX:
            return
        index, capture_ms = read_stamp(luma_of(frame))
        latency_ms = ms_since(capture_ms)
        if latency_ms < MAX_PLAUSIBLE_LATENCY_MS:
            stats.latencies_ms.append(latency_ms)
        stats.frame_indices.append(index)
        if self._reference is not None and stats.frames_received % QUALITY_EVERY_N_FRAMES == 0:
            with_ssim = stats.frames_received % SSIM_EVERY_N_FRAMES == 0
            if self._quality_executor is None:
                self._measure_quality(frame, index, with_ssim)
            elif self._quality_pending is None or self._quality_pending.done():
                self._quality_pending = self._quality_executor.submit(
                    self._measure_quality, frame, index, with_ssim
                )

    def _measure_quality(self, frame: av.VideoFrame, index: int, with_ssim: bool) -> None:
        reference = self._reference
        if reference is None:
            return
        try:
            quality = reference.compare(frame, index, with_ssim=with_ssim)
        except Exception as exc:  # a bad reference must not stop the bot
            log.warning("quality measurement failed: %s", exc)
            self._reference = None
            return
        if quality is not None:
            psnr, similarity = quality
            self.stats.psnr_db.append(psnr)
            if similarity is not None:
                self.stats.ssim.append(similarity)

    def tick_second(self, inbound_bytes: dict[str, int], elapsed_s: float) -> None:
        """Close one reporting interval: fps, and bitrates from byte totals by kind
        (``{"audio": n, "video": n}``, from the remote sender's reports)."""
        self.stats.frames_last_second = self._count_this_second
        self.stats.longest_gap_last_second_ms = self._longest_gap_this_second_ms
        self._count_this_second = 0
        self._longest_gap_this_second_ms = 0.0
        if elapsed_s > 0:
            for kind, total in inbound_bytes.items():
                previous = self._bytes.get(kind, total)
                rate_bps = int((total - previous) * 8 / elapsed_s)
                setattr(self.stats, f"{kind}_bitrate_bps", max(rate_bps, 0))
        self._bytes = dict(inbound_bytes)


def _percentile(values: list[int], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None
