"""``MutedHint``: "You're muted" when the user talks with the microphone off (as Meet and
Zoom do). It polls the microphone's raw level (``LocalMedia.raw_microphone_level``: the
device stays open while muted, nothing is sent) only while muted.

Speech is assumed after ``SPEECH_POLLS`` consecutive polls above ``SPEECH_RMS`` — a cough or
a door is one poll, a sentence is many; the hint then stays ``HOLD_MS`` after the last
speech so it does not blink between words.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ui.controls import MICROPHONE_SHORTCUT
from ui.icons import icon_pixmap

POLL_INTERVAL_MS = 100
SPEECH_RMS = 0.02  # ~-34 dBFS: normal speech at a laptop microphone is well above it
SPEECH_POLLS = 3
HOLD_MS = 3000


class MutedHint(QWidget):
    """A chip floating over ``parent``, centred, ``bottom_offset_px`` above its bottom edge
    (above the control bar). Call :meth:`set_muted` with the call's microphone state;
    ``level_source()`` returns the raw RMS level, 0.0–1.0."""

    def __init__(
        self, level_source: Callable[[], float], parent: QWidget, *, bottom_offset_px: int = 96
    ) -> None:
        super().__init__(parent)
        self._level_source = level_source
        self._host = parent
        self._bottom_offset_px = bottom_offset_px
        parent.installEventFilter(self)
        self._muted = False
        self._loud_polls = 0
        self.setObjectName("mutedHint")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(
            "QWidget#mutedHint { background: #f1f3f4; border-radius: 20px; }"
            "QLabel { color: #202124; background: transparent; font-size: 14px; }"
        )
        icon_label = QLabel()
        icon_label.setPixmap(icon_pixmap("mic-off", "#d93025", 20))
        keys = MICROPHONE_SHORTCUT.toString(QKeySequence.SequenceFormat.NativeText)
        self.text_label = QLabel(self.tr("You're muted. Press %1 to unmute.").replace("%1", keys))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 9, 18, 9)
        layout.setSpacing(10)
        layout.addWidget(icon_label)
        layout.addWidget(self.text_label)
        self.setAccessibleName(self.text_label.text())
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_INTERVAL_MS)
        self._poll_timer.timeout.connect(self.poll)
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.setInterval(HOLD_MS)
        self._hold_timer.timeout.connect(self.hide)
        self.hide()

    def set_muted(self, muted: bool) -> None:
        """Watch the level while ``muted``; unmuting hides the hint at once."""
        self._muted = muted
        self._loud_polls = 0
        if muted:
            self._poll_timer.start()
        else:
            self._poll_timer.stop()
            self._hold_timer.stop()
            self.hide()

    def poll(self) -> None:
        if not self._muted:
            return
        loud = self._level_source() >= SPEECH_RMS
        self._loud_polls = self._loud_polls + 1 if loud else 0
        if self._loud_polls >= SPEECH_POLLS:
            if self.isHidden():
                self._place()
                self.show()
                self.raise_()
            self._hold_timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._host and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        host = self._host
        self.adjustSize()
        self.move(
            (host.width() - self.width()) // 2,
            host.height() - self.height() - self._bottom_offset_px,
        )
