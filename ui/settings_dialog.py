"""``SettingsDialog``: Parley's preferences, in four sections (as Meet's and Teams' settings).

- Account: the display name and the coordinator's URL (empty = the embedded one). Both
  apply at the next start: a signed-in client cannot change who it is mid-session.
- Audio & video: camera preview, microphone level, device pickers, and whether calls are
  joined with the camera or the microphone off.
- Calls: ringtone, picture-in-picture on minimise, keep running in the tray.
- Appearance: follow the system, light or dark; applied at once.

Every control writes its setting as soon as it changes (``Settings`` stores it with
QSettings), so "Done" only closes. The sign-in token is never a setting: it lives in the OS
keyring (``app.client.credentials``).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.call import LocalMedia
from ui.bridge import LocalMediaBridge
from ui.device_picker import DevicePicker
from ui.icons import icon
from ui.level_meter import LevelMeter
from ui.settings import (
    CLOSE_TO_TRAY,
    DISPLAY_NAME,
    JOIN_CAMERA_OFF,
    JOIN_MICROPHONE_OFF,
    PIP_ON_MINIMISE,
    RINGTONE,
    SERVER_URL,
    THEME,
    Settings,
    SettingSpec,
    ThemeChoice,
    is_server_url,
)
from ui.switch import Switch
from ui.theme import current_palette
from ui.video_renderer import VideoFit, VideoRenderer

_NAV_WIDTH_PX = 210
_PREVIEW_SIZE = QSize(320, 180)  # 16:9


def _label(text: str, role: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if role:
        label.setProperty("role", role)
    return label


def _row(title: str, description: str, control: QWidget) -> QWidget:
    """A preference row: its title and what it does on the left, the control on the right."""
    row = QWidget()
    text = QVBoxLayout()
    text.setSpacing(2)
    text.addWidget(_label(title))
    if description:
        text.addWidget(_label(description, "muted"))
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 6, 0, 6)
    layout.setSpacing(24)
    layout.addLayout(text, 1)
    layout.addWidget(control, 0, Qt.AlignmentFlag.AlignVCenter)
    return row


def _page(title: str, *rows: QWidget) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(32, 24, 32, 24)
    layout.setSpacing(10)
    layout.addWidget(_label(title, "title"))
    layout.addSpacing(8)
    for row in rows:
        layout.addWidget(row)
    layout.addStretch(1)
    return page


class SettingsDialog(QDialog):
    """The settings of ``settings``; device rows act on ``local_media``.

    ``signed_in_name`` is shown as the name field's placeholder. ``devices_in_use``
    (a call is active) disables the device test, which would otherwise turn the call's own
    camera and microphone on and off.
    """

    SECTIONS = ("account", "devices", "calls", "appearance")

    def __init__(
        self,
        settings: Settings,
        local_media: LocalMedia,
        *,
        signed_in_name: str = "",
        devices_in_use: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Settings – Parley"))
        self.resize(880, 700)
        self.setMinimumSize(780, 680)  # the Audio & video page's height, nothing overlaps
        self._media_bridge = LocalMediaBridge(local_media, self)
        self._media = local_media
        self._tested_from: tuple[bool, bool] | None = None  # devices before the test
        self.switches: dict[str, Switch] = {}

        self.nav = QListWidget()
        self.nav.setFixedWidth(_NAV_WIDTH_PX)
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setAccessibleName(self.tr("Settings sections"))
        self.pages = QStackedWidget()
        sections = (
            ("settings", self.tr("Account"), self._account_page(signed_in_name)),
            ("camera", self.tr("Audio & video"), self._devices_page(devices_in_use)),
            ("phone", self.tr("Calls"), self._calls_page()),
            ("window", self.tr("Appearance"), self._appearance_page()),
        )
        muted = current_palette().text_muted
        for icon_name, title, page in sections:
            item = QListWidgetItem(icon(icon_name, muted, 20), title)
            item.setSizeHint(QSize(_NAV_WIDTH_PX - 16, 44))
            self.nav.addItem(item)
            self.pages.addWidget(page)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(0)

        self.done_button = QPushButton(self.tr("Done"))
        self.done_button.setProperty("variant", "primary")
        self.done_button.setDefault(True)
        self.done_button.clicked.connect(self.accept)
        footer = QHBoxLayout()
        footer.addStretch(1)
        footer.addWidget(self.done_button)

        side = QVBoxLayout()
        side.setContentsMargins(12, 20, 0, 12)
        side.addWidget(self.nav)
        body = QHBoxLayout()
        body.setSpacing(0)
        body.addLayout(side)
        body.addWidget(self.pages, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 20, 16)
        layout.addLayout(body, 1)
        layout.addLayout(footer)

        self._media_bridge.changed.connect(self._show_devices)
        self._media_bridge.error_occurred.connect(self._show_device_error)
        self.finished.connect(self._end_device_test)
        self._show_devices()

    # --- sections -----------------------------------------------------------------------

    def show_section(self, name: str) -> None:
        """Open the section ``name`` (one of :attr:`SECTIONS`)."""
        self.nav.setCurrentRow(self.SECTIONS.index(name))

    def _account_page(self, signed_in_name: str) -> QWidget:
        self.name_field = QLineEdit(self.settings.display_name)
        self.name_field.setPlaceholderText(signed_in_name or self.tr("Your name"))
        self.name_field.setAccessibleName(self.tr("Display name"))
        self.name_field.setMaxLength(64)
        self.name_field.editingFinished.connect(self._save_name)
        self.server_field = QLineEdit(self.settings.server_url)
        self.server_field.setPlaceholderText(self.tr("Built in – this computer only"))
        self.server_field.setAccessibleName(self.tr("Server address"))
        self.server_field.editingFinished.connect(self._save_server)
        self.server_error = _label("", "error")
        self.server_error.hide()
        fields = QWidget()
        form = QVBoxLayout(fields)
        form.setContentsMargins(0, 0, 0, 0)
        form.setSpacing(6)
        form.addWidget(_label(self.tr("Your name"), "subtitle"))
        form.addWidget(self.name_field)
        form.addSpacing(12)
        form.addWidget(_label(self.tr("Server"), "subtitle"))
        form.addWidget(self.server_field)
        form.addWidget(self.server_error)
        form.addWidget(
            _label(
                self.tr(
                    "Leave it empty to call people on this computer with the built-in server, "
                    "or enter your team's Parley server, e.g. https://parley.example.org."
                ),
                "muted",
            )
        )
        note = _label(
            self.tr(
                "Name and server changes apply the next time Parley starts. Your sign-in "
                "token is kept in the system keyring, never in settings files."
            ),
            "chip",
        )
        return _page(self.tr("Account"), fields, note)

    def _devices_page(self, devices_in_use: bool) -> QWidget:
        palette = current_palette()
        self.preview = VideoRenderer(
            None, fit=VideoFit.COVER, mirror=True, corner_radius_px=12,
            background=palette.stage_surface,
        )  # fmt: skip
        self.preview.setFixedSize(_PREVIEW_SIZE)
        self.preview.set_placeholder(self.tr("Camera off"))
        self.preview.set_sink(self._media.preview_sink)
        self.level_meter = LevelMeter(lambda: self._media.microphone_level)
        self.test_switch = Switch(self.tr("Test camera and microphone"))
        self.test_switch.setEnabled(not devices_in_use)
        if devices_in_use:
            self.test_switch.setToolTip(self.tr("Your devices are in use by the current call"))
        self.test_switch.toggled.connect(self._test_devices)
        test_row = _row(
            self.tr("Test camera and microphone"),
            self.tr("Turns them on while this window is open; speak to see the level."),
            self.test_switch,
        )
        preview_row = QWidget()
        preview_layout = QHBoxLayout(preview_row)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.setSpacing(16)
        preview_layout.addWidget(self.preview)
        preview_layout.addWidget(self.level_meter, 0, Qt.AlignmentFlag.AlignBottom)
        preview_layout.addStretch(1)

        self.camera_picker = DevicePicker("videoinput")
        self.microphone_picker = DevicePicker("audioinput")
        self.speaker_picker = DevicePicker("audiooutput")
        media, run = self._media, self._media_bridge.run
        self.camera_picker.device_chosen.connect(lambda d: run(media.select_camera(d)))
        self.microphone_picker.device_chosen.connect(lambda d: run(media.select_microphone(d)))
        self.speaker_picker.device_chosen.connect(lambda d: run(media.select_speaker(d)))
        pickers = QWidget()
        grid = QVBoxLayout(pickers)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        for picker in (self.camera_picker, self.microphone_picker, self.speaker_picker):
            grid.addWidget(picker)
        self.device_error = _label("", "error")
        self.device_error.hide()
        return _page(
            self.tr("Audio & video"),
            preview_row,
            test_row,
            pickers,
            self.device_error,
            self._switch_row(JOIN_CAMERA_OFF, self.tr("Join calls with my camera off")),
            self._switch_row(JOIN_MICROPHONE_OFF, self.tr("Join calls with my microphone off")),
        )

    def _calls_page(self) -> QWidget:
        return _page(
            self.tr("Calls"),
            self._switch_row(RINGTONE, self.tr("Ringtone for incoming calls")),
            self._switch_row(PIP_ON_MINIMISE, self.tr("Picture-in-picture when minimised")),
            self._switch_row(CLOSE_TO_TRAY, self.tr("Keep running in the system tray")),
        )

    def _appearance_page(self) -> QWidget:
        self.theme_buttons = QButtonGroup(self)
        segments = QWidget()
        row = QHBoxLayout(segments)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        names = {
            ThemeChoice.SYSTEM: self.tr("System"),
            ThemeChoice.LIGHT: self.tr("Light"),
            ThemeChoice.DARK: self.tr("Dark"),
        }
        for choice, name in names.items():
            button = QPushButton(name)
            button.setCheckable(True)
            button.setProperty("variant", "segment")
            button.setProperty("choice", choice.value)
            button.setChecked(choice is self.settings.theme)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            self.theme_buttons.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        self.theme_buttons.buttonClicked.connect(
            lambda button: self.settings.set_value(THEME.key, str(button.property("choice")))
        )
        return _page(
            self.tr("Appearance"),
            _label(self.tr("Theme"), "subtitle"),
            segments,
            _label(self.tr(THEME.description), "muted"),
            _label(self.tr("The call screen stays dark in both, so faces stand out."), "muted"),
        )

    def _switch_row(self, spec: SettingSpec, title: str) -> QWidget:
        switch = Switch(title)
        switch.setChecked(bool(self.settings.value(spec.key)))
        switch.toggled.connect(lambda on: self.settings.set_value(spec.key, on))
        self.switches[spec.key] = switch
        return _row(title, self.tr(spec.description), switch)

    # --- behaviour ----------------------------------------------------------------------

    def _save_name(self) -> None:
        self.settings.set_value(DISPLAY_NAME.key, self.name_field.text().strip())

    def _save_server(self) -> None:
        text = self.server_field.text().strip()
        if text and not is_server_url(text):
            self.server_error.setText(
                self.tr("“%1” is not a server address: it starts with https:// or http://")
                .replace("%1", text)
            )  # fmt: skip
            self.server_error.show()
            return
        self.server_error.hide()
        self.settings.set_value(SERVER_URL.key, text)

    def _show_devices(self) -> None:
        media = self._media
        devices = media.list_devices()
        self.camera_picker.set_devices(devices, media.camera_device_id)
        self.microphone_picker.set_devices(devices, media.microphone_device_id)
        self.speaker_picker.set_devices(devices, media.speaker_device_id)

    def _show_device_error(self, message: str) -> None:
        self.device_error.setText(message)
        self.device_error.show()

    def _test_devices(self, on: bool) -> None:
        media, run = self._media, self._media_bridge.run
        if on:
            self._tested_from = (media.camera_enabled, media.microphone_enabled)
            self.device_error.hide()
            run(media.set_camera_enabled(True), action=self.tr("Camera"))
            run(media.set_microphone_enabled(True), action=self.tr("Microphone"))
        else:
            self._end_device_test()

    def _end_device_test(self) -> None:
        """Put the devices back as they were before the test (the Lobby's choices)."""
        if self._tested_from is None:
            return
        camera, microphone = self._tested_from
        self._tested_from = None
        media, run = self._media, self._media_bridge.run
        run(media.set_camera_enabled(camera), action=self.tr("Camera"))
        run(media.set_microphone_enabled(microphone), action=self.tr("Microphone"))
        self.test_switch.blockSignals(True)
        self.test_switch.setChecked(False)
        self.test_switch.blockSignals(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._end_device_test()
        super().closeEvent(event)
