"""``IncomingCallWindow``: the small always-on-top window of a call that rings this user
(Stream's "Incoming Call" screen, as a desktop pop-up).

It appears over whatever the user is doing — Parley's main window may be hidden in the
tray or minimised — with the caller's avatar and name, the kind of call, and three round
buttons: decline, accept audio-only, accept with video (the last only for video calls).
While the user is already in another call "Decline" becomes "Busy" (the issue: declining
a ring while in a call sends ``busy``) and the window says that answering ends that call.

A pure view of the call's state: it emits what the user chose (``accept_requested(video)``,
``decline_requested(reason)``) and closes itself once the call no longer rings here —
answered, declined, accepted on another device, cancelled by the caller, timed out.
Enter answers with video (audio for an audio call), Escape declines.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QKeySequence, QPainterPath, QRegion, QResizeEvent, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.call import CallState, CallStatus
from ui.bridge import CallBridge
from ui.icons import app_icon, icon_pixmap
from ui.ring_avatar import RingAvatar
from ui.round_button import ButtonKind, RoundButton
from ui.theme import current_palette

WIDTH_PX = 340
_CORNER_PX = 18
_BUTTON_PX = 56


def still_ringing_here(status: CallStatus) -> bool:
    """Whether the pop-up should stay: the call rings and this device has not answered."""
    return status.is_incoming and not status.accepted_by_me


class _Choice(QWidget):
    """A round button with its caption under it."""

    def __init__(self, button: RoundButton, caption: str) -> None:
        super().__init__()
        self.button = button
        self.caption = QLabel(caption)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.caption.setStyleSheet(f"color: {current_palette().stage_text_muted}; font-size: 12px;")
        button.setAccessibleName(caption)
        button.setToolTip(caption)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.caption)

    def set_caption(self, caption: str) -> None:
        self.caption.setText(caption)
        self.button.setAccessibleName(caption)
        self.button.setToolTip(caption)


class IncomingCallWindow(QWidget):
    """The pop-up of the ringing call behind ``bridge``; ``in_other_call`` offers "Busy"
    instead of "Decline"; ``answer_holds`` (multi-call mode) says answering puts that call
    on hold rather than ending it. Signals: ``accept_requested(bool video)``,
    ``decline_requested(str reason)`` (``"decline"`` or ``"busy"``), ``finished()`` once
    the ring ended here (the window has closed itself then)."""

    accept_requested = Signal(bool)
    decline_requested = Signal(str)
    finished = Signal()

    def __init__(
        self,
        bridge: CallBridge,
        *,
        in_other_call: bool = False,
        answer_holds: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # Tool: no taskbar entry of its own; on top even of other apps' windows; no frame.
        self.setWindowFlags(
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.bridge = bridge
        self._in_other_call = in_other_call
        self._answer_holds = answer_holds  # multi-call mode: the other call waits on hold
        self._finished = False
        state = bridge.state
        ringing = state.ringing
        caller = ringing.caller if ringing is not None else None
        self.caller_name = caller.name if caller is not None else state.call_id
        self.is_video = ringing.video if ringing is not None else True
        self.setWindowTitle(self.tr("%1 is calling – Parley").replace("%1", self.caller_name))
        self.setAccessibleName(self.windowTitle())
        self._build(caller.user_id if caller is not None else state.call_cid)
        self.setFixedWidth(WIDTH_PX)
        self.adjustSize()
        bridge.state_changed.connect(self._follow)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self, self._accept_default)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.decline_button.click)

    def _build(self, caller_key: str) -> None:
        palette = current_palette()
        card = QFrame(self)
        card.setObjectName("incomingCard")
        card.setStyleSheet(
            f"QFrame#incomingCard {{ background: {palette.stage_surface};"
            f" border: 1px solid {palette.stage_control}; border-radius: {_CORNER_PX}px; }}"
            "QFrame#incomingCard QLabel { background: transparent;"
            f" color: {palette.stage_text}; }}"
        )
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(18, 18))
        brand = QLabel("Parley")
        brand.setStyleSheet(f"color: {palette.stage_text_muted}; font-size: 12px;")
        kind_icon = QLabel()
        kind_icon.setPixmap(
            icon_pixmap("camera" if self.is_video else "phone", palette.stage_text_muted, 14)
        )
        self.kind_label = QLabel(
            self.tr("Incoming video call") if self.is_video else self.tr("Incoming audio call")
        )
        self.kind_label.setStyleSheet(f"color: {palette.stage_text_muted}; font-size: 12px;")
        header = QHBoxLayout()
        header.setSpacing(6)
        header.addWidget(logo)
        header.addWidget(brand)
        header.addStretch(1)
        header.addWidget(kind_icon)
        header.addWidget(self.kind_label)

        self.avatar = RingAvatar(self.caller_name, caller_key, diameter_px=84)
        self.avatar.set_pulsing(True)
        self.name_label = QLabel(self.caller_name)
        self.name_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.name_label.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.name_label.setWordWrap(True)
        self.detail_label = QLabel(
            (
                self.tr("Answering puts your current call on hold")
                if self._answer_holds
                else self.tr("Answering ends your current call")
            )
            if self._in_other_call
            else self.tr("is calling you…")
        )
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.detail_label.setStyleSheet(f"color: {palette.stage_text_muted}; font-size: 13px;")

        self.decline_choice = _Choice(
            RoundButton("phone-down", kind=ButtonKind.DECLINE, diameter_px=_BUTTON_PX),
            self.tr("Busy") if self._in_other_call else self.tr("Decline"),
        )
        self.audio_choice = _Choice(
            RoundButton("phone", kind=ButtonKind.ACCEPT, diameter_px=_BUTTON_PX),
            self.tr("Audio only") if self.is_video else self.tr("Accept"),
        )
        self.video_choice = _Choice(
            RoundButton("camera", kind=ButtonKind.ACCEPT, diameter_px=_BUTTON_PX),
            self.tr("Video"),
        )
        self.video_choice.setVisible(self.is_video)
        self.decline_button = self.decline_choice.button
        self.accept_audio_button = self.audio_choice.button
        self.accept_video_button = self.video_choice.button
        buttons = QHBoxLayout()
        buttons.setSpacing(28)
        buttons.addStretch(1)
        for choice in (self.decline_choice, self.audio_choice, self.video_choice):
            buttons.addWidget(choice)
        buttons.addStretch(1)

        layout = QVBoxLayout(card)
        layout.setContentsMargins(18, 14, 18, 20)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.name_label)
        layout.addWidget(self.detail_label)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(card)

        self.decline_button.clicked.connect(self._decline)
        self.accept_audio_button.clicked.connect(lambda: self._accept(video=False))
        self.accept_video_button.clicked.connect(lambda: self._accept(video=True))

    @property
    def decline_reason(self) -> str:
        """What declining sends: ``"busy"`` while in another call, else ``"decline"``."""
        return "busy" if self._in_other_call else "decline"

    def _accept(self, *, video: bool) -> None:
        self._set_buttons_enabled(False)  # one answer per ring
        self.accept_requested.emit(video and self.is_video)

    def _accept_default(self) -> None:
        (self.accept_video_button if self.is_video else self.accept_audio_button).click()

    def _decline(self) -> None:
        self._set_buttons_enabled(False)
        self.decline_requested.emit(self.decline_reason)

    def _set_buttons_enabled(self, enabled: bool) -> None:
        for button in (self.decline_button, self.accept_audio_button, self.accept_video_button):
            button.setEnabled(enabled)

    def _follow(self, state: CallState) -> None:
        if not still_ringing_here(state.status):
            self.finish()

    def finish(self) -> None:
        """Stop ringing here and close (idempotent)."""
        if self._finished:
            return
        self._finished = True
        self.avatar.set_pulsing(False)
        self.finished.emit()
        self.close()

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Rounded corners without a compositor: clip the window itself to the card's shape
        # (a translucent background would show black corners on plain X11).
        path = QPainterPath()
        path.addRoundedRect(QRectF(self.rect()), _CORNER_PX, _CORNER_PX)
        self.setMask(QRegion(path.toFillPolygon().toPolygon()))
        super().resizeEvent(event)
