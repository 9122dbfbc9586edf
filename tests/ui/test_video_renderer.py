"""VideoRenderer paints the newest frame of a real FrameSink fed with decoded vtest.avi."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import av
import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPaintEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.media import FrameSink
from tests.ui.helpers import color_fraction, grab_rgb, run_fresh_python
from ui.video_renderer import VideoFit, VideoRenderer

# vtest.avi is 768x576 (4:3); a 4:3 widget shows the whole frame with either fit.
WIDTH, HEIGHT = 384, 288


def _expected(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    return frame.reformat(width=width, height=height, format="rgb24").to_ndarray()


def _renderer(qtbot: QtBot, sink: FrameSink | None, **kwargs: object) -> VideoRenderer:
    renderer = VideoRenderer(corner_radius_px=0, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(renderer)
    renderer.resize(WIDTH, HEIGHT)
    renderer.set_sink(sink)
    renderer.show()
    return renderer


def test_paints_the_frame_pixels(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], artifacts_dir: Path
) -> None:
    sink = FrameSink()
    renderer = _renderer(qtbot, sink)
    frame = vtest_frames[10]
    sink.put(frame)
    painted = grab_rgb(renderer, artifacts_dir / "renderer_frame.png").astype(float)
    expected = _expected(frame, WIDTH, HEIGHT).astype(float)
    assert painted.shape == expected.shape
    assert abs(painted.mean() - expected.mean()) < 3.0
    assert abs(painted.std() - expected.std()) < 3.0
    correlation = np.corrcoef(painted.ravel(), expected.ravel())[0, 1]
    assert correlation > 0.98
    assert renderer.has_video


def test_mirror_flips_horizontally(qtbot: QtBot, vtest_frames: list[av.VideoFrame]) -> None:
    sink = FrameSink()
    sink.put(vtest_frames[5])
    plain = grab_rgb(_renderer(qtbot, sink)).astype(float)
    mirrored = grab_rgb(_renderer(qtbot, sink, mirror=True)).astype(float)
    assert np.abs(mirrored - plain[:, ::-1]).mean() < 2.0
    assert np.abs(mirrored - plain).mean() > 10.0  # the scene is not symmetric


def test_contain_letterboxes_and_cover_fills(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame]
) -> None:
    sink = FrameSink()
    sink.put(vtest_frames[0])
    background = "#102030"
    wide = {"background": background}
    contain = _renderer(qtbot, sink, fit=VideoFit.CONTAIN, **wide)
    cover = _renderer(qtbot, sink, fit=VideoFit.COVER, **wide)
    for renderer in (contain, cover):
        renderer.resize(640, 240)  # 8:3, wider than the 4:3 frame
    side_bars = grab_rgb(contain)[:, :100]
    assert color_fraction(side_bars, (0x10, 0x20, 0x30), tolerance=2) > 0.99
    assert color_fraction(grab_rgb(cover), (0x10, 0x20, 0x30), tolerance=2) < 0.01


def test_only_the_newest_frame_is_converted(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame]
) -> None:
    sink = FrameSink()
    renderer = _renderer(qtbot, sink)
    grab_rgb(renderer)
    before = renderer.painted_frame_count
    for frame in vtest_frames[:20]:  # a burst faster than any repaint
        sink.put(frame)
    painted = grab_rgb(renderer).astype(float)
    assert renderer.painted_frame_count == before + 1
    expected = _expected(vtest_frames[19], WIDTH, HEIGHT).astype(float)
    assert np.abs(painted - expected).mean() < 4.0


def test_placeholder_without_video(qtbot: QtBot, vtest_frames: list[av.VideoFrame]) -> None:
    sink = FrameSink()
    sink.put(vtest_frames[0])
    renderer = _renderer(qtbot, sink, background="#000000")
    renderer.set_placeholder("Ada Lovelace", "ada")
    renderer.set_video_enabled(False)  # a camera turned off: its last frame must go
    pixels = grab_rgb(renderer)
    assert not renderer.has_video
    assert color_fraction(pixels, (0, 0, 0), tolerance=2) > 0.7  # background around avatar
    centre = pixels[HEIGHT // 2 - 20 : HEIGHT // 2 + 20, WIDTH // 2 - 40 : WIDTH // 2 - 25]
    assert color_fraction(centre, (0, 0, 0), tolerance=2) < 0.1  # the avatar circle


def test_deleted_renderer_leaves_the_sink(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], caplog: pytest.LogCaptureFixture
) -> None:
    sink = FrameSink()
    renderer = VideoRenderer()
    renderer.set_sink(sink)
    renderer.deleteLater()
    qtbot.waitUntil(lambda: not _alive(renderer), timeout=2000)
    with caplog.at_level(logging.ERROR):
        sink.put(vtest_frames[0])
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _alive(widget: VideoRenderer) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def test_cover_close_to_the_frame_size_paints_pixel_for_pixel(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame]
) -> None:
    """A 768x576 frame in a 740x500 tile (cover scale 0.96) is cropped at 1:1, not
    resampled: the painted pixels are the frame's own, centred."""
    frame = vtest_frames[12]
    sink = FrameSink()
    sink.put(frame)
    renderer = VideoRenderer(corner_radius_px=0)
    qtbot.addWidget(renderer)
    renderer.resize(740, 500)
    renderer.set_sink(sink)
    renderer.show()
    painted = grab_rgb(renderer).astype(float)
    if renderer.devicePixelRatioF() != 1.0:
        pytest.skip("pixel-for-pixel check written for a device pixel ratio of 1")
    full = frame.reformat(format="rgb24").to_ndarray().astype(float)
    left, top = round((768 - 740) / 2), round((576 - 500) / 2)
    assert np.abs(painted - full[top : top + 500, left : left + 740]).mean() < 1.5


