"""``GuiEventLoop``: qasync's Qt event loop with asyncio's queue of ready callbacks.

The media engine shares the GUI thread's loop with the widgets (ARCHITECTURE.md, "State
flow"). qasync runs every ``call_soon`` callback through a Qt timer of its own:
``startTimer(0)``, a timer event into Python, ``killTimer``, plus an
``iscoroutinefunction`` check. A 1:1 call makes about 1,600 such callbacks a second
(every RTP packet read, every frame and future). Here they go to one FIFO queue that a
single zero-interval ``QTimer`` drains, as asyncio's own loop drains ``_ready``: callbacks
queued while a batch runs wait for the next batch, so Qt events (sockets, paints, input)
still get their turn between batches. Callbacks with a delay stay qasync's Qt timers.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from contextvars import Context
from typing import Any

import qasync
from PySide6.QtCore import QTimer


class GuiEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """A drop-in ``qasync.QEventLoop`` (same constructor) with batched ``call_soon``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ready: deque[asyncio.Handle] = deque()
        self._ready_timer = QTimer()
        self._ready_timer.setSingleShot(True)
        self._ready_timer.setInterval(0)
        self._ready_timer.timeout.connect(self._run_ready)

    def call_soon(
        self, callback: Callable[..., object], *args: object, context: Context | None = None
    ) -> asyncio.Handle:
        """Queue ``callback(*args)`` to run on the loop after the callbacks already queued
        (asyncio's contract: call from the loop's thread; other threads use
        ``call_soon_threadsafe``). ``TypeError`` for a coroutine function in debug mode,
        as asyncio checks it only there."""
        if self.get_debug() and asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_soon()")
        handle = asyncio.Handle(callback, args, self, context=context)
        self._ready.append(handle)
        if not self._ready_timer.isActive():
            self._ready_timer.start()
        return handle

    def ready_count(self) -> int:
        """Callbacks queued by ``call_soon`` and not run yet."""
        return len(self._ready)

    def _run_ready(self) -> None:
        if self.is_closed():
            self._ready.clear()
            return
        for _ in range(len(self._ready)):
            handle = self._ready.popleft()
            if not handle._cancelled:
                handle._run()
        if self._ready:
            self._ready_timer.start()

    def close(self) -> None:
        super().close()  # raises while running: keep the queue then
        self._ready_timer.stop()
        self._ready.clear()
