"""``PipWindow``: the call in a small always-on-top window (Stream's picture-in-picture).

Frameless, above other windows, moved by dragging anywhere on the video and resized from
the grip in its corner. It shows the pinned participant, else whoever Stream's sorting puts
first (screen share, dominant speaker, ...; not yourself unless you are alone), with mini
controls on hover: microphone, camera, leave, and back to the full window. It closes itself
when the call is no longer active.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QEnterEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QSizeGrip, QWidget

from app.call import CallParticipantState, CallStatus
from ui.bridge import CallBridge
from ui.participant_sorting import sort_participants, spotlight_participant
from ui.participant_view import ParticipantView
from ui.round_button import ButtonKind, RoundButton

DEFAULT_SIZE = QSize(384, 216)
MINIMUM_SIZE = QSize(224, 126)
_CONTROL_PX = 36
_BAR_PX = 56


class PipWindow(QWidget):
    """The picture-in-picture window of the call behind ``bridge``; ``pinned_session_id``
    is the participant pinned in the full window, if any.

    Signal: ``return_requested()`` — back to the full window (the owner closes this one).
    """

    return_requested = Signal()

    def __init__(
        self,
        bridge: CallBridge,
        pinned_session_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlags(
            Qt.WindowType.Window
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("%1 – Parley").replace("%1", bridge.state.call_id))
        self.setObjectName("stage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setAccessibleName(self.tr("Picture-in-picture"))
        self.setMinimumSize(MINIMUM_SIZE)
        self.resize(DEFAULT_SIZE)
        self._bridge = bridge
        self._pinned = frozenset({pinned_session_id}) if pinned_session_id else frozenset()
        self._drag_offset: QPoint | None = None
        self.tile: ParticipantView | None = None

        self.controls_bar = QWidget(self)
        self.controls_bar.setObjectName("pipControls")
        self.controls_bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.controls_bar.setStyleSheet(
            "QWidget#pipControls { background: qlineargradient(x1:0, y1:0, x2:0, y2:1,"
            " stop:0 rgba(0, 0, 0, 0), stop:1 rgba(0, 0, 0, 150)); }"
        )
        tr = self.tr
        self.microphone_button = RoundButton(
            "mic", icon_off_name="mic-off", kind=ButtonKind.TOGGLE, diameter_px=_CONTROL_PX
        )
        self.microphone_button.setAccessibleName(tr("Microphone"))
        self.camera_button = RoundButton(
            "camera", icon_off_name="camera-off", kind=ButtonKind.TOGGLE, diameter_px=_CONTROL_PX
        )
        self.camera_button.setAccessibleName(tr("Camera"))
        self.stop_share_button = RoundButton("screen-share-off", diameter_px=_CONTROL_PX)
        self.stop_share_button.setToolTip(tr("Stop sharing your screen"))
        self.stop_share_button.setAccessibleName(tr("Stop sharing"))
        self.stop_share_button.hide()  # only while this user shares
        self.leave_button = RoundButton(
            "phone-down", kind=ButtonKind.DANGER, diameter_px=_CONTROL_PX
        )
        self.leave_button.setToolTip(tr("Leave call"))
        self.leave_button.setAccessibleName(tr("Leave call"))
        self.return_button = RoundButton("open-full", diameter_px=_CONTROL_PX)
        self.return_button.setToolTip(tr("Back to the full window"))
        self.return_button.setAccessibleName(tr("Back to the full window"))
        row = QHBoxLayout(self.controls_bar)
        row.setContentsMargins(10, 12, 10, 8)
        row.setSpacing(8)
        row.addStretch(1)  # right-aligned: the name stays readable at the bottom left
        for button in (
            self.microphone_button,
            self.camera_button,
            self.stop_share_button,
            self.leave_button,
            self.return_button,
        ):
            row.addWidget(button)
        self.size_grip = QSizeGrip(self)
        self.size_grip.setToolTip(tr("Resize"))
        self.size_grip.setAccessibleName(tr("Resize"))
        self.set_controls_visible(False)

        self.microphone_button.clicked.connect(self._set_microphone_enabled)
        self.camera_button.clicked.connect(self._set_camera_enabled)
        self.leave_button.clicked.connect(self._leave)
        self.stop_share_button.clicked.connect(self._stop_screen_share)
        self.return_button.clicked.connect(self.return_requested)
        bridge.participants_changed.connect(self._show_participants)
        bridge.media_changed.connect(self._show_media)
        bridge.status_changed.connect(self._show_status)
        state = bridge.state
        self._show_participants(state.participants)
        self._show_media((state.microphone_enabled, state.camera_enabled))

    def tiles(self) -> list[ParticipantView]:
        """The tile this window shows (none before the call has participants), for the
        call's video subscriptions (``VideoSubscriptionReporter.add_tiles``)."""
        return [self.tile] if self.tile is not None else []

    @property
    def shown_session_id(self) -> str | None:
        """Whose video the window shows."""
        return self.tile.participant.session_id if self.tile is not None else None

    @property
    def controls_visible(self) -> bool:
        return not self.controls_bar.isHidden()

    def set_controls_visible(self, visible: bool) -> None:
        self.controls_bar.setVisible(visible)
        if visible:
            self.controls_bar.raise_()
        self.size_grip.raise_()

    def set_pinned(self, session_id: str | None) -> None:
        self._pinned = frozenset({session_id}) if session_id else frozenset()
        self._show_participants(self._bridge.state.participants)

    # --- rendering ----------------------------------------------------------------------

    def _show_participants(self, participants: tuple[CallParticipantState, ...]) -> None:
        sharing = any(p.is_local and p.is_screen_sharing for p in participants)
        self.stop_share_button.setVisible(sharing)
        main = spotlight_participant(sort_participants(participants, self._pinned), self._pinned)
        if main is None:
            if self.tile is not None:
                self.tile.deleteLater()
                self.tile = None
            return
        if self.tile is None or self.tile.participant.session_id != main.session_id:
            if self.tile is not None:
                self.tile.deleteLater()
            self.tile = ParticipantView(main, compact=True, parent=self)
            self.tile.setGeometry(self.rect())
            self.tile.show()
            self.tile.lower()
        else:
            self.tile.set_participant(main)
        self.tile.set_sink(self._bridge.call.video_sink(main.session_id))

    def _show_media(self, media: tuple[bool, bool]) -> None:
        microphone_enabled, camera_enabled = media
        self.microphone_button.setChecked(microphone_enabled)
        self.camera_button.setChecked(camera_enabled)
        self.microphone_button.setToolTip(
            self.tr("Turn off microphone") if microphone_enabled else self.tr("Turn on microphone")
        )
        self.camera_button.setToolTip(
            self.tr("Turn off camera") if camera_enabled else self.tr("Turn on camera")
        )

    def _show_status(self, status: CallStatus) -> None:
        if not status.is_active:
            self.close()

    # --- commands -----------------------------------------------------------------------

    def _set_microphone_enabled(self, enabled: bool) -> None:
        call = self._bridge.call
        self._bridge.run(call.set_microphone_enabled(enabled), action=self.tr("Microphone"))

    def _set_camera_enabled(self, enabled: bool) -> None:
        call = self._bridge.call
        self._bridge.run(call.set_camera_enabled(enabled), action=self.tr("Camera"))

    def _leave(self) -> None:
        self._bridge.run(self._bridge.call.leave(), action=self.tr("Leaving the call"))

    def _stop_screen_share(self) -> None:
        call = self._bridge.call
        self._bridge.run(call.stop_screen_share(), action=self.tr("Stopping the share"))

    # --- window behaviour ---------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        rect = self.rect()
        if self.tile is not None:
            self.tile.setGeometry(rect)
        self.controls_bar.setGeometry(0, rect.height() - _BAR_PX, rect.width(), _BAR_PX)
        grip = self.size_grip.sizeHint()
        self.size_grip.move(rect.width() - grip.width(), rect.height() - grip.height())
        super().resizeEvent(event)

    def enterEvent(self, event: QEnterEvent) -> None:
        self.set_controls_visible(True)
        super().enterEvent(event)

    def leaveEvent(self, event: object) -> None:
        self.set_controls_visible(False)
        super().leaveEvent(event)  # type: ignore[arg-type]

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() is not Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        # The window manager moves the window itself where it can (Wayland allows nothing
        # else); elsewhere follow the mouse.
        handle = self.windowHandle()
        if handle is None or not handle.startSystemMove():
            self._drag_offset = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_offset is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_offset)
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_offset = None
        super().mouseReleaseEvent(event)