class _CountingParent(QWidget):
    """A solid green parent that counts how often Qt asks it to paint."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def paintEvent(self, event: QPaintEvent) -> None:
        self.paints += 1
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#00ff00"))
        painter.end()


def _on_green_parent(
    qtbot: QtBot,
    sink: FrameSink,
    backdrop: str | None,
    *,
    mirror: bool = False,
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> tuple[_CountingParent, VideoRenderer]:
    parent = _CountingParent()
    qtbot.addWidget(parent)
    parent.resize(*size)
    renderer = VideoRenderer(parent, corner_radius_px=24, backdrop=backdrop, mirror=mirror)
    renderer.setGeometry(0, 0, *size)
    renderer.set_sink(sink)
    parent.show()
    qtbot.waitExposed(parent)
    return parent, renderer


@pytest.mark.parametrize("backdrop", ["#ff0000", None])
def test_corners_show_the_backdrop_or_what_is_under_them(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], backdrop: str | None
) -> None:
    sink = FrameSink()
    sink.put(vtest_frames[3])
    parent, renderer = _on_green_parent(qtbot, sink, backdrop)
    pixels = grab_rgb(parent)
    corner = tuple(int(v) for v in pixels[1, 1])
    assert corner == ((255, 0, 0) if backdrop else (0, 255, 0))
    centre = pixels[HEIGHT // 2 - 20 : HEIGHT // 2 + 20, WIDTH // 2 - 20 : WIDTH // 2 + 20]
    assert color_fraction(centre, (0, 255, 0), tolerance=40) == 0.0  # the video, not the parent
    assert color_fraction(centre, (255, 0, 0), tolerance=40) == 0.0
    assert renderer.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent) is bool(backdrop)


def test_backdrop_corners_match_the_filled_corner_path(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame]
) -> None:
    """The stage's corners come from cached pieces: pixel for pixel (antialiased arcs
    included) the backdrop filled outside the rounded rectangle over the video."""
    sink = FrameSink()
    sink.put(vtest_frames[4])
    square = _renderer(qtbot, sink, backdrop="#ff0000")  # radius 0: the video alone
    rounded = VideoRenderer(corner_radius_px=24, backdrop="#ff0000")
    qtbot.addWidget(rounded)
    rounded.resize(WIDTH, HEIGHT)
    rounded.set_sink(sink)
    rounded.show()
    reference = square.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    outside, inside = QPainterPath(), QPainterPath()
    outside.addRect(QRectF(0, 0, WIDTH, HEIGHT))
    inside.addRoundedRect(QRectF(0, 0, WIDTH, HEIGHT), 24, 24)
    painter = QPainter(reference)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillPath(outside.subtracted(inside), QColor("#ff0000"))
    finally:
        painter.end()
    expected = np.frombuffer(reference.constBits(), np.uint8).reshape(HEIGHT, WIDTH, 4)
    expected = expected[..., 2::-1].astype(int)  # BGRA in memory -> RGB
    drawn = grab_rgb(rounded).astype(int)
    assert np.abs(drawn - expected).max() <= 3
    for y, x in ((0, 0), (0, WIDTH - 1), (HEIGHT - 1, 0), (HEIGHT - 1, WIDTH - 1)):
        assert tuple(drawn[y, x]) == (255, 0, 0)


@pytest.mark.parametrize("size", [(WIDTH, HEIGHT), (WIDTH, 216)], ids=["fits", "cropped"])
def test_a_mirrored_self_view_with_transparent_corners(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], size: tuple[int, int]
) -> None:
    """The floating self-view: corners cut into the cached image (transparent, showing
    what is under them, antialiased), the picture flipped once per frame, not per paint.
    A 16:9 view of the 4:3 clip crops its top and bottom: the cut follows the view."""
    width, height = size
    sink = FrameSink()
    sink.put(vtest_frames[5])
    parent, renderer = _on_green_parent(qtbot, sink, None, mirror=True, size=size)
    pixels = grab_rgb(parent)
    green = (0, 255, 0)
    # the curve of a 24 px radius crosses the diagonal at 24 * (1 - 1/sqrt(2)) = 7 px
    for x, dx in ((0, 1), (width - 1, -1)):
        for y, dy in ((0, 1), (height - 1, -1)):
            assert tuple(int(v) for v in pixels[y + dy, x + dx]) == green
            assert tuple(int(v) for v in pixels[y + 6 * dy, x + 6 * dx]) == green
            assert tuple(int(v) for v in pixels[y + 8 * dy, x + 8 * dx]) != green
            assert tuple(int(v) for v in pixels[y + dy, x + 30 * dx]) != green  # the edge
    _plain_parent, plain = _on_green_parent(qtbot, sink, None, size=size)
    centre = (slice(height // 4, 3 * height // 4), slice(width // 4, 3 * width // 4))
    mirrored = grab_rgb(renderer).astype(float)[centre]
    unmirrored = grab_rgb(plain).astype(float)[centre[0], centre[1]][:, ::-1]
    assert np.abs(mirrored - unmirrored).mean() < 2.0
    # repaints from under it (its parent) reuse the cut image: nothing is converted again
    converted = renderer.painted_frame_count
    for _ in range(3):
        parent.repaint()
    assert renderer.painted_frame_count == converted


@pytest.mark.parametrize("backdrop", ["#202124", None])
def test_with_a_backdrop_a_new_frame_does_not_repaint_the_parent(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame], backdrop: str | None
) -> None:
    """The stage under a tile is not painted again for every video frame (it was twice
    per frame in a 1:1 call, the whole stage each time)."""
    sink = FrameSink()
    sink.put(vtest_frames[0])
    parent, renderer = _on_green_parent(qtbot, sink, backdrop)
    qtbot.waitUntil(lambda: renderer.painted_frame_count >= 1, timeout=5000)
    parent_paints = parent.paints
    for index in range(1, 6):
        sink.put(vtest_frames[index])
        qtbot.waitUntil(lambda i=index: renderer.painted_frame_count >= i + 1, timeout=5000)
    if backdrop:
        assert parent.paints == parent_paints
    else:
        assert parent.paints >= parent_paints + 5


def _stage_with_floating_view(
    qtbot: QtBot, under_sink: FrameSink, floating_sink: FrameSink
) -> tuple[VideoRenderer, VideoRenderer]:
    """A stage renderer and a mirrored self-view floating over its bottom-right corner."""
    stage = VideoRenderer(backdrop="#202124")
    qtbot.addWidget(stage)
    stage.resize(WIDTH, HEIGHT)
    floating = VideoRenderer(stage, mirror=True)
    floating.setGeometry(WIDTH - 130, HEIGHT - 100, 120, 90)
    stage.set_sink(under_sink)
    floating.set_sink(floating_sink)
    floating.set_underlay(stage)
    stage.show()
    qtbot.waitExposed(stage)
    qtbot.waitUntil(lambda: floating.painted_frame_count >= 1, timeout=5000)
    return stage, floating


def test_a_floating_view_paints_its_new_frames_with_the_live_video_under_it(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame]
) -> None:
    """One pass over the window per remote frame: the self-view's new frame waits for
    the stage's next repaint (which repaints it too) instead of a pass of its own."""
    under, own = FrameSink(), FrameSink()
    under.put(vtest_frames[0])
    own.put(vtest_frames[1])
    stage, floating = _stage_with_floating_view(qtbot, under, own)
    under.put(vtest_frames[2])  # the stage is live
    qtbot.waitUntil(lambda: stage.painted_frame_count >= 2, timeout=5000)
    stage_frames, own_frames = stage.painted_frame_count, floating.painted_frame_count
    own.put(vtest_frames[3])
    under.put(vtest_frames[4])  # within the wait: this repaint takes the self-view along
    qtbot.waitUntil(lambda: stage.painted_frame_count == stage_frames + 1, timeout=5000)
    assert floating.painted_frame_count == own_frames + 1
    assert not floating.pacing.waiting


