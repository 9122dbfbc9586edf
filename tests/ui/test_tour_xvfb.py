"""The app's tour on a real X display with a tray host (xvfb_tour_session.py): every step a
user sees happens, and its screenshot is saved as a test artefact (``tests/artifacts/ui/
tour_*.png``) to be looked at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fixtures.xvfb import run_xvfb_session

SCREENSHOTS = (
    "home_dark", "settings", "tray_menu", "incoming", "grid", "spotlight", "pip",
    "multicall_incoming", "multicall_switcher", "multicall_split",
    "outgoing", "lobby_dark", "lobby_light", "home_light",
)  # fmt: skip


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("trayer") is None, reason="Debian's trayer is not installed")
def test_tour_of_the_app_with_a_tray_and_two_bots(artifacts_dir: Path, speech_wav: Path) -> None:
    summary = run_xvfb_session(
        Path(__file__).with_name("xvfb_tour_session.py"),
        str(artifacts_dir),
        str(speech_wav),
        timeout_s=420,
    )
    assert summary == {
        "platform": "xcb",
        "tray": True,
        "signed_in": True,
        "settings": True,
        "incoming": True,
        "accepted": True,
        "grid": True,
        "pip": True,
        "multicall_switcher": True,
        "multicall_split": True,
        "multicall_resumed": True,
        "outgoing": True,
        "lobby": True,
    }, summary
    for name in SCREENSHOTS:
        assert (artifacts_dir / f"tour_{name}.png").stat().st_size > 10_000, name
