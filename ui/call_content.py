"""``CallContent``: the screen of an active call (Stream's ``StreamCallContent``).

An app bar (call id, duration since this client joined, a reconnecting chip, the number of
people), the participants grid, and the controls at the bottom. It renders what the
``CallBridge`` emits and sends the controls' requests to the call; failures of those
commands appear as a toast and the buttons snap back to the engine's state.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.call import CallParticipantState, CallState, CallStatus, CallStatusKind
from ui.bridge import CallBridge
from ui.call_participants import CallParticipants
from ui.controls import CallControls
from ui.icons import icon_pixmap
from ui.theme import current_palette
from ui.toast import Toast

DURATION_TICK_MS = 1000


def format_duration(seconds: float) -> str:
    """``"m:ss"`` under an hour, ``"h:mm:ss"`` from then on; negative counts as 0."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class CallContent(QWidget):
    """The in-call screen for the call behind ``bridge``."""

    def __init__(self, bridge: CallBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._bridge = bridge
        palette = current_palette()

        self.title_label = QLabel(bridge.state.call_id)
        self.title_label.setProperty("role", "subtitle")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.duration_label = QLabel()
        self.duration_label.setProperty("role", "muted")
        self.status_chip = QLabel()
        self.status_chip.setStyleSheet(
            f"background: {palette.stage_control}; color: #fdd663; border-radius: 12px;"
            "padding: 4px 12px; font-weight: 600;"
        )
        self.status_chip.hide()
        people_icon = QLabel()
        people_icon.setPixmap(icon_pixmap("people", palette.stage_text, 20))
        self.participant_count_label = QLabel()
        self.participant_count_label.setStyleSheet("font-weight: 600;")
        self._people = people = QWidget()
        people_layout = QHBoxLayout(people)
        people_layout.setContentsMargins(12, 6, 14, 6)
        people_layout.setSpacing(6)
        people_layout.addWidget(people_icon)
        people_layout.addWidget(self.participant_count_label)
        people.setObjectName("people")
        people.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        people.setStyleSheet(
            f"QWidget#people {{ background: {palette.stage_surface}; border-radius: 16px; }}"
        )

        app_bar = QHBoxLayout()
        app_bar.setContentsMargins(20, 14, 16, 6)
        app_bar.setSpacing(12)
        app_bar.addWidget(self.title_label)
        app_bar.addWidget(self.duration_label)
        app_bar.addStretch(1)
        app_bar.addWidget(self.status_chip)
        app_bar.addStretch(1)
        app_bar.addWidget(people)

        self.participants_view = CallParticipants()
        grid_box = QHBoxLayout()
        grid_box.setContentsMargins(16, 8, 16, 8)
        grid_box.addWidget(self.participants_view)

        self.controls = CallControls()
        control_bar = QHBoxLayout()
        control_bar.setContentsMargins(16, 8, 16, 18)
        control_bar.addStretch(1)
        control_bar.addWidget(self.controls)
        control_bar.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(app_bar)
        layout.addLayout(grid_box, 1)
        layout.addLayout(control_bar)

        self.toast = Toast(self)
        self._duration_timer = QTimer(self)
        self._duration_timer.setInterval(DURATION_TICK_MS)
        self._duration_timer.timeout.connect(self._show_duration)
        self._duration_timer.start()

        bridge.participants_changed.connect(self._show_participants)
        bridge.media_changed.connect(self._show_media)
        bridge.status_changed.connect(self._show_status)
        bridge.state_changed.connect(self._show_duration_of)
        bridge.error_occurred.connect(self._show_error)
        self.controls.microphone_toggled.connect(self._set_microphone_enabled)
        self.controls.camera_toggled.connect(self._set_camera_enabled)
        self.controls.leave_requested.connect(self._leave)
        self._render(bridge.state)

    # --- rendering ----------------------------------------------------------------------

    def _render(self, state: CallState) -> None:
        self._show_participants(state.participants)
        self._show_media((state.microphone_enabled, state.camera_enabled))
        self._show_status(state.status)
        self._show_duration_of(state)

    def _show_participants(self, participants: tuple[CallParticipantState, ...]) -> None:
        self.participants_view.set_participants(participants, self._bridge.call.video_sink)
        count = len(participants)
        self.participant_count_label.setText(str(count))
        self._people.setToolTip(self.tr("%n people in the call", "", count))

    def _show_media(self, media: tuple[bool, bool]) -> None:
        microphone_enabled, camera_enabled = media
        self.controls.set_media_state(
            microphone_enabled=microphone_enabled, camera_enabled=camera_enabled
        )

    def _show_status(self, status: CallStatus) -> None:
        if status.kind is CallStatusKind.RECONNECTING:
            text = self.tr("Reconnecting… (attempt %1)").replace("%1", str(status.attempt))
            self.status_chip.setText(text)
            self.status_chip.show()
        else:
            self.status_chip.hide()

    def _show_duration_of(self, state: CallState) -> None:
        self._show_duration()

    def _show_duration(self) -> None:
        joined_at = self._bridge.state.joined_at
        if joined_at is None:
            self.duration_label.setText("")
            return
        now = datetime.now(UTC) if joined_at.tzinfo else datetime.now()
        self.duration_label.setText(format_duration((now - joined_at).total_seconds()))

    def _show_error(self, message: str) -> None:
        self.toast.show_message(message)
        state = self._bridge.state
        self._show_media((state.microphone_enabled, state.camera_enabled))

    # --- commands -----------------------------------------------------------------------

    def _set_microphone_enabled(self, enabled: bool) -> None:
        call = self._bridge.call
        self._bridge.run(call.set_microphone_enabled(enabled), action=self.tr("Microphone"))

    def _set_camera_enabled(self, enabled: bool) -> None:
        call = self._bridge.call
        self._bridge.run(call.set_camera_enabled(enabled), action=self.tr("Camera"))

    def _leave(self) -> None:
        self._bridge.run(self._bridge.call.leave(), action=self.tr("Leaving the call"))
