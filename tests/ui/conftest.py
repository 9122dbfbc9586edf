"""UI tests run offscreen with a qasync loop driven by pytest-qt's event processing."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

# Before any Qt import: no display on CI machines; xvfb tests opt back in to xcb themselves.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from ui.theme import DARK, Theme

VTEST_AVI = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where screenshots go: ``$PARLEY_ARTIFACTS`` or ``tests/artifacts`` (gitignored)."""
    path = Path(os.environ.get("PARLEY_ARTIFACTS", Path(__file__).parent.parent / "artifacts"))
    path = path / "ui"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def themed_app(qapp: QApplication) -> QApplication:
    """The pytest-qt application with Parley's dark theme, as users see it by default."""
    Theme(qapp, follow_system=False).apply(DARK)
    return qapp


@pytest.fixture
def qt_loop(themed_app: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop marked as running, so widget commands (``bridge.run``) schedule tasks
    that execute whenever pytest-qt processes Qt events (``qtbot.waitUntil``)."""
    loop = qasync.QEventLoop(themed_app, already_running=True)
    # Our own executor, so teardown can join its threads (file and device readers) without
    # loop.stop(): that calls QApplication.exit(), which breaks later pytest-qt waits.
    executor = qasync.QThreadExecutor(4)
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        executor.shutdown(wait=True)
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)


@pytest.fixture(scope="session")
def vtest_frames() -> list:
    """The first 40 decoded frames of vtest.avi (768x576, people walking)."""
    import av

    if not VTEST_AVI.exists():
        pytest.skip("opencv-doc's vtest.avi is not installed")
    frames = []
    with av.open(str(VTEST_AVI)) as container:
        for frame in container.decode(video=0):
            frames.append(frame)
            if len(frames) == 40:
                break
    return frames


# The offscreen platform plugin warns whenever a top-level widget's size constraints change
# ("This plugin does not support propagateSizeHints()"); it is the plugin's limitation, not
# a defect, and it does not occur on xcb. Every other Qt warning still fails a test.
_OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.qt_log_ignore(_OFFSCREEN_NOISE))
