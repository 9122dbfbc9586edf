"""``OutgoingCall``: the caller's screen while the call rings (Stream's "Outgoing Call").

The callees' avatars pulse over the dark stage with their names and "Calling…", the
ringback tone loops, and under them are the microphone and camera toggles (what the call
will start with) and a red "Cancel". When a callee answers it says "Connecting…" until the
call screen takes over; when the ring ends unanswered it stays, silent, and says how —
"Declined", "Busy", "No answer", "Cancelled" — with "Call again" and "Close".
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.call import CallState, CallStatusKind, DisconnectReason, RingUser
from app.protocol import RejectReason
from ui.bridge import CallBridge, LocalMediaBridge
from ui.controls import MediaToggles
from ui.ring_avatar import RingAvatar
from ui.ringtones import RINGBACK, TonePlayer
from ui.round_button import ButtonKind, RoundButton

_MAX_AVATARS = 3
_JOINING = (CallStatusKind.CONNECTING, CallStatusKind.CONNECTED)


def ring_outcome_text(state: CallState) -> str:
    """How an outgoing ring ended, in a word or two: "Declined", "Busy" (every callee who
    answered no was busy), "No answer", "Cancelled", or the failure."""
    tr = QCoreApplication.translate
    status = state.status
    reason = status.reason
    if reason is DisconnectReason.REJECTED:
        reasons = set(state.rejected_by.values()) - {RejectReason.TIMEOUT}
        if reasons == {RejectReason.BUSY}:
            return tr("OutgoingCall", "Busy")
        return tr("OutgoingCall", "Declined")
    if reason is DisconnectReason.TIMEOUT:
        return tr("OutgoingCall", "No answer")
    if reason is DisconnectReason.CANCELLED:
        return tr("OutgoingCall", "Cancelled")
    if reason is DisconnectReason.FAILURE:
        return status.error or tr("OutgoingCall", "The call failed")
    return tr("OutgoingCall", "Call ended")


def callee_names(callees: tuple[RingUser, ...]) -> str:
    """``"Bob"``, ``"Bob and Eve"``, ``"Bob, Eve and 2 others"``."""
    tr = QCoreApplication.translate
    names = [c.name for c in callees]
    if len(names) <= 1:
        return names[0] if names else ""
    if len(names) == 2:
        return tr("OutgoingCall", "%1 and %2").replace("%1", names[0]).replace("%2", names[1])
    return (
        tr("OutgoingCall", "%1, %2 and %3 others")
        .replace("%1", names[0])
        .replace("%2", names[1])
        .replace("%3", str(len(names) - 2))
    )


class OutgoingCall(QWidget):
    """The ringing screen of the call behind ``bridge``. Signals: ``cancel_requested()``,
    ``call_again_requested()``, ``close_requested()``; :attr:`ringback` plays while the
    call rings and no one has answered."""

    cancel_requested = Signal()
    call_again_requested = Signal()
    close_requested = Signal()

    def __init__(
        self, bridge: CallBridge, media_bridge: LocalMediaBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("stage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._bridge = bridge
        self._media_bridge = media_bridge
        self.ringback = TonePlayer(RINGBACK, self)
        self._callees: tuple[RingUser, ...] | None = None
        self.avatars: list[RingAvatar] = []

        self._avatar_row = QHBoxLayout()
        self._avatar_row.setSpacing(0)
        self.names_label = QLabel()
        self.names_label.setProperty("role", "display")
        self.names_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.names_label.setWordWrap(True)
        self.status_label = QLabel(self.tr("Calling…"))
        self.status_label.setProperty("role", "muted")
        self.status_label.setStyleSheet("font-size: 16px;")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.status_label.setAccessibleName(self.tr("Call status"))

        self.toggles = MediaToggles(self, diameter_px=56)
        self.cancel_button = RoundButton("phone-down", kind=ButtonKind.DANGER, diameter_px=56)
        self.cancel_button.setAccessibleName(self.tr("Cancel the call"))
        self.cancel_button.setToolTip(self.tr("Cancel"))
        self.ringing_controls = QWidget()
        row = QHBoxLayout(self.ringing_controls)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        row.addWidget(self.toggles)
        row.addSpacing(8)
        row.addWidget(self.cancel_button)

        self.call_again_button = QPushButton(self.tr("Call again"))
        self.call_again_button.setProperty("variant", "primary")
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setProperty("variant", "secondary")
        self.ended_controls = QWidget()
        ended = QHBoxLayout(self.ended_controls)
        ended.setContentsMargins(0, 0, 0, 0)
        ended.setSpacing(12)
        ended.addWidget(self.close_button)
        ended.addWidget(self.call_again_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 48)
        layout.setSpacing(14)
        layout.addStretch(2)
        layout.addLayout(self._avatar_row)
        layout.addSpacing(8)
        layout.addWidget(self.names_label)
        layout.addWidget(self.status_label)
        layout.addStretch(3)
        layout.addWidget(self.ringing_controls, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.ended_controls, 0, Qt.AlignmentFlag.AlignHCenter)

        self.cancel_button.clicked.connect(self._cancel)
        self.call_again_button.clicked.connect(self.call_again_requested)
        self.close_button.clicked.connect(self.close_requested)
        self.toggles.microphone_toggled.connect(self._set_microphone_enabled)
        self.toggles.camera_toggled.connect(self._set_camera_enabled)
        media_bridge.changed.connect(self._show_media)
        bridge.state_changed.connect(self.show_state)
        self._show_media()
        self.show_state(bridge.state)

    @property
    def is_ringing(self) -> bool:
        """Whether the screen shows a ring that no one has answered yet."""
        status = self._bridge.state.status
        return status.is_outgoing and not status.accepted_by_callee

    def show_state(self, state: CallState) -> None:
        """Render ``state``: callees, what is happening, which controls apply."""
        callees = state.ringing.callees if state.ringing is not None else None
        if callees is None:  # the ring request is still in flight: its members are known
            callees = tuple(RingUser(uid, uid) for uid in state.member_user_ids)
        if callees != self._callees:
            self._set_callees(callees)
        status = state.status
        ringing = status.is_outgoing and not status.accepted_by_callee
        if ringing:
            self.status_label.setText(self.tr("Calling…"))
        elif status.is_outgoing or status.kind in _JOINING:
            self.status_label.setText(self.tr("Connecting…"))
        elif status.is_disconnected:
            self.status_label.setText(ring_outcome_text(state))
        self.cancel_button.setEnabled(ringing)
        self.ringing_controls.setVisible(not status.is_disconnected)
        self.ended_controls.setVisible(status.is_disconnected)
        for avatar in self.avatars:
            avatar.set_pulsing(ringing and self.isVisible())
        self._update_tone()

    def _set_callees(self, callees: tuple[RingUser, ...]) -> None:
        self._callees = callees
        for avatar in self.avatars:
            avatar.deleteLater()
        while self._avatar_row.count():
            self._avatar_row.takeAt(0)
        self._avatar_row.addStretch(1)
        self.avatars = []
        for callee in callees[:_MAX_AVATARS]:
            avatar = RingAvatar(callee.name, callee.user_id, diameter_px=120)
            self.avatars.append(avatar)
            self._avatar_row.addWidget(avatar)
        self._avatar_row.addStretch(1)
        self.names_label.setText(callee_names(callees))

    def _update_tone(self) -> None:
        if self.is_ringing and self.isVisible():
            self.ringback.start()
        else:
            self.ringback.stop()

    def showEvent(self, event: object) -> None:
        self.show_state(self._bridge.state)

    def hideEvent(self, event: object) -> None:
        self.show_state(self._bridge.state)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_requested.emit()

    def _show_media(self) -> None:
        media = self._media_bridge.local_media
        self.toggles.set_media_state(
            microphone_enabled=media.microphone_enabled, camera_enabled=media.camera_enabled
        )

    def _set_microphone_enabled(self, enabled: bool) -> None:
        media = self._media_bridge.local_media
        self._media_bridge.run(media.set_microphone_enabled(enabled), action=self.tr("Microphone"))

    def _set_camera_enabled(self, enabled: bool) -> None:
        media = self._media_bridge.local_media
        self._media_bridge.run(media.set_camera_enabled(enabled), action=self.tr("Camera"))
