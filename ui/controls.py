"""``CallControls``: the call's control bar (Stream's ``StreamCallControls``).

Centre: microphone and camera (each with a device drop-down), reactions (emoji and raise
hand), effects, picture-in-picture, leave, and "End for everyone" for those with the
``end-call`` capability. Right: layout switch and the people panel. A pure view: it shows
the state it is given and emits what the user asked for; ``CallContent`` turns those
requests into engine commands. Keyboard shortcuts follow Google Meet's (Ctrl+D microphone,
Ctrl+E camera) and are active while the window is.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QWidget

from app.media import MediaDeviceInfo
from ui.device_menu import DeviceMenu, DevicePill
from ui.icons import icon
from ui.reactions import ReactionsPopup
from ui.round_button import ButtonKind, RoundButton

MICROPHONE_SHORTCUT = QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_D)
CAMERA_SHORTCUT = QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_E)


class MediaToggles(QWidget):
    """The microphone and camera buttons (shared by the Lobby and the call screen).

    Signals: ``microphone_toggled(bool)`` and ``camera_toggled(bool)`` with the state the
    user asked for; they are not emitted by :meth:`set_media_state`.
    """

    microphone_toggled = Signal(bool)
    camera_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None, *, diameter_px: int = 48) -> None:
        super().__init__(parent)
        self.microphone_button = RoundButton(
            "mic", icon_off_name="mic-off", kind=ButtonKind.TOGGLE, diameter_px=diameter_px
        )
        self.camera_button = RoundButton(
            "camera", icon_off_name="camera-off", kind=ButtonKind.TOGGLE, diameter_px=diameter_px
        )
        self.microphone_button.setAccessibleName(self.tr("Microphone"))
        self.camera_button.setAccessibleName(self.tr("Camera"))
        self._row = layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self._add_toggles()
        self.microphone_button.clicked.connect(self._on_microphone_clicked)
        self.camera_button.clicked.connect(self._on_camera_clicked)
        # Window-wide shortcuts: they work wherever the focus is in this window.
        QShortcut(MICROPHONE_SHORTCUT, self, self.microphone_button.click)
        QShortcut(CAMERA_SHORTCUT, self, self.camera_button.click)
        self.set_media_state(microphone_enabled=False, camera_enabled=False)

    def _add_toggles(self) -> None:
        self._row.addWidget(self.microphone_button)
        self._row.addWidget(self.camera_button)

    def set_media_state(self, *, microphone_enabled: bool, camera_enabled: bool) -> None:
        """Show the engine's state (after a command succeeded, failed or came from
        elsewhere) without emitting the toggle signals."""
        self.microphone_button.setChecked(microphone_enabled)
        self.camera_button.setChecked(camera_enabled)
        self._describe()

    def _on_microphone_clicked(self, checked: bool) -> None:
        self._describe()
        self.microphone_toggled.emit(checked)

    def _on_camera_clicked(self, checked: bool) -> None:
        self._describe()
        self.camera_toggled.emit(checked)

    def _describe(self) -> None:
        mic_on = self.microphone_button.isChecked()
        cam_on = self.camera_button.isChecked()
        mic_keys = MICROPHONE_SHORTCUT.toString(QKeySequence.SequenceFormat.NativeText)
        cam_keys = CAMERA_SHORTCUT.toString(QKeySequence.SequenceFormat.NativeText)
        self.microphone_button.setToolTip(
            (self.tr("Turn off microphone") if mic_on else self.tr("Turn on microphone"))
            + f" ({mic_keys})"
        )
        self.camera_button.setToolTip(
            (self.tr("Turn off camera") if cam_on else self.tr("Turn on camera")) + f" ({cam_keys})"
        )
        self.microphone_button.setAccessibleDescription(
            self.tr("On") if mic_on else self.tr("Muted")
        )
        self.camera_button.setAccessibleDescription(self.tr("On") if cam_on else self.tr("Off"))


def effects_button(diameter_px: int = 48) -> RoundButton:
    """The round button that opens the effects picker (Lobby and call controls)."""
    button = RoundButton("settings", diameter_px=diameter_px)
    button.setToolTip(QCoreApplication.translate("CallControls", "Backgrounds and effects"))
    button.setAccessibleName(QCoreApplication.translate("CallControls", "Effects"))
    return button


def _plain_button(icon_name: str, tooltip: str, name: str, kind: ButtonKind) -> RoundButton:
    button = RoundButton(icon_name, kind=kind)
    button.setToolTip(tooltip)
    button.setAccessibleName(name)
    return button


class CallControls(MediaToggles):
    """The whole control bar; stretch it to the window's width.

    Signals: ``effects_requested()``, ``pip_requested()``, ``leave_requested()``,
    ``end_call_requested()``, ``layout_toggled(bool)`` (True: spotlight),
    ``participants_toggled(bool)`` (True: show the panel), ``device_chosen(kind, id)``,
    ``reaction_requested(emoji_code)``, ``hand_raise_requested(bool)`` (True: raise).
    """

    reaction_requested = Signal(str)
    hand_raise_requested = Signal(bool)

    leave_requested = Signal()
    end_call_requested = Signal()
    effects_requested = Signal()
    pip_requested = Signal()
    layout_toggled = Signal(bool)
    participants_toggled = Signal(bool)
    device_chosen = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self.reactions_button = _plain_button(
            "reaction", tr("Send a reaction"), tr("Reactions"), ButtonKind.PLAIN
        )
        self.reactions_popup = ReactionsPopup(self)
        self.effects_button = effects_button()
        # Checked while sharing; ScreenShareController drives it (ui/screen_share_*.py).
        self.screen_share_button = RoundButton("screen-share", kind=ButtonKind.PANEL)
        self.screen_share_button.setToolTip(tr("Share your screen"))
        self.screen_share_button.setAccessibleName(tr("Share screen"))
        self.pip_button = _plain_button(
            "pip", tr("Open picture-in-picture"), tr("Picture-in-picture"), ButtonKind.PLAIN
        )
        self.leave_button = _plain_button(
            "phone-down", tr("Leave call"), tr("Leave call"), ButtonKind.DANGER
        )
        self.end_call_button = QPushButton(icon("end-call", "#f28b82", 20), tr("End for all"))
        self.end_call_button.setObjectName("endForEveryone")
        self.end_call_button.setIconSize(QSize(20, 20))
        self.end_call_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.end_call_button.setToolTip(tr("End the call for everyone"))
        self.end_call_button.setAccessibleName(tr("End the call for everyone"))
        self.end_call_button.setStyleSheet(
            "QPushButton#endForEveryone { background: transparent; color: #f28b82;"
            " border: 1px solid #f28b82; border-radius: 24px; min-height: 46px;"
            " max-height: 46px; padding: 0 18px; }"
            "QPushButton#endForEveryone:hover { background: rgba(242, 139, 130, 0.14); }"
        )
        self.end_call_button.hide()  # until the capability is known
        self.layout_button = _plain_button("layout-grid", "", "", ButtonKind.PLAIN)
        self.participants_button = _plain_button(
            "people", tr("Show everyone"), tr("People"), ButtonKind.PANEL
        )

        self._row.setSpacing(10)
        for widget in (
            self.reactions_button,
            self.screen_share_button,
            self.effects_button,
            self.pip_button,
            self.leave_button,
            self.end_call_button,
        ):
            self._row.addWidget(widget)
        self._row.addStretch(1)
        self._row.addWidget(self.layout_button)
        self._row.addWidget(self.participants_button)
        # The centre group must be centred on the window, not between the sides: a spacer
        # on the left as wide as the right-hand group balances it. It gives way first when
        # the window is too narrow for everything.
        self._balance.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._balance.setMaximumWidth(
            self.layout_button.width() + self.participants_button.width() + self._row.spacing()
        )
        self._row.setStretchFactor(self._balance, 100)  # filled before the centring stretches

        self.reactions_button.clicked.connect(self.show_reactions)
        self.reactions_popup.reaction_chosen.connect(self.reaction_requested)
        self.reactions_popup.hand_toggled.connect(self.hand_raise_requested)
        self.effects_button.clicked.connect(self.effects_requested)
        self.pip_button.clicked.connect(self.pip_requested)
        self.leave_button.clicked.connect(self.leave_requested)
        self.end_call_button.clicked.connect(self.end_call_requested)
        self.layout_button.clicked.connect(self._on_layout_clicked)
        self.participants_button.toggled.connect(self._on_participants_toggled)
        self.microphone_menu.device_chosen.connect(self.device_chosen)
        self.camera_menu.device_chosen.connect(self.device_chosen)
        self._spotlight = False
        self.set_layout_spotlight(False)

    def _add_toggles(self) -> None:
        self._balance = QWidget()
        self._row.addWidget(self._balance)
        self._row.addStretch(1)
        self.microphone_menu = DeviceMenu(("audioinput", "audiooutput"), self)
        self.camera_menu = DeviceMenu(("videoinput",), self)
        self.microphone_pill = DevicePill(
            self.microphone_button, self.microphone_menu, self.tr("Audio")
        )
        self.camera_pill = DevicePill(self.camera_button, self.camera_menu, self.tr("Video"))
        self._row.addWidget(self.microphone_pill)
        self._row.addWidget(self.camera_pill)

    # --- state from the call ------------------------------------------------------------

    def set_devices(
        self, devices: Sequence[MediaDeviceInfo], selected: dict[str, str | None]
    ) -> None:
        """Fill the device drop-downs; ``selected`` maps a kind to the chosen device id."""
        self.microphone_menu.set_devices(devices, selected)
        self.camera_menu.set_devices(devices, selected)

    def set_can_end_call(self, can_end: bool) -> None:
        """Show "End for everyone" only to those with the ``end-call`` capability."""
        self.end_call_button.setVisible(can_end)

    def set_layout_spotlight(self, spotlight: bool) -> None:
        """Show the current layout on the switch (no signal)."""
        self._spotlight = spotlight
        self.layout_button.set_icon_name("layout-spotlight" if spotlight else "layout-grid")
        tip = self.tr("Switch to grid") if spotlight else self.tr("Switch to spotlight")
        self.layout_button.setToolTip(tip)
        self.layout_button.setAccessibleName(self.tr("Change layout"))
        self.layout_button.setAccessibleDescription(
            self.tr("Spotlight") if spotlight else self.tr("Grid")
        )

    def set_hand_raised(self, raised: bool) -> None:
        """Show whether the user's hand is up, in the reactions picker (no signal)."""
        self.reactions_popup.set_hand_raised(raised)

    def show_reactions(self) -> None:
        """Open the reactions picker above its button."""
        self.reactions_popup.show_above(self.reactions_button)

    def set_participants_open(self, open_: bool) -> None:
        """Show whether the people panel is open (no signal)."""
        self.participants_button.blockSignals(True)
        self.participants_button.setChecked(open_)
        self.participants_button.blockSignals(False)
        self._describe_participants()

    # --- internals ----------------------------------------------------------------------

    def _on_layout_clicked(self) -> None:
        self.set_layout_spotlight(not self._spotlight)
        self.layout_toggled.emit(self._spotlight)

    def _on_participants_toggled(self, checked: bool) -> None:
        self._describe_participants()
        self.participants_toggled.emit(checked)

    def _describe_participants(self) -> None:
        checked = self.participants_button.isChecked()
        self.participants_button.setToolTip(
            self.tr("Hide everyone") if checked else self.tr("Show everyone")
        )
        self.participants_button.update()
