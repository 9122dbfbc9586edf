"""``GuiEventLoop``: qasync's loop with one queue of ready callbacks (ui/event_loop.py)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ui.event_loop import GuiEventLoop


@pytest.fixture
def loop(themed_app: QApplication) -> Iterator[GuiEventLoop]:
    loop = GuiEventLoop(themed_app)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


def test_callbacks_run_in_the_order_they_were_queued(loop: GuiEventLoop) -> None:
    order: list[int] = []

    async def main() -> None:
        for index in range(200):
            loop.call_soon(order.append, index)
        cancelled = loop.call_soon(order.append, -1)
        cancelled.cancel()
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    loop.run_until_complete(main())
    assert order == list(range(200))


def test_a_callback_that_requeues_itself_does_not_starve_qt(loop: GuiEventLoop) -> None:
    """Callbacks queued while a batch runs wait for the next batch: Qt's own events (here
    a zero-interval timer, like a socket notifier or a paint) run in between."""
    spins = 0
    qt_fired = asyncio.Event()

    def spin() -> None:
        nonlocal spins
        spins += 1
        if not qt_fired.is_set():
            loop.call_soon(spin)

    async def main() -> int:
        QTimer.singleShot(0, qt_fired.set)
        loop.call_soon(spin)
        await asyncio.wait_for(qt_fired.wait(), timeout=10)
        return spins

    assert loop.run_until_complete(main()) >= 1


def test_threads_and_the_executor_reach_the_loop(loop: GuiEventLoop) -> None:
    async def main() -> tuple[str, str]:
        done: asyncio.Future[str] = loop.create_future()
        threading.Thread(
            target=lambda: loop.call_soon_threadsafe(done.set_result, "from a thread")
        ).start()
        in_executor = await loop.run_in_executor(None, lambda: "from the executor")
        return await asyncio.wait_for(done, timeout=10), in_executor

    assert loop.run_until_complete(main()) == ("from a thread", "from the executor")


def test_coroutine_functions_are_refused_in_debug_mode(loop: GuiEventLoop) -> None:
    async def coroutine_function() -> None:
        return None

    loop.set_debug(True)
    with pytest.raises(TypeError):
        loop.call_soon(coroutine_function)
