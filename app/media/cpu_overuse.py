"""CPU adaptation: when the process cannot keep up, send video at half the frame rate.

libwebrtc watches how long encoding takes against the frame interval and, when the CPU
is overused, lowers the resolution or the frame rate it sends (``qualityLimitationReason
"cpu"`` in W3C stats). Parley's media work all meets on one event loop — RTP in and out,
frame delivery and, in the app, painting — so the loop's own lateness is the measure:
:class:`CpuOveruseDetector` sleeps ``SAMPLE_INTERVAL_S`` at a time and records how late
it wakes. Without it, four painting participants on two cores kept every stream between
0 and 25 fps, and senders that fell out of step made keyframe after keyframe; at half the
frame rate the same machine sends fewer, steadier frames.

Rule (hysteresis as in libwebrtc's overuse detector, which acts after a sustained
overuse and recovers slowly): over the last ``OVERUSE_WINDOW`` samples a mean lateness
above ``OVERUSE_LAG_MS`` halves the frame rate; over the last ``UNDERUSE_WINDOW`` samples
a mean below ``UNDERUSE_LAG_MS`` restores it; a decision waits ``HOLD_S`` after the last
one. Halving drops odd picture indices, the same ones at every sender of a picture, so
the senders of a shared encoder stay in step (``app.media.webrtc.shared_encoding``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
from collections import deque

log = logging.getLogger(__name__)

SAMPLE_INTERVAL_S = 0.1
OVERUSE_WINDOW = 20  # 2 s
UNDERUSE_WINDOW = 100  # 10 s
OVERUSE_LAG_MS = 50.0
UNDERUSE_LAG_MS = 6.0
HOLD_S = 4.0


class CpuOveruseDetector:
    """How much to cut the sent frame rate: :attr:`frame_rate_divisor` is 1 (all
    pictures) or 2 (every other one). :meth:`start` on the running loop, :meth:`stop`
    when done; :meth:`add_sample` feeds a lateness directly (what the sampling task
    does)."""

    def __init__(self) -> None:
        self.frame_rate_divisor = 1
        self.changes = 0
        self._lags_ms: deque[float] = deque(maxlen=UNDERUSE_WINDOW)
        self._since_change_s = HOLD_S
        self._task: asyncio.Task[None] | None = None

    @property
    def mean_lag_ms(self) -> float | None:
        """Mean lateness of the loop over the last ``OVERUSE_WINDOW`` samples."""
        recent = list(self._lags_ms)[-OVERUSE_WINDOW:]
        return statistics.fmean(recent) if recent else None

    def stats(self) -> dict[str, float | int | None]:
        """``{"frame_rate_divisor": 1 or 2, "loop_lag_ms": mean_lag_ms, "changes": n}``."""
        return {
            "frame_rate_divisor": self.frame_rate_divisor,
            "loop_lag_ms": self.mean_lag_ms,
            "changes": self.changes,
        }

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._sample(), name="cpu overuse detector"
            )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def add_sample(self, lag_ms: float, interval_s: float = SAMPLE_INTERVAL_S) -> None:
        """Record that the loop woke ``lag_ms`` late, ``interval_s`` after the last
        sample, and decide."""
        self._lags_ms.append(max(0.0, lag_ms))
        self._since_change_s += interval_s
        if self._since_change_s < HOLD_S:
            return
        lags = list(self._lags_ms)
        if self.frame_rate_divisor == 1 and len(lags) >= OVERUSE_WINDOW:
            if statistics.fmean(lags[-OVERUSE_WINDOW:]) > OVERUSE_LAG_MS:
                self._change(2)
        elif self.frame_rate_divisor == 2 and len(lags) >= UNDERUSE_WINDOW:
            if statistics.fmean(lags) < UNDERUSE_LAG_MS:
                self._change(1)

    def _change(self, divisor: int) -> None:
        log.info(
            "CPU %s: sending video at 1/%d of the frame rate (loop %.0f ms late on average)",
            "overused" if divisor > 1 else "recovered",
            divisor,
            self.mean_lag_ms or 0.0,
        )
        self.frame_rate_divisor = divisor
        self.changes += 1
        self._since_change_s = 0.0
        self._lags_ms.clear()

    async def _sample(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(SAMPLE_INTERVAL_S)
            elapsed = loop.time() - before
            self.add_sample((elapsed - SAMPLE_INTERVAL_S) * 1000, elapsed)
