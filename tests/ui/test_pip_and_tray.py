"""Picture-in-picture, minimise-to-PiP, the tray menu, close-to-tray, quitting during a
call, and the settings that steer them. The main window is signed in for real (a real
coordinator); the call is a ScriptedCall so that who is the dominant speaker is exact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import pytest
import qasync
import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QSizeGrip
from pytestqt.qtbot import QtBot

from app.call import LocalMedia
from app.client import VideoClient
from app.media import VideoDimension
from tests.fixtures.qt import complete
from tests.ui.call_scenes import five_people_call
from tests.ui.helpers import grab_rgb
from tests.ui.scripted_call import ScriptedCall
from ui.bridge import CallBridge
from ui.home_window import HomeWindow
from ui.pip_window import PipWindow
from ui.settings import (
    CLOSE_TO_TRAY,
    PIP_ON_MINIMISE,
    RINGTONE,
    SETTINGS,
    THEME,
    Settings,
    ThemeChoice,
)
from ui.tray import ParleyTray, TrayStatus
from ui.video_subscriptions import NOT_SHOWN

pytestmark = pytest.mark.usefixtures("themed_app")


def _dominant(call: ScriptedCall, session_id: str) -> None:
    call.publish(
        call.state.with_changes(
            participants=tuple(
                p.with_changes(is_dominant_speaker=p.session_id == session_id)
                for p in call.state.participants
            )
        )
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "parley.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def client(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, coordinator, vtest_avi: Path
) -> Iterator[VideoClient]:
    media = LocalMedia(video_file=str(vtest_avi), audio_output="null")
    client = complete(
        qtbot,
        qt_loop,
        VideoClient.sign_in_guest(
            coordinator.url, "Ada Lovelace", user_id="ada", local_media=media
        ),
        timeout_s=20,
    )
    yield client
    complete(qtbot, qt_loop, client.disconnect(), timeout_s=20)


@pytest.fixture
def in_call(
    qtbot: QtBot, client: VideoClient, settings: Settings, vtest_frames: list[av.VideoFrame]
) -> tuple[HomeWindow, ScriptedCall]:
    """The main window in the CallContent of a five-person call."""
    window = HomeWindow(settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.set_client(client)
    call = five_people_call(vtest_frames)
    window.open_call(call)  # type: ignore[arg-type]
    container = window.container
    assert container is not None
    qtbot.waitUntil(lambda: container.current_screen == "content", timeout=3000)
    return window, call


def test_pip_window_shows_the_dominant_speaker_with_mini_controls(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, vtest_frames: list[av.VideoFrame], artifacts_dir: Path
) -> None:
    call = five_people_call(vtest_frames)
    _dominant(call, "p-amy")  # no screen share in this PiP: drop Yan's
    call.publish(
        call.state.with_changes(
            participants=tuple(p for p in call.state.participants if p.session_id != "p-yan")
        )
    )
    _dominant(call, "p-xia")
    pip = PipWindow(CallBridge(call))  # deletes itself on close: not handed to qtbot
    pip.show()
    qtbot.waitExposed(pip)
    assert pip.shown_session_id == "p-xia"
    assert pip.tile is not None and pip.tile.renderer.sink is call.sinks["p-xia"]
    assert pip.tile.renderer.has_video
    flags = pip.windowFlags()
    assert flags & flags.FramelessWindowHint and flags & flags.WindowStaysOnTopHint
    assert pip.findChild(QSizeGrip) is pip.size_grip
    pip.set_controls_visible(True)
    qtbot.waitUntil(lambda: pip.tile is not None and pip.tile.renderer.painted_frame_count > 0)
    grab_rgb(pip, artifacts_dir / "pip_window.png")

    _dominant(call, "p-amy")  # the stage follows the dominant speaker
    assert pip.shown_session_id == "p-amy"
    pip.set_pinned("p-cal")  # a pin wins
    assert pip.shown_session_id == "p-cal"

    pip.resize(480, 270)
    assert pip.tile.size() == pip.size()
    assert pip.size_grip.geometry().bottomRight() == pip.rect().bottomRight()

    pip.microphone_button.click()
    qtbot.waitUntil(lambda: ("microphone", False) in call.commands, timeout=2000)
    assert not pip.microphone_button.isChecked()
    pip.camera_button.click()
    qtbot.waitUntil(lambda: ("camera", False) in call.commands, timeout=2000)
    with qtbot.waitSignal(pip.return_requested, timeout=1000):
        pip.return_button.click()
    pip.leave_button.click()
    qtbot.waitUntil(lambda: call.state.status.is_disconnected, timeout=2000)
    qtbot.waitUntil(lambda: not shiboken6.isValid(pip), timeout=2000)  # closed and gone


def test_minimising_during_a_call_opens_pip(
    qtbot: QtBot, in_call: tuple[HomeWindow, ScriptedCall], settings: Settings
) -> None:
    window, _ = in_call
    window.showMinimized()
    qtbot.waitUntil(lambda: window.pip_window is not None, timeout=2000)
    pip = window.pip_window
    assert pip is not None and pip.isVisible()
    assert pip.shown_session_id == "p-yan"  # the screen sharer, as in the spotlight
    pip.return_button.click()
    assert window.pip_window is None and not window.isMinimized()

    # the PiP button in the controls does the same and minimises the window
    content = window.container.content if window.container else None
    assert content is not None
    content.controls.pip_button.click()
    qtbot.waitUntil(lambda: window.pip_window is not None, timeout=2000)
    window.showNormal()
    qtbot.waitUntil(lambda: window.pip_window is None, timeout=2000)

    settings.set_value(PIP_ON_MINIMISE.key, False)
    window.showMinimized()
    assert window.pip_window is None
    window.showNormal()


def test_popped_out_the_call_asks_for_the_pip_tile_size_only(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, in_call: tuple[HomeWindow, ScriptedCall]
) -> None:
    """The main window minimised into PiP paints nothing: its stale tile sizes must not
    keep 720p coming. The PiP tile's size is what its sender is asked for; everyone else
    gets the smallest layer until the window comes back."""
    window, call = in_call
    content = window.container.content if window.container else None
    assert content is not None
    # no screen share, and Xia (camera on) speaking: the PiP shows her camera
    call.publish(
        call.state.with_changes(
            participants=tuple(p for p in call.state.participants if p.session_id != "p-yan")
        )
    )
    _dominant(call, "p-xia")
    qtbot.waitUntil(lambda: len(call.video_dimensions) >= 3, timeout=5000)
    content.controls.pip_button.click()  # pop out: PiP opens, the window minimises
    qtbot.waitUntil(lambda: window.pip_window is not None and window.isMinimized(), timeout=3000)
    pip = window.pip_window
    assert pip is not None and pip.tile is not None
    shown = pip.shown_session_id
    assert shown == "p-xia"
    qtbot.waitUntil(lambda: pip.tile.renderer.render_size_px is not None, timeout=3000)
    width_px, height_px = pip.tile.renderer.render_size_px

    def popped_out() -> bool:
        dims = call.video_dimensions
        others = [d for s, d in dims.items() if s not in (shown, "p-yan")]
        return dims.get(shown) == VideoDimension(width_px, height_px) and all(
            d == NOT_SHOWN for d in others
        )

    qtbot.waitUntil(popped_out, timeout=5000)
    assert width_px < 800  # a PiP tile, not the stage

    pip.return_button.click()  # back to the window: its tiles count again
    qtbot.waitUntil(
        lambda: all(d != NOT_SHOWN for s, d in call.video_dimensions.items() if s != "p-yan"),
        timeout=5000,
    )


def test_tray_menu_acts_on_the_call(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, in_call: tuple[HomeWindow, ScriptedCall]
) -> None:
    window, call = in_call
    tray = ParleyTray(window)
    assert tray.status is TrayStatus.IN_CALL
    assert tray.call_action.isVisible() and "design-review" in tray.call_action.text()
    assert tray.mute_action.text() == "Mute"

    tray.mute_action.trigger()
    qtbot.waitUntil(lambda: ("microphone", False) in call.commands, timeout=2000)
    qtbot.waitUntil(lambda: tray.status is TrayStatus.MUTED, timeout=2000)
    assert tray.mute_action.text() == "Unmute" and "muted" in tray.icon.toolTip()
    tray.mute_action.trigger()
    qtbot.waitUntil(lambda: tray.status is TrayStatus.IN_CALL, timeout=2000)

    window.showMinimized()
    tray.open_action.trigger()
    assert window.isVisible() and not window.isMinimized()

    tray.leave_action.trigger()
    qtbot.waitUntil(lambda: call.state.status.is_disconnected, timeout=2000)
    qtbot.waitUntil(lambda: tray.status is TrayStatus.IDLE, timeout=2000)
    assert not tray.mute_action.isVisible() and not tray.leave_action.isVisible()


def test_quitting_during_a_call_asks_first(
    qtbot: QtBot, in_call: tuple[HomeWindow, ScriptedCall]
) -> None:
    window, _ = in_call
    tray = ParleyTray(window)
    tray.quit_action.trigger()
    box = window.quit_confirmation
    assert box is not None and box.isVisible()
    with qtbot.assertNotEmitted(window.closing):
        box.button(QMessageBox.StandardButton.Cancel).click()
    assert window.quit_confirmation is None and window.isVisible()

    tray.quit_action.trigger()
    box = window.quit_confirmation
    assert box is not None
    leave = next(b for b in box.buttons() if b.text() == "Leave and quit")
    with qtbot.waitSignal(window.closing, timeout=2000):
        leave.click()


def test_close_keeps_parley_in_the_tray(
    qtbot: QtBot, in_call: tuple[HomeWindow, ScriptedCall], settings: Settings
) -> None:
    window, call = in_call
    window.tray_available = True  # a tray host is running (see TESTING.md: trayer)
    assert window.keeps_running_in_tray
    with qtbot.assertNotEmitted(window.closing), qtbot.waitSignal(window.hidden_to_tray):
        window.close()
    assert not window.isVisible() and call.state.status.is_active  # still in the call

    # without a tray (or with the setting off) closing means quitting, asked first in a call
    settings.set_value(CLOSE_TO_TRAY.key, False)
    window.show()
    window.close()
    assert window.quit_confirmation is not None and window.isVisible()
    window.quit_confirmation.reject()


def test_close_without_a_call_quits(qtbot: QtBot, settings: Settings) -> None:
    window = HomeWindow(settings)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.closing, timeout=1000):
        window.close()
    assert not window.isVisible()


def test_settings_are_declared_and_persisted(tmp_path: Path) -> None:
    path = str(tmp_path / "parley.ini")
    settings = Settings(QSettings(path, QSettings.Format.IniFormat))
    assert {spec.key for spec in SETTINGS} == {
        "account/display_name",
        "account/server_url",
        CLOSE_TO_TRAY.key,
        PIP_ON_MINIMISE.key,
        "call/join_camera_off",
        "call/join_microphone_off",
        THEME.key,
        RINGTONE.key,
    }
    # none of them is a secret: the token lives in the OS keyring
    assert not any("token" in spec.key or "secret" in spec.key for spec in SETTINGS)
    assert all(spec.description for spec in SETTINGS)
    assert settings.close_to_tray and settings.pip_on_minimise
    assert settings.theme is ThemeChoice.SYSTEM
    settings.set_value(PIP_ON_MINIMISE.key, False)
    settings.set_value(THEME.key, ThemeChoice.LIGHT.value)
    reopened = Settings(QSettings(path, QSettings.Format.IniFormat))
    assert not reopened.pip_on_minimise and reopened.theme is ThemeChoice.LIGHT
    assert reopened.close_to_tray
    with pytest.raises(TypeError):
        reopened.set_value(CLOSE_TO_TRAY.key, "yes")
    with pytest.raises(ValueError):
        reopened.set_value(THEME.key, "purple")
    with pytest.raises(KeyError):
        reopened.value("window/nope")
