"""``ScreenShareController``: screen sharing in the call screen, wired to the engine.

- The share button in the controls opens :class:`ScreenSharePicker`; the choice starts a
  :class:`ScreenCaptureSource` into a new :class:`app.media.ScreenShareTrack`, handed to
  ``Call.start_screen_share``. While sharing, the button and the banner stop it.
- The button is disabled, with the reason as its tooltip, when the call does not allow
  sharing (``Call.screen_share_refusal``: not joined, no ``screenshare`` capability, or
  the call's ``screensharing.enabled`` off).
- When someone else shares (and their share can be received: there is a sink), the stage
  switches to :class:`ScreenShareStage` (the share big, their camera small) and back when
  they stop (Stream: receivers switch to the screen-share layout automatically).

Everything runs on the GUI thread; engine commands go through ``CallBridge.run``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.call import CallParticipantState, CallState
from app.media import ScreenShareTrack
from ui.bridge import CallBridge
from ui.round_button import RoundButton
from ui.screen_share_capture import ScreenCaptureSource
from ui.screen_share_picker import ScreenSharePicker, ShareChoice
from ui.screen_share_stage import ScreenShareStage, ScreenShareWindow, SharingBanner


class ScreenShareController(QObject):
    """Screen sharing for the call behind ``bridge``; ``participants_view`` is the normal
    stage that ``stage`` replaces while someone else presents; ``window`` is the call's
    top-level window (parent of the picker, left out of the window list)."""

    def __init__(
        self,
        bridge: CallBridge,
        button: RoundButton,
        participants_view: QWidget,
        stage: ScreenShareStage,
        banner: SharingBanner,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._bridge = bridge
        self._button = button
        self._participants_view = participants_view
        self._stage = stage
        self._banner = banner
        self._window = window
        self.picker: ScreenSharePicker | None = None
        self.capture: ScreenCaptureSource | None = None
        self.popped_out: ScreenShareWindow | None = None
        self._starting = False  # start_screen_share is in flight: keep the capture
        stage.hide()
        banner.hide()
        button.clicked.connect(self._on_button_clicked)
        banner.stop_requested.connect(self.stop_sharing)
        stage.pop_out_requested.connect(self.pop_out)
        bridge.state_changed.connect(self._render)
        self._render(bridge.state)

    @property
    def presenter(self) -> CallParticipantState | None:
        """The remote participant whose share is on the stage, or None."""
        return self._stage.presenter if self._stage.isVisibleTo(self._window) else None

    # --- commands -----------------------------------------------------------------------

    def open_picker(self) -> ScreenSharePicker:
        """Show the picker (window-modal, non-blocking); sharing starts on accept."""
        if self.picker is not None:
            self.picker.raise_()
            return self.picker
        picker = ScreenSharePicker(
            self._window, exclude_titles=[self._window.window().windowTitle()]
        )
        picker.accepted.connect(lambda: self._on_picked(picker.choice()))
        picker.finished.connect(self._forget_picker)
        self.picker = picker
        picker.open()
        return picker

    def share(self, choice: ShareChoice) -> None:
        """Start capturing ``choice`` and publish it in the call."""
        self._stop_capture()
        track = ScreenShareTrack()
        capture = ScreenCaptureSource(track, screen=choice.screen, window=choice.window)
        capture.error_occurred.connect(self._on_capture_error)
        capture.start()
        self.capture = capture
        self._banner.set_what(choice.label)
        self._starting = True
        task = self._bridge.run(
            self._bridge.call.start_screen_share(track), action=self.tr("Sharing your screen")
        )

        def after_start(done: object) -> None:
            self._starting = False
            if not self._bridge.call.is_screen_sharing:  # refused: the track is still ours
                track.stop()
                self._stop_capture()
            self._render(self._bridge.state)

        task.add_done_callback(after_start)

    def stop_sharing(self) -> None:
        self._stop_capture()
        self._bridge.run(
            self._bridge.call.stop_screen_share(), action=self.tr("Stopping the share")
        )

    def pop_out(self) -> ScreenShareWindow | None:
        """Show the presenter's share in its own window (one at a time)."""
        presenter = self._stage.presenter
        if presenter is None:
            return None
        sink = self._bridge.call.screen_share_sink(presenter.session_id)
        title = self.tr("%1's screen").replace("%1", presenter.name or presenter.user_id)
        if self.popped_out is None:
            self.popped_out = ScreenShareWindow(title, sink, self._window)
            self.popped_out.destroyed.connect(self._forget_popped_out)
        self.popped_out.setWindowTitle(title)
        self.popped_out.set_sink(sink)
        self.popped_out.show()
        self.popped_out.raise_()
        return self.popped_out

    # --- rendering ----------------------------------------------------------------------

    def _render(self, state: CallState) -> None:
        call = self._bridge.call
        sharing = call.is_screen_sharing
        refusal = call.screen_share_refusal()
        self._button.setEnabled(sharing or refusal is None)
        self._button.setChecked(sharing)
        self._button.set_icon_name("screen-share-off" if sharing else "screen-share")
        self._button.setToolTip(
            self.tr("Stop sharing your screen")
            if sharing
            else refusal or self.tr("Share your screen")
        )
        self._banner.setVisible(sharing)
        if not sharing and not self._starting:
            self._stop_capture()
        # A share with no sink (no peer connection to the presenter yet) has nothing to show.
        presenter = next(
            (
                p
                for p in state.remote_participants
                if p.is_screen_sharing and call.screen_share_sink(p.session_id) is not None
            ),
            None,
        )
        if presenter is None:
            self._stage.hide()
            self._stage.clear()
            self._participants_view.show()
            if self.popped_out is not None:
                self.popped_out.close()
            return
        if self._stage.presenter != presenter:
            self._stage.show_share(
                presenter,
                call.screen_share_sink(presenter.session_id),
                call.video_sink(presenter.session_id),
            )
        self._participants_view.hide()
        self._stage.show()

    # --- internals ----------------------------------------------------------------------

    def _on_button_clicked(self) -> None:
        if self._bridge.call.is_screen_sharing:
            self.stop_sharing()
        else:
            self.open_picker()
        self._render(self._bridge.state)  # the button shows the engine's state, not a click

    def _on_picked(self, choice: ShareChoice | None) -> None:
        if choice is not None:
            self.share(choice)

    def _on_capture_error(self, message: str) -> None:
        self._bridge.error_occurred.emit(self.tr("Screen capture: %1").replace("%1", message))
        self.stop_sharing()

    def _stop_capture(self) -> None:
        capture, self.capture = self.capture, None
        if capture is not None:
            capture.stop()
            capture.deleteLater()

    def _forget_picker(self) -> None:
        if self.picker is not None:
            self.picker.deleteLater()
        self.picker = None

    def _forget_popped_out(self) -> None:
        self.popped_out = None
