"""``ScreenSharePicker``: what to share — a whole screen or one window (Stream's desktop
screen selector: a "Screens" and a "Windows" tab with live thumbnails).

Screen thumbnails are grabs of each ``QScreen`` (``QScreen.grabWindow(0)``), refreshed
every ``THUMBNAIL_REFRESH_MS`` while the dialog is open. Windows come from
``QWindowCapture.capturableWindows()``; Qt gives no picture of a foreign window without
starting a capture of it, so windows are listed by title with a window icon, and the list
is refreshed with the thumbnails. Some systems list no windows at all (X servers without a
compositor, such as Xvfb): the tab then says so. The app's own windows can be left out
(``exclude_titles``), so Parley does not share itself by accident. "Also share system
audio" is shown but unavailable: no platform captures it yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon, QPixmap, QScreen
from PySide6.QtMultimedia import QCapturableWindow, QWindowCapture
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.icons import icon_pixmap
from ui.theme import current_palette

THUMBNAIL_SIZE = QSize(240, 135)
THUMBNAIL_REFRESH_MS = 1000


@dataclass(frozen=True)
class ShareChoice:
    """What the user picked: exactly one of ``screen`` and ``window``; ``label`` names
    it for a person ("Screen 1 (1280x800)", a window's title)."""

    label: str
    screen: QScreen | None = None
    window: QCapturableWindow | None = None


def screen_label(index: int, screen: QScreen) -> str:
    size = screen.size()
    return f"Screen {index + 1} ({size.width()}x{size.height()})"


class ScreenSharePicker(QDialog):
    """Modal picker; after ``accepted``, :meth:`choice` is what to share."""

    def __init__(
        self, parent: QWidget | None = None, *, exclude_titles: Iterable[str] = ()
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Share your screen"))
        self.setModal(True)
        self._exclude_titles = frozenset(exclude_titles)
        self._windows: list[QCapturableWindow] = []

        self.screens_list = _thumbnail_list()
        self.windows_list = _thumbnail_list()
        self.no_windows_label = QLabel(
            self.tr("No windows can be shared on this system. Share a whole screen instead.")
        )
        self.no_windows_label.setWordWrap(True)
        self.no_windows_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_windows_label.setProperty("role", "muted")
        self._windows_stack = QStackedWidget()
        self._windows_stack.addWidget(self.windows_list)
        self._windows_stack.addWidget(self.no_windows_label)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.screens_list, self.tr("Screens"))
        self.tabs.addTab(self._windows_stack, self.tr("Windows"))

        self.buttons = QDialogButtonBox()
        self.share_button = self.buttons.addButton(
            self.tr("Share"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.share_button.setProperty("variant", "primary")
        cancel = self.buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setProperty("variant", "text")
        self.share_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        # System audio with the share (the optional part) is not captured yet on
        # any platform: the option is shown, unavailable, with the reason.
        self.system_audio_check = QCheckBox(self.tr("Also share system audio"))
        self.system_audio_check.setEnabled(False)
        self.system_audio_check.setToolTip(
            self.tr("Sharing system audio is not available on this system yet")
        )
        title = QLabel(self.tr("Share your screen"))
        title.setProperty("role", "title")
        intro = QLabel(self.tr("Choose what everyone in the call will see."))
        intro.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.system_audio_check)
        layout.addWidget(self.buttons)

        self.screens_list.itemSelectionChanged.connect(self._update_share_button)
        self.windows_list.itemSelectionChanged.connect(self._update_share_button)
        self.tabs.currentChanged.connect(self._update_share_button)
        self.screens_list.itemDoubleClicked.connect(self.accept)
        self.windows_list.itemDoubleClicked.connect(self.accept)

        self._timer = QTimer(self)
        self._timer.setInterval(THUMBNAIL_REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.finished.connect(self._timer.stop)
        self.refresh()
        if self.screens_list.count():
            self.screens_list.setCurrentRow(0)
        self._update_share_button()
        self.resize(680, 480)
        self._timer.start()

    # --- results ------------------------------------------------------------------------

    def choice(self) -> ShareChoice | None:
        """The selected screen or window on the current tab, or None."""
        if self.tabs.currentIndex() == 0:
            row = self.screens_list.currentRow()
            screens = QGuiApplication.screens()
            if 0 <= row < len(screens) and self.screens_list.currentItem().isSelected():
                return ShareChoice(screen_label(row, screens[row]), screen=screens[row])
            return None
        row = self.windows_list.currentRow()
        if 0 <= row < len(self._windows) and self.windows_list.currentItem().isSelected():
            window = self._windows[row]
            return ShareChoice(window.description(), window=window)
        return None

    @property
    def window_count(self) -> int:
        """Windows listed on the Windows tab (0: the tab says none can be shared)."""
        return len(self._windows)

    # --- live content -------------------------------------------------------------------

    def refresh(self) -> None:
        """Grab new screen thumbnails and re-list the windows (keeps the selection)."""
        screens = QGuiApplication.screens()
        _sync_rows(self.screens_list, len(screens))
        for index, screen in enumerate(screens):
            item = self.screens_list.item(index)
            item.setText(screen_label(index, screen))
            item.setIcon(QIcon(_thumbnail(screen)))
        windows = [
            w
            for w in QWindowCapture.capturableWindows()
            if w.isValid() and w.description() not in self._exclude_titles
        ]
        self._windows = windows
        _sync_rows(self.windows_list, len(windows))
        window_icon = QIcon(icon_pixmap("window", current_palette().stage_text, 64))
        for index, window in enumerate(windows):
            item = self.windows_list.item(index)
            item.setText(window.description() or self.tr("Untitled window"))
            item.setIcon(window_icon)
        self._windows_stack.setCurrentWidget(
            self.windows_list if windows else self.no_windows_label
        )
        self._update_share_button()

    def _update_share_button(self) -> None:
        self.share_button.setEnabled(self.choice() is not None)


def _thumbnail_list() -> QListWidget:
    view = QListWidget()
    view.setViewMode(QListWidget.ViewMode.IconMode)
    view.setIconSize(THUMBNAIL_SIZE)
    view.setResizeMode(QListWidget.ResizeMode.Adjust)
    view.setMovement(QListWidget.Movement.Static)
    view.setSpacing(12)
    view.setWordWrap(True)
    view.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
    return view


def _sync_rows(view: QListWidget, count: int) -> None:
    while view.count() > count:
        view.takeItem(view.count() - 1)
    while view.count() < count:
        view.addItem(QListWidgetItem())


def _thumbnail(screen: QScreen) -> QPixmap:
    grab = screen.grabWindow(0)
    if grab.isNull():  # some platforms (Wayland) refuse grabs: show the screen's shape
        grab = QPixmap(screen.size())
        grab.fill(Qt.GlobalColor.darkGray)
    return grab.scaled(
        THUMBNAIL_SIZE,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
