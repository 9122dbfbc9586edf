"""UI tests run offscreen with a qasync loop driven by pytest-qt's event processing; the
Qt fixtures themselves (``themed_app``, ``qt_loop``) live in ``tests.fixtures.qt``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.qt import OFFSCREEN_NOISE

# The offscreen plugin cannot stack top-level windows (restoring a window from the tray or
# PiP raises it), grab the keyboard (an open popup menu does) nor shape a window (the
# incoming-call pop-up's rounded corners); xcb can. Not defects of the code under test.
OFFSCREEN_WINDOW_NOISE = (
    r"This plugin does not support (raise\(\)|grabbing the keyboard|setting window masks)"
)

VTEST_AVI = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")


@pytest.fixture(scope="session")
def artifacts_dir(artifacts_root: Path) -> Path:
    """Where the UI tests' screenshots go: ``artifacts_root / "ui"``."""
    path = artifacts_root / "ui"
    path.mkdir(parents=True, exist_ok=True)
    return path


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, OFFSCREEN_WINDOW_NOISE))
