"""One real session of the desktop app on an X display (run by test_app_xvfb.py).

cv2 is imported before the QApplication exists (what that does to Qt's environment is
reported too). The app (``ParleyApp``, as ``parley`` runs it) opens ``--call``'s Lobby,
turns the camera on, joins; a second real client joins the same call headless with
vtest.avi as its camera. The script waits until the app shows both tiles with video, leaves,
and prints a JSON summary. Screenshots of the whole X screen go to the directory given as argv[1].
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "xcb"

# The worst case the issue names: cv2 already imported when the QApplication is made (by a
# filter, mediapipe or a plugin; the camera source's own lazy import restores the variables).
# The non-headless OpenCV wheels point QT_QPA_PLATFORM_PLUGIN_PATH / QT_QPA_FONTDIR at cv2's
# own Qt on import (ARCHITECTURE.md, "Known pitfalls"); the app must still come up on xcb.
import cv2  # noqa: F401  (imported for its side effect on the environment)
from PySide6.QtWidgets import QApplication

from app.call import LocalMedia
from app.client import VideoClient
from app.server import ensure_local_coordinator
from ui.application import AppOptions, ParleyApp
from ui.event_loop import GuiEventLoop
from ui.qt_environment import sanitize_qt_environment
from ui.theme import Theme

# What cv2 set (none of the imports since touches Qt's environment).
CV2_QT_VARIABLES = sorted(
    name
    for name in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")
    if "cv2" in os.environ.get(name, "")
)
VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
CALL_ID = "xvfb-session"


async def until(predicate, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


def screenshot(out: Path, name: str) -> None:
    subprocess.run(["import", "-window", "root", str(out / name)], check=True)


async def session(app: QApplication, out: Path, data_dir: str) -> dict[str, object]:
    url = await ensure_local_coordinator(data_dir, port=0)
    options = AppOptions(user_name="Ada Lovelace", server_url=url, video_file=VTEST, call=CALL_ID)
    parley = ParleyApp(app, options)
    running = asyncio.create_task(parley.run())
    window = parley.window
    result: dict[str, object] = {}
    result["lobby"] = await until(lambda: window.container is not None, 30)
    container = window.container
    assert container is not None
    # the camera comes on by itself: the default call type has camera_default_on
    result["preview"] = await until(
        lambda: container.lobby.preview.renderer.painted_frame_count > 2, 20
    )
    screenshot(out, "xvfb_lobby.png")

    peer = await VideoClient.sign_in_guest(
        url,
        "Grace Hopper",
        user_id="grace",
        local_media=LocalMedia(video_file=VTEST, audio_output="null"),
    )
    peer_call = peer.make_call("default", CALL_ID)
    await peer.local_media.set_camera_enabled(True)
    await peer_call.join()

    container.lobby.join_button.click()

    def both_tiles_show_video() -> bool:
        content = container.content
        tiles = content.participants_view.tiles if content is not None else []
        return len(tiles) == 2 and all(t.renderer.painted_frame_count > 2 for t in tiles)

    result["call"] = await until(both_tiles_show_video, 60)
    result["screen"] = container.current_screen
    screenshot(out, "xvfb_call.png")
    if container.content is not None:
        container.content.controls.leave_button.click()
    result["ended"] = await until(lambda: container.current_screen == "ended", 15)
    screenshot(out, "xvfb_ended.png")
    await peer.disconnect()
    window.close()
    await asyncio.wait_for(running, 30)
    return result


def stop_coordinator(data_dir: Path) -> None:
    """Stop the coordinator this session spawned (it would exit after 60 s idle anyway)."""
    try:
        pid = json.loads((data_dir / "coordinator.json").read_text(encoding="utf-8"))["pid"]
    except (OSError, ValueError, KeyError):
        return
    if isinstance(pid, int):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    removed = sanitize_qt_environment()
    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    Theme(app, follow_system=False).apply()
    with tempfile.TemporaryDirectory() as data_dir:
        try:
            result = asyncio.run(
                session(app, out, data_dir), loop_factory=lambda: GuiEventLoop(app)
            )
        finally:
            stop_coordinator(Path(data_dir))
    result["cv2_set"] = CV2_QT_VARIABLES
    result["sanitized"] = sorted(removed)
    result["platform"] = app.platformName()
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
