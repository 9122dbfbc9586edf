"""The whole desktop app on a real X server (Xvfb, xcb platform) against the real engine
and coordinator, with a second real client in the call and cv2 imported in the process
before the QApplication (as the main-call issue requires)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fixtures.xvfb import run_xvfb_session


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_join_a_call_on_a_real_display(artifacts_dir: Path) -> None:
    call_screenshot = artifacts_dir / "xvfb_call.png"
    call_screenshot.unlink(missing_ok=True)  # only this run's screenshot counts
    summary = run_xvfb_session(Path(__file__).with_name("xvfb_app_session.py"), str(artifacts_dir))
    # cv2 was imported before the QApplication: whatever it pointed at its own Qt was undone
    # (these wheels set both variables; a headless-only OpenCV sets none), and Qt is on xcb.
    assert summary.pop("sanitized") == summary.pop("cv2_set"), summary
    assert summary.pop("platform") == "xcb"
    assert summary == {
        "lobby": True,
        "preview": True,
        "call": True,
        "screen": "content",
        "ended": True,
    }, summary
    assert call_screenshot.stat().st_size > 10_000
