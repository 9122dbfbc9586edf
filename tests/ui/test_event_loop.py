"""``GuiEventLoop``: qasync's loop with one queue of ready callbacks (ui/event_loop.py)."""

from __future__ import annotations

import asyncio
import socket
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


def test_readers_run_when_their_socket_is_readable_until_removed(loop: GuiEventLoop) -> None:
    """Each datagram wakes its reader once (no polling while nothing arrives); a removed
    reader is not called again; a reader's exception reaches the loop's handler."""
    received: list[bytes] = []
    errors: list[str] = []
    three_received, errored = asyncio.Event(), asyncio.Event()

    def on_error(_loop: object, context: dict[str, object]) -> None:
        errors.append(str(context["exception"]))
        errored.set()

    loop.set_exception_handler(on_error)
    reader, writer = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    reader.setblocking(False)

    def on_readable() -> None:
        data = reader.recv(100)
        if data == b"boom":
            raise ValueError("bad datagram")
        received.append(data)
        if len(received) == 3:
            three_received.set()

    async def main() -> None:
        loop.add_reader(reader, on_readable)
        for index in range(3):
            writer.send(b"datagram %d" % index)
        await asyncio.wait_for(three_received.wait(), timeout=10)
        writer.send(b"boom")
        await asyncio.wait_for(errored.wait(), timeout=10)
        loop.remove_reader(reader)
        writer.send(b"late")
        for _ in range(20):  # loop iterations, each one processing Qt's socket events
            await asyncio.sleep(0)
        assert reader.recv(100) == b"late"  # still queued: no reader took it

    try:
        loop.run_until_complete(main())
    finally:
        reader.close()
        writer.close()
    assert received == [b"datagram 0", b"datagram 1", b"datagram 2"]
    assert errors == ["bad datagram"]
