"""``HomeWindow``: the main window — start or join a meeting, call someone, missed and
recent calls, who you are.

The window exists before sign-in finishes (the embedded coordinator may take a second to
start): it shows "Signing in…" and then either the signed-in user or the error. A call opens
in place of the home page as a :class:`CallContainer`, one per open call in a
:class:`CallStack` (issue 4: several calls may be active; the focused one is on screen,
with the active-calls switcher over it), and the window returns home when none is left.

During a call, minimising the window (or the controls' PiP button) opens the
picture-in-picture window (setting ``call/pip_on_minimise``). Closing the window keeps
Parley in the system tray when there is one (setting ``window/close_to_tray``); otherwise it
quits, and quitting during a call asks first.

Once signed in, a :class:`RingingController` pops up incoming calls (even while this
window is hidden) and rings people for "Call someone" and the missed calls' call-back
buttons. Missed calls the user has not seen yet are counted for the tray
(``missed_calls_changed``) until the window is next activated.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.call import Call
from app.protocol import is_valid_call_id
from ui.avatar import avatar_color, initials
from ui.bridge import EngineBridge
from ui.call_container import CallContainer
from ui.call_someone import CallSomeoneDialog
from ui.call_stack import CallStack
from ui.icons import app_icon, icon
from ui.missed_calls import MissedCallsPanel
from ui.pip_window import PipWindow
from ui.recent_calls import RecentCallRow
from ui.ringing import RingingController
from ui.settings import Settings
from ui.settings_dialog import SettingsDialog
from ui.theme import current_palette
from ui.toast import Toast

if TYPE_CHECKING:
    from app.client import VideoClient

DEFAULT_CALL_TYPE = "default"
_RECENT_LIMIT = 20


def parse_call_reference(
    text: str, default_type: str = DEFAULT_CALL_TYPE
) -> tuple[str, str] | None:
    """``"type:id"`` or ``"id"`` → ``(type, id)``; None when the id is not a valid call id
    (1–64 of ``[A-Za-z0-9_-]``) or the type is empty."""
    text = text.strip()
    call_type, sep, call_id = text.rpartition(":")
    if not sep:
        call_type, call_id = default_type, text
    if not call_type or not is_valid_call_id(call_id):
        return None
    return call_type, call_id


class HomeWindow(QMainWindow):
    """Parley's main window. Call :meth:`set_client` once signed in; set
    :attr:`tray_available` when a system tray icon is showing.

    Signals: ``closing()`` when the user quits (the application then leaves the active call
    and shuts the engine down); ``hidden_to_tray()`` when closing only hid the window;
    ``call_state_changed(CallState | None)`` with every snapshot of the call on screen (the
    focused one when several are active), and None when no call is open (the tray follows
    it); ``ring_arrived(str caller, bool video)``
    when a call starts ringing here; ``missed_calls_changed(int)`` with the number of
    missed calls not seen yet.
    """

    closing = Signal()
    hidden_to_tray = Signal()
    call_state_changed = Signal(object)
    ring_arrived = Signal(str, bool)
    missed_calls_changed = Signal(int)

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else Settings(parent=self)
        self.tray_available = False
        self.pip_window: PipWindow | None = None
        self.quit_confirmation: QMessageBox | None = None
        self._quitting = False
        self.setWindowTitle("Parley")
        self.setWindowIcon(app_icon())
        self.resize(1200, 760)
        self.setMinimumSize(900, 600)
        self._client: VideoClient | None = None
        self.ringing: RingingController | None = None
        self.call_someone_dialog: CallSomeoneDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.unseen_missed_calls = 0
        self._commands = EngineBridge(self)
        # one CallContainer per open call, the active-calls switcher, the split view
        self.calls = CallStack()

        self._stack = QStackedWidget()
        self.setCentralWidget(self._stack)
        self.home_page = self._build_home_page()
        self._stack.addWidget(self.home_page)
        self._stack.addWidget(self.calls)
        self.toast = Toast(self)
        self.calls.home_requested.connect(self._show_home)
        self.calls.pip_requested.connect(self.pop_out)
        self.calls.call_state_changed.connect(self.call_state_changed)
        self.calls.shown_changed.connect(self._follow_shown_call)
        self.calls.call_ended.connect(self.toast.show_message)
        self.calls.error_occurred.connect(self.show_error)
        self._commands.error_occurred.connect(self.show_error)
        self.call_someone_button.setEnabled(False)
        self.set_signing_in()

    # --- building -----------------------------------------------------------------------

    def _build_home_page(self) -> QWidget:
        palette = current_palette()
        page = QWidget()
        page.setObjectName("page")
        page.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(QSize(32, 32)))
        brand = QLabel("Parley")
        brand.setStyleSheet("font-size: 20px; font-weight: 500;")
        self.user_badge = QLabel()
        self.user_badge.setFixedSize(36, 36)
        self.user_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.user_badge.hide()
        self.user_label = QLabel()
        self.user_label.setProperty("role", "muted")
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(logo)
        top.addWidget(brand)
        top.addStretch(1)
        top.addWidget(self.user_label)
        top.addWidget(self.user_badge)
        self.settings_button = QToolButton()
        self.settings_button.setIconSize(QSize(22, 22))
        self.settings_button.setFixedSize(40, 40)
        self.settings_button.setAutoRaise(True)
        self.settings_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.settings_button.setToolTip(self.tr("Settings"))
        self.settings_button.setAccessibleName(self.tr("Settings"))
        self.settings_button.clicked.connect(self.open_settings)
        top.addWidget(self.settings_button)

        headline = QLabel(self.tr("Video calls and meetings,\non your own server"))
        headline.setProperty("role", "display")
        headline.setStyleSheet("font-size: 38px;")
        tagline = QLabel(
            self.tr("Start a meeting in one click, share its code, talk peer to peer.")
        )
        tagline.setProperty("role", "muted")
        tagline.setStyleSheet("font-size: 16px;")

        self.new_meeting_button = QPushButton(self.tr("New meeting"))
        self.new_meeting_button.setProperty("variant", "primary")
        self.new_meeting_button.setIconSize(QSize(20, 20))
        self.new_meeting_button.setMinimumHeight(48)
        self.new_meeting_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.call_field = QLineEdit()
        self.call_field.setPlaceholderText(self.tr("Enter a code or type:code"))
        self._keyboard_action = self.call_field.addAction(
            icon("keyboard", palette.text_muted, 20), QLineEdit.ActionPosition.LeadingPosition
        )
        self.call_field.setMinimumWidth(260)
        self.call_field.setMinimumHeight(48)
        self.call_field.setAccessibleName(self.tr("Call code"))
        self.join_button = QPushButton(self.tr("Join"))
        self.join_button.setProperty("variant", "text")
        self.join_button.setMinimumHeight(48)
        self.join_button.setEnabled(False)
        self.call_someone_button = QPushButton(self.tr("Call someone"))
        self.call_someone_button.setProperty("variant", "secondary")
        self.call_someone_button.setIconSize(QSize(18, 18))
        self.call_someone_button.setMinimumHeight(40)
        self.call_someone_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.call_someone_button.setToolTip(self.tr("Ring someone by their user id"))
        actions = QHBoxLayout()
        actions.setSpacing(12)
        actions.addWidget(self.new_meeting_button)
        actions.addWidget(self.call_field)
        actions.addWidget(self.join_button)
        actions.addStretch(1)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        hero = QVBoxLayout()
        hero.setSpacing(18)
        hero.addStretch(1)
        hero.addWidget(headline)
        hero.addWidget(tagline)
        hero.addSpacing(18)
        hero.addLayout(actions)
        hero.addWidget(self.status_label)
        hero.addWidget(self.call_someone_button, 0, Qt.AlignmentFlag.AlignLeft)
        hero.addStretch(2)

        recent_title = QLabel(self.tr("Recent calls"))
        recent_title.setProperty("role", "subtitle")
        self.recent_list = QListWidget()
        self.recent_list.setSpacing(2)
        self.recent_list.setAccessibleName(self.tr("Recent calls"))
        self.recent_empty = QLabel(self.tr("Calls you start or join appear here."))
        self.recent_empty.setProperty("role", "muted")
        self.recent_empty.setWordWrap(True)
        self.missed_panel = MissedCallsPanel()
        self.missed_panel.setFixedWidth(360)
        card = QFrame()
        card.setObjectName("card")
        card.setFixedWidth(360)
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(18, 18, 18, 18)
        card_layout.setSpacing(10)
        card_layout.addWidget(recent_title)
        card_layout.addWidget(self.recent_empty)
        card_layout.addWidget(self.recent_list, 1)

        body = QHBoxLayout()
        body.setSpacing(48)
        body.addLayout(hero, 1)
        side = QVBoxLayout()
        side.setSpacing(16)
        side.addWidget(self.missed_panel, 0)
        side.addWidget(card, 1)
        body.addLayout(side)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 20, 32, 32)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addLayout(body, 1)

        self.new_meeting_button.clicked.connect(self.start_new_meeting)
        self.join_button.clicked.connect(self.join_from_field)
        self.call_field.returnPressed.connect(self.join_from_field)
        self.call_field.textChanged.connect(self._validate_field)
        self.recent_list.itemActivated.connect(self._open_recent)
        self.recent_list.itemClicked.connect(self._open_recent)
        self.call_someone_button.clicked.connect(self.open_call_someone)
        self._tint_icons()
        self.missed_panel.call_back_requested.connect(self.ring_user)
        return page

    # --- sign-in state ------------------------------------------------------------------

    def set_signing_in(self) -> None:
        self._set_status(self.tr("Signing in…"), error=False)
        self.new_meeting_button.setEnabled(False)

    def set_client(self, client: VideoClient) -> None:
        """Signed in: enable the actions and load the recent calls."""
        self._client = client
        user = client.user
        name = user.name if user is not None else ""
        self.user_label.setText(name)
        self.user_badge.setText(initials(name))
        self.user_badge.setStyleSheet(
            f"background: {avatar_color(user.id if user else name).name()}; color: white;"
            "border-radius: 18px; font-weight: 600;"
        )
        self.user_badge.setToolTip(self.tr("Signed in as %1").replace("%1", name))
        self.user_badge.show()
        self._set_status("", error=False)
        self.new_meeting_button.setEnabled(True)
        self.call_someone_button.setEnabled(True)
        self._validate_field()
        self.refresh_recent_calls()
        self.calls.set_client(client)
        if self.ringing is not None:
            self.ringing.deleteLater()
        self.ringing = RingingController(self, client)
        self.ringing.ring_arrived.connect(self.ring_arrived)
        self.ringing.missed_call.connect(self._on_missed_call)
        self.refresh_missed_calls()

    def show_error(self, message: str) -> None:
        """Show a failure: in the page when at home, as a toast otherwise."""
        if self._stack.currentWidget() is self.home_page:
            self._set_status(message, error=True)
        self.toast.show_message(message)

    def _set_status(self, text: str, *, error: bool) -> None:
        self.status_label.setText(text)
        self.status_label.setProperty("role", "error" if error else "muted")
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)

    # --- actions ------------------------------------------------------------------------

    def start_new_meeting(self) -> None:
        """Open the Lobby of a new call with a generated id."""
        if self._client is not None:
            self.open_call(self._client.make_call(DEFAULT_CALL_TYPE))

    def join_from_field(self) -> None:
        reference = parse_call_reference(self.call_field.text())
        if self._client is not None and reference is not None:
            self.open_call(self._client.make_call(*reference))

    def open_call(self, call: Call, *, ringing_out: bool = False) -> None:
        """Show ``call``'s Lobby (or its current screen if it is already active);
        ``ringing_out`` starts on the OutgoingCall screen (a ring is being sent)."""
        if self._client is None:
            return
        user = self._client.user
        self.calls.open(  # the other open calls stay (multi-call mode, ui.call_stack)
            call,
            self._client.local_media,
            user.name if user else "",
            ringing_out=ringing_out,
            join_devices_off=(self.settings.join_camera_off, self.settings.join_microphone_off),
        )
        self._stack.setCurrentWidget(self.calls)

    def open_call_someone(self) -> CallSomeoneDialog:
        """Open the "Call someone" dialog (window-modal; one at a time)."""
        if self.call_someone_dialog is None:
            dialog = CallSomeoneDialog(self)
            dialog.ring_requested.connect(lambda user_id, video: self.ring_user(user_id, video))
            self.call_someone_dialog = dialog
        self.call_someone_dialog.user_field.clear()
        self.call_someone_dialog.open()
        return self.call_someone_dialog

    def ring_user(self, user_id: str, video: bool = True) -> Call | None:
        """Ring ``user_id`` in a new call and show the OutgoingCall screen (None before
        sign-in)."""
        return self.ringing.ring_user(user_id, video=video) if self.ringing else None

    def refresh_missed_calls(self) -> None:
        if self._client is not None:
            self._commands.run(self._load_missed_calls(), action=self.tr("Missed calls"))

    async def _load_missed_calls(self) -> None:
        assert self._client is not None
        self.missed_panel.set_missed_calls(await self._client.missed_calls())

    def _on_missed_call(self) -> None:
        self.refresh_missed_calls()
        if not (self.isActiveWindow() and self._stack.currentWidget() is self.home_page):
            self.unseen_missed_calls += 1
            self.missed_calls_changed.emit(self.unseen_missed_calls)

    def open_settings(self, section: str = "account") -> SettingsDialog | None:
        """Open the settings dialog at ``section`` (one at a time; None before sign-in,
        when there are no devices to set up yet)."""
        if self._client is None:
            return None
        if self.settings_dialog is None:
            call = self.container.call if self.container is not None else None
            user = self._client.user
            self.settings_dialog = SettingsDialog(
                self.settings,
                self._client.local_media,
                signed_in_name=user.name if user else "",
                devices_in_use=call is not None and call.state.status.is_active,
                parent=self,
            )
            self.settings_dialog.finished.connect(self._settings_closed)
        self.settings_dialog.show_section(section)
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        return self.settings_dialog

    def _settings_closed(self) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.deleteLater()
            self.settings_dialog = None

    def go_home(self) -> None:
        """Close the call on screen (leaving it when active); the home page shows once no
        other call is open (``CallStack.home_requested``)."""
        container = self.container
        if container is None:
            self._show_home()
        else:
            self.calls.close_call(container)

    def _show_home(self) -> None:
        self._stack.setCurrentWidget(self.home_page)
        self.setWindowTitle("Parley")
        self.refresh_recent_calls()

    def refresh_recent_calls(self) -> None:
        if self._client is not None:
            self._commands.run(self._load_recent_calls(), action=self.tr("Recent calls"))

    async def _load_recent_calls(self) -> None:
        assert self._client is not None
        calls = await self._client.query_recent_calls()
        self.recent_list.clear()
        for response in calls[:_RECENT_LIMIT]:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, (response.call.type, response.call.id))
            row = RecentCallRow(response)
            item.setSizeHint(row.sizeHint())
            self.recent_list.addItem(item)
            self.recent_list.setItemWidget(item, row)
        self.recent_empty.setVisible(not calls)

    def _open_recent(self, item: QListWidgetItem) -> None:
        if self._client is not None:
            call_type, call_id = item.data(Qt.ItemDataRole.UserRole)
            self.open_call(self._client.make_call(call_type, call_id))

    def _validate_field(self) -> None:
        valid = parse_call_reference(self.call_field.text()) is not None
        self.join_button.setEnabled(valid and self._client is not None)

    @property
    def container(self) -> CallContainer | None:
        """The call screen on show (the focused call's while in a call), or None."""
        return self.calls.container

    def _follow_shown_call(self, container: CallContainer | None) -> None:
        """Title and PiP window follow the call on screen (issue 4: the focused one)."""
        self.setWindowTitle(f"{container.call.id} – Parley" if container else "Parley")
        if self.pip_window is not None:
            self.close_pip()
            if container is not None:
                self.open_pip()

    @property
    def active_call(self) -> Call | None:
        """The call on screen when the user is in it (connecting, connected,
        reconnecting), else any other open call the user is in."""
        shown = self.container
        if shown is not None and shown.call.state.status.is_active:
            return shown.call
        return next((c.call for c in self.calls.containers if c.call.state.status.is_active), None)

    # --- picture-in-picture -------------------------------------------------------------

    def open_pip(self) -> PipWindow | None:
        """Show the call in the picture-in-picture window (one at a time); None when no
        call is on screen."""
        container = self.container
        if container is None or container.content is None or self.active_call is None:
            return None
        if self.pip_window is None:
            pip = PipWindow(container.bridge, container.content.pinned_session_id)
            pip.return_requested.connect(self.restore_from_pip)
            # the sender picks the layer that fits the PiP tile while the window is down
            stop_counting = container.content.video_subscriptions.add_tiles(pip.tiles)
            pip.destroyed.connect(stop_counting)
            # a replaced PiP is destroyed after its successor opened: forget only itself
            pip.destroyed.connect(functools.partial(self._pip_destroyed, pip))
            container.content.participants_view.pinned_changed.connect(pip.set_pinned)
            screen = self.screen() or QGuiApplication.primaryScreen()
            if screen is not None:  # bottom right, where it covers the least
                area = screen.availableGeometry()
                pip.move(area.right() - pip.width() - 24, area.bottom() - pip.height() - 24)
            self.pip_window = pip
        self.pip_window.show()
        self.pip_window.raise_()
        return self.pip_window

    def close_pip(self) -> None:
        pip, self.pip_window = self.pip_window, None
        if pip is not None:
            pip.close()

    def pop_out(self) -> None:
        """The controls' PiP button: the call goes to the PiP window, this one minimises."""
        if self.open_pip() is not None:
            self.showMinimized()

    def restore_from_pip(self) -> None:
        """Back to the full window (PiP's button, the tray's "Open Parley")."""
        self.close_pip()
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _pip_destroyed(self, pip: PipWindow) -> None:
        if self.pip_window is pip:
            self.pip_window = None

    def _tint_icons(self) -> None:
        """Icons in the current palette's colours (again after a theme change: SVG icons
        are tinted when drawn, so they do not follow the palette by themselves)."""
        palette = current_palette()
        self.settings_button.setIcon(icon("settings", palette.text_muted, 22))
        self.new_meeting_button.setIcon(icon("video-plus", palette.on_accent, 20))
        self._keyboard_action.setIcon(icon("keyboard", palette.text_muted, 20))
        self.call_someone_button.setIcon(icon("phone-outgoing", palette.accent, 18))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._tint_icons()
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            if self.unseen_missed_calls:  # the user is looking: the tray badge can go
                self.unseen_missed_calls = 0
                self.missed_calls_changed.emit(0)
        if event.type() == QEvent.Type.WindowStateChange:
            if self.isMinimized():
                if self.settings.pip_on_minimise:
                    self.open_pip()
            elif self.pip_window is not None:
                self.close_pip()
        super().changeEvent(event)

    # --- quitting -----------------------------------------------------------------------

    def request_quit(self) -> None:
        """Quit Parley: at once when not in a call, else after the user confirms in
        :attr:`quit_confirmation` (a window-modal box; "Cancel" keeps everything as is)."""
        if self.active_call is None:
            self._quit()
            return
        if self.quit_confirmation is not None:
            self.quit_confirmation.raise_()
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Quit Parley?"))
        box.setText(self.tr("You're in a call. Quitting Parley leaves it."))
        leave = box.addButton(self.tr("Leave and quit"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _: self._quit_confirmed(box.clickedButton() is leave))
        self.quit_confirmation = box
        if self.isHidden() or self.isMinimized():
            self.restore_from_pip()
        box.open()

    def _quit_confirmed(self, confirmed: bool) -> None:
        box, self.quit_confirmation = self.quit_confirmation, None
        if box is not None:
            box.deleteLater()
        if confirmed:
            self._quit()

    def _quit(self) -> None:
        self._quitting = True
        self.close_pip()
        self.closing.emit()  # the application leaves the call and disconnects
        self.hide()

    @property
    def keeps_running_in_tray(self) -> bool:
        """Whether closing the window only hides it."""
        return self.tray_available and self.settings.close_to_tray

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._quitting:
            super().closeEvent(event)
            return
        event.ignore()
        if self.keeps_running_in_tray:
            self.close_pip()
            self.hide()
            self.hidden_to_tray.emit()
        else:
            self.request_quit()
