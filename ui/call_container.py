"""``CallContainer``: one call's screens, chosen from its ``CallStatus`` (Stream's
``StreamCallContainer``).

  idle          → Lobby
  outgoing      → OutgoingCall (callees, "Calling…", ringback, cancel)
  incoming      → a spinner ("Answering…"): the window shows a call once it is accepted
  connecting    → a spinner ("Joining…"), or OutgoingCall's "Connecting…" after a ring
  connected     → CallContent
  reconnecting  → CallContent with its "Reconnecting…" chip (the spinner if never connected)
  disconnected  → "call ended" screen: the ``DisconnectReason`` in words, Rejoin / Return home;
                  a ring that ended unanswered stays on OutgoingCall, which says how
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from app.call import Call, CallStatus, CallStatusKind, DisconnectReason, LocalMedia
from ui.bridge import CallBridge, LocalMediaBridge
from ui.call_content import CallContent
from ui.lobby import Lobby
from ui.outgoing_call import OutgoingCall
from ui.theme import current_palette

_SPINNER_STEP_MS = 16


def disconnect_reason_text(status: CallStatus) -> tuple[str, str]:
    """``(headline, detail)`` for a disconnected status, in words for the user."""
    tr = QCoreApplication.translate
    reason = status.reason
    headlines = {
        DisconnectReason.LEFT: tr("CallContainer", "You left the call"),
        DisconnectReason.ENDED: tr("CallContainer", "The call has ended"),
        DisconnectReason.REPLACED: tr("CallContainer", "You joined another call"),
        DisconnectReason.TIMEOUT: tr("CallContainer", "The call timed out"),
        DisconnectReason.FAILURE: tr("CallContainer", "Couldn't stay connected to the call"),
        DisconnectReason.REJECTED: tr("CallContainer", "The call was declined"),
        DisconnectReason.CANCELLED: tr("CallContainer", "The call was cancelled"),
        DisconnectReason.LAST_PARTICIPANT_LEFT: tr("CallContainer", "Everyone else left the call"),
        DisconnectReason.ACCEPTED_ELSEWHERE: tr("CallContainer", "You answered on another device"),
    }
    fallback = tr("CallContainer", "You're no longer in the call")
    headline = headlines.get(reason, fallback) if reason is not None else fallback
    if reason is DisconnectReason.FAILURE:
        detail = status.error or tr("CallContainer", "Something went wrong.")
    elif reason is DisconnectReason.ENDED:
        detail = tr("CallContainer", "Someone ended the call for everyone.")
    else:
        detail = ""
    return headline, detail


class Spinner(QWidget):
    """An indeterminate progress arc (Material style), animating only while visible."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(56, 56)
        self._angle = 0
        self._timer = QTimer(self)
        self._timer.setInterval(_SPINNER_STEP_MS)
        self._timer.timeout.connect(self._advance)

    def showEvent(self, event: object) -> None:
        self._timer.start()

    def hideEvent(self, event: object) -> None:
        self._timer.stop()

    def _advance(self) -> None:
        self._angle = (self._angle + 6) % 360
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(current_palette().speaking), 5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        arc = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        painter.drawArc(arc, -self._angle * 16, 270 * 16)
        painter.end()


def _stage_page(*widgets: QWidget) -> QWidget:
    page = QWidget()
    page.setObjectName("stage")
    page.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
    layout = QVBoxLayout(page)
    layout.setSpacing(16)
    layout.addStretch(1)
    for widget in widgets:
        layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
    layout.addStretch(1)
    return page


