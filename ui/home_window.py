"""``HomeWindow``: the main window — start or join a meeting, recent calls, who you are.

The window exists before sign-in finishes (the embedded coordinator may take a second to
start): it shows "Signing in…" and then either the signed-in user or the error. A call opens
in place of the home page as a :class:`CallContainer` and returns home when it asks to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.call import Call
from app.protocol import CallStateResponse, is_valid_call_id
from ui.avatar import avatar_color, initials
from ui.bridge import EngineBridge
from ui.call_container import CallContainer
from ui.icons import app_icon, icon, icon_pixmap
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


def _ago(moment: datetime) -> str:
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


class _RecentCallRow(QWidget):
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
        detail = QLabel(f"{call.type} · {state} {_ago(call.ended_at or call.created_at)}")
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


class HomeWindow(QMainWindow):
    """Parley's main window. Call :meth:`set_client` once signed in.

    ``closing()`` is emitted when the user closes the window; the application then leaves
    the active call and shuts the engine down.
    """

    closing = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Parley")
        self.setWindowIcon(app_icon())
        self.resize(1200, 760)
        self.setMinimumSize(900, 600)
        self._client: VideoClient | None = None
        self._commands = EngineBridge(self)
        self.container: CallContainer | None = None

        self._stack = QStackedWidget()
        self.setCentralWidget(self._stack)
        self.home_page = self._build_home_page()
        self._stack.addWidget(self.home_page)
        self.toast = Toast(self)
        self._commands.error_occurred.connect(self.show_error)
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

        headline = QLabel(self.tr("Video calls and meetings,\non your own server"))
        headline.setProperty("role", "display")
        headline.setStyleSheet("font-size: 38px;")
        tagline = QLabel(
            self.tr("Start a meeting in one click, share its code, talk peer to peer.")
        )
        tagline.setProperty("role", "muted")
        tagline.setStyleSheet("font-size: 16px;")

        self.new_meeting_button = QPushButton(
            icon("video-plus", palette.on_accent, 20), self.tr("New meeting")
        )
        self.new_meeting_button.setProperty("variant", "primary")
        self.new_meeting_button.setIconSize(QSize(20, 20))
        self.new_meeting_button.setMinimumHeight(48)
        self.new_meeting_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.call_field = QLineEdit()
        self.call_field.setPlaceholderText(self.tr("Enter a code or type:code"))
        self.call_field.addAction(
            icon("keyboard", palette.text_muted, 20), QLineEdit.ActionPosition.LeadingPosition
        )
        self.call_field.setMinimumWidth(260)
        self.call_field.setMinimumHeight(48)
        self.call_field.setAccessibleName(self.tr("Call code"))
        self.join_button = QPushButton(self.tr("Join"))
        self.join_button.setProperty("variant", "text")
        self.join_button.setMinimumHeight(48)
        self.join_button.setEnabled(False)
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
        hero.addStretch(2)

        recent_title = QLabel(self.tr("Recent calls"))
        recent_title.setProperty("role", "subtitle")
        self.recent_list = QListWidget()
        self.recent_list.setSpacing(2)
        self.recent_list.setAccessibleName(self.tr("Recent calls"))
        self.recent_empty = QLabel(self.tr("Calls you start or join appear here."))
        self.recent_empty.setProperty("role", "muted")
        self.recent_empty.setWordWrap(True)
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
        body.addWidget(card)

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
        self._validate_field()
        self.refresh_recent_calls()

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

    def open_call(self, call: Call) -> None:
        """Show ``call``'s Lobby (or its current screen if it is already active)."""
        if self._client is None:
            return
        self._close_container()
        user = self._client.user
        self.container = CallContainer(call, self._client.local_media, user.name if user else "")
        self.container.home_requested.connect(self.go_home)
        self._stack.addWidget(self.container)
        self._stack.setCurrentWidget(self.container)
        self.setWindowTitle(f"{call.id} – Parley")

    def go_home(self) -> None:
        self._close_container()
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
            row = _RecentCallRow(response)
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

    def _close_container(self) -> None:
        if self.container is None:
            return
        container, self.container = self.container, None
        call = container.call
        if call.state.status.is_active:
            self._commands.run(call.leave(), action=self.tr("Leaving the call"))
        self._stack.removeWidget(container)
        container.deleteLater()

    @property
    def active_call(self) -> Call | None:
        """The open call when the user is in it (connecting, connected, reconnecting)."""
        if self.container is not None and self.container.call.state.status.is_active:
            return self.container.call
        return None

    def closeEvent(self, event: QCloseEvent) -> None:
        # The application leaves the call and disconnects (it needs the loop for that).
        self.closing.emit()
        super().closeEvent(event)
