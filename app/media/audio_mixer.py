"""Mixes the audio of remote tracks into one output, with a jitter FIFO per source."""

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from app.media.levels import LevelMeter

__all__ = ["AudioMixer"]

logger = logging.getLogger(__name__)


class _JitterFifo:
    """int16 samples waiting for playout, primed to ``target`` samples and capped at ``limit``.

    Playout starts once ``target`` samples are queued (and again after an underrun), so
    network jitter up to ``target`` is absorbed; beyond ``limit`` the oldest audio is
    dropped back to ``target`` so latency cannot build up.
    """

    def __init__(self, target: int, limit: int) -> None:
        self._target = target
        self._limit = limit
        self._chunks: deque[np.ndarray] = deque()
        self._size = 0
        self._primed = False
        self.dropped_samples = 0
        self.underruns = 0

    def push(self, samples: np.ndarray) -> None:
        self._chunks.append(samples)
        self._size += samples.size
        if self._size > self._limit:
            excess = self._size - self._target
            self.dropped_samples += excess
            self._take(excess)

    def pull(self, count: int) -> np.ndarray | None:
        """``count`` samples (zero-padded on underrun), or None while priming."""
        if not self._primed:
            if self._size < self._target:
                return None
            self._primed = True
        out = np.zeros(count, np.int16)
        available = min(count, self._size)
        out[:available] = self._take(available)
        if available < count:
            self._primed = False
            self.underruns += 1
        return out

    def _take(self, count: int) -> np.ndarray:
        parts: list[np.ndarray] = []
        needed = count
        while needed > 0:
            head = self._chunks[0]
            if head.size <= needed:
                parts.append(self._chunks.popleft())
                needed -= head.size
            else:
                parts.append(head[:needed])
                self._chunks[0] = head[needed:]
                needed = 0
        self._size -= count
        return np.concatenate(parts) if parts else np.zeros(0, np.int16)


class _Source:
    def __init__(self, fifo: _JitterFifo) -> None:
        self.fifo = fifo
        self.gain = 1.0
        self.meter = LevelMeter()
        self.task: asyncio.Task[None] | None = None


class AudioMixer:
    """Mixes remote audio tracks for one output device (``sample_rate`` Hz, ``channels``).

    Each source added with :meth:`add_source` gets a task on the loop pulling its frames,
    resampling them to mono s16 at ``sample_rate`` into a jitter FIFO (playout starts at
    ``target_delay_ms`` queued; audio beyond ``max_delay_ms`` is dropped). An output pulls
    with :meth:`read`, possibly from PortAudio's callback thread: the FIFOs are guarded by
    a lock, held only for copies. Sources with gain 0 are still drained, so unmuting
    plays current audio, not stale audio.
    """

    def __init__(
        self,
        sample_rate: int = 48000,
        channels: int = 1,
        *,
        target_delay_ms: float = 60.0,
        max_delay_ms: float = 200.0,
    ) -> None:
        self.sample_rate = sample_rate
        self.channels = channels
        self._target = round(sample_rate * target_delay_ms / 1000)
        self._limit = round(sample_rate * max_delay_ms / 1000)
        self._sources: dict[str, _Source] = {}
        self._taps: list[Callable[[np.ndarray], None]] = []
        self._lock = threading.Lock()

    def add_source(self, key: str, track: MediaStreamTrack, *, gain: float = 1.0) -> None:
        """Mix ``track`` (an audio track) under ``key`` at linear ``gain``, replacing any
        source with that key.

        Must be called on the loop thread. The track is read until it ends or
        :meth:`remove_source`; the mixer does not stop it. A track of a suspended call is
        added at gain 0, so not one block of it is heard before the call resumes.
        """
        self.remove_source(key)
        source = _Source(_JitterFifo(self._target, self._limit))
        source.gain = max(0.0, gain)
        with self._lock:
            self._sources[key] = source
        source.task = asyncio.get_running_loop().create_task(
            self._pull(track, source), name=f"audio-mixer:{key}"
        )

    def remove_source(self, key: str) -> None:
        """Stop mixing ``key`` (no error if absent)."""
        with self._lock:
            source = self._sources.pop(key, None)
        if source is not None and source.task is not None:
            source.task.cancel()

    def set_gain(self, key: str, gain: float) -> None:
        """Linear gain of ``key`` in the mix; 0.0 takes it out (suspend, ducking).

        Raises ``KeyError`` for an unknown key.
        """
        with self._lock:
            self._sources[key].gain = max(0.0, gain)

    def gain(self, key: str) -> float:
        """Linear gain of ``key`` in the mix. Raises ``KeyError`` for an unknown key."""
        with self._lock:
            return self._sources[key].gain

    def source_level(self, key: str) -> float:
        """RMS level (0..1) of what ``key`` received over the last 100 ms, at any gain;
        0.0 for a key that is not (or not yet) mixed — a participant whose audio track has
        not arrived is silent, not an error."""
        source = self._sources.get(key)
        return source.meter.level() if source is not None else 0.0

    def keys(self) -> list[str]:
        """Keys of the sources being mixed."""
        return list(self._sources)

    def add_tap(self, callback: Callable[[np.ndarray], None]) -> Callable[[], None]:
        """Call ``callback(block)`` with every block :meth:`read` returns; return unsubscribe.

        Taps run on the thread calling :meth:`read` (PortAudio's for a device output) and
        must be quick; the block must not be modified.
        """
        self._taps.append(callback)

        def unsubscribe() -> None:
            if callback in self._taps:
                self._taps.remove(callback)

        return unsubscribe

    def read(self, frames: int) -> np.ndarray:
        """Mix the next ``frames`` samples: int16 of shape (frames, channels), saturating.

        Sources that are priming or empty contribute silence. Thread-safe.
        """
        mix = np.zeros(frames, np.float32)
        with self._lock:
            for source in self._sources.values():
                block = source.fifo.pull(frames)
                if block is not None and source.gain > 0.0:
                    mix += block.astype(np.float32) * source.gain
        out = np.clip(mix, -32768, 32767).astype(np.int16)
        out = np.repeat(out[:, np.newaxis], self.channels, axis=1)
        for tap in tuple(self._taps):
            tap(out)
        return out

    async def _pull(self, track: MediaStreamTrack, source: _Source) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=self.sample_rate)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.AudioFrame):
                continue
            for resampled in resampler.resample(frame):
                samples = resampled.to_ndarray().reshape(-1)
                source.meter.add(samples)
                with self._lock:
                    source.fifo.push(samples)
