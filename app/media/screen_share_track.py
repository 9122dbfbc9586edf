"""The screen-share video track: frames pushed from outside (a Qt screen capture, a bot,
a test), sent newest-first at the screen-share encoding profile.

Stream's screen-share defaults favour resolution over frame rate (text must stay
readable; motion matters less): up to 1920x1080 at 5–15 fps, adjustable
(``ScreenShareProfile``). The W3C equivalent is ``contentHint = "detail"`` with
``degradationPreference = "maintain-resolution"``; aiortc has neither, so this track
keeps the resolution and caps the frame rate itself, and the encoder's bitrate follows
the receiver's estimate (REMB) as for the camera.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Literal

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import VIDEO_TIME_BASE, MediaStreamError

from app.media.frame_convert import FrameConverter
from app.media.frame_sink import FrameSink

__all__ = ["PushFormat", "ScreenShareProfile", "ScreenShareTrack", "fit_size"]

VIDEO_CLOCK_RATE = 90000
PushFormat = Literal["rgb24", "bgr24", "rgba", "bgra", "argb", "abgr", "yuv420p"]


@dataclass(frozen=True)
class ScreenShareProfile:
    """How a screen share is encoded: the picture is scaled down (aspect kept) to fit in
    ``max_width`` x ``max_height`` pixels, and at most ``max_fps`` frames per second are
    sent. An unchanged screen is sent again every ``idle_resend_s`` seconds so a receiver
    that lost a frame (or joined late) still converges on the current picture.

    Defaults: Stream's screen-share profile (1080p, 15 fps at most; 5 fps is the low end
    of its range). Raises ``ValueError`` for non-positive values.
    """

    max_width: int = 1920
    max_height: int = 1080
    max_fps: float = 15.0
    idle_resend_s: float = 1.0

    def __post_init__(self) -> None:
        if min(self.max_width, self.max_height, self.max_fps, self.idle_resend_s) <= 0:
            raise ValueError(f"invalid screen-share profile {self}")


def fit_size(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """``(width, height)`` scaled down (never up) to fit ``max_width`` x ``max_height``,
    aspect ratio kept, both rounded down to even numbers (I420 halves chroma), at least 2."""
    scale = min(1.0, max_width / width, max_height / height)
    return (max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2))


class ScreenShareTrack(MediaStreamTrack):
    """A video track fed by :meth:`push` from any thread; :meth:`recv` returns the newest
    pushed frame, at most ``profile.max_fps`` per second.

    Latest-frame-only: a frame pushed before the previous one was sent replaces it (counted
    in :attr:`frames_replaced`); nothing is queued, so a 60 fps capture costs only the
    conversions of the frames actually sent. Output frames are yuv420p, sized by
    :func:`fit_size` to the profile, ``pts`` in 1/90000 s from the first sent frame.
    :attr:`preview_sink` gets every sent frame (the sharer's own view of the share).

    ``recv`` and ``stop`` run on the loop thread; ``push`` on any thread.
    """

    kind = "video"

    def __init__(self, profile: ScreenShareProfile | None = None) -> None:
        super().__init__()
        self.profile = profile or ScreenShareProfile()
        self.preview_sink = FrameSink()
        self._converter = FrameConverter()  # for _to_i420, on the capture thread
        self._lock = threading.Lock()
        self._latest: av.VideoFrame | None = None  # pushed, not yet sent
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pushed = asyncio.Event()
        self._last_sent: np.ndarray | None = None  # I420 planes of the last frame sent
        self._start_s: float | None = None
        self._next_send_s = 0.0
        self._last_send_s = 0.0
        self.frames_pushed = 0
        self.frames_replaced = 0
        self.frames_sent = 0

    def push(self, image: av.VideoFrame | np.ndarray, pixel_format: PushFormat = "rgb24") -> bool:
        """Offer a new picture of the shared screen; thread-safe, never blocks.

        ``image`` is an ``av.VideoFrame`` (any format) or an ``np.ndarray`` of uint8:
        (height, width, 3) for ``rgb24``/``bgr24``, (height, width, 4) for the packed
        32-bit formats (``rgba``, ``bgra``, ``argb``, ``abgr``; alpha is ignored),
        (height * 3 // 2, width) for ``yuv420p``. The track takes it over: do not
        write to it afterwards. Returns False once the track has ended (the picture is
        dropped). Raises ``ValueError`` for an array that does not match ``pixel_format``.
        """
        if self.readyState != "live":
            return False
        frame = (
            image
            if isinstance(image, av.VideoFrame)
            else av.VideoFrame.from_ndarray(image, format=pixel_format)
        )
        with self._lock:
            if self._latest is not None:
                self.frames_replaced += 1
            self._latest = frame
            self.frames_pushed += 1
            loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._pushed.set)
            except RuntimeError:  # the loop closed: nobody reads this track any more
                return False
        return True

    async def recv(self) -> av.VideoFrame:
        """The next frame to send: the newest pushed picture once ``1 / max_fps`` has
        passed since the previous one, or the previous picture again after
        ``idle_resend_s`` without a push. Raises ``MediaStreamError`` once stopped."""
        with self._lock:
            self._loop = asyncio.get_running_loop()
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            now_s = time.monotonic()
            if now_s < self._next_send_s:
                await asyncio.sleep(self._next_send_s - now_s)
                continue
            self._pushed.clear()
            with self._lock:
                frame, self._latest = self._latest, None
            if frame is not None:
                self._last_sent = self._to_i420(frame)
                return self._emit()
            if self._last_sent is not None:
                idle_s = self._last_send_s + self.profile.idle_resend_s - now_s
                if idle_s <= 0:
                    return self._emit()
            else:
                idle_s = self.profile.idle_resend_s
            try:
                await asyncio.wait_for(self._pushed.wait(), idle_s)
            except TimeoutError:
                pass

    def stop(self) -> None:
        """End the track: :meth:`recv` raises ``MediaStreamError``, :meth:`push` drops."""
        super().stop()
        with self._lock:
            self._latest = None
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._pushed.set)

    def _to_i420(self, frame: av.VideoFrame) -> np.ndarray:
        width, height = fit_size(
            frame.width, frame.height, self.profile.max_width, self.profile.max_height
        )
        if (width, height, frame.format.name) != (frame.width, frame.height, "yuv420p"):
            # AREA averages every source pixel: thin lines and small text survive the
            # downscale instead of aliasing away as with bilinear taps.
            frame = self._converter.convert(
                frame, width=width, height=height, format="yuv420p", interpolation="AREA"
            )
        return frame.to_ndarray()

    def _emit(self) -> av.VideoFrame:
        # A new frame object every time: a MediaRelay hands it to several senders whose
        # encoders may still be reading the previous one.
        assert self._last_sent is not None
        frame = av.VideoFrame.from_ndarray(self._last_sent, format="yuv420p")
        now_s = time.monotonic()
        if self._start_s is None:
            self._start_s = now_s
        frame.pts = round((now_s - self._start_s) * VIDEO_CLOCK_RATE)
        frame.time_base = VIDEO_TIME_BASE
        self._last_send_s = now_s
        self._next_send_s = now_s + 1.0 / self.profile.max_fps
        self.frames_sent += 1
        self.preview_sink.put(frame)
        return frame
