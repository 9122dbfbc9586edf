"""``DevicePicker``: a combo box of one kind of media device (camera, microphone, speaker)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSize, Signal
from PySide6.QtWidgets import QComboBox, QSizePolicy, QWidget

from app.media import MediaDeviceInfo
from ui.icons import icon
from ui.theme import current_palette

_KIND_ICONS = {"videoinput": "camera", "audioinput": "mic", "audiooutput": "speaker"}


class DevicePicker(QComboBox):
    """Lists the devices of ``kind`` (``"videoinput"``, ``"audioinput"``, ``"audiooutput"``)
    with their icon. ``device_chosen(str)`` fires only when the user picks a device, not
    when :meth:`set_devices` refreshes the list."""

    device_chosen = Signal(str)

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if kind not in _KIND_ICONS:
            raise ValueError(f"unknown device kind {kind!r}")
        self._kind = kind
        self._icon = icon(_KIND_ICONS[kind], current_palette().text_muted, 18)
        self.setIconSize(QSize(18, 18))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumContentsLength(12)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.activated.connect(self._on_activated)

    @property
    def kind(self) -> str:
        return self._kind

    def device_ids(self) -> list[str]:
        return [self.itemData(i) for i in range(self.count()) if self.itemData(i) is not None]

    def set_devices(self, devices: list[MediaDeviceInfo], selected_id: str | None) -> None:
        """Show the devices of this picker's kind; select ``selected_id`` (or the first,
        which is what the engine opens when nothing is selected)."""
        mine = [d for d in devices if d.kind == self._kind]
        self.blockSignals(True)
        try:
            self.clear()
            for device in mine:
                self.addItem(self._icon, device.label or device.device_id, device.device_id)
            if not mine:
                self.addItem(self._icon, _none_label(self._kind), None)
            index = self.findData(selected_id) if selected_id is not None else 0
            self.setCurrentIndex(max(0, index))
            self.setToolTip(self.currentText())
        finally:
            self.blockSignals(False)
        self.setEnabled(bool(mine))

    def _on_activated(self, index: int) -> None:
        device_id = self.itemData(index)
        self.setToolTip(self.currentText())
        if device_id is not None:
            self.device_chosen.emit(device_id)


def _none_label(kind: str) -> str:
    labels = {
        "videoinput": QCoreApplication.translate("DevicePicker", "No camera found"),
        "audioinput": QCoreApplication.translate("DevicePicker", "No microphone found"),
        "audiooutput": QCoreApplication.translate("DevicePicker", "No speaker found"),
    }
    return labels[kind]
