"""CallContent: the grid reflows per participant count, controls send commands, shortcuts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import pytest
import qasync
from PySide6.QtCore import QRect, Qt
from pytestqt.qtbot import QtBot

from app.call import CallError, CallStatus
from app.media import FrameSink
from tests.ui.helpers import grab_rgb
from tests.ui.scripted_call import ScriptedCall, participant
from ui.bridge import CallBridge
from ui.call_content import CallContent, format_duration
from ui.video_subscriptions import NOT_SHOWN

NAMES = ["Grace Hopper", "Alan Turing", "Barbara Liskov", "Linus", "Margaret Hamilton"]


def _call(count: int, frames: list[av.VideoFrame]) -> ScriptedCall:
    call = ScriptedCall(call_id="weekly-sync")
    people = [participant("me", "Ada Lovelace", local=True)]
    people += [participant(f"p{i}", NAMES[i], audio=i % 2 == 0) for i in range(count - 1)]
    for index, person in enumerate(people):
        sink = FrameSink()
        sink.put(frames[index * 5])
        call.sinks[person.session_id] = sink
    call.publish(
        call.state.with_changes(
            participants=tuple(people),
            status=CallStatus.connected(),
            joined_at=datetime.now(UTC) - timedelta(minutes=3, seconds=7),
            microphone_enabled=True,
            camera_enabled=True,
            session_id="me",
        )
    )
    return call


def _content(qtbot: QtBot, call: ScriptedCall) -> CallContent:
    content = CallContent(CallBridge(call))
    qtbot.addWidget(content)
    content.resize(1200, 760)
    content.show()
    qtbot.waitExposed(content)
    return content


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_grid_reflows(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], artifacts_dir: Path, count: int
) -> None:
    content = _content(qtbot, _call(count, vtest_frames))
    grab_rgb(content, artifacts_dir / f"call_content_{count}.png")
    grid = content.participants_view
    tiles = grid.tiles
    assert len(tiles) == count
    area = grid.rect()
    for tile in tiles:
        assert area.contains(tile.geometry())
        assert tile.renderer.has_video
    if count == 2:  # 1:1 call: the other fills the stage, the self-view floats in a corner
        remote, local = grid.tile("p0"), grid.tile("me")
        assert grid.floating_session_id == "me"
        assert remote.geometry() == area
        assert local.width() < area.width() / 3
        assert local.geometry().bottomRight().x() > area.width() * 0.8
        assert local.geometry().bottom() > area.height() * 0.8
        # the stage tile paints its own corners; the self-view's show the video under it
        assert remote.renderer.backdrop is not None and local.renderer.backdrop is None
        # the stage's quality badge moves beside its name, out from under the self-view
        badge = remote.quality_indicator.geometry().translated(remote.pos())
        name = remote.name_label.geometry().translated(remote.pos())
        assert not badge.intersects(local.geometry()) and area.contains(badge)
        assert badge.left() > name.right() and name.top() <= badge.center().y() <= name.bottom()
    else:
        assert grid.floating_session_id is None
        assert all(tile.renderer.backdrop is not None for tile in tiles)
        rects = [t.geometry() for t in tiles]
        for i, a in enumerate(rects):
            assert all(not a.intersects(b) for b in rects[i + 1 :])
        for tile in tiles:  # nothing floats: every badge in its tile's own corner
            badge = tile.quality_indicator.geometry()
            assert badge.right() > tile.width() * 0.8 and badge.bottom() > tile.height() * 0.8
    assert content.participant_count_label.text() == str(count)
    assert content.title_label.text() == "weekly-sync"
    assert content.duration_label.text() == "3:07"


def test_participants_join_and_leave(qtbot: QtBot, vtest_frames: list[av.VideoFrame]) -> None:
    call = _call(3, vtest_frames)
    content = _content(qtbot, call)
    grid = content.participants_view
    first_tile = grid.tile("p0")
    call.publish(call.state.with_changes(participants=call.state.participants[:2]))
    assert len(grid.tiles) == 2 and grid.floating_session_id == "me"
    assert grid.tile("me").renderer.backdrop is None  # floats now
    assert grid.tile("p0") is first_tile  # tiles survive reflows (no renderer churn)
    assert grid.tile("p1") is None
    assert content.participant_count_label.text() == "2"


def test_shortcuts_toggle_microphone_and_camera(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, vtest_frames: list[av.VideoFrame]
) -> None:
    call = _call(2, vtest_frames)
    content = _content(qtbot, call)
    content.activateWindow()
    qtbot.waitUntil(content.isActiveWindow, timeout=2000)
    controls = content.controls
    qtbot.keyClick(content, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ("microphone", False) in call.commands, timeout=2000)
    assert not controls.microphone_button.isChecked()
    assert content.participants_view.tile("me").mic_muted_visible
    qtbot.keyClick(content, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ("camera", False) in call.commands, timeout=2000)
    assert not controls.camera_button.isChecked()
    assert not content.participants_view.tile("me").renderer.has_video
    qtbot.keyClick(content, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: call.commands[-1] == ("microphone", True), timeout=2000)
    assert controls.microphone_button.isChecked()


def test_failed_command_shows_toast_and_reverts(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, vtest_frames: list[av.VideoFrame], artifacts_dir: Path
) -> None:
    call = _call(2, vtest_frames)
    content = _content(qtbot, call)
    call.fail_with = CallError("device_unavailable", "could not open the camera")
    content.controls.camera_button.click()
    qtbot.waitUntil(content.toast.isVisible, timeout=2000)
    assert "could not open the camera" in content.toast.text
    assert content.controls.camera_button.isChecked()  # back to the engine's state
    grab_rgb(content, artifacts_dir / "call_content_error.png")


def test_leave_button_leaves(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, vtest_frames: list[av.VideoFrame]
) -> None:
    call = _call(2, vtest_frames)
    content = _content(qtbot, call)
    content.controls.leave_button.click()
    qtbot.waitUntil(lambda: call.state.status.is_disconnected, timeout=2000)
    assert call.commands == [("leave", None)]


def test_reconnecting_chip(qtbot: QtBot, vtest_frames: list[av.VideoFrame]) -> None:
    call = _call(2, vtest_frames)
    content = _content(qtbot, call)
    assert content.status_chip.isHidden()
    call.publish(call.state.with_changes(status=CallStatus.reconnecting(2)))
    assert not content.status_chip.isHidden()
    assert "2" in content.status_chip.text()


def test_format_duration() -> None:
    assert format_duration(0) == "0:00"
    assert format_duration(187) == "3:07"
    assert format_duration(3600 + 62) == "1:01:02"
    assert format_duration(-5) == "0:00"


def test_tiles_do_not_overlap_the_controls(qtbot: QtBot, vtest_frames: list[av.VideoFrame]) -> None:
    content = _content(qtbot, _call(5, vtest_frames))
    controls = QRect(
        content.controls.mapTo(content, content.controls.rect().topLeft()), content.controls.size()
    )
    for tile in content.participants_view.tiles:
        top_left = tile.mapTo(content, tile.rect().topLeft())
        assert not QRect(top_left, tile.size()).intersects(controls)


def test_the_painted_size_of_each_remote_camera_reaches_the_call(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, vtest_frames: list[av.VideoFrame]
) -> None:
    """The grid's tiles tell the call what they paint each remote camera at (its
    sender then picks the layer that fits); the self-view is nobody's business."""
    call = _call(4, vtest_frames)
    content = _content(qtbot, call)
    qtbot.waitUntil(lambda: len(call.video_dimensions) == 3, timeout=5000)
    assert set(call.video_dimensions) == {"p0", "p1", "p2"}
    ratio = content.devicePixelRatioF()
    for session_id, dimension in call.video_dimensions.items():
        tile = content.participants_view.tile(session_id)
        assert dimension is not None, session_id
        # COVER fills the tile: the painted frame is at least the tile, in device pixels
        assert dimension.width >= tile.width() * ratio - 1
        assert dimension.height >= tile.height() * ratio - 1
        assert dimension.width < 1200 * ratio  # a grid tile, not the whole window
    # A participant no visible tile shows (as the spotlight's overflow) is asked for
    # the smallest layer.
    content.participants_view.tile("p2").hide()
    qtbot.waitUntil(lambda: call.video_dimensions["p2"] == NOT_SHOWN, timeout=5000)
