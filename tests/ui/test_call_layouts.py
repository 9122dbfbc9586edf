"""CallContent's layouts, sorting, pinning, people panel, quality bars and "End for all"."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
import qasync
from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.call import ConnectionQuality, LocalMedia
from app.protocol import OwnCapability, TrackType
from tests.fixtures.qt import complete
from tests.ui.call_scenes import SORTED_SESSION_IDS, five_people_call
from tests.ui.helpers import grab_rgb
from tests.ui.scripted_call import show_call_content
from ui.bridge import CallBridge, LocalMediaBridge
from ui.call_content import CallContent
from ui.call_participants import LayoutMode
from ui.participant_sorting import sort_participants

pytestmark = pytest.mark.usefixtures("themed_app")  # screenshots in Parley's dark theme


def _order(content: CallContent) -> list[str]:
    return [tile.participant.session_id for tile in content.participants_view.tiles]


def _in(content: CallContent, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(content, widget.rect().topLeft()), widget.size())


def test_default_sorting_preset(vtest_frames: list[av.VideoFrame]) -> None:
    people = five_people_call(vtest_frames).state.participants
    assert [p.session_id for p in sort_participants(people)] == SORTED_SESSION_IDS
    pinned = sort_participants(people, frozenset({"p-cal"}))
    assert [p.session_id for p in pinned] == ["p-cal", *SORTED_SESSION_IDS[:-1]]


def test_grid_shows_tiles_in_sorted_order(qtbot: QtBot, vtest_frames: list[av.VideoFrame]) -> None:
    content = show_call_content(qtbot, five_people_call(vtest_frames))
    assert content.participants_view.layout_mode is LayoutMode.GRID
    assert _order(content) == SORTED_SESSION_IDS
    # reading order on screen: row by row, left to right
    tiles = content.participants_view.tiles
    positions = [(t.geometry().top(), t.geometry().left()) for t in tiles]
    assert positions == sorted(positions)


def test_layout_switch_and_pinning(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], artifacts_dir: Path
) -> None:
    call = five_people_call(vtest_frames)
    content = show_call_content(qtbot, call)
    view = content.participants_view
    controls = content.controls
    assert controls.layout_button.toolTip() == "Switch to spotlight"

    controls.layout_button.click()
    assert view.layout_mode is LayoutMode.SPOTLIGHT
    assert controls.layout_button.toolTip() == "Switch to grid"
    assert view.spotlight_session_id == "p-yan"  # the screen sharer takes the stage
    main = view.tile("p-yan")
    assert main is not None and main.width() > view.width() * 0.9
    for tile in view.visible_tiles[1:]:
        assert tile.geometry().top() > main.geometry().bottom()  # the strip under the stage
        assert tile.width() < view.width() / 4
    grab_rgb(content, artifacts_dir / "call_spotlight.png")

    # pin Amy from her tile's hover button: she moves to the stage, first in the order
    amy = view.tile("p-amy")
    assert amy is not None
    amy.pin_button.click()
    assert view.pinned_session_id == "p-amy" and view.spotlight_session_id == "p-amy"
    assert _order(content)[0] == "p-amy" and amy.pinned and amy.pin_button.isVisibleTo(amy)
    assert amy.width() > view.width() * 0.9
    grab_rgb(content, artifacts_dir / "call_spotlight_pinned.png")

    # unpin from the right-click menu: the stage goes back to the screen sharer
    menu = amy.context_menu()
    assert [a.text() for a in menu.actions()] == ["Unpin"]
    menu.actions()[0].trigger()
    assert view.pinned_session_id is None and view.spotlight_session_id == "p-yan"

    # back to the grid; pinning there switches to the spotlight (as Meet does)
    controls.layout_button.click()
    assert view.layout_mode is LayoutMode.GRID and view.spotlight_session_id is None
    cal = view.tile("p-cal")
    assert cal is not None
    cal.context_menu().actions()[0].trigger()
    assert view.layout_mode is LayoutMode.SPOTLIGHT and view.spotlight_session_id == "p-cal"
    assert controls.layout_button.toolTip() == "Switch to grid"

    # the pinned person leaves: the pin goes with them
    call.publish(
        call.state.with_changes(
            participants=tuple(p for p in call.state.participants if p.session_id != "p-cal")
        )
    )
    assert view.pinned_session_id is None and view.spotlight_session_id == "p-yan"


def test_spotlight_strip_overflows_into_a_counter(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame]
) -> None:
    content = show_call_content(qtbot, five_people_call(vtest_frames))
    content.resize(700, 700)
    content.set_layout_mode(LayoutMode.SPOTLIGHT)
    view = content.participants_view
    qtbot.waitUntil(lambda: view.width() < 700)
    assert view.overflow_count > 0
    assert len(view.visible_tiles) + view.overflow_count == 5
    for tile in view.visible_tiles:
        assert view.rect().contains(tile.geometry())


def test_participants_panel_lists_mic_and_camera_state(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], artifacts_dir: Path
) -> None:
    call = five_people_call(vtest_frames)
    content = show_call_content(qtbot, call)
    panel = content.participants_panel
    assert panel.isHidden()
    content.controls.participants_button.click()
    assert panel.isVisible() and content.controls.participants_button.isChecked()
    assert panel.session_ids == ["me", "p-amy", "p-cal", "p-xia", "p-yan"]  # you, then names
    me, cal = panel.row("me"), panel.row("p-cal")
    assert me is not None and cal is not None
    assert me.name_label.text() == "Ada Lovelace (You)"
    assert me.mic_icon.accessibleName() == "Microphone on"
    assert me.camera_icon.accessibleName() == "Camera on"
    assert cal.mic_icon.accessibleName() == "Microphone off"
    assert cal.camera_icon.accessibleName() == "Camera off"
    # the tiles make room for the panel
    assert not _in(content, panel).intersects(_in(content, content.participants_view))
    grab_rgb(content, artifacts_dir / "call_participants_panel.png")

    # Cal unmutes; pinning shows in the panel too
    call.publish(
        call.state.with_changes(
            participants=tuple(
                p.with_changes(published_tracks=p.published_tracks | {TrackType.AUDIO})
                if p.session_id == "p-cal"
                else p
                for p in call.state.participants
            )
        )
    )
    cal = panel.row("p-cal")
    assert cal is not None and cal.mic_icon.accessibleName() == "Microphone on"
    assert cal.pin_icon.isHidden()
    content.participants_view.set_pinned("p-cal")
    cal = panel.row("p-cal")
    assert cal is not None and not cal.pin_icon.isHidden()

    panel.close_button.click()
    assert panel.isHidden() and not content.controls.participants_button.isChecked()


def test_connection_quality_indicator_follows_the_state(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], artifacts_dir: Path
) -> None:
    call = five_people_call(vtest_frames)
    content = show_call_content(qtbot, call)
    tile = content.participants_view.tile("p-xia")
    assert tile is not None
    indicator = tile.quality_indicator
    assert indicator.isHidden() and indicator.bars == 0  # unknown: nothing to show

    def set_quality(quality: ConnectionQuality) -> None:
        call.publish(
            call.state.with_changes(
                participants=tuple(
                    p.with_changes(connection_quality=quality) if p.session_id == "p-xia" else p
                    for p in call.state.participants
                )
            )
        )

    for quality, bars, text in (
        (ConnectionQuality.POOR, 1, "Poor connection"),
        (ConnectionQuality.GOOD, 2, "Good connection"),
        (ConnectionQuality.EXCELLENT, 3, "Excellent connection"),
    ):
        set_quality(quality)
        assert indicator.bars == bars and indicator.isVisibleTo(tile)
        assert indicator.accessibleName() == text
        # inside the tile, bottom right, clear of the name
        geometry = indicator.geometry()
        assert tile.rect().contains(geometry) and geometry.left() > tile.width() / 2
    set_quality(ConnectionQuality.POOR)
    pixels = grab_rgb(tile, artifacts_dir / "tile_poor_connection.png")
    ratio = tile.grab().devicePixelRatio()
    box = indicator.geometry()
    badge = pixels[
        round(box.top() * ratio) : round(box.bottom() * ratio),
        round(box.left() * ratio) : round(box.right() * ratio),
    ]
    red = (badge[..., 0] > 200) & (badge[..., 1] < 160) & (badge[..., 2] < 160)
    assert red.sum() > 4  # the one lit bar is red
    # The badge's picture is drawn once per look: a new quality draws a new one.
    set_quality(ConnectionQuality.EXCELLENT)
    pixels = grab_rgb(tile)
    badge = pixels[
        round(box.top() * ratio) : round(box.bottom() * ratio),
        round(box.left() * ratio) : round(box.right() * ratio),
    ]
    red = (badge[..., 0] > 200) & (badge[..., 1] < 160) & (badge[..., 2] < 160)
    green = (badge[..., 1] > 170) & (badge[..., 0] < 160) & (badge[..., 2] < 180)
    assert red.sum() == 0 and green.sum() > 12  # three green bars, none red
    set_quality(ConnectionQuality.UNKNOWN)
    assert indicator.isHidden()


def test_end_for_everyone_needs_the_capability(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, vtest_frames: list[av.VideoFrame]
) -> None:
    call = five_people_call(vtest_frames)
    content = show_call_content(qtbot, call)
    button = content.controls.end_call_button
    assert button.isHidden()
    assert button.accessibleName() == "End the call for everyone"
    call.publish(call.state.with_changes(own_capabilities=frozenset({OwnCapability.END_CALL})))
    assert button.isVisibleTo(content)
    button.click()
    qtbot.waitUntil(lambda: call.state.status.is_disconnected, timeout=2000)
    assert call.commands == [("end", None)]


def test_every_control_is_named_and_explained(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame]
) -> None:
    content = show_call_content(qtbot, five_people_call(vtest_frames))
    controls = content.controls
    buttons = [
        controls.microphone_button,
        controls.camera_button,
        controls.microphone_pill.chevron,
        controls.camera_pill.chevron,
        controls.effects_button,
        controls.pip_button,
        controls.leave_button,
        controls.end_call_button,
        controls.layout_button,
        controls.participants_button,
    ]
    for button in buttons:
        assert button.accessibleName(), button
        assert button.toolTip(), button.accessibleName()
    with qtbot.waitSignal(content.pip_requested, timeout=1000):
        controls.pip_button.click()


def test_device_menus_list_and_choose_devices(
    qtbot: QtBot,
    qt_loop: qasync.QEventLoop,
    vtest_frames: list[av.VideoFrame],
    vtest_avi: Path,
    speech_wav: Path,
    artifacts_dir: Path,
) -> None:
    media = LocalMedia(video_file=str(vtest_avi), audio_file=str(speech_wav), audio_output="null")
    content = CallContent(CallBridge(five_people_call(vtest_frames)), LocalMediaBridge(media))
    qtbot.addWidget(content)
    content.resize(1280, 800)
    content.show()
    qtbot.waitExposed(content)
    controls = content.controls
    cameras = controls.camera_menu.device_actions("videoinput")
    assert cameras[0].text() == "File: vtest.avi" and cameras[0].isChecked()
    microphones = controls.microphone_menu.device_actions("audioinput")
    assert microphones[0].text() == "File: speech.wav" and microphones[0].isChecked()
    headers = [a.text() for a in controls.microphone_menu.actions() if not a.isEnabled()]
    assert headers[:1] == ["Microphone"] and "Speaker" in headers

    controls.camera_pill.chevron.click()
    menu = controls.camera_menu
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    # the menu opens upwards, above its pill
    pill_top = controls.camera_pill.mapToGlobal(controls.camera_pill.rect().topLeft()).y()
    assert menu.geometry().bottom() < pill_top
    screenshot = content.grab()
    painter = QPainter(screenshot)
    painter.drawPixmap(content.mapFromGlobal(menu.geometry().topLeft()), menu.grab())
    painter.end()
    screenshot.save(str(artifacts_dir / "call_device_menu.png"))
    menu.hide()

    # choosing a device selects it in the engine; the menu follows the engine
    chosen = f"file:{vtest_avi}"
    media.camera_device_id = None
    content.refresh_devices()
    controls.camera_menu.device_actions("videoinput")[0].trigger()
    qtbot.waitUntil(lambda: media.camera_device_id == chosen, timeout=2000)
    assert controls.camera_menu.device_actions("videoinput")[0].isChecked()
    complete(qtbot, qt_loop, media.close(), timeout_s=10)
