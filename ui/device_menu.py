"""Device drop-downs of the call controls: a chevron beside the microphone and camera
buttons opens a menu of the devices of that kind (Meet's "^" menus).

``DeviceMenu`` is a plain ``QMenu`` of sections (e.g. "Microphone" and "Speaker" for the
microphone's menu), each a checkable list of devices with the selected one ticked.
``DevicePill`` puts a chevron and a round toggle in one pill, as Meet draws them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QMenu, QToolButton, QWidget

from app.media import MediaDeviceInfo
from ui.icons import icon
from ui.round_button import RoundButton
from ui.theme import current_palette

_KIND_TITLES = {
    "audioinput": ("Microphone", "mic"),
    "audiooutput": ("Speaker", "speaker"),
    "videoinput": ("Camera", "camera"),
}


class DeviceMenu(QMenu):
    """A menu listing the devices of ``kinds`` (``"audioinput"``, ``"audiooutput"``,
    ``"videoinput"``), one section each. ``device_chosen(kind, device_id)`` fires when
    the user picks a device; :meth:`set_devices` never emits it."""

    device_chosen = Signal(str, str)

    def __init__(self, kinds: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        unknown = [k for k in kinds if k not in _KIND_TITLES]
        if unknown:
            raise ValueError(f"unknown device kinds {unknown}")
        self._kinds = tuple(kinds)
        self.setObjectName("deviceMenu")
        palette = current_palette()
        self.setStyleSheet(
            f"QMenu#deviceMenu {{ background: {palette.stage_surface}; color: {palette.stage_text};"
            " border: 1px solid #3c4043; border-radius: 12px; padding: 8px 0; min-width: 240px; }"
            "QMenu#deviceMenu::item { padding: 8px 24px 8px 12px; margin: 0 6px;"
            " border-radius: 8px; }"
            f"QMenu#deviceMenu::item:selected {{ background: {palette.stage_control}; }}"
            f"QMenu#deviceMenu::item:disabled {{ color: {palette.stage_text_muted}; }}"
            "QMenu#deviceMenu::separator { height: 1px; background: #3c4043; margin: 6px 0; }"
            "QMenu#deviceMenu::indicator { width: 18px; height: 18px; padding-left: 8px; }"
        )
        self.set_devices([], {})

    def device_actions(self, kind: str) -> list[QAction]:
        """The checkable device entries of ``kind``, in menu order."""
        return [a for a in self.actions() if a.isCheckable() and a.data() == kind]

    def set_devices(
        self, devices: Sequence[MediaDeviceInfo], selected: dict[str, str | None]
    ) -> None:
        """List ``devices``; ``selected[kind]`` is ticked (the first device when None —
        that is what the engine opens)."""
        self.clear()
        muted = current_palette().stage_text_muted
        for index, kind in enumerate(self._kinds):
            if index:
                self.addSeparator()
            title, icon_name = _KIND_TITLES[kind]
            header = self.addAction(
                icon(icon_name, muted, 18), QCoreApplication.translate("DeviceMenu", title)
            )
            header.setEnabled(False)
            mine = [d for d in devices if d.kind == kind]
            if not mine:
                empty = self.addAction(QCoreApplication.translate("DeviceMenu", "None found"))
                empty.setEnabled(False)
                continue
            group = QActionGroup(self)
            chosen = selected.get(kind) or mine[0].device_id
            for device in mine:
                action = self.addAction(device.label or device.device_id)
                action.setCheckable(True)
                action.setChecked(device.device_id == chosen)
                action.setData(kind)
                action.setProperty("device_id", device.device_id)
                group.addAction(action)
                action.triggered.connect(
                    lambda _=False, k=kind, d=device.device_id: self.device_chosen.emit(k, d)
                )

    def popup_above(self, anchor: QWidget) -> None:
        """Open upwards from ``anchor`` (the control bar sits at the bottom of the window)."""
        size = self.sizeHint()
        self.popup(anchor.mapToGlobal(QPoint(0, -size.height() - 6)))


class DevicePill(QWidget):
    """A chevron that opens ``menu`` and the round ``toggle`` beside it, in one pill."""

    def __init__(
        self, toggle: RoundButton, menu: DeviceMenu, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        palette = current_palette()
        height = toggle.height()
        self.setObjectName("devicePill")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(
            f"QWidget#devicePill {{ background: {palette.stage_surface};"
            f" border-radius: {height // 2}px; }}"
        )
        self.menu = menu
        self.chevron = QToolButton()
        self.chevron.setIcon(icon("chevron-up", palette.stage_text, 18))
        self.chevron.setIconSize(QSize(18, 18))
        self.chevron.setFixedSize(32, height - 8)
        self.chevron.setCursor(Qt.CursorShape.PointingHandCursor)
        self.chevron.setToolTip(
            QCoreApplication.translate("DevicePill", "%1 settings").replace("%1", name)
        )
        self.chevron.setAccessibleName(
            QCoreApplication.translate("DevicePill", "Choose %1").replace("%1", name.lower())
        )
        self.chevron.setStyleSheet(
            "QToolButton { border: none; background: transparent;"
            f" border-radius: {(height - 8) // 2}px; }}"
            f"QToolButton:hover {{ background: {palette.stage_control}; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.chevron)
        layout.addWidget(toggle)
        self.chevron.clicked.connect(lambda: menu.popup_above(self))
