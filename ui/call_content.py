"""``CallContent``: the screen of an active call (Stream's ``StreamCallContent``).

An app bar (call id, duration since this client joined, a reconnecting chip, the number of
people), the participants in a grid or a spotlight, the people panel on the right when
open, and the controls at the bottom. It renders what the ``CallBridge`` emits and sends
the controls' requests to the call; failures of those commands appear as a toast and the
buttons snap back to the engine's state. With a ``LocalMediaBridge`` it also fills the
device drop-downs (re-listed on OS hot-plug, ``QMediaDevices``) and warns "You're muted"
when the user talks into a muted microphone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.call import CallParticipantState, CallState, CallStatus, CallStatusKind
from app.protocol import OwnCapability
from ui.bridge import CallBridge, LocalMediaBridge
from ui.call_participants import CallParticipants, LayoutMode
from ui.controls import CallControls
from ui.icons import icon_pixmap
from ui.muted_hint import MutedHint
from ui.participants_panel import ParticipantsPanel
from ui.screen_share_controller import ScreenShareController
from ui.screen_share_stage import ScreenShareStage, SharingBanner
from ui.theme import current_palette
from ui.toast import Toast
from ui.video_subscriptions import VideoSubscriptionReporter

DURATION_TICK_MS = 1000
_CONTROL_BAR_PX = 80  # the muted hint floats just above the control bar


def format_duration(seconds: float) -> str:
    """``"m:ss"`` under an hour, ``"h:mm:ss"`` from then on; negative counts as 0."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class CallContent(QWidget):
    """The in-call screen for the call behind ``bridge``; ``media_bridge`` (the user's
    devices) enables the device menus and the muted hint.

    Signal: ``pip_requested()`` — the user asked for the picture-in-picture window.
    """

    pip_requested = Signal()

    def __init__(
        self,
        bridge: CallBridge,
        media_bridge: LocalMediaBridge | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("stage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._bridge = bridge
        self._media_bridge = media_bridge

        self.participants_view = CallParticipants()
        self.participants_panel = ParticipantsPanel()
        self.participants_panel.hide()
        stage_row = QHBoxLayout()
        stage_row.setContentsMargins(16, 8, 16, 8)
        stage_row.setSpacing(16)
        stage_row.addWidget(self.participants_view, 1)
        self.screen_share_stage = ScreenShareStage()  # replaces the tiles while shown
        stage_row.addWidget(self.screen_share_stage, 1)
        stage_row.addWidget(self.participants_panel)
        self.sharing_banner = SharingBanner()

        self.controls = CallControls()
        control_bar = QHBoxLayout()
        control_bar.setContentsMargins(20, 8, 20, 18)
        control_bar.addWidget(self.controls)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self._build_app_bar())
        banner_row = QHBoxLayout()
        banner_row.setContentsMargins(16, 4, 16, 0)
        banner_row.addWidget(self.sharing_banner)
        layout.addLayout(banner_row)
        layout.addLayout(stage_row, 1)
        layout.addLayout(control_bar)

        self.toast = Toast(self)
        media = media_bridge.local_media if media_bridge is not None else None
        self.muted_hint = MutedHint(
            (lambda: media.raw_microphone_level) if media is not None else (lambda: 0.0),
            self,
            bottom_offset_px=_CONTROL_BAR_PX + 16,
        )
        # the size each remote camera is painted at, for its sender's choice of layer
        self.video_subscriptions = VideoSubscriptionReporter(
            bridge, lambda: self.participants_view.tiles, self
        )
        self._duration_timer = QTimer(self)
        self._duration_timer.setInterval(DURATION_TICK_MS)
        self._duration_timer.timeout.connect(self._show_duration)
        self._duration_timer.start()

        bridge.participants_changed.connect(self._show_participants)
        bridge.media_changed.connect(self._show_media)
        bridge.status_changed.connect(self._show_status)
        bridge.state_changed.connect(self._show_state)
        bridge.error_occurred.connect(self._show_error)
        controls = self.controls
        controls.microphone_toggled.connect(self._set_microphone_enabled)
        controls.camera_toggled.connect(self._set_camera_enabled)
        controls.leave_requested.connect(self._leave)
        controls.end_call_requested.connect(self._end_call)
        controls.pip_requested.connect(self.pip_requested)
        controls.reaction_requested.connect(self._send_reaction)
        controls.hand_raise_requested.connect(self._set_hand_raised)
        controls.layout_toggled.connect(self._on_layout_toggled)
        controls.participants_toggled.connect(self.participants_panel.setVisible)
        controls.device_chosen.connect(self._select_device)
        self.participants_panel.close_requested.connect(self._close_panel)
        self.participants_view.layout_mode_changed.connect(self._show_layout_mode)
        self.participants_view.pinned_changed.connect(self._show_pinned)
        if media_bridge is not None:
            media_bridge.changed.connect(self.refresh_devices)
            media_bridge.error_occurred.connect(self._show_error)
            self._media_devices = QMediaDevices(self)
            self._media_devices.videoInputsChanged.connect(self.refresh_devices)
            self._media_devices.audioInputsChanged.connect(self.refresh_devices)
            self._media_devices.audioOutputsChanged.connect(self.refresh_devices)
            self.refresh_devices()
        self.screen_share = ScreenShareController(
            bridge,
            self.controls.screen_share_button,
            self.participants_view,
            self.screen_share_stage,
            self.sharing_banner,
            self,
        )
        self._render(bridge.state)

    def _build_app_bar(self) -> QHBoxLayout:
        palette = current_palette()
        self.title_label = QLabel(self._bridge.state.call_id)
        self.title_label.setProperty("role", "subtitle")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.duration_label = QLabel()
        self.duration_label.setProperty("role", "muted")
        self.status_chip = QLabel()
        self.status_chip.setStyleSheet(
            f"background: {palette.stage_control}; color: #fdd663; border-radius: 12px;"
            "padding: 4px 12px; font-weight: 600;"
        )
        self.status_chip.hide()
        people_icon = QLabel()
        people_icon.setPixmap(icon_pixmap("people", palette.stage_text, 20))
        self.participant_count_label = QLabel()
        self.participant_count_label.setStyleSheet("font-weight: 600;")
        self._people = people = QWidget()
        people_layout = QHBoxLayout(people)
        people_layout.setContentsMargins(12, 6, 14, 6)
        people_layout.setSpacing(6)
        people_layout.addWidget(people_icon)
        people_layout.addWidget(self.participant_count_label)
        people.setObjectName("people")
        people.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        people.setStyleSheet(
            f"QWidget#people {{ background: {palette.stage_surface}; border-radius: 16px; }}"
        )
        app_bar = QHBoxLayout()
        app_bar.setContentsMargins(20, 14, 16, 6)
        app_bar.setSpacing(12)
        app_bar.addWidget(self.title_label)
        app_bar.addWidget(self.duration_label)
        app_bar.addStretch(1)
        app_bar.addWidget(self.status_chip)
        app_bar.addStretch(1)
        app_bar.addWidget(people)
        return app_bar

    @property
    def bridge(self) -> CallBridge:
        return self._bridge

    @property
    def pinned_session_id(self) -> str | None:
        return self.participants_view.pinned_session_id

    # --- rendering ----------------------------------------------------------------------

    def _render(self, state: CallState) -> None:
        self._show_participants(state.participants)
        self._show_media((state.microphone_enabled, state.camera_enabled))
        self._show_status(state.status)
        self._show_state(state)

    def _show_participants(self, participants: tuple[CallParticipantState, ...]) -> None:
        self.participants_view.set_participants(participants, self._bridge.call.video_sink)
        self.participants_panel.set_participants(participants, self.pinned_session_id)
        self._show_hand(participants)
        count = len(participants)
        self.participant_count_label.setText(str(count))
        self._people.setToolTip(self.tr("%n people in the call", "", count))

    def _show_media(self, media: tuple[bool, bool]) -> None:
        microphone_enabled, camera_enabled = media
        self.controls.set_media_state(
            microphone_enabled=microphone_enabled, camera_enabled=camera_enabled
        )
        self.muted_hint.set_muted(not microphone_enabled and self._media_bridge is not None)

    def _show_status(self, status: CallStatus) -> None:
        if status.kind is CallStatusKind.RECONNECTING:
            text = self.tr("Reconnecting… (attempt %1)").replace("%1", str(status.attempt))
            self.status_chip.setText(text)
            self.status_chip.show()
        else:
            self.status_chip.hide()
        if not status.is_active:
            self.muted_hint.set_muted(False)

    def _show_state(self, state: CallState) -> None:
        self.controls.set_can_end_call(state.has_capability(OwnCapability.END_CALL))
        self._show_duration()

    def _show_duration(self) -> None:
        joined_at = self._bridge.state.joined_at
        if joined_at is None:
            self.duration_label.setText("")
            return
        now = datetime.now(UTC) if joined_at.tzinfo else datetime.now()
        self.duration_label.setText(format_duration((now - joined_at).total_seconds()))

    def _show_layout_mode(self, mode: LayoutMode) -> None:
        self.controls.set_layout_spotlight(mode is LayoutMode.SPOTLIGHT)

    def _show_pinned(self, session_id: str | None) -> None:
        self.participants_panel.set_participants(self._bridge.state.participants, session_id)

    def _show_hand(self, participants: tuple[CallParticipantState, ...]) -> None:
        local = next((p for p in participants if p.is_local), None)
        self.controls.set_hand_raised(local is not None and local.is_hand_raised)

    def _show_error(self, message: str) -> None:
        self.toast.show_message(message)
        state = self._bridge.state
        self._show_media((state.microphone_enabled, state.camera_enabled))
        self._show_hand(state.participants)

    def refresh_devices(self) -> None:
        """Re-list the devices in the drop-downs (hot-plug, or a device chosen elsewhere)."""
        if self._media_bridge is None:
            return
        media = self._media_bridge.local_media
        self.controls.set_devices(
            media.list_devices(),
            {
                "audioinput": media.microphone_device_id,
                "audiooutput": media.speaker_device_id,
                "videoinput": media.camera_device_id,
            },
        )

    # --- commands -----------------------------------------------------------------------

    def set_layout_mode(self, mode: LayoutMode) -> None:
        self.participants_view.set_layout_mode(mode)

    def _on_layout_toggled(self, spotlight: bool) -> None:
        self.set_layout_mode(LayoutMode.SPOTLIGHT if spotlight else LayoutMode.GRID)

    def _close_panel(self) -> None:
        self.participants_panel.hide()
        self.controls.set_participants_open(False)

    def _set_microphone_enabled(self, enabled: bool) -> None:
        call = self._bridge.call
        self._bridge.run(call.set_microphone_enabled(enabled), action=self.tr("Microphone"))

    def _set_camera_enabled(self, enabled: bool) -> None:
        call = self._bridge.call
        self._bridge.run(call.set_camera_enabled(enabled), action=self.tr("Camera"))

    def _send_reaction(self, emoji_code: str) -> None:
        call = self._bridge.call
        self._bridge.run(call.send_reaction(emoji_code), action=self.tr("Reaction"))

    def _set_hand_raised(self, raised: bool) -> None:
        call = self._bridge.call
        action = self.tr("Raising your hand") if raised else self.tr("Lowering your hand")
        self._bridge.run(call.set_hand_raised(raised), action=action)

    def _select_device(self, kind: str, device_id: str) -> None:
        if self._media_bridge is None:
            return
        media = self._media_bridge.local_media
        selectors = {
            "audioinput": (media.select_microphone, self.tr("Microphone")),
            "audiooutput": (media.select_speaker, self.tr("Speaker")),
            "videoinput": (media.select_camera, self.tr("Camera")),
        }
        select, action = selectors[kind]
        self._media_bridge.run(select(device_id), action=action)

    def _leave(self) -> None:
        self._bridge.run(self._bridge.call.leave(), action=self.tr("Leaving the call"))

    def _end_call(self) -> None:
        self._bridge.run(self._bridge.call.end(), action=self.tr("Ending the call"))
