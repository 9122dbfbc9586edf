"""The app's tour on a real X display with a tray host (xvfb_tour_session.py): every step a
user sees happens, and its screenshot is saved as a test artefact (``tests/artifacts/ui/
tour_*.png``) to be looked at."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    "home_dark", "settings", "tray_menu", "incoming", "grid", "spotlight", "pip",
    "multicall_incoming", "multicall_switcher", "multicall_split",
    "outgoing", "lobby_dark", "lobby_light", "home_light",
)  # fmt: skip


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("trayer") is None, reason="Debian's trayer is not installed")
def test_tour_of_the_app_with_a_tray_and_two_bots(artifacts_dir: Path, speech_wav: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable,
         str(Path(__file__).with_name("xvfb_tour_session.py")), str(artifacts_dir),
         str(speech_wav)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=420,
    )  # fmt: skip
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stderr[-4000:]
    summary = json.loads(lines[-1].removeprefix("RESULT "))
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
    }, result.stderr[-4000:]
    for name in SCREENSHOTS:
        assert (artifacts_dir / f"tour_{name}.png").stat().st_size > 10_000, name
