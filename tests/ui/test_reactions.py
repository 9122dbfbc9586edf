"""Reactions in the UI: the emoji big on a tile, the ✋ badge on the tile and in the people
panel, and the controls' picker sending commands to the call."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import qasync
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.call import CallError, CallStatus, Reaction
from app.media import FrameSink
from tests.ui.helpers import color_fraction, grab_rgb
from tests.ui.scripted_call import ScriptedCall, participant
from ui.bridge import CallBridge
from ui.call_content import CallContent
from ui.participant_view import ParticipantView
from ui.participants_panel import ParticipantsPanel, _ParticipantRow
from ui.reactions import REACTION_CHOICES, emoji_for

HAND_YELLOW = (0xFD, 0xD6, 0x63)


def _reaction(code: str) -> Reaction:
    return Reaction("reaction", code, datetime.now(UTC))


def _region(pixels: np.ndarray, widget: QWidget, parent: QWidget) -> np.ndarray:
    """The pixels of ``widget`` inside a grab of ``parent`` (device ratio 1 offscreen)."""
    rect, holder = widget.geometry(), widget.parentWidget()
    assert holder is not None
    top_left = holder.mapTo(parent, rect.topLeft())
    return pixels[
        top_left.y() : top_left.y() + rect.height(), top_left.x() : top_left.x() + rect.width()
    ]


def _row(panel: ParticipantsPanel, session_id: str) -> _ParticipantRow:
    row = panel.row(session_id)
    assert row is not None, session_id
    return row


def _hand_in_panel(panel: ParticipantsPanel, session_id: str) -> bool:
    row = _row(panel, session_id)
    return row.hand_badge.isVisibleTo(row)


def test_tile_shows_the_reaction_big_and_the_raised_hand(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], artifacts_dir: Path
) -> None:
    sink = FrameSink()
    sink.put(vtest_frames[3])
    grace = participant("b", "Grace Hopper", audio=False)
    view = ParticipantView(grace, sink)
    qtbot.addWidget(view)
    view.resize(480, 360)
    view.show()
    overlay = view.reaction_overlay
    before = grab_rgb(view)
    assert overlay.isHidden() and not view.hand_raised_visible

    view.set_participant(grace.with_changes(reaction=_reaction(":fireworks:"), is_hand_raised=True))
    pixels = grab_rgb(view, artifacts_dir / "tile_reaction_and_raised_hand.png")
    assert overlay.isVisible() and overlay.text() == "🎉"
    assert view.hand_raised_visible
    # the emoji is drawn big in the middle: most of the centre of its box changed
    assert overlay.width() >= 96
    inner = (slice(30, -30), slice(30, -30))
    changed = np.abs(
        _region(pixels, overlay, view)[inner].astype(int)
        - _region(before, overlay, view)[inner].astype(int)
    ).max(axis=-1)
    assert (changed > 40).mean() > 0.3
    # the hand sits in a yellow ring left of the muted badge, both inside the tile
    badge = view.findChild(QWidget, "raisedHandBadge")
    mic = view.findChild(QWidget, "micMutedBadge")
    assert badge.geometry().right() < mic.geometry().left()
    assert view.rect().contains(badge.geometry())
    assert color_fraction(_region(pixels, badge, view), HAND_YELLOW, tolerance=40) > 0.15

    view.set_participant(grace.with_changes(is_hand_raised=True))  # the engine cleared it
    assert overlay.isHidden() and view.hand_raised_visible
    view.set_participant(grace)
    assert not view.hand_raised_visible


def test_unknown_codes_and_type_only_reactions_still_show_something() -> None:
    assert emoji_for(Reaction("fireworks", None, datetime.now(UTC))) == "🎉"
    assert emoji_for(_reaction(":no-such-emoji:")) == "✨"


def test_people_panel_shows_the_raised_hand(qtbot: QtBot) -> None:
    panel = ParticipantsPanel()
    qtbot.addWidget(panel)
    ada = participant("a", "Ada", local=True)
    bob = participant("b", "Bob").with_changes(is_hand_raised=True)
    panel.set_participants((ada, bob), None)
    panel.show()
    assert _hand_in_panel(panel, "b")
    assert not _hand_in_panel(panel, "a")
    assert "Hand raised" in _row(panel, "b").accessibleName()
    panel.set_participants((ada, bob.with_changes(is_hand_raised=False)), None)
    assert not _hand_in_panel(panel, "b")


def _content(qtbot: QtBot, frames: list[av.VideoFrame]) -> tuple[ScriptedCall, CallContent]:
    call = ScriptedCall(call_id="retro")
    people = (participant("me", "Ada Lovelace", local=True), participant("p0", "Grace Hopper"))
    for index, person in enumerate(people):
        sink = FrameSink()
        sink.put(frames[index * 5])
        call.sinks[person.session_id] = sink
    call.publish(
        call.state.with_changes(participants=people, status=CallStatus.connected(), session_id="me")
    )
    content = CallContent(CallBridge(call))
    qtbot.addWidget(content)
    content.resize(1200, 760)
    content.show()
    qtbot.waitExposed(content)
    return call, content


def test_controls_picker_sends_reactions_and_raises_the_hand(
    qtbot: QtBot,
    qt_loop: qasync.QEventLoop,
    vtest_frames: list[av.VideoFrame],
    artifacts_dir: Path,
) -> None:
    call, content = _content(qtbot, vtest_frames)
    controls = content.controls
    popup = controls.reactions_popup
    assert controls.reactions_button.accessibleName() == "Reactions"

    controls.reactions_button.click()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    assert [b.text() for b in popup.emoji_buttons] == [c.emoji for c in REACTION_CHOICES]
    assert all(b.accessibleName() for b in popup.emoji_buttons)
    # above its button, on screen
    assert (
        popup.geometry().bottom()
        < controls.reactions_button.mapToGlobal(controls.reactions_button.rect().topLeft()).y()
    )
    grab_rgb(popup, artifacts_dir / "reactions_popup.png")
    popup.emoji_buttons[0].click()
    assert popup.isHidden()
    qtbot.waitUntil(lambda: ("reaction", ":like:") in call.commands, timeout=2000)
    own_tile = content.participants_view.tile("me")
    assert own_tile is not None
    qtbot.waitUntil(lambda: own_tile.reaction_overlay.isVisible(), timeout=2000)
    assert own_tile.reaction_overlay.text() == "👍"

    controls.show_reactions()
    assert popup.hand_button.accessibleName() == "Raise hand"
    popup.hand_button.click()
    qtbot.waitUntil(lambda: ("hand_raised", True) in call.commands, timeout=2000)
    qtbot.waitUntil(lambda: own_tile.hand_raised_visible, timeout=2000)
    assert popup.hand_button.isChecked()
    assert popup.hand_button.accessibleName() == "Lower hand"
    assert _hand_in_panel(content.participants_panel, "me")
    controls.participants_button.click()
    qtbot.waitUntil(content.participants_panel.isVisible, timeout=2000)
    grab_rgb(content, artifacts_dir / "call_content_reaction_and_hand.png")

    controls.show_reactions()
    popup.hand_button.click()
    qtbot.waitUntil(lambda: ("hand_raised", False) in call.commands, timeout=2000)
    qtbot.waitUntil(lambda: not own_tile.hand_raised_visible, timeout=2000)


def test_a_refused_hand_raise_snaps_back_with_a_toast(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, vtest_frames: list[av.VideoFrame]
) -> None:
    call, content = _content(qtbot, vtest_frames)
    call.fail_with = CallError("forbidden", "missing capability 'create-reaction'")
    popup = content.controls.reactions_popup
    content.controls.show_reactions()
    popup.hand_button.click()
    qtbot.waitUntil(lambda: content.toast.isVisible(), timeout=2000)
    assert "create-reaction" in content.toast.text
    assert not popup.hand_button.isChecked()
    own_tile = content.participants_view.tile("me")
    assert own_tile is not None and not own_tile.hand_raised_visible
