"""Screen sharing in the call screen (offscreen, a ``ScriptedCall``): the share button and
why it is disabled, the picker, the sharer's banner, the receivers' screen-share layout
and the popped-out share. The capture itself runs on a real X server in
``tests/e2e/test_screen_share_xvfb.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import pytest
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtMultimedia import QWindowCapture
from pytestqt.qtbot import QtBot

from app.call import LocalMedia
from app.client import VideoClient
from app.media import FrameSink, ScreenShareTrack
from app.protocol import OwnCapability, TrackType
from tests.fixtures.qt import complete
from tests.media.screen_pattern import screen_pattern
from tests.ui.call_scenes import five_people_call
from tests.ui.helpers import grab_rgb
from tests.ui.scripted_call import ScriptedCall, show_call_content
from ui.bridge import CallBridge
from ui.call_content import CallContent
from ui.home_window import HomeWindow
from ui.pip_window import PipWindow
from ui.screen_share_picker import ScreenSharePicker, ShareChoice
from ui.settings import Settings
from ui.tray import ParleyTray

pytestmark = pytest.mark.usefixtures("themed_app")


def _sharing_call(frames: list[av.VideoFrame], *, capability: bool = True) -> ScriptedCall:
    """The five-people scene; Yan shares a test pattern (1280x720) unless told otherwise."""
    call = five_people_call(frames)
    share = FrameSink()
    pattern = screen_pattern(1280, 720, "Yan's slides")
    share.put(av.VideoFrame.from_ndarray(pattern, format="rgb24").reformat(format="yuv420p"))
    call.share_sinks["p-yan"] = share
    capabilities = {OwnCapability.SEND_AUDIO, OwnCapability.SEND_VIDEO}
    if capability:
        capabilities.add(OwnCapability.SCREENSHARE)
    call.publish(call.state.with_changes(own_capabilities=frozenset(capabilities)))
    return call


def test_receivers_switch_to_the_screen_share_layout(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], artifacts_dir: Path
) -> None:
    call = _sharing_call(vtest_frames)
    content = show_call_content(qtbot, call)
    stage = content.screen_share_stage

    qtbot.waitUntil(stage.isVisible)
    assert not content.participants_view.isVisible()
    assert stage.presenter_label.text() == "Yan Liu is presenting"
    assert stage.share_view.renderer.sink is call.share_sinks["p-yan"]
    assert stage.camera_view.sink is call.sinks["p-yan"]  # her camera, small
    assert not stage.camera_view.video_enabled  # …off: her avatar shows
    qtbot.waitUntil(lambda: stage.share_view.renderer.painted_frame_count > 0)
    share_rect = stage.share_view.geometry()
    camera_rect = stage.camera_view.geometry()
    assert share_rect.contains(camera_rect)  # in the corner of the share
    assert camera_rect.width() < share_rect.width() / 4
    grab_rgb(content, artifacts_dir / "screen_share_receiver.png")

    stage.fit_button.click()  # 1:1: one video pixel per screen pixel, scrollable
    assert stage.share_view.renderer.size().width() == 1280
    stage.fit_button.click()

    window = content.screen_share.pop_out()
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Yan Liu's screen"
    qtbot.waitUntil(lambda: window.share_view.renderer.painted_frame_count > 0)
    grab_rgb(window, artifacts_dir / "screen_share_popped_out.png")

    # Yan stops: back to the tiles, the popped-out window closes
    yan = call.state.participant("p-yan")
    stopped = yan.with_changes(published_tracks=yan.published_tracks - {TrackType.SCREEN_SHARE})
    call.publish(
        call.state.with_changes(
            participants=tuple(stopped if p is yan else p for p in call.state.participants)
        )
    )
    qtbot.waitUntil(lambda: not stage.isVisible() and content.participants_view.isVisible())
    qtbot.waitUntil(lambda: content.screen_share.popped_out is None)


def test_the_share_button_says_why_it_is_disabled(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame]
) -> None:
    call = _sharing_call(vtest_frames, capability=False)
    content = show_call_content(qtbot, call)
    button = content.controls.screen_share_button
    assert not button.isEnabled()
    assert button.toolTip() == "You are not allowed to share your screen in this call"

    call.publish(
        call.state.with_changes(
            own_capabilities=call.state.own_capabilities | {OwnCapability.SCREENSHARE},
            settings={"screensharing": {"enabled": False}},
        )
    )
    assert not button.isEnabled()
    assert button.toolTip() == "Screen sharing is turned off for this call"

    call.publish(call.state.with_changes(settings={}))
    assert button.isEnabled() and button.toolTip() == "Share your screen"


def test_picker_lists_screens_with_thumbnails_and_says_when_there_are_no_windows(
    qtbot: QtBot, artifacts_dir: Path
) -> None:
    picker = ScreenSharePicker()
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)

    assert picker.screens_list.count() >= 1
    assert picker.screens_list.item(0).text().startswith("Screen 1 (")
    assert not picker.screens_list.item(0).icon().isNull()  # a live thumbnail
    choice = picker.choice()
    assert choice is not None and choice.screen is not None and choice.window is None
    assert picker.share_button.isEnabled()
    assert not picker.system_audio_check.isEnabled()  # unavailable, and says why
    assert "not available" in picker.system_audio_check.toolTip()
    grab_rgb(picker, artifacts_dir / "screen_share_picker.png")

    picker.tabs.setCurrentIndex(1)
    if not QWindowCapture.capturableWindows():  # offscreen and Xvfb list none
        assert picker.no_windows_label.isVisible()
        assert "No windows can be shared" in picker.no_windows_label.text()
        assert picker.choice() is None and not picker.share_button.isEnabled()
    picker.reject()


def test_sharing_shows_the_banner_and_stops_from_it(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], qt_loop: qasync.QEventLoop
) -> None:
    call = _sharing_call(vtest_frames)
    content = show_call_content(qtbot, call)
    controller = content.screen_share
    button = content.controls.screen_share_button
    assert button.isEnabled() and not button.isChecked()
    screen = content.screen()

    controller.share(ShareChoice("Screen 1", screen=screen))

    qtbot.waitUntil(lambda: call.is_screen_sharing)
    track = call.shared_track
    assert isinstance(track, ScreenShareTrack)
    assert controller.capture is not None and controller.capture.is_running
    qtbot.waitUntil(content.sharing_banner.isVisible)
    assert content.sharing_banner.label.text() == "You are sharing Screen 1"
    assert button.isChecked() and button.toolTip() == "Stop sharing your screen"

    content.sharing_banner.stop_button.click()

    qtbot.waitUntil(lambda: not call.is_screen_sharing)
    assert ("stop_screen_share", None) in call.commands
    assert track.readyState == "ended"
    assert controller.capture is None
    qtbot.waitUntil(lambda: not content.sharing_banner.isVisible())
    assert not button.isChecked() and button.toolTip() == "Share your screen"


def _start_sharing(qtbot: QtBot, call: ScriptedCall, content: CallContent) -> ScreenShareTrack:
    content.screen_share.share(ShareChoice("Screen 1", screen=content.screen()))
    qtbot.waitUntil(lambda: call.is_screen_sharing)
    track = call.shared_track
    assert isinstance(track, ScreenShareTrack)
    return track


def test_the_pip_window_stops_the_share(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], qt_loop: qasync.QEventLoop
) -> None:
    call = _sharing_call(vtest_frames)
    content = show_call_content(qtbot, call)
    pip = PipWindow(CallBridge(call))
    qtbot.addWidget(pip)
    pip.show()
    assert pip.stop_share_button.isHidden()
    track = _start_sharing(qtbot, call, content)
    assert not pip.stop_share_button.isHidden()

    pip.stop_share_button.click()

    qtbot.waitUntil(lambda: not call.is_screen_sharing)
    assert track.readyState == "ended" and pip.stop_share_button.isHidden()
    qtbot.waitUntil(lambda: content.screen_share.capture is None)


@pytest.fixture
def client(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, coordinator, vtest_avi: Path
) -> Iterator[VideoClient]:
    media = LocalMedia(video_file=str(vtest_avi), audio_output="null")
    signed_in = complete(
        qtbot,
        qt_loop,
        VideoClient.sign_in_guest(coordinator.url, "Ada Lovelace", local_media=media),
        timeout_s=20,
    )
    yield signed_in
    complete(qtbot, qt_loop, signed_in.disconnect(), timeout_s=20)


def test_the_tray_menu_stops_the_share(
    qtbot: QtBot,
    client: VideoClient,
    tmp_path: Path,
    vtest_frames: list[av.VideoFrame],
) -> None:
    window = HomeWindow(Settings(QSettings(str(tmp_path / "p.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.set_client(client)
    call = _sharing_call(vtest_frames)
    window.open_call(call)  # type: ignore[arg-type]
    container = window.container
    assert container is not None
    qtbot.waitUntil(lambda: container.current_screen == "content", timeout=3000)
    content = container.content
    assert content is not None
    tray = ParleyTray(window)
    assert not tray.stop_share_action.isVisible()
    track = _start_sharing(qtbot, call, content)
    assert tray.stop_share_action.isVisible()

    tray.stop_share_action.trigger()

    qtbot.waitUntil(lambda: not call.is_screen_sharing)
    assert track.readyState == "ended" and not tray.stop_share_action.isVisible()
