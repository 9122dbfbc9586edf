"""``VideoRenderer``: paints the newest frame of a frame sink (Stream's ``StreamVideoRenderer``).

Frames bypass the call state: the sink keeps only the latest frame and notifies listeners on
the loop (GUI) thread. A notification only schedules a repaint (``update()``); Qt coalesces
repaints, so when painting is slower than the frame rate frames are dropped, never queued
(ARCHITECTURE.md, "State flow" 5). The conversion to RGB is done by libswscale (the
renderer's own ``FrameConverter``, one kept context) straight to the painted size in device
pixels, so a 720p frame in a thumbnail costs a thumbnail's worth of pixels. It produces
32-bit pixels in the byte order of Qt's ``Format_RGB32``, the format of the window's
backing store: swscale's scaled yuv420p → BGRA path is about twice as fast as → RGB24
(1.4 vs 3.3 ms for a 1248x702 tile here), and Qt then blits the image instead of
converting every pixel again on each paint.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.avatar import paint_avatar
from ui.corner_pieces import corner_piece, paint_corners
from ui.subscription import Subscription, weak_method
from ui.theme import current_palette
from ui.underlay_pacing import UnderlayPacing

if TYPE_CHECKING:
    import av

    from app.media.frame_convert import FrameConverter

# Below this scale (frame pixels per device pixel) COVER resamples; from it up to 1 it
# crops at 1:1 instead (at most 15 % more of each side cut off).
COVER_SNAP_MIN_SCALE = 0.85
# Frames shrunk by at least this factor (frame width / painted width) use swscale's area filter.
AREA_FILTER_MIN_SHRINK = 2
# swscale's name for the bytes of QImage.Format_RGB32 (0xffRRGGBB in native order)
_RGB32_PIXEL_FORMAT = "bgra" if sys.byteorder == "little" else "argb"


class FrameSource(Protocol):
    """What the renderer needs of ``app.media.FrameSink``."""

    def latest(self) -> av.VideoFrame | None: ...

    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]: ...


class VideoFit(StrEnum):
    """How a frame fills the widget (Stream's ``VideoFit``)."""

    CONTAIN = "contain"  # whole frame visible, letterboxed
    COVER = "cover"  # fills the widget, edges cropped


class VideoRenderer(QWidget):
    """Paints ``sink.latest()`` aspect-fitted into rounded corners, or an avatar placeholder.

    The placeholder (a circle with the initials of ``placeholder_name``) shows when there is
    no sink, no frame yet, or ``video_enabled`` is False (a stale last frame of a camera
    that was turned off must not stay on screen). ``mirror`` flips horizontally, for the
    self-view, as every calling app does.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        fit: VideoFit = VideoFit.COVER,
        mirror: bool = False,
        corner_radius_px: float = 12.0,
        background: str | None = None,
        backdrop: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(64, 48))
        self._fit = fit
        self._mirror = mirror
        self._corner_radius_px = corner_radius_px
        self._background = QColor(background or current_palette().stage_surface)
        self._backdrop: QColor | None = None
        self.set_backdrop(backdrop)
        self._sink: FrameSource | None = None
        self._subscription = Subscription()
        self._video_enabled = True
        self._placeholder_name = ""
        self._placeholder_key: str | None = None
        # (frame, size, mirror, corner cut, radius) → the image and the RGB frame behind it
        self._cache_key: tuple[object, ...] | None = None
        self._cache_frame: av.VideoFrame | None = None
        self._cache_image: QImage | None = None
        self._painted_frame_count = 0
        self._converter: FrameConverter | None = None  # made with the first frame
        self._render_size_px: tuple[int, int] | None = None
        self._last_frame_s = float("-inf")  # time.monotonic() of the sink's last frame
        self._pacing = UnderlayPacing(self, self.update)
        # Leave the sink when Qt deletes the widget (a parent closing), not only on set_sink.
        self.destroyed.connect(self._subscription.cancel)

    # --- configuration ------------------------------------------------------------------

    @property
    def sink(self) -> FrameSource | None:
        return self._sink

    def set_sink(self, sink: FrameSource | None) -> None:
        """Render ``sink`` from now on (None: the placeholder only)."""
        if sink is self._sink:
            return
        self._subscription.cancel()
        self._sink = sink
        self._invalidate_cache()
        if sink is not None:
            self._subscription.set(sink.add_listener(weak_method(self._on_frame)))
        self.update()

    def set_underlay(self, underlay: VideoRenderer | None) -> None:
        """The renderer whose video this one floats over (the 1:1 self-view over the
        stage), or None. While that video is live, this one's new frames are painted by
        its repaints (:mod:`ui.underlay_pacing`), waiting at most ``UNDERLAY_WAIT_MS``."""
        self._pacing.set_underlay(underlay)

    @property
    def last_frame_s(self) -> float:
        """``time.monotonic()`` when the sink last had a new frame (-inf before)."""
        return self._last_frame_s

    @property
    def pacing(self) -> UnderlayPacing:
        return self._pacing

    def _on_frame(self) -> None:
        self._last_frame_s = now = time.monotonic()
        self._pacing.frame_arrived(now)

    @property
    def video_enabled(self) -> bool:
        return self._video_enabled

    def set_video_enabled(self, enabled: bool) -> None:
        if enabled != self._video_enabled:
            self._video_enabled = enabled
            self.update()

    def set_placeholder(self, name: str, key: str | None = None) -> None:
        """Whose avatar to show without video; ``key`` (a user id) picks its colour."""
        if (name, key) != (self._placeholder_name, self._placeholder_key):
            self._placeholder_name, self._placeholder_key = name, key
            self.update()

    @property
    def fit(self) -> VideoFit:
        return self._fit

    def set_fit(self, fit: VideoFit) -> None:
        if fit is not self._fit:
            self._fit = fit
            self._invalidate_cache()
            self.update()

    @property
    def mirror(self) -> bool:
        return self._mirror

    def set_mirror(self, mirror: bool) -> None:
        if mirror != self._mirror:
            self._mirror = mirror
            self.update()

    def set_corner_radius(self, radius_px: float) -> None:
        self._corner_radius_px = radius_px
        self.update()

    @property
    def backdrop(self) -> QColor | None:
        return self._backdrop

    def set_backdrop(self, color: str | QColor | None) -> None:
        """The solid colour behind this widget's rounded corners, or None when what is
        behind is not one colour (a self-view floating over another video).

        With a backdrop the renderer paints its corners in that colour and tells Qt it is
        opaque (``WA_OpaquePaintEvent``), so a new frame repaints only this widget and the
        overlays above it, not the stage and tile backgrounds under it; the frame is a
        plain blit, not an antialiased clip. In a 1:1 call that is half the widgets
        painted per frame. Without one, corners are clipped and left transparent."""
        self._backdrop = QColor(color) if color is not None else None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, self._backdrop is not None)
        self.update()

    # --- state for tests and overlays ---------------------------------------------------

    @property
    def has_video(self) -> bool:
        """True when the next paint draws a frame rather than the placeholder."""
        return self._video_enabled and self._sink is not None and self._sink.latest() is not None

    @property
    def render_size_px(self) -> tuple[int, int] | None:
        """(width, height) in device pixels the last frame was painted at, the cropped
        part included (COVER); None while the placeholder shows or the widget is hidden.
        What the sender needs to pick a video layer (``Call.update_subscriptions_partial``)."""
        return self._render_size_px if self.isVisible() else None

    @property
    def painted_frame_count(self) -> int:
        """Distinct frames converted and painted so far (dropped frames are not counted)."""
        return self._painted_frame_count

    # --- painting -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._pacing.waiting and event.rect().contains(self.rect()):
            self._pacing.painted_whole()
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        bounds = QRectF(self.rect())
        opaque = self._backdrop is not None
        rounded = self._corner_radius_px > 0
        frame = self._sink.latest() if (self._sink is not None and self._video_enabled) else None
        if frame is None or frame.width <= 0 or frame.height <= 0:
            self._render_size_px = None
            if not opaque and rounded:
                self._clip_to_rounded(painter, bounds)
            painter.fillRect(bounds, self._background)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            paint_avatar(painter, bounds, self._placeholder_name, self._placeholder_key)
        else:
            ratio = self.devicePixelRatioF()
            target = _fitted_rect(bounds, frame.width, frame.height, self._fit, ratio)
            width_px, height_px = round(target.width() * ratio), round(target.height() * ratio)
            self._render_size_px = (width_px, height_px)
            # Transparent corners over a picture that fills the widget (the floating
            # self-view) are cut into the cached image once per frame; the widget under
            # it repaints this one 30 times a second more, and each is then a plain blend.
            cut = not opaque and rounded and target.contains(bounds)
            if not opaque and rounded and not cut:
                self._clip_to_rounded(painter, bounds)
            cut_rect = (bounds.translated(-target.topLeft()), ratio) if cut else None
            image = self._image_for(frame, width_px, height_px, cut_rect)
            if not target.contains(bounds):  # letterbox bars (CONTAIN)
                painter.fillRect(bounds, self._background)
            painter.drawImage(target, image)
        if opaque and rounded:
            assert self._backdrop is not None
            painter.setClipping(False)
            self._paint_backdrop_corners(painter)

    def _clip_to_rounded(self, painter: QPainter, bounds: QRectF) -> None:
        clip = QPainterPath()
        clip.addRoundedRect(bounds, self._corner_radius_px, self._corner_radius_px)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipPath(clip)

    def _paint_backdrop_corners(self, painter: QPainter) -> None:
        """The backdrop over the four corners outside the widget's rounded rectangle,
        from cached pieces (:mod:`ui.corner_pieces`): the stage repaints them with every
        frame, and filling their curved path flattened its arcs each time."""
        backdrop = QColor(self._backdrop)
        radius = self._corner_radius_px

        def outside_circle(painter: QPainter, diameter: float) -> None:
            square, circle = QPainterPath(), QPainterPath()
            square.addRect(QRectF(0, 0, diameter, diameter))
            circle.addEllipse(QRectF(0, 0, diameter, diameter))
            painter.fillPath(square.subtracted(circle), backdrop)

        ratio = self.devicePixelRatioF()
        piece = corner_piece(("backdrop", backdrop.rgba()), radius, ratio, outside_circle)
        paint_corners(painter, self.width(), self.height(), radius, piece, ratio)

    def _image_for(
        self,
        frame: av.VideoFrame,
        width_px: int,
        height_px: int,
        cut_rect: tuple[QRectF, float] | None = None,
    ) -> QImage:
        """``frame`` as a ``width_px`` x ``height_px`` image, mirrored when the renderer
        mirrors (a flip per frame costs less than a transformed draw per paint) and, with
        ``cut_rect`` (the widget's rectangle in the image's logical coordinates and the
        device pixel ratio), with transparent rounded corners there."""
        width_px, height_px = max(2, width_px), max(2, height_px)
        key = (frame, width_px, height_px, self._mirror, cut_rect, self._corner_radius_px)
        if key != self._cache_key or self._cache_image is None:
            # Shrinking 2x or more: swscale's area average, which does not alias and is
            # the fastest filter there (0.5 instead of 0.7 ms for a 240x135 self-view).
            shrink = width_px * AREA_FILTER_MIN_SHRINK <= frame.width
            if self._converter is None:
                # Imported here: app.media (aiortc, NumPy, ...) is not needed to show the
                # Lobby, and importing it with this module cost 0.25 s of cold start.
                from app.media.frame_convert import FrameConverter

                self._converter = FrameConverter()
            rgb = self._converter.convert(
                frame,
                width=width_px,
                height=height_px,
                format=_RGB32_PIXEL_FORMAT,
                interpolation="AREA" if shrink else None,
            )
            plane = rgb.planes[0]  # rows may be padded: pass the plane's own line size
            image = QImage(
                memoryview(plane), width_px, height_px, plane.line_size, QImage.Format.Format_RGB32
            )
            if self._mirror:
                image = image.flipped(Qt.Orientation.Horizontal)  # a copy
            if cut_rect is not None:
                image = self._cut_corners(image, *cut_rect)
            self._cache_image = image
            self._cache_frame = rgb  # the first QImage borrows the plane's memory
            self._cache_key = key
            self._painted_frame_count += 1
        return self._cache_image

    def _cut_corners(self, image: QImage, rect: QRectF, ratio: float) -> QImage:
        """A copy of ``image`` whose pixels outside the rounded ``rect`` are transparent.

        swscale's 0xffRRGGBB pixels are already premultiplied ARGB (opaque), so the copy
        is reinterpreted, not converted. Only the four corners change: each is multiplied
        by a quarter of an antialiased disc drawn once (:mod:`ui.corner_pieces`); 0.01 ms
        per frame, where clearing the outside path every frame took 0.1 ms."""
        image = image.copy() if not self._mirror else image  # flipped() made the copy
        image.reinterpretAsFormat(QImage.Format.Format_ARGB32_Premultiplied)
        radius = self._corner_radius_px

        def disc(painter: QPainter, diameter: float) -> None:
            path = QPainterPath()
            path.addEllipse(QRectF(0, 0, diameter, diameter))
            painter.fillPath(path, QColor(0, 0, 0))

        piece = corner_piece("disc", radius, ratio, disc)
        image.setDevicePixelRatio(ratio)
        painter = QPainter(image)
        try:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
            painter.translate(rect.topLeft())
            paint_corners(painter, rect.width(), rect.height(), radius, piece, ratio)
        finally:
            painter.end()
        image.setDevicePixelRatio(1.0)
        return image

    def _invalidate_cache(self) -> None:
        self._cache_key = self._cache_frame = self._cache_image = None


def _fitted_rect(
    bounds: QRectF, frame_width: int, frame_height: int, fit: VideoFit, pixel_ratio: float = 1.0
) -> QRectF:
    """The rectangle, centred in ``bounds``, that a ``frame_width``×``frame_height`` frame
    occupies under ``fit`` (it may overflow ``bounds`` for COVER; the clip crops it).

    COVER snaps to one frame pixel per device pixel when the exact scale is within
    ``COVER_SNAP_MIN_SCALE`` of it (a 720p call in a 1248x574 tile): a little more is
    cropped, the picture is pixel-sharp, and swscale takes its unscaled path (0.3 ms
    instead of 1.4 ms per 720p frame here)."""
    sx, sy = bounds.width() / frame_width, bounds.height() / frame_height
    scale = max(sx, sy) if fit is VideoFit.COVER else min(sx, sy)
    if fit is VideoFit.COVER and COVER_SNAP_MIN_SCALE <= scale * pixel_ratio < 1.0:
        scale = 1.0 / pixel_ratio
    rect = QRectF(0, 0, frame_width * scale, frame_height * scale)
    rect.moveCenter(bounds.center())
    if scale * pixel_ratio == 1.0:  # whole device pixels: a plain blit, no resampling
        rect.moveTopLeft(QPointF(round(rect.left()), round(rect.top())))
    return rect
