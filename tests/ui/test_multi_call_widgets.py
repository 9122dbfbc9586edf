"""The multicall widgets (issue 4) against scripted calls: the active-calls switcher (a
chip per call with what it is doing and the right action), the split view (two rooms side
by side, click to focus) and a held participant's tile. The real flow through the
engine is tests/e2e/test_gui_multicall.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import av
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.call import CallStatus
from app.media import FrameSink
from tests.ui.helpers import color_fraction, grab_rgb, hex_rgb
from tests.ui.scripted_call import ScriptedCall, participant
from ui.active_calls_switcher import ActiveCallsSwitcher, call_display_name
from ui.participant_view import ParticipantView
from ui.split_view import SplitView
from ui.theme import current_palette

pytestmark = pytest.mark.usefixtures("themed_app")  # screenshots in Parley's dark theme

HOLD_AMBER = "#fdd663"


def _room(
    frames: list[av.VideoFrame], call_id: str, people: list[str], first_frame: int
) -> ScriptedCall:
    """A connected scripted call with "me" and ``people``, each with a real frame."""
    call = ScriptedCall(call_id=call_id)
    members = [participant("me", "Ada Lovelace", local=True)]
    members += [participant(f"p-{i}", name) for i, name in enumerate(people)]
    for index, person in enumerate(members):
        sink = FrameSink()
        sink.put(frames[(first_frame + index * 5) % len(frames)])
        call.sinks[person.session_id] = sink
    call.publish(
        call.state.with_changes(
            participants=tuple(members),
            status=CallStatus.connected(),
            joined_at=datetime.now(UTC),
            session_id="me",
        )
    )
    return call


def _hold(call: ScriptedCall, on_hold: bool = True) -> None:
    call.publish(call.state.with_changes(is_on_hold=on_hold, is_audio_suspended=on_hold))


def test_the_switcher_shows_each_call_with_its_state_and_action(
    qtbot: QtBot, vtest_frames, artifacts_dir: Path
) -> None:
    show = _room(vtest_frames, "the-show", ["Viewer One", "Viewer Two", "Viewer Three"], 0)
    one = _room(vtest_frames, "one-to-one", ["Robot"], 10)
    background = _room(vtest_frames, "standup", ["Bo"], 20)
    host = QWidget()
    host.setObjectName("stage")
    host.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
    switcher = ActiveCallsSwitcher()
    QVBoxLayout(host).addWidget(switcher)
    qtbot.addWidget(host)
    host.resize(1100, 60)
    host.show()

    switcher.set_calls((show,), show)  # type: ignore[arg-type]
    assert switcher.isHidden()  # one call: nothing to switch
    _hold(show)
    background.publish(background.state.with_changes(is_audio_suspended=True))
    switcher.set_calls((show, one, background), one)  # type: ignore[arg-type]
    assert switcher.isVisible()
    chips = switcher.chips
    assert [chip.call for chip in chips] == [show, one, background]
    assert chips[0].name_label.text() == "Viewer One, Viewer Two +1"
    assert [chip.state_text for chip in chips] == ["On hold", "On screen", "Muted in background"]
    assert [chip.action_button.isVisibleTo(chip) for chip in chips] == [True, False, True]
    assert chips[0].action_button.text() == "Resume"
    assert chips[2].action_button.text() == "Switch"
    qtbot.waitUntil(lambda: all(chip.width() >= chip.sizeHint().width() for chip in chips))
    pixels = grab_rgb(host, artifacts_dir / "multicall_switcher.png")
    assert color_fraction(pixels, hex_rgb(HOLD_AMBER)) > 0.0005  # the hold dot and words

    with qtbot.waitSignal(switcher.switch_requested) as resumed:
        qtbot.mouseClick(chips[0].action_button, Qt.MouseButton.LeftButton)
    assert resumed.args == [show]

    # the engine's answer: the show is focused and off hold, the 1:1 waits on hold
    _hold(show, False)
    _hold(one)
    switcher.set_calls((show, one, background), show)  # type: ignore[arg-type]
    assert switcher.chips == chips  # kept, not rebuilt
    assert [chip.state_text for chip in chips][:2] == ["On screen", "On hold"]

    with qtbot.waitSignal(switcher.split_view_toggled) as toggled:
        qtbot.mouseClick(switcher.split_button, Qt.MouseButton.LeftButton)
    assert toggled.args == [True] and switcher.split_view
    switcher.set_calls((show,), show)  # type: ignore[arg-type]
    assert switcher.isHidden() and not switcher.split_view  # one call left: split is off
    assert switcher.chips == [chips[0]]


def test_a_call_is_named_by_the_people_in_it_else_by_its_id() -> None:
    call = ScriptedCall(call_id="quiet-room")
    assert call_display_name(call.state) == "quiet-room"
    call.publish(call.state.with_changes(participants=(participant("me", "Me", local=True),)))
    assert call_display_name(call.state) == "quiet-room"


def test_the_split_view_shows_two_rooms_and_a_click_focuses_the_other(
    qtbot: QtBot, vtest_frames, artifacts_dir: Path
) -> None:
    show = _room(vtest_frames, "the-show", ["Viewer One", "Viewer Two"], 0)
    one = _room(vtest_frames, "one-to-one", ["Robot"], 17)
    split = SplitView()
    qtbot.addWidget(split)
    split.resize(1200, 560)
    split.show()
    split.set_calls((one, show), one)  # type: ignore[arg-type]
    left, right = split.panes
    assert (left.call, right.call) == (one, show)
    assert left.focused and not right.focused
    assert (left.state_text, right.state_text) == ("On screen", "In background")
    assert right.name_label.text() == "Viewer One, Viewer Two"
    assert len(right.participants_view.tiles) == 3 and len(left.participants_view.tiles) == 2

    def painted() -> bool:
        tiles = [t for pane in split.panes for t in pane.participants_view.visible_tiles]
        return bool(tiles) and all(t.renderer.painted_frame_count >= 1 for t in tiles)

    qtbot.waitUntil(painted)
    # the two panes share the width and neither is clipped
    assert abs(left.width() - right.width()) <= 2
    assert left.geometry().right() < right.geometry().left()
    assert right.geometry().right() <= split.width()
    pixels = grab_rgb(split, artifacts_dir / "multicall_split_view.png")
    assert color_fraction(pixels, hex_rgb(current_palette().speaking)) > 0.001  # focus ring

    with qtbot.assertNotEmitted(split.focus_requested):
        qtbot.mouseClick(left, Qt.MouseButton.LeftButton)  # already focused
    with qtbot.waitSignal(split.focus_requested) as focus:
        qtbot.mouseClick(right.name_label, Qt.MouseButton.LeftButton)
    assert focus.args == [show]
    split.set_focused(show)  # type: ignore[arg-type]
    assert right.focused and right.state_text == "On screen" and not left.focused

    _hold(one)
    assert left.state_text == "On hold"
    split.set_calls((show, one), show)
    assert [pane.call for pane in split.panes] == [show, one]
    assert split.panes[1] is left  # kept, not rebuilt


def test_a_participant_who_put_us_on_hold_is_dimmed_with_an_on_hold_badge(
    qtbot: QtBot, vtest_frames, artifacts_dir: Path
) -> None:
    bob = participant("p-bob", "Bob Marley")
    sink = FrameSink()
    sink.put(vtest_frames[3])
    tile = ParticipantView(bob, sink)
    qtbot.addWidget(tile)
    tile.resize(480, 270)
    tile.show()
    qtbot.waitUntil(lambda: tile.renderer.painted_frame_count >= 1)
    assert not tile.on_hold_visible
    bright = grab_rgb(tile).mean()

    tile.set_participant(bob.with_changes(is_on_hold=True))
    assert tile.on_hold_visible
    pixels = grab_rgb(tile, artifacts_dir / "multicall_tile_on_hold.png")
    assert pixels.mean() < bright * 0.7  # dimmed
    assert color_fraction(pixels, hex_rgb(HOLD_AMBER)) > 0.001  # the pause badge and words
    assert tile.display_name == "Bob Marley"  # the name stays readable over the dimming

    tile.set_participant(bob.with_changes(is_on_hold=False))
    assert not tile.on_hold_visible