def test_a_floating_view_repaints_on_its_own_when_the_video_under_it_stalls(
    qtbot: QtBot, vtest_frames: list[av.VideoFrame]
) -> None:
    under, own = FrameSink(), FrameSink()
    under.put(vtest_frames[0])
    own.put(vtest_frames[1])
    stage, floating = _stage_with_floating_view(qtbot, under, own)
    under.put(vtest_frames[2])
    own_frames = floating.painted_frame_count
    own.put(vtest_frames[3])  # the stage sends nothing more: the wait runs out
    qtbot.waitUntil(lambda: floating.painted_frame_count == own_frames + 1, timeout=5000)
    # with no frame under it for a while, a new frame repaints at once (no timer)
    qtbot.waitUntil(lambda: not floating.pacing.underlay_is_live(time.monotonic()), timeout=5000)
    own.put(vtest_frames[4])
    assert not floating.pacing.waiting
    qtbot.waitUntil(lambda: floating.painted_frame_count == own_frames + 2, timeout=5000)
    assert stage.painted_frame_count >= 1


def test_importing_the_renderer_leaves_the_media_engine_unloaded() -> None:
    """The app imports the renderer before it shows the Lobby; importing app.media (aiortc,
    NumPy) with it cost 0.25 s of cold start. The converter is made with the first frame.
    Checked in a fresh interpreter: this process has imported everything already."""
    script = (
        "import sys\n"
        "import ui.video_renderer\n"
        "loaded = [m for m in ('app.media', 'aiortc') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = run_fresh_python(script)
    assert result.returncode == 0, result.stderr
