"""Tells the call what size each remote camera is painted at (Stream's dynascale:
``call.updateSubscriptionsPartial`` fed by the measured video elements).

Twice a second it reads what every visible tile painted last (``VideoRenderer.
render_size_px``), takes the largest per session (a participant may show in the grid
and in the picture-in-picture window, which adds its tile with :meth:`add_tiles`), and
hands the whole picture to
``Call.update_subscriptions_partial``, which sends only what changed. Polling rather than
resize events: tiles come and go with the layout, the spotlight and hold, and a frame of
a new size changes what is painted without any resize.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QTimer

from app.media import VideoDimension
from ui.bridge import CallBridge
from ui.participant_view import ParticipantView

REPORT_INTERVAL_MS = 500
# Asked of a participant no visible tile shows (spotlight overflow, window hidden or
# minimised): the smallest layer, so its video keeps coming, cheaply, for the moment it
# is shown again.
NOT_SHOWN = VideoDimension(1, 1)


class VideoSubscriptionReporter(QObject):
    """Reports the painted sizes of ``tiles()`` for the call behind ``bridge`` every
    ``REPORT_INTERVAL_MS`` while started."""

    def __init__(
        self,
        bridge: CallBridge,
        tiles: Callable[[], Iterable[ParticipantView]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._tile_sources: list[Callable[[], Iterable[ParticipantView]]] = [tiles]
        self._timer = QTimer(self)
        self._timer.setInterval(REPORT_INTERVAL_MS)
        self._timer.timeout.connect(self.report)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def add_tiles(self, tiles: Callable[[], Iterable[ParticipantView]]) -> Callable[[], None]:
        """Count ``tiles()`` too (another window showing this call's video, as the
        picture-in-picture window); returns the function that stops counting them."""
        self._tile_sources.append(tiles)

        def remove() -> None:
            if tiles in self._tile_sources:
                self._tile_sources.remove(tiles)

        return remove

    def painted_dimensions(self) -> dict[str, VideoDimension | None]:
        """Remote session id → the largest size its camera is painted at; None when a
        visible tile shows it without video yet (no preference: the sender's own size);
        ``NOT_SHOWN`` when no visible tile shows it."""
        state = self._bridge.state
        sizes: dict[str, VideoDimension | None] = {
            p.session_id: NOT_SHOWN for p in state.remote_participants
        }
        for tile in (tile for source in self._tile_sources for tile in source()):
            session_id = tile.participant.session_id
            # a minimised window paints nothing: its last sizes are stale (the call popped
            # out to the picture-in-picture window minimises the main one)
            if session_id not in sizes or not tile.renderer.isVisible():
                continue
            if tile.window().isMinimized():
                continue
            current = sizes[session_id]
            size = tile.renderer.render_size_px
            if size is None:
                if current is NOT_SHOWN:
                    sizes[session_id] = None
                continue
            width, height = size
            if (
                current is None
                or current is NOT_SHOWN
                or (width * height > current.width * current.height)
            ):
                sizes[session_id] = VideoDimension(width, height)
        return sizes

    def report(self) -> None:
        """Hand the current sizes to the call (it sends only changes); nothing while
        the call is not connected or no event loop runs (widget tests without one)."""
        if not self._bridge.state.status.is_connected:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self._bridge.run(
            self._bridge.call.update_subscriptions_partial("video", self.painted_dimensions()),
            action="Video size",
        )
