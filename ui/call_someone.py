"""``CallSomeoneDialog``: ring a person by their user id, with video or audio only."""

from __future__ import annotations

import re

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.icons import icon
from ui.theme import current_palette

# The coordinator's user ids (guest ids are slugs of names, see ui.application).
_USER_ID = re.compile(r"^[A-Za-z0-9@._-]{1,128}$")


def is_plausible_user_id(text: str) -> bool:
    """Whether ``text`` can be a user id (1–128 of ``[A-Za-z0-9@._-]``); whether such a
    user exists only the coordinator knows (it answers ``not_found``)."""
    return bool(_USER_ID.match(text.strip()))


class CallSomeoneDialog(QDialog):
    """Asks for a user id; ``ring_requested(user_id, video)`` when the user presses
    "Video call" or "Audio call" (the dialog then closes)."""

    ring_requested = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        palette = current_palette()
        self.setWindowTitle(self.tr("Call someone"))
        self.setMinimumWidth(420)
        title = QLabel(self.tr("Call someone"))
        title.setProperty("role", "title")
        hint = QLabel(self.tr("Their Parley rings, even when its window is closed to the tray."))
        hint.setProperty("role", "muted")
        hint.setWordWrap(True)
        self.user_field = QLineEdit()
        self.user_field.setPlaceholderText(self.tr("User id, e.g. ada-lovelace"))
        self.user_field.setAccessibleName(self.tr("User id"))
        self.user_field.addAction(
            icon("people", palette.text_muted, 20), QLineEdit.ActionPosition.LeadingPosition
        )
        self.audio_button = QPushButton(icon("phone", palette.accent, 18), self.tr("Audio call"))
        self.audio_button.setProperty("variant", "secondary")
        self.video_button = QPushButton(
            icon("camera", palette.on_accent, 18), self.tr("Video call")
        )
        self.video_button.setProperty("variant", "primary")
        for button in (self.audio_button, self.video_button):
            button.setIconSize(QSize(18, 18))
            button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.video_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.audio_button)
        buttons.addWidget(self.video_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 22)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addSpacing(4)
        layout.addWidget(self.user_field)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        self.user_field.textChanged.connect(self._validate)
        self.audio_button.clicked.connect(lambda: self._ring(video=False))
        self.video_button.clicked.connect(lambda: self._ring(video=True))
        self._validate()

    def _validate(self) -> None:
        valid = is_plausible_user_id(self.user_field.text())
        self.audio_button.setEnabled(valid)
        self.video_button.setEnabled(valid)

    def _ring(self, *, video: bool) -> None:
        user_id = self.user_field.text().strip()
        if is_plausible_user_id(user_id):
            self.accept()
            self.ring_requested.emit(user_id, video)
