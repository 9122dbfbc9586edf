"""``Switch``: an on/off toggle drawn as a pill with a sliding knob (Material's switch), for
settings rows. Painted rather than styled: QSS cannot draw a knob, and a checkbox reads as a
form field rather than a preference."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractButton, QWidget

from ui.theme import current_palette

_WIDTH_PX = 40
_HEIGHT_PX = 22
_KNOB_INSET_PX = 3


class Switch(QAbstractButton):
    """A checkable button: ``toggled(bool)`` as any ``QAbstractButton``; space toggles it
    when focused. ``accessible_name`` names the preference for screen readers."""

    def __init__(self, accessible_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCheckable(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFixedSize(self.sizeHint())
        if accessible_name:
            self.setAccessibleName(accessible_name)

    def sizeHint(self) -> QSize:
        return QSize(_WIDTH_PX, _HEIGHT_PX)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = current_palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        on = self.isChecked()
        track = QColor(p.accent if on else p.surface_raised)
        if not self.isEnabled():
            track.setAlphaF(0.4)
        painter.setBrush(track)
        rect = QRectF(self.rect())
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        knob_d = rect.height() - 2 * _KNOB_INSET_PX
        x = rect.right() - _KNOB_INSET_PX - knob_d if on else rect.left() + _KNOB_INSET_PX
        painter.setBrush(QColor(p.on_accent if on else p.text_muted))
        painter.drawEllipse(QRectF(x, _KNOB_INSET_PX, knob_d, knob_d))
        if self.hasFocus():
            focus = QColor(p.accent)
            focus.setAlphaF(0.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(focus)
            painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 11, 11)
        painter.end()
