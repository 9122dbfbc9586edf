"""``GuiEventLoop``: qasync's Qt event loop with asyncio's queue of ready callbacks.

The media engine shares the GUI thread's loop with the widgets (ARCHITECTURE.md, "State
flow"). qasync runs every ``call_soon`` callback through a Qt timer of its own:
``startTimer(0)``, a timer event into Python, ``killTimer``, plus an
``iscoroutinefunction`` check. A 1:1 call makes about 1,600 such callbacks a second
(every RTP packet read, every frame and future). Here they go to one FIFO queue that a
single zero-interval ``QTimer`` drains, as asyncio's own loop drains ``_ready``: callbacks
queued while a batch runs wait for the next batch, so Qt events (sockets, paints, input)
still get their turn between batches. Callbacks with a delay stay qasync's Qt timers.

Readers (every UDP socket of a call) run straight from their ``QSocketNotifier``, as a
selector loop runs them when ``select`` returns, and again while the socket still has
data, up to ``MAX_READS_PER_WAKEUP`` times. qasync instead disables the notifier, queues
the callback and enables the notifier again after it ran: two changes to Qt's set of
polled sockets and a queued callback per packet, and one datagram per socket per turn
of the Qt loop. A turn that paints a 720p frame on a loaded machine takes several
milliseconds, and a 3 Mbps video is about 300 datagrams a second on one socket: the
socket's buffer overflowed, packets were lost, and the receiver asked for keyframes.
"""

from __future__ import annotations

import asyncio
import select
from collections import deque
from collections.abc import Callable
from contextvars import Context
from typing import Any

import qasync
from PySide6.QtCore import QSocketNotifier, QTimer

# A bound, so that one busy socket cannot keep the loop from painting or from other sockets.
MAX_READS_PER_WAKEUP = 64


class GuiEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """A drop-in ``qasync.QEventLoop`` (same constructor) with batched ``call_soon`` and
    readers that drain their socket."""

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

    def _add_reader(self, fd: Any, callback: Callable[..., object], *args: object) -> None:
        """Run ``callback(*args)`` whenever ``fd`` is readable (asyncio's ``add_reader``
        contract); its exceptions go to the loop's exception handler."""
        self._check_closed()
        self._remove_reader(fd)
        fileno = fd if isinstance(fd, int) else int(fd.fileno())
        notifier = QSocketNotifier(fileno, QSocketNotifier.Type.Read)
        handle = asyncio.Handle(callback, args, self)
        # the "int" overload, the one qasync disconnects in _remove_reader and close
        notifier.activated["int"].connect(  # type: ignore[index]
            lambda: self._reader_ready(fd, notifier, handle)
        )
        notifier.setEnabled(True)
        self._read_notifiers[fd] = notifier

    def _reader_ready(self, fd: Any, notifier: QSocketNotifier, handle: asyncio.Handle) -> None:
        fileno = int(notifier.socket())
        for _ in range(MAX_READS_PER_WAKEUP):
            if self._read_notifiers.get(fd) is not notifier:  # removed or replaced
                notifier.setEnabled(False)
                return
            handle._run()
            if not _readable(fileno):
                return

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


def _readable(fileno: int) -> bool:
    """Whether ``fileno`` has data now (a zero-timeout ``select``: one system call)."""
    try:
        return bool(select.select([fileno], [], [], 0)[0])
    except (OSError, ValueError):  # closed by the callback
        return False