class CallContainer(QStackedWidget):
    """All screens of ``call``. ``home_requested()`` asks the window to go back home (the
    call is not active then); ``pip_requested()`` forwards the call screen's PiP button.
    ``ringing_out`` starts on the OutgoingCall screen while the ring request is sent;
    ``join_devices_off`` is the user's (camera, microphone) "join with it off" settings."""

    home_requested = Signal()
    pip_requested = Signal()

    def __init__(
        self,
        call: Call,
        local_media: LocalMedia,
        user_name: str,
        parent: QWidget | None = None,
        *,
        ringing_out: bool = False,
        join_devices_off: tuple[bool, bool] = (False, False),
    ) -> None:
        super().__init__(parent)
        self.bridge = CallBridge(call, self)
        self.media_bridge = LocalMediaBridge(local_media, self)

        self.lobby = Lobby(
            self.bridge, self.media_bridge, user_name, join_devices_off=join_devices_off
        )
        self.connecting_label = QLabel(self.tr("Joining…"))
        self.connecting_label.setProperty("role", "subtitle")
        self.connecting_page = _stage_page(Spinner(), self.connecting_label)

        self.ended_headline = QLabel()
        self.ended_headline.setProperty("role", "display")
        self.ended_detail = QLabel()
        self.ended_detail.setProperty("role", "muted")
        self.ended_detail.setWordWrap(True)
        self.ended_detail.setMaximumWidth(560)
        self.ended_detail.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.rejoin_button = QPushButton(self.tr("Rejoin"))
        self.rejoin_button.setProperty("variant", "secondary")
        self.home_button = QPushButton(self.tr("Return to home screen"))
        self.home_button.setProperty("variant", "primary")
        buttons = QWidget()
        row = QVBoxLayout(buttons)
        row.setSpacing(10)
        row.addWidget(self.rejoin_button)
        row.addWidget(self.home_button)
        self.ended_page = _stage_page(self.ended_headline, self.ended_detail, buttons)

        self.outgoing = OutgoingCall(self.bridge, self.media_bridge)
        self.content: CallContent | None = None  # made on first connect: it owns tiles
        for page in (self.lobby, self.connecting_page, self.ended_page, self.outgoing):
            self.addWidget(page)

        self.lobby.join_requested.connect(self.join)
        self.lobby.back_requested.connect(self.home_requested)
        self.rejoin_button.clicked.connect(self.join)
        self.home_button.clicked.connect(self.home_requested)
        self.outgoing.cancel_requested.connect(self.cancel_ring)
        self.outgoing.call_again_requested.connect(self.ring_again)
        self.outgoing.close_requested.connect(self.home_requested)
        self.bridge.status_changed.connect(self._show_status)
        self._show_status(self.bridge.state.status)
        if ringing_out and self.bridge.state.status.kind is CallStatusKind.IDLE:
            # the ring request is about to go: no Lobby flash before "Calling…"
            self.setCurrentWidget(self.outgoing)

    @property
    def call(self) -> Call:
        return self.bridge.call

    @property
    def current_screen(self) -> str:
        """``"lobby"``, ``"outgoing"``, ``"connecting"``, ``"content"`` or ``"ended"``."""
        page = self.currentWidget()
        if page is self.lobby:
            return "lobby"
        if page is self.outgoing:
            return "outgoing"
        if page is self.connecting_page:
            return "connecting"
        if page is self.ended_page:
            return "ended"
        return "content"

    def join(self) -> None:
        """Join the call (from the Lobby or "Rejoin"); a failure lands on the ended screen."""
        self.bridge.run(self.call.join(), action=self.tr("Joining the call"))

    def cancel_ring(self) -> None:
        """Stop ringing the callees (the caller's "Cancel")."""
        self.bridge.run(self.call.cancel(), action=self.tr("Cancelling the call"))

    def ring_again(self) -> None:
        """Ring the same callees once more ("Call again" after an unanswered ring)."""
        ringing = self.call.state.ringing
        members = [c.user_id for c in ringing.callees] if ringing is not None else []
        video = ringing.video if ringing is not None else True
        self.bridge.run(self.call.ring(members, video=video), action=self.tr("Calling"))

    def _show_status(self, status: CallStatus) -> None:
        kind = status.kind
        on_ring_screen = self.currentWidget() is self.outgoing
        if kind is CallStatusKind.IDLE:
            self.setCurrentWidget(self.lobby)
        elif kind is CallStatusKind.OUTGOING or (
            on_ring_screen and kind in (CallStatusKind.CONNECTING, CallStatusKind.DISCONNECTED)
        ):
            self.setCurrentWidget(self.outgoing)
        elif kind is CallStatusKind.INCOMING:
            self.connecting_label.setText(self.tr("Answering…"))
            self.setCurrentWidget(self.connecting_page)
        elif kind is CallStatusKind.CONNECTING or (
            kind is CallStatusKind.RECONNECTING and self.content is None
        ):
            self.connecting_label.setText(
                self.tr("Joining…")
                if kind is CallStatusKind.CONNECTING
                else self.tr("Reconnecting…")
            )
            self.setCurrentWidget(self.connecting_page)
        elif kind in (CallStatusKind.CONNECTED, CallStatusKind.RECONNECTING):
            if self.content is None:
                self.content = CallContent(self.bridge, self.media_bridge)
                # one picker for the Lobby and the call: effects belong to the camera
                self.content.controls.effects_requested.connect(self.lobby.open_effects)
                self.content.pip_requested.connect(self.pip_requested)
                self.addWidget(self.content)
            self.setCurrentWidget(self.content)
        else:
            headline, detail = disconnect_reason_text(status)
            self.ended_headline.setText(headline)
            self.ended_detail.setText(detail)
            self.ended_detail.setVisible(bool(detail))
            self.setCurrentWidget(self.ended_page)
