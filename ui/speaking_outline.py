"""``SpeakingOutline``: the ring a tile shows while its participant speaks (Stream's
``isSpeaking`` highlight), drawn over the video and invisible to the mouse."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent
from PySide6.QtWidgets import QWidget

from ui.corner_pieces import corner_piece, paint_corners
from ui.theme import current_palette

SPEAKING_BORDER_PX = 3


class SpeakingOutline(QWidget):
    """A ring ``SPEAKING_BORDER_PX`` wide inside a rectangle rounded by ``radius_px``.

    It repaints with every video frame under it, so it is put together from four plain
    bars and cached corner pieces (:mod:`ui.corner_pieces`): filling the whole ring's path
    took 0.06 ms a paint, the pieces about 0.01 ms."""

    def __init__(self, radius_px: float, parent: QWidget) -> None:
        super().__init__(parent)
        self._radius_px = radius_px
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)

    def paintEvent(self, event: QPaintEvent) -> None:
        color = QColor(current_palette().speaking)
        ratio = self.devicePixelRatioF()
        radius, border = self._radius_px, float(SPEAKING_BORDER_PX)
        width, height = float(self.width()), float(self.height())

        def ring(painter: QPainter, diameter: float) -> None:
            painter.fillPath(outline_ring_path(diameter, diameter, radius), color)

        piece = corner_piece(("speaking", color.rgba()), radius, ratio, ring)
        painter = QPainter(self)
        for bar in (
            QRectF(radius, 0, width - 2 * radius, border),
            QRectF(radius, height - border, width - 2 * radius, border),
            QRectF(0, radius, border, height - 2 * radius),
            QRectF(width - border, radius, border, height - 2 * radius),
        ):
            painter.fillRect(bar, color)
        paint_corners(painter, width, height, radius, piece, ratio)
        painter.end()


def outline_ring_path(width: float, height: float, radius_px: float) -> QPainterPath:
    """The outline of a ``width`` x ``height`` tile rounded by ``radius_px`` as one path:
    the band ``SPEAKING_BORDER_PX`` wide inside its rounded rectangle."""
    outer, inner = QPainterPath(), QPainterPath()
    bounds = QRectF(0, 0, width, height)
    outer.addRoundedRect(bounds, radius_px, radius_px)
    border = SPEAKING_BORDER_PX
    inner.addRoundedRect(
        bounds.adjusted(border, border, -border, -border), radius_px - border, radius_px - border
    )
    return outer.subtracted(inner)
