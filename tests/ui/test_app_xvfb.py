"""The whole desktop app on a real X server (Xvfb, xcb platform) against the real engine
and coordinator, with a second real client in the call and cv2 imported in the process
before the QApplication (as the main-call issue requires)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_join_a_call_on_a_real_display(artifacts_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env["PYTHONPATH"] = str(REPO)
    call_screenshot = artifacts_dir / "xvfb_call.png"
    call_screenshot.unlink(missing_ok=True)  # only this run's screenshot counts
    result = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x800x24",
            sys.executable,
            str(Path(__file__).with_name("xvfb_app_session.py")),
            str(artifacts_dir),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stderr[-4000:]
    summary = json.loads(lines[-1].removeprefix("RESULT "))
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
    }, result.stderr[-4000:]
    assert call_screenshot.stat().st_size > 10_000
