"""``ParleyTray``: Parley in the system tray — its status at a glance and a menu.

The icon is the app icon with a badge: none when idle, a green dot in a call, a red
struck-through microphone when muted in a call; missed calls not seen yet add a red count
in the top-right corner and a line to the tooltip. A call that starts ringing posts a tray
notification (the pop-up window shows as well). The menu: "Open Parley", the missed calls,
the active call (its name, Mute/Unmute, Leave call), "Settings…" and "Quit Parley" (which asks first
during a call, see ``HomeWindow.request_quit``). The menu works whether or not a tray is
available (tests trigger its actions offscreen); :attr:`available` says whether the icon
can be seen.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app.call import CallState
from ui.home_window import HomeWindow
from ui.icons import app_icon, icon, icon_pixmap

_ICON_PX = 64
_MENU_ICON = "#5f6368"


class TrayStatus(StrEnum):
    IDLE = "idle"
    IN_CALL = "in_call"
    MUTED = "muted"


def status_icon(status: TrayStatus, missed_calls: int = 0) -> QIcon:
    """The app icon with ``status``'s badge in its bottom-right quarter and, when
    ``missed_calls`` > 0, a red count in its top-right corner ("9+" above nine)."""
    pixmap = QPixmap(_ICON_PX, _ICON_PX)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    app_icon().paint(painter, 0, 0, _ICON_PX, _ICON_PX)
    if status is not TrayStatus.IDLE:
        badge = QRectF(_ICON_PX * 0.5, _ICON_PX * 0.5, _ICON_PX * 0.5, _ICON_PX * 0.5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#202124"))
        painter.drawEllipse(badge)
        inner = badge.adjusted(4, 4, -4, -4)
        if status is TrayStatus.IN_CALL:
            painter.setBrush(QColor("#34a853"))
            painter.drawEllipse(inner)
        else:
            painter.setBrush(QColor("#ea4335"))
            painter.drawEllipse(inner)
            glyph = round(inner.width() * 0.7)
            corner = inner.center() - QPointF(glyph / 2, glyph / 2)
            painter.drawPixmap(corner.toPoint(), icon_pixmap("mic-off", "#ffffff", glyph))
    if missed_calls > 0:
        count = QRectF(_ICON_PX * 0.52, 0, _ICON_PX * 0.48, _ICON_PX * 0.48)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#d93025"))
        painter.drawEllipse(count)
        font = QFont(painter.font())
        font.setPixelSize(round(_ICON_PX * (0.3 if missed_calls < 10 else 0.22)))
        font.setWeight(QFont.Weight.Bold)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        text = str(missed_calls) if missed_calls < 10 else "9+"
        painter.drawText(count, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pixmap)


class ParleyTray(QObject):
    """The tray icon and menu of ``window`` (follows ``window.call_state_changed``)."""

    def __init__(self, window: HomeWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self._state: CallState | None = None
        self._told_hidden = False
        self.missed_calls = 0
        self._icons = {status: status_icon(status) for status in TrayStatus}
        self.menu = QMenu()
        self.open_action = self.menu.addAction(
            icon("window", _MENU_ICON, 18), self.tr("Open Parley")
        )
        self.missed_action = self.menu.addAction(icon("phone-missed", "#d93025", 18), "")
        self.missed_action.setVisible(False)
        self.menu.addSeparator()
        self.call_action = self.menu.addAction("")
        self.call_action.setEnabled(False)
        self.mute_action = self.menu.addAction("")
        self.stop_share_action = self.menu.addAction(
            icon("screen-share-off", _MENU_ICON, 18), self.tr("Stop sharing your screen")
        )
        self.leave_action = self.menu.addAction(
            icon("phone-down", "#d93025", 18), self.tr("Leave call")
        )
        self._call_separator = self.menu.addSeparator()
        self.settings_action = self.menu.addAction(
            icon("settings", _MENU_ICON, 18), self.tr("Settings…")
        )
        self.quit_action = self.menu.addAction(icon("quit", _MENU_ICON, 18), self.tr("Quit Parley"))
        self.icon = QSystemTrayIcon(self._icons[TrayStatus.IDLE], self)
        self.icon.setContextMenu(self.menu)

        self.open_action.triggered.connect(window.restore_from_pip)
        self.missed_action.triggered.connect(window.restore_from_pip)
        self.mute_action.triggered.connect(self._toggle_microphone)
        self.leave_action.triggered.connect(self._leave)
        self.stop_share_action.triggered.connect(self._stop_screen_share)
        self.settings_action.triggered.connect(self._open_settings)
        self.quit_action.triggered.connect(window.request_quit)
        self.icon.activated.connect(self._on_activated)
        window.call_state_changed.connect(self.set_call_state)
        window.ring_arrived.connect(self.notify_ring)
        window.missed_calls_changed.connect(self.set_missed_calls)
        container = window.container
        self.set_call_state(container.call.state if container is not None else None)

    @property
    def available(self) -> bool:
        """Whether the desktop has a tray to show the icon in."""
        return QSystemTrayIcon.isSystemTrayAvailable()

    @property
    def status(self) -> TrayStatus:
        state = self._state
        if state is None or not state.status.is_active:
            return TrayStatus.IDLE
        return TrayStatus.IN_CALL if state.microphone_enabled else TrayStatus.MUTED

    def show(self) -> bool:
        """Show the icon when a tray is available; returns :attr:`available`."""
        if self.available:
            self.icon.show()
        return self.available

    def hide(self) -> None:
        self.icon.hide()

    def set_call_state(self, state: CallState | None) -> None:
        """Follow the open call (None: no call)."""
        self._state = state
        status = self.status
        in_call = status is not TrayStatus.IDLE
        for action in (self.call_action, self.mute_action, self.leave_action):
            action.setVisible(in_call)
        self._call_separator.setVisible(in_call)
        local = state.local_participant if state is not None else None
        self.stop_share_action.setVisible(in_call and local is not None and local.is_screen_sharing)
        if state is not None and in_call:
            self.call_action.setText(self.tr("In call: %1").replace("%1", state.call_id))
            muted = status is TrayStatus.MUTED
            self.mute_action.setText(self.tr("Unmute") if muted else self.tr("Mute"))
            self.mute_action.setIcon(icon("mic" if muted else "mic-off", _MENU_ICON, 18))
            tooltip = self.tr("Parley – in a call (%1)").replace("%1", state.call_id)
            if muted:
                tooltip += " · " + self.tr("muted")
        else:
            tooltip = "Parley"
        if self.missed_calls:
            tooltip += "\n" + self._missed_text()
        self.icon.setIcon(
            status_icon(status, self.missed_calls) if self.missed_calls else self._icons[status]
        )
        self.icon.setToolTip(tooltip)

    def set_missed_calls(self, count: int) -> None:
        """Show ``count`` missed calls not seen yet (0 clears the badge)."""
        self.missed_calls = count
        self.missed_action.setVisible(count > 0)
        self.missed_action.setText(self._missed_text())
        self.set_call_state(self._state)

    def _missed_text(self) -> str:
        if self.missed_calls == 1:
            return self.tr("1 missed call")
        return self.tr("%1 missed calls").replace("%1", str(self.missed_calls))

    def notify_ring(self, caller_name: str, video: bool) -> None:
        """A tray notification for a call that starts ringing (when a tray is shown)."""
        if self.icon.isVisible():
            what = self.tr("Video call") if video else self.tr("Audio call")
            self.icon.showMessage(
                self.tr("%1 is calling").replace("%1", caller_name),
                what + " · " + self.tr("answer in the Parley pop-up"),
                self._icons[TrayStatus.IDLE],
                10_000,
            )

    def notify_hidden(self) -> None:
        """Tell the user the app still runs (once per session, as most tray apps do)."""
        if self.icon.isVisible() and not self._told_hidden:
            self._told_hidden = True
            self.icon.showMessage(
                "Parley",
                self.tr("Parley keeps running here so calls can reach you."),
                self._icons[TrayStatus.IDLE],
                4000,
            )

    def _open_settings(self) -> None:
        self._window.restore_from_pip()
        self._window.open_settings()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self._window.restore_from_pip()

    def _toggle_microphone(self) -> None:
        container = self._window.container
        if container is not None and container.call.state.status.is_active:
            call = container.call
            container.bridge.run(
                call.set_microphone_enabled(not call.state.microphone_enabled),
                action=self.tr("Microphone"),
            )

    def _leave(self) -> None:
        container = self._window.container
        if container is not None and container.call.state.status.is_active:
            container.bridge.run(container.call.leave(), action=self.tr("Leaving the call"))

    def _stop_screen_share(self) -> None:
        container = self._window.container
        if container is not None:
            container.bridge.run(
                container.call.stop_screen_share(), action=self.tr("Stopping the share")
            )
