"""``HoldOverlay``: what a tile shows while its participant has put the call on hold
(issue 4, ``CallParticipantState.is_on_hold``; beyond Stream, whose suspension the others
cannot see): the picture dimmed, and a "pause" badge with "On hold" in the middle.

A held participant sends no video, so the renderer would keep their last frame as if they
were frozen: the dimming says the stillness is deliberate. Invisible to the mouse, so the
tile's pin button and context menu still work.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.icons import icon_pixmap

_DIM = QColor(32, 33, 36, 170)
_HOLD_COLOR = "#fdd663"  # the call screen's amber, as the switcher's "On hold"


class HoldOverlay(QWidget):
    """Covers its parent tile (the owner sets the geometry); ``corner_radius_px`` matches
    the tile's rounded video."""

    def __init__(self, corner_radius_px: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("holdOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self._radius = corner_radius_px
        badge = QWidget()
        badge.setObjectName("holdBadge")
        badge.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        badge.setStyleSheet(
            "QWidget#holdBadge { background: rgba(32, 33, 36, 0.85); border-radius: 16px; }"
        )
        pause = QLabel()
        pause.setPixmap(icon_pixmap("pause", _HOLD_COLOR, 18))
        pause.setStyleSheet("background: transparent;")
        self.label = QLabel(self.tr("On hold"))
        self.label.setStyleSheet(
            f"color: {_HOLD_COLOR}; background: transparent; font-weight: 600; font-size: 13px;"
        )
        row = QHBoxLayout(badge)
        row.setContentsMargins(12, 6, 14, 6)
        row.setSpacing(6)
        row.addWidget(pause)
        row.addWidget(self.label)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.setAccessibleName(self.tr("On hold"))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(QRectF(self.rect()), self._radius, self._radius)
        painter.fillPath(path, _DIM)
        painter.end()
