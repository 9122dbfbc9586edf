"""``RingAvatar``: a person's avatar with rings pulsing out of it while a call rings, as on
the ringing screens of phones (Stream's ``StreamCallParticipantAvatar`` on the incoming and
outgoing call screens)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from ui.avatar import avatar_color, initials

_FRAME_MS = 33  # ~30 fps is smooth for a slow pulse and cheap
_PULSE_PERIOD_MS = 1800
_PULSES = 2  # rings in flight at once


class RingAvatar(QWidget):
    """A ``diameter_px`` avatar of ``name`` (colour keyed by ``key``, usually the user id)
    in a square leaving room for the pulse; :meth:`set_pulsing` starts/stops the rings."""

    def __init__(
        self, name: str, key: str, *, diameter_px: int = 96, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._name = name
        self._key = key
        self._diameter_px = diameter_px
        self._phase_ms = 0
        side = round(diameter_px * 1.6)
        self.setFixedSize(side, side)
        self.setAccessibleName(name)
        self._timer = QTimer(self)
        self._timer.setInterval(_FRAME_MS)
        self._timer.timeout.connect(self._advance)

    @property
    def pulsing(self) -> bool:
        return self._timer.isActive()

    def set_pulsing(self, pulsing: bool) -> None:
        if pulsing and not self._timer.isActive():
            self._timer.start()
        elif not pulsing and self._timer.isActive():
            self._timer.stop()
            self._phase_ms = 0
            self.update()

    def _advance(self) -> None:
        self._phase_ms = (self._phase_ms + _FRAME_MS) % _PULSE_PERIOD_MS
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        center = QRectF(self.rect()).center()
        color = avatar_color(self._key)
        painter.setPen(Qt.PenStyle.NoPen)
        if self.pulsing:
            room = (self.width() - self._diameter_px) / 2
            for pulse in range(_PULSES):
                progress = ((self._phase_ms / _PULSE_PERIOD_MS) + pulse / _PULSES) % 1.0
                ring = QColor(color)
                ring.setAlphaF(0.35 * (1.0 - progress))
                radius = self._diameter_px / 2 + room * progress
                painter.setBrush(ring)
                painter.drawEllipse(center, radius, radius)
        circle = QRectF(0, 0, self._diameter_px, self._diameter_px)
        circle.moveCenter(center)
        painter.setBrush(color)
        painter.drawEllipse(circle)
        font = painter.font()
        font.setPixelSize(round(self._diameter_px * 0.38))
        font.setWeight(font.Weight.Medium)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(self._name))
        painter.end()
