"""One screen-share session on an X display (run by test_screen_share_xvfb.py).

A frameless window covers the screen with a known test pattern (text and fine lines).
Ada captures the whole screen with ``QScreenCapture`` (``ui.screen_share_capture``) and
shares it in a call; Grace, a second real client in the same process, receives the share
over real aiortc peers on loopback. The script compares Grace's newest frame with a grab of
the screen (luma PSNR), times a change of the screen until Grace sees it, shows both
call screens (the sharer's banner, the receiver's screen-share layout, the popped-out
share, the picker) for screenshots, and prints a JSON summary line ``RESULT {...}``.
Screenshots of the whole X screen go to the directory given as argv[1].
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "xcb"

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QScreen
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.call import Call, LocalMedia
from app.client import VideoClient
from app.media import ScreenShareTrack
from tests.fixtures.coordinator import start_coordinator
from tests.media.screen_pattern import luma, screen_pattern
from tests.media.signal_checks import psnr_db
from ui.bridge import CallBridge
from ui.call_content import CallContent
from ui.event_loop import GuiEventLoop
from ui.screen_share_capture import ScreenCaptureSource
from ui.screen_share_picker import ScreenSharePicker
from ui.theme import Theme

VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
CALL_ID = "xvfb-share"
MATCH_PSNR_DB = 30.0


async def until(predicate, timeout_s: float, step_s: float = 0.02) -> bool:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(step_s)
    return True


def screenshot(out: Path, name: str) -> None:
    subprocess.run(["import", "-window", "root", str(out / name)], check=True)


def show_pattern(board: QLabel, pattern: np.ndarray) -> None:
    height, width = pattern.shape[:2]
    image = QImage(pattern.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    board.setPixmap(QPixmap.fromImage(image.copy()))


def screen_luma(screen: QScreen) -> np.ndarray:
    """The Y plane of a grab of the whole screen, converted as the share converts it."""
    image = screen.grabWindow(0).toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8, count=stride * height)
    rgb = rows.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()
    return luma(rgb)


def received_luma(call: Call, session_id: str) -> np.ndarray | None:
    sink = call.screen_share_sink(session_id)
    frame = sink.latest() if sink is not None else None
    if frame is None:
        return None
    return frame.to_ndarray(format="yuv420p")[: frame.height]


async def session(app: QApplication, out: Path, data_dir: Path) -> dict[str, object]:
    coordinator = start_coordinator(data_dir / "coordinator.db")
    result: dict[str, object] = {"platform": app.platformName()}
    screen = app.primaryScreen()
    width, height = screen.size().width(), screen.size().height()
    board = QLabel()
    board.setWindowFlags(Qt.WindowType.FramelessWindowHint)
    board.setGeometry(screen.geometry())
    show_pattern(board, screen_pattern(width, height, "Shared from Xvfb"))
    board.show()
    clients: list[VideoClient] = []
    try:
        for name in ("Ada Lovelace", "Grace Hopper"):
            media = LocalMedia(video_file=VTEST, audio_output="null")
            clients.append(
                await VideoClient.sign_in_guest(coordinator.url, name, local_media=media)
            )
        ada, grace = clients
        a_call, g_call = ada.make_call("default", CALL_ID), grace.make_call("default", CALL_ID)
        await a_call.set_camera_enabled(True)
        await a_call.join()
        await g_call.join(create=False)
        ada_session = a_call.state.session_id
        assert ada_session is not None
        await until(lambda: (s := g_call.video_sink(ada_session)) and s.frame_count > 3, 30)

        track = ScreenShareTrack()
        capture = ScreenCaptureSource(track, screen=screen)
        capture.start()
        await a_call.start_screen_share(track)

        def share_frames() -> int:
            sink = g_call.screen_share_sink(ada_session)
            return sink.frame_count if sink is not None else 0

        result["received"] = await until(lambda: share_frames() >= 20, 60)
        sink = g_call.screen_share_sink(ada_session)
        result["share_size"] = list(sink.frame_size) if sink and sink.frame_size else None
        result["screen_size"] = [width, height]
        received = received_luma(g_call, ada_session)
        result["psnr_db"] = (
            round(psnr_db(received, screen_luma(screen)), 1) if received is not None else None
        )
        result["sharing_at_grace"] = g_call.state.participant(ada_session).is_screen_sharing

        # Latency (a figure, not asserted): the screen changes, until Grace's frame matches.
        changed = screen_pattern(width, height, "Changed at a known instant")
        changed_luma = luma(changed)
        show_pattern(board, changed)
        changed_at = time.monotonic()

        def shows_change() -> bool:
            latest = received_luma(g_call, ada_session)
            return latest is not None and psnr_db(latest, changed_luma) >= MATCH_PSNR_DB

        seen = await until(shows_change, 10, step_s=0.005)
        result["change_latency_ms"] = (
            round((time.monotonic() - changed_at) * 1000) if seen else None
        )
        result["capture_frames"] = [capture.frames_captured, capture.frames_pushed]

        # The call screens, for people to look at (the share now shows these windows too).
        board.hide()
        receiver = CallContent(CallBridge(g_call))
        receiver.setWindowTitle("Grace – Parley")
        receiver.setGeometry(screen.geometry())
        receiver.show()
        result["layout"] = await until(
            lambda: (
                receiver.screen_share_stage.isVisible()
                and receiver.screen_share_stage.share_view.renderer.painted_frame_count > 2
            ),
            20,
        )
        await until(lambda: share_frames() > 40, 10)
        screenshot(out, "xvfb_screen_share_receiver.png")
        popped = receiver.screen_share.pop_out()
        if popped is not None:
            popped.setGeometry(160, 100, 960, 600)
            await until(lambda: popped.share_view.renderer.painted_frame_count > 2, 10)
            screenshot(out, "xvfb_screen_share_popped_out.png")
            popped.close()
        receiver.hide()

        sharer = CallContent(CallBridge(a_call))
        sharer.setGeometry(screen.geometry())
        sharer.show()
        result["banner"] = await until(sharer.sharing_banner.isVisible, 10)
        await until(lambda: all(t.renderer.painted_frame_count > 2 for t in _tiles(sharer)), 10)
        screenshot(out, "xvfb_screen_share_sharer.png")
        picker = ScreenSharePicker(sharer)
        picker.open()
        await until(picker.isVisible, 5)
        await asyncio.sleep(0.3)  # one thumbnail refresh, for the picture (not a condition)
        screenshot(out, "xvfb_screen_share_picker.png")
        result["picker_screens"] = picker.screens_list.count()
        result["picker_windows"] = picker.window_count
        picker.reject()

        await a_call.stop_screen_share()
        result["stopped"] = await until(
            lambda: not g_call.state.participant(ada_session).is_screen_sharing, 10
        )
        result["capture_stopped"] = await until(lambda: not capture.is_running, 5)
        sharer.close()
        receiver.close()
        await a_call.leave()
        await g_call.leave()
    finally:
        for client in clients:
            await client.disconnect()
        coordinator.stop()
    return result


def _tiles(content: CallContent) -> list[QWidget]:
    return list(content.participants_view.tiles)


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    Theme(app, follow_system=False).apply()
    with tempfile.TemporaryDirectory() as data_dir:
        result = asyncio.run(
            session(app, out, Path(data_dir)), loop_factory=lambda: GuiEventLoop(app)
        )
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
