"""The rows of the home window's "Recent calls" list, and ``ago`` for list timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.protocol import CallStateResponse
from ui.icons import icon_pixmap
from ui.theme import current_palette


def ago(moment: datetime) -> str:
    """``moment`` relative to now for a list row: "just now", "5 min ago", "3 h ago", or
    the date (a naive ``moment`` is UTC)."""
    seconds = (
        datetime.now(UTC) - (moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    ).total_seconds()
    if seconds < 60:
        return QCoreApplication.translate("HomeWindow", "just now")
    if seconds < 3600:
        return QCoreApplication.translate("HomeWindow", "%1 min ago").replace(
            "%1", str(int(seconds // 60))
        )
    if seconds < 86400:
        return QCoreApplication.translate("HomeWindow", "%1 h ago").replace(
            "%1", str(int(seconds // 3600))
        )
    return moment.astimezone().strftime("%d %b %Y")


class RecentCallRow(QWidget):
    """One row of the home window's "Recent calls": badge, call id, type, state, when."""

    def __init__(self, response: CallStateResponse) -> None:
        super().__init__()
        call = response.call
        palette = current_palette()
        badge = QLabel()
        badge.setFixedSize(40, 40)
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badge.setPixmap(icon_pixmap("camera", palette.accent, 20))
        badge.setStyleSheet(f"background: {palette.surface_raised}; border-radius: 20px;")
        title = QLabel(call.id)
        title.setStyleSheet("font-size: 14px; font-weight: 600; background: transparent;")
        state = (
            self.tr("ended")
            if call.ended_at
            else (self.tr("in progress") if call.session_id else self.tr("created"))
        )
        detail = QLabel(f"{call.type} · {state} {ago(call.ended_at or call.created_at)}")
        detail.setProperty("role", "muted")
        detail.setStyleSheet("background: transparent;")
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(title)
        text.addWidget(detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(14)
        layout.addWidget(badge)
        layout.addLayout(text, 1)
