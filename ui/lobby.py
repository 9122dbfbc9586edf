"""``Lobby``: check yourself before joining (Stream's ``StreamLobbyView``).

A large mirrored preview of the user's camera with the microphone and camera toggles over
it and a microphone level meter; camera, microphone and speaker pickers under it; on the
right, the call id, whether someone is already in the call, who you join as, and "Join now".
Devices are re-listed when the OS reports a hot-plug (``QMediaDevices``) and whenever the
engine's ``LocalMedia`` changes.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.call import CallParticipantState
from ui.bridge import CallBridge, LocalMediaBridge
from ui.controls import MediaToggles, effects_button
from ui.device_picker import DevicePicker
from ui.effects_picker import EffectsPicker
from ui.level_meter import LevelMeter
from ui.theme import current_palette
from ui.toast import Toast
from ui.video_renderer import VideoFit, VideoRenderer

log = logging.getLogger(__name__)

PREVIEW_ASPECT = 16 / 9
_OVERLAY_INSET_PX = 16
_PICKER_ROW_PX = 42
_PICKER_GAP_PX = 14


class _Preview(QWidget):
    """The self-view with its overlays and, under it, the device pickers; the video keeps
    a 16:9 shape and the block is centred in whatever space the window gives it."""

    def __init__(self, bridge: LocalMediaBridge, user_name: str, parent: QWidget) -> None:
        super().__init__(parent)
        media = bridge.local_media
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 270 + _PICKER_ROW_PX + _PICKER_GAP_PX)
        self.renderer = VideoRenderer(
            self,
            fit=VideoFit.COVER,
            mirror=True,
            corner_radius_px=16,
            background=current_palette().stage_surface,
        )
        self.renderer.set_placeholder(user_name)
        self.renderer.set_sink(media.preview_sink)
        self.name_label = QLabel(user_name, self)
        self.name_label.setStyleSheet(
            "color: #ffffff; font-size: 14px; font-weight: 600;"
            "background: rgba(32, 33, 36, 0.55); border-radius: 8px; padding: 4px 10px;"
        )
        self.camera_off_label = QLabel(self.tr("Camera is off"), self)
        self.camera_off_label.setStyleSheet(
            "color: #e8eaed; font-size: 18px; background: transparent;"
        )
        self.toggles = MediaToggles(self, diameter_px=52)
        self.effects_button = effects_button(diameter_px=44)
        self.effects_button.setParent(self)
        self.level_meter = LevelMeter(lambda: media.microphone_level, self)
        self.camera_picker = DevicePicker("videoinput")
        self.microphone_picker = DevicePicker("audioinput")
        self.speaker_picker = DevicePicker("audiooutput")
        self.pickers = QWidget(self)
        pickers = QHBoxLayout(self.pickers)
        pickers.setContentsMargins(0, 0, 0, 0)
        pickers.setSpacing(8)
        for picker in (self.microphone_picker, self.speaker_picker, self.camera_picker):
            pickers.addWidget(picker)

    def video_rect(self) -> QRect:
        """Where the video sits: the largest 16:9 rectangle that leaves room for the
        pickers, centred."""
        room = self.rect()
        height = min(room.height() - _PICKER_ROW_PX - _PICKER_GAP_PX, room.width() / PREVIEW_ASPECT)
        width = height * PREVIEW_ASPECT
        top = (room.height() - height - _PICKER_ROW_PX - _PICKER_GAP_PX) / 2
        return QRect(round((room.width() - width) / 2), round(top), round(width), round(height))

    def resizeEvent(self, event: QResizeEvent) -> None:
        video = self.video_rect()
        self.renderer.setGeometry(video)
        self.pickers.setGeometry(
            video.left(), video.bottom() + 1 + _PICKER_GAP_PX, video.width(), _PICKER_ROW_PX
        )
        self.name_label.adjustSize()
        self.name_label.move(video.left() + _OVERLAY_INSET_PX, video.top() + _OVERLAY_INSET_PX)
        self.camera_off_label.adjustSize()
        self.camera_off_label.move(
            video.center().x() - self.camera_off_label.width() // 2,
            video.top() + _OVERLAY_INSET_PX + 4,
        )
        self.toggles.adjustSize()
        self.toggles.move(
            video.center().x() - self.toggles.width() // 2,
            video.bottom() - self.toggles.height() - _OVERLAY_INSET_PX,
        )
        self.effects_button.move(
            video.right() - self.effects_button.width() - _OVERLAY_INSET_PX,
            video.bottom() - self.effects_button.height() - _OVERLAY_INSET_PX,
        )
        self.level_meter.move(
            video.left() + _OVERLAY_INSET_PX,
            video.bottom() - self.level_meter.height() - _OVERLAY_INSET_PX,
        )
        super().resizeEvent(event)


class Lobby(QWidget):
    """The pre-join screen of the call behind ``call_bridge``.

    Signals: ``join_requested()`` (the user pressed "Join now"), ``back_requested()``.
    """

    join_requested = Signal()
    back_requested = Signal()

    def __init__(
        self,
        call_bridge: CallBridge,
        media_bridge: LocalMediaBridge,
        user_name: str,
        parent: QWidget | None = None,
        *,
        join_devices_off: tuple[bool, bool] = (False, False),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self._join_camera_off, self._join_microphone_off = join_devices_off
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._call_bridge = call_bridge
        self._media_bridge = media_bridge
        self._media = media_bridge.local_media
        self._call_checked = False
        self._call_loaded = False
        self._user_chose_media = False

        self.preview = _Preview(media_bridge, user_name, self)
        self.camera_picker = self.preview.camera_picker
        self.microphone_picker = self.preview.microphone_picker
        self.speaker_picker = self.preview.speaker_picker

        title = QLabel(self.tr("Ready to join?"))
        title.setProperty("role", "display")
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.call_id_label = QLabel(call_bridge.state.call_id)
        self.call_id_label.setProperty("role", "muted")
        self.call_id_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.call_id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.presence_label = QLabel()
        self.presence_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.presence_label.setWordWrap(True)
        self.identity_label = QLabel(self.tr("Joining as %1").replace("%1", user_name))
        self.identity_label.setProperty("role", "muted")
        self.identity_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.join_button = QPushButton(self.tr("Join now"))
        self.join_button.setProperty("variant", "primary")
        self.join_button.setMinimumWidth(180)
        self.join_button.setMinimumHeight(48)
        self.join_button.setDefault(True)
        self.join_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.back_button = QPushButton(self.tr("Back to home"))
        self.back_button.setProperty("variant", "text")
        self.back_button.setCursor(Qt.CursorShape.PointingHandCursor)

        right = QVBoxLayout()
        right.setSpacing(10)
        right.addStretch(1)
        right.addWidget(title)
        right.addWidget(self.call_id_label)
        right.addSpacing(6)
        right.addWidget(self.presence_label)
        right.addSpacing(18)
        right.addWidget(self.join_button, 0, Qt.AlignmentFlag.AlignHCenter)
        right.addWidget(self.identity_label)
        right.addSpacing(4)
        right.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignHCenter)
        right.addStretch(1)
        right_box = QWidget()
        right_box.setLayout(right)
        right_box.setFixedWidth(340)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(48)
        layout.addWidget(self.preview, 1)
        layout.addWidget(right_box)

        self.toast = Toast(self)
        self._media_devices = QMediaDevices(self)
        self._media_devices.videoInputsChanged.connect(self.refresh_devices)
        self._media_devices.audioInputsChanged.connect(self.refresh_devices)
        self._media_devices.audioOutputsChanged.connect(self.refresh_devices)

        media_bridge.changed.connect(self._show_media)
        media_bridge.error_occurred.connect(self._show_error)
        call_bridge.error_occurred.connect(self._show_error)
        call_bridge.participants_changed.connect(self._show_participants)
        self.preview.toggles.microphone_toggled.connect(self._set_microphone_enabled)
        self.preview.toggles.camera_toggled.connect(self._set_camera_enabled)
        self.preview.effects_button.clicked.connect(self.open_effects)
        self.effects_picker: EffectsPicker | None = None
        self.camera_picker.device_chosen.connect(self._select_camera)
        self.microphone_picker.device_chosen.connect(self._select_microphone)
        self.speaker_picker.device_chosen.connect(self._select_speaker)
        self.join_button.clicked.connect(self.join_requested)
        self.back_button.clicked.connect(self.back_requested)
        self._show_media()
        self.refresh_devices()

    # --- rendering ----------------------------------------------------------------------

    def refresh_devices(self) -> None:
        """Re-list devices (hot-plug, or a device chosen elsewhere)."""
        devices = self._media.list_devices()
        self.camera_picker.set_devices(devices, self._media.camera_device_id)
        self.microphone_picker.set_devices(devices, self._media.microphone_device_id)
        self.speaker_picker.set_devices(devices, self._media.speaker_device_id)

    def set_presence(self, names: list[str] | None) -> None:
        """Say who is already in the call, as Meet does (None: unknown, say nothing)."""
        if names is None:
            text = ""
        elif not names:
            text = self.tr("No one else is here yet")
        elif len(names) == 1:
            text = self.tr("{0} is already in this call").format(names[0])
        elif len(names) == 2:
            text = self.tr("{0} and {1} are already in this call").format(*names)
        else:
            text = self.tr("{0} and {1} others are already in this call").format(
                names[0], len(names) - 1
            )
        self.presence_label.setText(text)

    def _show_participants(self, participants: tuple[CallParticipantState, ...]) -> None:
        if self._call_loaded:
            self.set_presence([p.name for p in participants if not p.is_local])

    def _show_media(self) -> None:
        media = self._media
        self.preview.toggles.set_media_state(
            microphone_enabled=media.microphone_enabled, camera_enabled=media.camera_enabled
        )
        self.preview.renderer.set_video_enabled(media.camera_enabled)
        self.preview.camera_off_label.setVisible(not media.camera_enabled)
        self.preview.level_meter.setVisible(media.microphone_enabled)
        for picker, selected in (
            (self.camera_picker, media.camera_device_id),
            (self.microphone_picker, media.microphone_device_id),
            (self.speaker_picker, media.speaker_device_id),
        ):
            index = picker.findData(selected)
            if selected is not None and index >= 0 and index != picker.currentIndex():
                picker.setCurrentIndex(index)

    def _show_error(self, message: str) -> None:
        self.toast.show_message(message)
        self._show_media()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._call_checked:
            self._call_checked = True
            # bench/cold_start.py measures process launch → this line
            log.info("lobby shown: %s", self._call_bridge.state.call_cid)
            self._call_bridge.run(self._check_call(), action=self.tr("Loading the call"))

    async def _check_call(self) -> None:
        """Create or load the call (a new meeting's id is created here) and learn whether
        a session is already running in it."""
        call = self._call_bridge.call
        await call.get_or_create()  # also watches the call: people coming and going update
        self._call_loaded = True
        self._show_participants(call.state.participants)
        await self._apply_call_type_defaults()

    async def _apply_call_type_defaults(self) -> None:
        """Turn camera and microphone on as the call type says (Stream's
        ``camera_default_on`` / ``mic_default_on``), unless the user already chose here or
        asked in the settings to join with that device off."""
        if self._user_chose_media:
            return
        settings = self._call_bridge.call.state.settings
        video, audio = settings.get("video", {}), settings.get("audio", {})
        media = self._media
        camera_on = video.get("enabled") and video.get("camera_default_on")
        if camera_on and not self._join_camera_off and not media.camera_enabled:
            await media.set_camera_enabled(True)
        microphone_on = audio.get("mic_default_on") and not self._join_microphone_off
        if microphone_on and not media.microphone_enabled:
            await media.set_microphone_enabled(True)

    # --- commands -----------------------------------------------------------------------

    def open_effects(self) -> EffectsPicker:
        """Show the effects picker (one at a time) and return it."""
        if self.effects_picker is None:
            self.effects_picker = EffectsPicker(self._media_bridge, self)
            self.effects_picker.finished.connect(self._effects_closed)
        self.effects_picker.show()
        self.effects_picker.raise_()
        return self.effects_picker

    def _effects_closed(self) -> None:
        if self.effects_picker is not None:
            self.effects_picker.deleteLater()
            self.effects_picker = None

    def _set_microphone_enabled(self, enabled: bool) -> None:
        self._user_chose_media = True
        self._media_bridge.run(
            self._media.set_microphone_enabled(enabled), action=self.tr("Microphone")
        )

    def _set_camera_enabled(self, enabled: bool) -> None:
        self._user_chose_media = True
        self._media_bridge.run(self._media.set_camera_enabled(enabled), action=self.tr("Camera"))

    def _select_camera(self, device_id: str) -> None:
        self._media_bridge.run(self._media.select_camera(device_id), action=self.tr("Camera"))

    def _select_microphone(self, device_id: str) -> None:
        self._media_bridge.run(
            self._media.select_microphone(device_id), action=self.tr("Microphone")
        )

    def _select_speaker(self, device_id: str) -> None:
        self._media_bridge.run(self._media.select_speaker(device_id), action=self.tr("Speaker"))
