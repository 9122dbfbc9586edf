"""``UnderlayPacing``: a floating video's new frames ride on the repaints of the video under it.

In a 1:1 call the self-view floats over the stage, so every remote frame repaints it
anyway (it lies on top). Its own frames made a second pass over the window: 58 passes a
second at 30 fps each way, every overlay of both tiles painted each time (a paint
counter on the benchmark's bots). While the video under it is live, a new frame here
waits for that video's next repaint instead, at most ``UNDERLAY_WAIT_MS``; one pass per
remote frame remains.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer

# How long a floating video's new frame waits for the repaint of the video under it. It
# must be shorter than the floating video's own frame interval (33 ms at 30 fps), or the
# next frame comes first and this one is never painted: at 34 ms a self-view over a 15 fps
# stage showed 16 of its 30 frames a second. A 30 fps stage repaints within 25 ms for
# three frames in four, so most still ride along.
UNDERLAY_WAIT_MS = 25
# The video under a floating one is live while its last frame is at most this old.
UNDERLAY_LIVE_S = 0.1


class Underlay(Protocol):
    """What the pacing reads of the video underneath (a ``VideoRenderer``)."""

    @property
    def last_frame_s(self) -> float: ...  # time.monotonic() of its sink's last frame

    def isVisible(self) -> bool: ...  # Qt's name


class UnderlayPacing:
    """Decides, per new frame of its owner, whether the owner repaints now.

    ``repaint`` is the owner's ``update``; ``owner`` parents the fallback timer."""

    def __init__(self, owner: QObject, repaint: Callable[[], None]) -> None:
        self._owner = owner
        self._repaint = repaint
        self._underlay: weakref.ref[Underlay] | None = None
        self._timer: QTimer | None = None  # repaints if the underlay's repaint does not come

    def set_underlay(self, underlay: Underlay | None) -> None:
        self._underlay = weakref.ref(underlay) if underlay is not None else None

    @property
    def waiting(self) -> bool:
        """A new frame waits for the underlay's repaint."""
        return self._timer is not None and self._timer.isActive()

    def frame_arrived(self, now_s: float | None = None) -> None:
        """Repaint the owner now, or leave it to the underlay's next repaint (with the
        fallback timer armed) while the underlay is live."""
        if not self.underlay_is_live(time.monotonic() if now_s is None else now_s):
            self._repaint()
            return
        if self._timer is None:
            self._timer = QTimer(self._owner)
            self._timer.setSingleShot(True)
            self._timer.setInterval(UNDERLAY_WAIT_MS)
            self._timer.timeout.connect(self._repaint)
        if not self._timer.isActive():
            self._timer.start()

    def painted_whole(self) -> None:
        """The owner was painted entirely (by the underlay's repaint or its own)."""
        if self._timer is not None:
            self._timer.stop()

    def underlay_is_live(self, now_s: float) -> bool:
        underlay = self._underlay() if self._underlay is not None else None
        if underlay is None:
            return False
        try:
            return underlay.isVisible() and now_s - underlay.last_frame_s <= UNDERLAY_LIVE_S
        except RuntimeError:  # Qt already deleted it
            self._underlay = None
            return False
