"""``python -m bench.rendering_bot BOT-ARGS``: a bot that also paints, like the desktop app.

The same participant as ``parley bot`` (same arguments, same JSON lines), plus the real
in-call screen: once the call connects, ``ui.call_content.CallContent`` shows it in a
1280x720 window, so every received video is converted and painted by ``VideoRenderer``
into the window's backing store (Qt's ``offscreen`` platform unless ``QT_QPA_PLATFORM``
says otherwise), self-view included, as in the app. The media-performance issue counts
painting in Parley's CPU, as Chromium's side counts its ``<video>`` elements.
Lives in ``bench/`` because ``app/`` never imports widgets.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Sequence

WINDOW_SIZE_PX = (1280, 720)
_ATTACH_POLL_MS = 100


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.bot import Bot, options_from_args, parse_args
    from app.frame_memory import keep_frame_buffers_mapped
    from ui.event_loop import GuiEventLoop

    args = parse_args(argv)
    keep_frame_buffers_mapped()  # as the app does: app/frame_memory.py
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.server is None:
        raise SystemExit("bench.rendering_bot: --server is required")
    from ui.theme import Theme

    app = QApplication(sys.argv[:1])
    Theme(app, follow_system=False).apply()  # the app's dark theme and style sheet
    bot = Bot(options_from_args(args, args.server))
    window = _CallWindow(bot)
    return asyncio.run(window.run(), loop_factory=lambda: GuiEventLoop(app))


class _CallWindow:
    """Shows ``CallContent`` for ``bot.call`` as soon as it is connected."""

    def __init__(self, bot: object) -> None:
        from PySide6.QtCore import QTimer

        self._bot = bot
        self._content: object | None = None
        self._timer = QTimer()
        self._timer.setInterval(_ATTACH_POLL_MS)
        self._timer.timeout.connect(self._attach)

    async def run(self) -> int:
        self._timer.start()
        try:
            return int(await self._bot.run())  # type: ignore[attr-defined]
        finally:
            self._timer.stop()
            if self._content is not None:
                self._content.close()  # type: ignore[attr-defined]

    def _attach(self) -> None:
        from ui.bridge import CallBridge
        from ui.call_content import CallContent

        call = self._bot.call  # type: ignore[attr-defined]
        if self._content is not None or call is None or not call.state.status.is_connected:
            return
        content = CallContent(CallBridge(call))
        content.resize(*WINDOW_SIZE_PX)
        content.show()
        self._content = content
        self._timer.stop()


if __name__ == "__main__":
    sys.exit(main())
