"""Base classes for local sources that produce frames on their own clock.

A camera or microphone produces frames whether or not anybody reads them (the Lobby
shows the preview and the level meter before any peer connection exists). Frames are
produced off the loop (a worker thread, or PortAudio's callback thread) and handed to
the loop with ``loop.call_soon_threadsafe``, as aiortc's ``contrib/media.py`` does.
On the loop they go into a small bounded queue that drops its oldest frame when a slow
reader falls behind: a live source bounds latency rather than buffering.
"""

import asyncio
import logging
import threading
from abc import abstractmethod

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

__all__ = ["LiveSourceTrack", "ThreadedSourceTrack"]

logger = logging.getLogger(__name__)

type Frame = av.VideoFrame | av.AudioFrame

_THREAD_JOIN_TIMEOUT_S = 5.0


class LiveSourceTrack(MediaStreamTrack):
    """A track fed by :meth:`_deliver` on the loop thread, read with :meth:`recv`.

    ``queue_size`` bounds the frames waiting for :meth:`recv`; when full the oldest is
    dropped and counted in :attr:`frames_dropped`.
    """

    def __init__(self, *, queue_size: int) -> None:
        super().__init__()
        self._queue: asyncio.Queue[Frame | None] = asyncio.Queue(maxsize=queue_size)
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self._frames_dropped = 0

    @property
    def frames_dropped(self) -> int:
        """Frames discarded because the reader fell behind by more than ``queue_size``, or
        because nobody reads yet (a microphone open in the Lobby feeds only its meter)."""
        return self._frames_dropped

    def start(self) -> None:
        """Start producing frames (idempotent). Must be called on the loop thread.

        :meth:`recv` calls it; call it earlier to feed previews and meters.
        """
        if self._event_loop is None:
            self._event_loop = asyncio.get_running_loop()
            self._start_producer()

    async def recv(self) -> Frame:
        """Return the next frame; raise ``MediaStreamError`` once the track has ended."""
        if self.readyState != "live":
            raise MediaStreamError
        self.start()
        if self._queue.full():
            # Nobody read for ``queue_size`` frames (the first reader of a microphone open
            # since the Lobby, or one that stalled): resume from the newest frame, or the
            # frames already queued would be latency for the rest of the call.
            while self._queue.qsize() > 1:
                self._queue.get_nowait()
                self._frames_dropped += 1
        frame = await self._queue.get()
        if frame is None:
            self.stop()
            raise MediaStreamError
        return frame

    def stop(self) -> None:
        """End the track and wake a reader blocked in :meth:`recv`: it gets
        ``MediaStreamError`` instead of waiting forever (a ``MediaRelay`` reading this
        track would otherwise leave its task pending when the device closes)."""
        super().stop()
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    def _deliver(self, frame: Frame | None) -> None:
        """Queue ``frame`` (None: the source ended). Loop thread only."""
        if self.readyState != "live":
            return
        if frame is not None:
            self._on_frame(frame)
        if self._queue.full():
            self._queue.get_nowait()
            self._frames_dropped += 1
        self._queue.put_nowait(frame)

    def _deliver_threadsafe(self, frame: Frame | None) -> bool:
        """Hand ``frame`` to the loop from another thread; False once the loop is closed."""
        assert self._event_loop is not None
        try:
            self._event_loop.call_soon_threadsafe(self._deliver, frame)
        except RuntimeError:  # the loop was closed under us: nobody is listening any more
            return False
        return True

    def _on_frame(self, frame: Frame) -> None:
        """Hook run on the loop for every produced frame (preview, level meter)."""

    @abstractmethod
    def _start_producer(self) -> None:
        """Begin producing frames; ``self._event_loop`` is set."""


class ThreadedSourceTrack(LiveSourceTrack):
    """A live source whose frames come from :meth:`_produce` running in a worker thread.

    :meth:`stop` sets the quit event and joins the thread, so no thread outlives the track.
    """

    def __init__(self, *, queue_size: int, thread_name: str) -> None:
        super().__init__(queue_size=queue_size)
        self._thread_name = thread_name
        self._quit = threading.Event()
        self._thread: threading.Thread | None = None

    def _start_producer(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._produce(self._quit)
        except Exception:
            logger.exception("%s failed", self._thread_name)
        if not self._quit.is_set():
            self._deliver_threadsafe(None)

    @abstractmethod
    def _produce(self, quit_event: threading.Event) -> None:
        """Produce frames with :meth:`_deliver_threadsafe` until ``quit_event`` is set.

        Runs in the worker thread. Returning (or raising) ends the track.
        """

    def stop(self) -> None:
        """End the track and join its worker thread (blocks for at most one frame's work)."""
        super().stop()
        self._quit.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(_THREAD_JOIN_TIMEOUT_S)
            if thread.is_alive():
                logger.warning("%s did not stop within %.0f s", thread.name, _THREAD_JOIN_TIMEOUT_S)
