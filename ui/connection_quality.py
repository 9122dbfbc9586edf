"""``ConnectionQualityIndicator``: signal bars for a participant's ``connection_quality``
(Stream's ``StreamConnectionQualityIndicator``): three bars, as many lit as the quality
earns, green / amber / red; hidden while the quality is unknown."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QWidget

from app.call import ConnectionQuality

QUALITY_BARS = {
    ConnectionQuality.UNKNOWN: 0,
    ConnectionQuality.POOR: 1,
    ConnectionQuality.GOOD: 2,
    ConnectionQuality.EXCELLENT: 3,
}
_BAR_COLORS = {1: "#f28b82", 2: "#fdd663", 3: "#81c995"}  # Material 300 red/yellow/green
_UNLIT = QColor(255, 255, 255, 70)
_BACKGROUND = QColor(32, 33, 36, 184)


def quality_text(quality: ConnectionQuality) -> str:
    tr = QCoreApplication.translate
    texts = {
        ConnectionQuality.UNKNOWN: tr("ConnectionQuality", "Connection quality unknown"),
        ConnectionQuality.POOR: tr("ConnectionQuality", "Poor connection"),
        ConnectionQuality.GOOD: tr("ConnectionQuality", "Good connection"),
        ConnectionQuality.EXCELLENT: tr("ConnectionQuality", "Excellent connection"),
    }
    return texts[quality]


# The badges' pictures, by (lit bars, width px, height px, device pixel ratio). A badge
# lies over live video, so it repaints with every frame under it (about 60 times a second
# in a 1:1 call); drawing its antialiased circle and bars each time cost 0.18 ms, blitting
# the picture drawn once costs 0.003 ms.
_PICTURES: dict[tuple[int, int, int, float], QPixmap] = {}


class ConnectionQualityIndicator(QWidget):
    """A 28 px round badge with three bars. :attr:`bars` is how many are lit (0–3)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(self.sizeHint())
        self._quality = ConnectionQuality.UNKNOWN
        self.set_quality(ConnectionQuality.UNKNOWN)

    def sizeHint(self) -> QSize:
        return QSize(28, 28)

    @property
    def quality(self) -> ConnectionQuality:
        return self._quality

    @property
    def bars(self) -> int:
        return QUALITY_BARS[self._quality]

    def set_quality(self, quality: ConnectionQuality) -> None:
        self._quality = quality
        text = quality_text(quality)
        self.setToolTip(text)
        self.setAccessibleName(text)
        self.setHidden(quality is ConnectionQuality.UNKNOWN)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        ratio = self.devicePixelRatioF()
        key = (self.bars, self.width(), self.height(), ratio)
        picture = _PICTURES.get(key)
        if picture is None:
            picture = _PICTURES[key] = _draw_badge(*key)
        painter = QPainter(self)
        painter.drawPixmap(0, 0, picture)
        painter.end()


def _draw_badge(lit: int, width: int, height: int, ratio: float) -> QPixmap:
    """The badge with ``lit`` bars lit, ``width`` x ``height`` logical pixels at ``ratio``."""
    picture = QPixmap(round(width * ratio), round(height * ratio))
    picture.setDevicePixelRatio(ratio)
    picture.fill(Qt.GlobalColor.transparent)
    painter = QPainter(picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_BACKGROUND)
    painter.drawEllipse(QRectF(0, 0, width, height))
    lit_color = QColor(_BAR_COLORS.get(lit, "#ffffff"))
    bar_w, gap = 3.0, 2.0
    left = (width - (3 * bar_w + 2 * gap)) / 2
    bottom = height * 0.7
    for index in range(3):
        bar_h = 4.0 + index * 3.5
        bar = QRectF(left + index * (bar_w + gap), bottom - bar_h, bar_w, bar_h)
        painter.setBrush(lit_color if index < lit else _UNLIT)
        painter.drawRoundedRect(bar, 1.2, 1.2)
    painter.end()
    return picture
