"""A tour of the desktop app on a real X display with a tray host, for screenshots (run by
test_tour_xvfb.py inside xvfb-run; argv: output folder, a speech WAV).

Debian's ``trayer`` is the system tray and ``xmessage`` stands for another application the
user is working in. Ada runs Parley (``ParleyApp``, as ``parley`` does) against a real
coordinator; the other people are real ``parley bot`` processes with file media. The tour:
home (dark), settings, the tray menu, an incoming ring popping up over the other app while
Parley's window is hidden, accept → a three-person grid (two bots), spotlight, PiP on
minimise, a second ring accepted during the call (issue 4: the first call waits on hold,
the active-calls switcher, the split view, hanging up resumes the first call), an outgoing
ring ("Calling…"), the Lobby, then the light theme. Each step's
outcome is printed as one JSON line ``RESULT {...}``; screenshots of the whole screen go to
the output folder as ``tour_*.png``.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "xcb"

from PySide6.QtCore import QPoint, QSettings
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from app.call import LocalMedia
from app.client import VideoClient
from app.server import ensure_local_coordinator
from tests.ui.xvfb_app_session import stop_coordinator
from ui.application import AppOptions, ParleyApp
from ui.call_participants import LayoutMode
from ui.event_loop import GuiEventLoop
from ui.qt_environment import sanitize_qt_environment
from ui.settings import Settings
from ui.theme import DARK, LIGHT, Theme

DATA = Path("/usr/share/doc/opencv-doc/examples/data")
VTEST = str(DATA / "vtest.avi")
MEGAMIND = str(DATA / "Megamind.avi")
RING_CALL = "tour-ring"


async def until(predicate: Callable[[], bool], timeout_s: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def settle() -> None:
    """Let the X server and the compositor-less Xvfb draw what Qt just sent."""
    await asyncio.sleep(0.6)  # screenshots only: nothing below asserts on time


def screenshot(out: Path, name: str) -> None:
    subprocess.run(["import", "-window", "root", str(out / name)], check=True)


def start_bot(out: Path, url: str, speech: str, *args: str) -> subprocess.Popen[bytes]:
    """A ``parley bot`` child; its log goes to ``out/tour_bot_<user>.log``."""
    command = [sys.executable, "-m", "app.bot", "--server", url, "--audio-file", speech]
    command += ["--control-stdin", "-v", *args]
    log = out / f"tour_bot_{args[args.index('--user-id') + 1]}.log"
    with log.open("wb") as stderr:
        return subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr
        )


def start_other_app() -> subprocess.Popen[bytes]:
    """A window of another application, for the ring to pop up over."""
    text = "Quarterly report.txt - the document the user is editing in another app"
    return subprocess.Popen(["xmessage", "-geometry", "900x520+120+90", "-buttons", "", text])


def tile_count_with_video(parley: ParleyApp) -> int:
    container = parley.window.container
    content = container.content if container is not None else None
    if content is None:
        return 0
    return sum(t.renderer.painted_frame_count > 2 for t in content.participants_view.tiles)


async def multicall_step(
    parley: ParleyApp,
    out: Path,
    url: str,
    speech: str,
    bots: list[subprocess.Popen[bytes]],
    result: dict[str, object],
) -> None:
    """Katherine rings during the call: accept (the call waits on hold), the switcher, the
    split view, then hang up her call and the first one is back."""
    window = parley.window
    ringing, first = window.ringing, window.container
    assert ringing is not None and first is not None
    bots.append(
        start_bot(out, url, speech, "--name", "Katherine Johnson", "--user-id", "katherine",
                  "--video-file", MEGAMIND, "--call", "default:tour-second",
                  "--ring", "ada-lovelace")
    )  # fmt: skip
    if not await until(lambda: bool(ringing.popups), 45):
        return
    await settle()
    screenshot(out, "tour_multicall_incoming.png")
    next(iter(ringing.popups.values())).accept_video_button.click()
    switcher = window.calls.switcher
    result["multicall_switcher"] = await until(
        lambda: (
            switcher.isVisible()
            and first.call.state.is_on_hold
            and window.container is not first
            and tile_count_with_video(parley) >= 2
        ),
        60,
    )
    await settle()
    screenshot(out, "tour_multicall_switcher.png")
    switcher.split_button.click()
    panes = window.calls.split_view.panes
    result["multicall_split"] = await until(
        lambda: all(
            t.renderer.painted_frame_count > 2
            for pane in panes
            for t in pane.participants_view.visible_tiles
        ),
        30,
    )
    await settle()
    screenshot(out, "tour_multicall_split.png")
    switcher.split_button.click()
    second = window.container
    if second is not None and second.content is not None:
        second.content.controls.leave_button.click()
    result["multicall_resumed"] = await until(
        lambda: window.container is first and not first.call.state.is_on_hold, 20
    )


async def tour(app: QApplication, theme: Theme, out: Path, speech: str, data_dir: str) -> dict:
    result: dict[str, object] = {}
    url = await ensure_local_coordinator(data_dir, port=0)
    settings = Settings(QSettings(str(Path(data_dir) / "parley.ini"), QSettings.Format.IniFormat))
    options = AppOptions(user_name="Ada Lovelace", server_url=url, video_file=VTEST)
    parley = ParleyApp(app, options, settings)
    running = asyncio.create_task(parley.run())
    window = parley.window
    bots: list[subprocess.Popen[bytes]] = []
    other_app: subprocess.Popen[bytes] | None = None
    callee: VideoClient | None = None
    try:
        result["tray"] = await until(QSystemTrayIcon.isSystemTrayAvailable, 10)
        result["signed_in"] = await until(lambda: window.ringing is not None, 30)
        await settle()
        screenshot(out, "tour_home_dark.png")

        dialog = window.open_settings("devices")
        result["settings"] = dialog is not None
        if dialog is not None:
            dialog.test_switch.click()
            await until(lambda: dialog.preview.painted_frame_count > 2, 20)
            await settle()
            screenshot(out, "tour_settings.png")
            dialog.done_button.click()
            media = parley.client.local_media if parley.client is not None else None
            await until(lambda: media is None or not media.camera_enabled, 10)

        parley.tray.menu.popup(QPoint(1080, 28))
        await settle()
        screenshot(out, "tour_tray_menu.png")
        parley.tray.menu.hide()

        # Parley in the tray; the user works in another application when Grace rings.
        window.hide()
        other_app = start_other_app()
        await asyncio.sleep(1.0)  # let the other window map before the ring
        bots.append(
            start_bot(out, url, speech, "--name", "Grace Hopper", "--user-id", "grace",
                      "--video-file", VTEST, "--call", f"default:{RING_CALL}",
                      "--ring", "ada-lovelace")
        )  # fmt: skip
        ringing = window.ringing
        assert ringing is not None
        result["incoming"] = await until(lambda: bool(ringing.popups), 45)
        await settle()
        screenshot(out, "tour_incoming.png")
        popup = next(iter(ringing.popups.values()), None)
        if popup is not None:
            popup.accept_video_button.click()
        result["accepted"] = await until(lambda: tile_count_with_video(parley) >= 2, 60)
        other_app.terminate()
        bots.append(
            start_bot(out, url, speech, "--name", "Linus Torvalds", "--user-id", "linus",
                      "--video-file", MEGAMIND, "--call", f"default:{RING_CALL}")
        )  # fmt: skip
        result["grid"] = await until(lambda: tile_count_with_video(parley) >= 3, 60)
        await settle()
        screenshot(out, "tour_grid.png")

        container = window.container
        content = container.content if container is not None else None
        if content is not None:
            content.set_layout_mode(LayoutMode.SPOTLIGHT)
            await settle()
            screenshot(out, "tour_spotlight.png")
            content.set_layout_mode(LayoutMode.GRID)

        window.showMinimized()
        result["pip"] = await until(
            lambda: window.pip_window is not None and window.pip_window.isVisible(), 10
        )
        await settle()
        screenshot(out, "tour_pip.png")
        window.restore_from_pip()
        await multicall_step(parley, out, url, speech, bots, result)
        if content is not None:
            content.controls.leave_button.click()
        await until(
            lambda: window.container is None or window.container.current_screen == "ended", 15
        )
        window.go_home()

        # Ringing someone who does not answer: the OutgoingCall screen.
        callee = await VideoClient.sign_in_guest(
            url, "Alan Turing", user_id="alan", local_media=LocalMedia(audio_output="null")
        )
        window.ring_user("alan", True)
        result["outgoing"] = await until(
            lambda: window.container is not None and window.container.current_screen == "outgoing",
            20,
        )
        await settle()
        screenshot(out, "tour_outgoing.png")
        if window.container is not None:
            window.container.outgoing.cancel_button.click()
            await settle()
        window.go_home()

        window.open_call(parley.client.make_call("default", "design-review"))  # type: ignore[union-attr]
        lobby = window.container.lobby if window.container is not None else None
        result["lobby"] = lobby is not None and await until(
            lambda: lobby.preview.renderer.painted_frame_count > 2, 20
        )
        await settle()
        screenshot(out, "tour_lobby_dark.png")

        theme.choose(LIGHT)
        await settle()
        screenshot(out, "tour_lobby_light.png")
        window.go_home()
        await settle()
        screenshot(out, "tour_home_light.png")
        theme.choose(DARK)
    finally:
        for bot in bots:
            if bot.stdin is not None:
                bot.stdin.close()  # end of input: the bot leaves
        for bot in bots:
            try:
                bot.wait(10)
            except subprocess.TimeoutExpired:
                bot.kill()
        if other_app is not None:
            other_app.kill()
        if callee is not None:
            await callee.disconnect()
        print("RESULT " + json.dumps(result), flush=True)  # what was reached, if this fails
        window.closing.emit()  # "Quit Parley" (close() would only hide it to the tray)
        await asyncio.wait_for(running, 30)
    return result


def main() -> int:
    out, speech = Path(sys.argv[1]), sys.argv[2]
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("tour_*.png"):
        old.unlink()
    sanitize_qt_environment()
    tray_host = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel",
         "--width", "160", "--height", "28", "--transparent", "false", "--tint", "0x202124"],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    theme = Theme(app, follow_system=False)
    theme.apply(DARK)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            try:
                result = asyncio.run(
                    tour(app, theme, out, speech, data_dir),
                    loop_factory=lambda: GuiEventLoop(app),
                )
            finally:
                stop_coordinator(Path(data_dir))
    finally:
        tray_host.terminate()
    result["platform"] = app.platformName()
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
