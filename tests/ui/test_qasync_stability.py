"""ARCHITECTURE.md pitfall: PySide6 on Python 3.11 leaked references to None in every
returning-None Qt call and the interpreter aborted under qasync within seconds. Spin a qasync
loop that makes such calls 100,000 times; a regression aborts the process."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QApplication, QLabel

from ui.event_loop import GuiEventLoop

ITERATIONS = 100_000


def test_qasync_loop_survives_100k_iterations(themed_app: QApplication) -> None:
    label = QLabel()

    async def spin() -> int:
        done = 0
        for i in range(ITERATIONS):
            label.setText(str(i % 10))  # returns None through shiboken
            label.update()
            await asyncio.sleep(0)  # one trip through the Qt event loop's call_soon
            done += 1
        return done

    loop = GuiEventLoop(themed_app)  # the app's loop: qasync's, call_soon batched
    try:
        assert loop.run_until_complete(spin()) == ITERATIONS
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert label.text() == str((ITERATIONS - 1) % 10)
