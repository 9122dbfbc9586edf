"""The home window's "Missed calls" card: rings that ended unanswered, newest first, each
with the caller, when, and a button to call back (``VideoClient.missed_calls()``)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.protocol import MissedCallResponse
from ui.avatar import avatar_color, initials
from ui.icons import icon, icon_pixmap
from ui.recent_calls import ago
from ui.theme import current_palette

MISSED_LIMIT = 20
_VISIBLE_ROWS = 4  # the card grows to this many rows, then scrolls


class MissedCallRow(QWidget):
    """One missed call: the caller's avatar and name, "Missed call · 3 min ago", and a
    call-back button (``call_back_requested(user_id)``)."""

    call_back_requested = Signal(str)

    def __init__(self, missed: MissedCallResponse) -> None:
        super().__init__()
        palette = current_palette()
        caller = missed.caller
        self.caller_id = caller.id
        self.caller_name = caller.name or caller.id
        badge = QLabel(initials(self.caller_name))
        badge.setFixedSize(40, 40)
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badge.setStyleSheet(
            f"background: {avatar_color(caller.id).name()}; color: white;"
            "border-radius: 20px; font-weight: 600;"
        )
        name = QLabel(self.caller_name)
        name.setStyleSheet("font-size: 14px; font-weight: 600; background: transparent;")
        missed_icon = QLabel()
        missed_icon.setPixmap(icon_pixmap("phone-missed", palette.danger, 14))
        missed_icon.setStyleSheet("background: transparent;")
        detail = QLabel(self.tr("Missed call · %1").replace("%1", ago(missed.missed_at)))
        detail.setProperty("role", "muted")
        detail.setStyleSheet("background: transparent;")
        detail_row = QHBoxLayout()
        detail_row.setSpacing(6)
        detail_row.addWidget(missed_icon)
        detail_row.addWidget(detail, 1)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(name)
        text.addLayout(detail_row)
        self.call_back_button = QToolButton()
        self.call_back_button.setIcon(icon("phone", palette.accent, 20))
        self.call_back_button.setIconSize(QSize(20, 20))
        self.call_back_button.setFixedSize(40, 40)
        self.call_back_button.setCursor(Qt.CursorShape.PointingHandCursor)
        tip = self.tr("Call %1 back").replace("%1", self.caller_name)
        self.call_back_button.setToolTip(tip)
        self.call_back_button.setAccessibleName(tip)
        self.call_back_button.setStyleSheet(
            "QToolButton { border: none; border-radius: 20px; background: transparent; }"
            f"QToolButton:hover {{ background: {palette.surface_raised}; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 6, 8)
        layout.setSpacing(14)
        layout.addWidget(badge)
        layout.addLayout(text, 1)
        layout.addWidget(self.call_back_button)
        self.call_back_button.clicked.connect(lambda: self.call_back_requested.emit(self.caller_id))


class MissedCallsPanel(QFrame):
    """The card. :meth:`set_missed_calls` fills it; ``call_back_requested(user_id)`` when
    the user calls someone back."""

    call_back_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        # as tall as its rows: the rest of the column belongs to the recent calls
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        title = QLabel(self.tr("Missed calls"))
        title.setProperty("role", "subtitle")
        self.count_label = QLabel()
        self.count_label.setStyleSheet(
            f"background: {current_palette().danger}; color: white; border-radius: 10px;"
            "padding: 0 6px; font-weight: 600; font-size: 12px;"
        )
        self.count_label.setFixedHeight(20)
        self.count_label.setMinimumWidth(20)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.count_label.hide()
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.count_label)
        self.list = QListWidget()
        self.list.setSpacing(2)
        self.list.setAccessibleName(self.tr("Missed calls"))
        self.empty_label = QLabel(self.tr("No missed calls."))
        self.empty_label.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 18, 18, 18)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.list, 1)
        self.rows: list[MissedCallRow] = []
        self.set_missed_calls(())

    def set_missed_calls(self, missed: Sequence[MissedCallResponse]) -> None:
        """Show ``missed`` (newest first; at most :data:`MISSED_LIMIT`)."""
        self.list.clear()
        self.rows = []
        for entry in list(missed)[:MISSED_LIMIT]:
            row = MissedCallRow(entry)
            row.call_back_requested.connect(self.call_back_requested)
            item = QListWidgetItem()
            item.setSizeHint(row.sizeHint())
            item.setData(Qt.ItemDataRole.UserRole, entry.caller.id)
            self.list.addItem(item)
            self.list.setItemWidget(item, row)
            self.rows.append(row)
        self.empty_label.setVisible(not self.rows)
        self.list.setVisible(bool(self.rows))
        # the card is as tall as its rows (up to a few), leaving the rest to recent calls
        shown = self.rows[:_VISIBLE_ROWS]
        spacing = 2 * self.list.spacing()
        self.list.setFixedHeight(sum(row.sizeHint().height() + spacing for row in shown) + 4)
        self.count_label.setText(str(len(missed)))
        self.count_label.setVisible(bool(missed))

    @property
    def caller_names(self) -> list[str]:
        return [row.caller_name for row in self.rows]
