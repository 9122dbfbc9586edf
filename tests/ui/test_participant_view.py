"""ParticipantView: video pixels, "You", the muted badge and the speaking outline."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from app.media import FrameSink
from app.protocol import TrackType
from tests.ui.helpers import color_fraction, grab_rgb, hex_rgb
from tests.ui.scripted_call import participant
from ui.participant_view import CORNER_RADIUS_PX, ParticipantView
from ui.speaking_outline import outline_ring_path
from ui.theme import current_palette


def _tile(qtbot: QtBot, view: ParticipantView) -> ParticipantView:
    qtbot.addWidget(view)
    view.resize(400, 300)  # 4:3 like vtest.avi: the whole frame is visible
    view.show()
    return view


def test_tile_shows_the_video(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], artifacts_dir: Path
) -> None:
    sink = FrameSink()
    sink.put(vtest_frames[3])
    view = _tile(qtbot, ParticipantView(participant("b", "Grace Hopper"), sink))
    pixels = grab_rgb(view, artifacts_dir / "tile_remote.png").astype(float)
    expected = vtest_frames[3].reformat(width=400, height=300, format="rgb24").to_ndarray()
    middle = (slice(60, 240), slice(60, 340))  # away from the label, badge and corners
    assert abs(pixels[middle].mean() - expected[middle].mean()) < 4.0
    assert abs(pixels[middle].std() - expected[middle].std()) < 4.0
    assert view.display_name == "Grace Hopper"


def test_local_tile_says_you_and_is_mirrored(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame]
) -> None:
    sink = FrameSink()
    sink.put(vtest_frames[3])
    view = _tile(qtbot, ParticipantView(participant("a", "Ada", local=True), sink))
    assert view.display_name == "You"
    assert view.renderer.mirror


def test_muted_badge_follows_published_audio(qtbot: QtBot) -> None:
    speaking = participant("b", "Bob", audio=True)
    view = _tile(qtbot, ParticipantView(speaking))
    badge_area = (slice(10, 38), slice(362, 390))
    without_badge = grab_rgb(view)[badge_area].astype(float)
    assert not view.mic_muted_visible

    muted = speaking.with_changes(published_tracks=frozenset({TrackType.VIDEO}))
    view.set_participant(muted)
    assert view.mic_muted_visible
    with_badge = grab_rgb(view)[badge_area].astype(float)
    assert np.abs(with_badge - without_badge).mean() > 5.0  # the icon is really drawn
    assert (with_badge > 200).all(axis=-1).any()  # white strokes of the mic-off icon

    view.set_participant(speaking)
    assert not view.mic_muted_visible


def test_speaking_outline(qtbot: QtBot, artifacts_dir: Path) -> None:
    quiet = participant("b", "Bob", video=False)
    view = _tile(qtbot, ParticipantView(quiet))
    outline = hex_rgb(current_palette().speaking)
    left_edge = (slice(40, 260), slice(0, 3))
    assert color_fraction(grab_rgb(view)[left_edge], outline) < 0.05
    view.set_participant(quiet.with_changes(is_speaking=True))
    assert view.speaking_visible
    pixels = grab_rgb(view, artifacts_dir / "tile_speaking.png")
    assert color_fraction(pixels[left_edge], outline) > 0.9


def test_speaking_outline_is_the_whole_ring(qtbot: QtBot) -> None:
    """The outline is put together from bars and cached corner pieces: pixel for pixel
    (antialiased arcs included) it is the ring's path filled over the tile."""
    quiet = participant("b", "Bob", video=False)
    view = _tile(qtbot, ParticipantView(quiet))
    under = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    view.set_participant(quiet.with_changes(is_speaking=True))
    drawn = grab_rgb(view).astype(int)
    painter = QPainter(under)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ring = outline_ring_path(view.width(), view.height(), CORNER_RADIUS_PX)
        painter.fillPath(ring, QColor(current_palette().speaking))
    finally:
        painter.end()
    reference = np.frombuffer(under.constBits(), np.uint8).reshape(300, 400, 4)
    reference = reference[..., 2::-1].astype(int)  # BGRA in memory -> RGB
    assert np.abs(drawn - reference).max() <= 3
    outline = hex_rgb(current_palette().speaking)
    assert color_fraction(drawn[150:151, 0:3].astype(np.uint8), outline) == 1.0


def test_a_long_name_is_elided_in_the_chip(qtbot: QtBot) -> None:
    """A name too long for the tile ends in an ellipsis, clear of the quality badge; the
    tile keeps the whole name (display name, accessible name)."""
    long_name = "Maria Magdalena Alexandrovna von Hohenzollern-Sigmaringen the Third"
    view = _tile(qtbot, ParticipantView(participant("b", long_name, video=False)))
    chip = view.name_label
    assert chip.text().endswith("…") and long_name.startswith(chip.text()[:-1])
    assert chip.geometry().right() < view.quality_indicator.geometry().left()
    assert view.display_name == long_name and view.accessibleName() == long_name
    view.set_participant(participant("b", "Ada", video=False))
    assert chip.text() == "Ada" and view.display_name == "Ada"
