"""Latest-frame-only holder between a video track and whatever paints it."""

import logging
from collections.abc import Callable

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

__all__ = ["FrameSink"]

logger = logging.getLogger(__name__)


class FrameSink:
    """Keeps only the newest frame of one video track (ARCHITECTURE.md, "State flow" 5).

    A painter that is slower than the track simply sees fewer frames: nothing is ever
    queued. All methods are for the loop thread; listeners are called synchronously on
    it right after :meth:`put` and should only schedule a repaint, then read
    :meth:`latest` when they paint.
    """

    def __init__(self) -> None:
        self._frame: av.VideoFrame | None = None
        self._frame_count = 0
        self._listeners: list[Callable[[], None]] = []

    @property
    def frame_count(self) -> int:
        """Frames put since creation (painted or not)."""
        return self._frame_count

    @property
    def frame_size(self) -> tuple[int, int] | None:
        """``(width, height)`` in pixels of the latest frame, or None before the first."""
        if self._frame is None:
            return None
        return (self._frame.width, self._frame.height)

    def latest(self) -> av.VideoFrame | None:
        """The newest frame, or None before the first. Treat it as read-only."""
        return self._frame

    def put(self, frame: av.VideoFrame) -> None:
        """Replace the held frame and notify listeners (loop thread only).

        A listener that raises is logged and does not stop the others.
        """
        self._frame = frame
        self._frame_count += 1
        for listener in tuple(self._listeners):
            try:
                listener()
            except Exception:
                logger.exception("FrameSink listener failed")

    def add_listener(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` after every :meth:`put`; return a function that unsubscribes."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return unsubscribe

    async def consume(self, track: MediaStreamTrack) -> None:
        """Put every video frame of ``track`` until it ends (``MediaStreamError``).

        Used for every remote video track: ``asyncio.create_task(sink.consume(track))``.
        Cancel the task to stop early.
        """
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if isinstance(frame, av.VideoFrame):
                self.put(frame)
