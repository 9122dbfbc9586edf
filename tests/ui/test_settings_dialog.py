"""The settings dialog with the real LocalMedia (vtest.avi and espeak speech as devices),
and the Lobby honouring "join with my camera off" against a real coordinator."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QPoint, QRect, QSettings
from pytestqt.qtbot import QtBot

from app.call import LocalMedia
from app.client import VideoClient
from tests.fixtures.qt import complete
from tests.ui.conftest import VTEST_AVI
from tests.ui.helpers import grab_rgb
from ui.call_container import CallContainer
from ui.settings import JOIN_CAMERA_OFF, RINGTONE, SERVER_URL, Settings, ThemeChoice
from ui.settings_dialog import SettingsDialog


@pytest.fixture
def local_media(qtbot: QtBot, qt_loop: qasync.QEventLoop, speech_wav: Path) -> Iterator[LocalMedia]:
    media = LocalMedia(video_file=str(VTEST_AVI), audio_file=str(speech_wav), audio_output="null")
    yield media
    closing = asyncio.ensure_future(media.close(), loop=qt_loop)
    qtbot.waitUntil(closing.done, timeout=5000)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "parley.ini"), QSettings.Format.IniFormat))


def _dialog(
    qtbot: QtBot, settings: Settings, media: LocalMedia, **kwargs: object
) -> SettingsDialog:
    dialog = SettingsDialog(settings, media, signed_in_name="Ada Lovelace", **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_every_change_is_stored_at_once_and_bad_addresses_are_refused(
    qtbot: QtBot, settings: Settings, local_media: LocalMedia, artifacts_dir: Path, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, settings, local_media)
    assert [dialog.nav.item(i).text() for i in range(dialog.nav.count())] == [
        "Account",
        "Audio & video",
        "Calls",
        "Appearance",
    ]
    grab_rgb(dialog, artifacts_dir / "settings_account.png")

    dialog.server_field.setText("parley.example.org")  # no scheme: not an address
    dialog.server_field.editingFinished.emit()
    assert dialog.server_error.isVisibleTo(dialog)
    assert "parley.example.org" in dialog.server_error.text()
    assert settings.server_url == ""
    dialog.server_field.setText("https://parley.example.org")
    dialog.server_field.editingFinished.emit()
    assert not dialog.server_error.isVisibleTo(dialog)
    dialog.name_field.setText("  Ada L.  ")
    dialog.name_field.editingFinished.emit()

    dialog.show_section("calls")
    assert settings.ringtone
    dialog.switches[RINGTONE.key].click()
    dialog.show_section("devices")
    dialog.switches[JOIN_CAMERA_OFF.key].click()
    dialog.show_section("appearance")
    light = next(b for b in dialog.theme_buttons.buttons() if b.text() == "Light")
    light.click()
    grab_rgb(dialog, artifacts_dir / "settings_appearance.png")

    # A fresh Settings on the same file sees every change: nothing waits for "Done".
    stored = Settings(QSettings(str(tmp_path / "parley.ini"), QSettings.Format.IniFormat))
    assert stored.server_url == "https://parley.example.org"
    assert stored.display_name == "Ada L."
    assert not stored.ringtone
    assert stored.join_camera_off
    assert stored.theme is ThemeChoice.LIGHT
    with pytest.raises(ValueError):
        stored.set_value(SERVER_URL.key, "ftp://files.example.org")


def test_device_test_shows_camera_and_level_then_restores_the_devices(
    qtbot: QtBot, settings: Settings, local_media: LocalMedia, artifacts_dir: Path
) -> None:
    dialog = _dialog(qtbot, settings, local_media)
    dialog.show_section("devices")
    assert dialog.camera_picker.device_ids() == [f"file:{VTEST_AVI}"]
    assert not local_media.camera_enabled and not local_media.microphone_enabled

    dialog.test_switch.click()
    qtbot.waitUntil(lambda: dialog.preview.painted_frame_count >= 2, timeout=15000)
    qtbot.waitUntil(lambda: dialog.level_meter.level > 0.05, timeout=15000)
    pixels = grab_rgb(dialog, artifacts_dir / "settings_devices.png")
    video = QRect(dialog.preview.mapTo(dialog, QPoint(0, 0)), dialog.preview.size())
    region = pixels[video.top() + 20 : video.bottom() - 20, video.left() + 20 : video.right() - 20]
    assert region.std() > 25  # vtest's street, not the flat placeholder

    dialog.done_button.click()
    qtbot.waitUntil(
        lambda: not local_media.camera_enabled and not local_media.microphone_enabled,
        timeout=10000,
    )


def test_device_test_is_off_limits_during_a_call(
    qtbot: QtBot, settings: Settings, local_media: LocalMedia
) -> None:
    dialog = _dialog(qtbot, settings, local_media, devices_in_use=True)
    assert not dialog.test_switch.isEnabled()
    assert "call" in dialog.test_switch.toolTip()


def test_the_lobby_joins_with_the_camera_off_when_the_settings_say_so(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, coordinator, local_media: LocalMedia
) -> None:
    client = complete(
        qtbot,
        qt_loop,
        VideoClient.sign_in_guest(coordinator.url, "Ada", user_id="ada", local_media=local_media),
        20,
    )
    try:
        call = client.make_call("default", "camera-shy")
        container = CallContainer(call, local_media, "Ada", join_devices_off=(True, False))
        qtbot.addWidget(container)
        container.show()
        # The default call type turns both on (camera_default_on, mic_default_on); the
        # microphone follows it, the camera stays off as the user asked.
        qtbot.waitUntil(lambda: local_media.microphone_enabled, timeout=15000)
        assert call.state.settings["video"]["camera_default_on"]
        assert not local_media.camera_enabled
    finally:
        complete(qtbot, qt_loop, client.disconnect(), timeout_s=20)
