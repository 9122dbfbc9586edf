"""``LevelMeter``: the microphone activity indicator of the Lobby (three bars in a badge,
as Google Meet draws it), polling a level source at 15 Hz while visible."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QWidget

from ui.theme import current_palette

POLL_INTERVAL_MS = 66  # ~15 Hz: smooth to the eye, negligible CPU
# The RMS of speech is small (0.02–0.2 of full scale); a square-root curve makes normal
# speech fill most of the meter instead of a sliver.
_BAR_WEIGHTS = (0.6, 1.0, 0.6)


class LevelMeter(QWidget):
    """Shows ``level_source()`` (0.0–1.0, RMS) as three bars; flat when silent."""

    def __init__(self, level_source: Callable[[], float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._level_source = level_source
        self._level = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._timer.timeout.connect(self.poll)
        self.setFixedSize(self.sizeHint())
        self.setAccessibleName(self.tr("Microphone level"))

    def sizeHint(self) -> QSize:
        return QSize(32, 32)

    @property
    def level(self) -> float:
        """The level shown now, 0.0–1.0, after the display curve."""
        return self._level

    def poll(self) -> None:
        raw = min(1.0, max(0.0, float(self._level_source())))
        level = min(1.0, raw**0.5 * 1.6)
        # Fast attack, slow release, like a VU meter: syllables do not flicker.
        self._level = level if level > self._level else self._level * 0.7 + level * 0.3
        self.update()

    def showEvent(self, event: QShowEvent) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(current_palette().speaking if self._level > 0.05 else "#5f6368"))
        painter.drawEllipse(QRectF(self.rect()))
        painter.setBrush(QColor("#202124" if self._level > 0.05 else "#e8eaed"))
        bar_w, gap = 4.0, 3.0
        max_h = self.height() * 0.5
        left = (self.width() - (3 * bar_w + 2 * gap)) / 2
        for i, weight in enumerate(_BAR_WEIGHTS):
            h = max(bar_w, max_h * self._level * weight)
            bar = QRectF(left + i * (bar_w + gap), (self.height() - h) / 2, bar_w, h)
            painter.drawRoundedRect(bar, bar_w / 2, bar_w / 2)
        painter.end()
