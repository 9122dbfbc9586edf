"""``CallControls``: microphone, camera and leave (Stream's ``StreamCallControls``).

A pure view: it shows the local media state it is given and emits what the user asked for;
``CallContent`` turns those requests into engine commands. Keyboard shortcuts follow Google
Meet's (Ctrl+D microphone, Ctrl+E camera) and are active while the window is.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QWidget

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
        layout.addWidget(self.microphone_button)
        layout.addWidget(self.camera_button)
        self.microphone_button.clicked.connect(self._on_microphone_clicked)
        self.camera_button.clicked.connect(self._on_camera_clicked)
        # Window-wide shortcuts: they work wherever the focus is in this window.
        QShortcut(MICROPHONE_SHORTCUT, self, self.microphone_button.click)
        QShortcut(CAMERA_SHORTCUT, self, self.camera_button.click)
        self.set_media_state(microphone_enabled=False, camera_enabled=False)

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


class CallControls(MediaToggles):
    """:class:`MediaToggles`, the effects button and the red leave button.

    Signals: ``effects_requested()`` (open the effects picker), ``leave_requested()``.
    """

    leave_requested = Signal()
    effects_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.effects_button = effects_button()
        self._row.addWidget(self.effects_button)
        self.effects_button.clicked.connect(self.effects_requested)
        self.leave_button = RoundButton("phone-down", kind=ButtonKind.DANGER)
        self.leave_button.setToolTip(self.tr("Leave call"))
        self.leave_button.setAccessibleName(self.tr("Leave call"))
        self._row.addWidget(self.leave_button)
        self.leave_button.clicked.connect(self.leave_requested)
