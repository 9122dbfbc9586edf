"""``Toast``: a short message floating at the bottom of a window (Material's snackbar)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ui.icons import icon_pixmap

DEFAULT_TIMEOUT_MS = 6000
_BOTTOM_MARGIN_PX = 96  # above the control bar of the call screen


class Toast(QWidget):
    """Shows one message at a time over ``parent``, bottom centre, for ``timeout_ms``.

    Used for failures of user commands (a device that cannot open, a join refused), so
    they are seen without blocking the window like a dialog would.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = parent
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setObjectName("toast")
        self.setStyleSheet(
            "QWidget#toast { background: #323232; border-radius: 10px; }"
            "QLabel { color: #f1f3f4; font-size: 13px; background: transparent; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 18, 10)
        layout.setSpacing(10)
        self._icon = QLabel(self)
        self._icon.setPixmap(icon_pixmap("alert", "#f28b82", 20))
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._label, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        parent.installEventFilter(self)
        self.hide()

    @property
    def text(self) -> str:
        return self._label.text()

    def show_message(self, text: str, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self._label.setText(text)
        self.setAccessibleName(text)
        self._place()
        self.show()
        self.raise_()
        self._timer.start(timeout_ms)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._host and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def _place(self) -> None:
        parent = self._host
        width = min(560, max(240, parent.width() - 48))
        self._label.setFixedWidth(width - 62)
        self.adjustSize()
        self.move(
            (parent.width() - self.width()) // 2,
            parent.height() - self.height() - _BOTTOM_MARGIN_PX,
        )
