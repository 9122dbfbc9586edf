"""Screen sharing on a real X server (Xvfb, xcb): ``QScreenCapture`` of a screen showing a
known test pattern, shared through the engine to a second real client on loopback. The
session runs in its own process under ``xvfb-run`` (``xvfb_screen_share_session.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fixtures.xvfb import run_xvfb_session

SCREEN = (1280, 800)
MIN_PSNR_DB = 30.0
SCREENSHOTS = (
    "xvfb_screen_share_receiver.png",
    "xvfb_screen_share_popped_out.png",
    "xvfb_screen_share_sharer.png",
    "xvfb_screen_share_picker.png",
)


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_a_shared_xvfb_screen_arrives_at_its_resolution_and_matches_a_grab(
    artifacts_root: Path,
) -> None:
    out = artifacts_root / "e2e"
    out.mkdir(parents=True, exist_ok=True)
    for name in SCREENSHOTS:
        (out / name).unlink(missing_ok=True)  # only this run's screenshots count
    summary = run_xvfb_session(
        Path(__file__).with_name("xvfb_screen_share_session.py"), str(out), screen=SCREEN
    )
    print(f"screen share on Xvfb: {summary}")
    assert summary["platform"] == "xcb"
    assert summary["received"] and summary["sharing_at_grace"], summary
    assert summary["share_size"] == summary["screen_size"] == list(SCREEN)
    assert summary["psnr_db"] >= MIN_PSNR_DB, summary
    assert summary["change_latency_ms"] is not None, summary  # the change got through
    assert summary["layout"] and summary["banner"], summary
    assert summary["picker_screens"] == 1 and summary["picker_windows"] == 0  # Xvfb: none
    assert summary["stopped"] and summary["capture_stopped"], summary
    for name in SCREENSHOTS:
        assert (out / name).stat().st_size > 10_000, name
