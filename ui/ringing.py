"""``RingingController``: the home window's side of ringing, both ways.

Incoming: each call that starts ringing this user (``VideoClient.incoming_calls``) gets an
:class:`IncomingCallWindow` stacked at the bottom right of the screen, the ringtone loops
while any of them is up, and ``ring_arrived(caller, video)`` lets the tray post a
notification. Accepting shows the call in the main window (restored from the tray or from
minimised) and answers with the camera on or off as chosen; in multi-call mode the call
the user was in waits on hold meanwhile. Declining sends ``decline`` — or ``busy`` while the
user is in another call.

Outgoing: :meth:`ring_user` creates a call with the user as member, rings it and shows the
OutgoingCall screen; when the callee was ringing this user at that very moment (glare)
the engine joins the callee's call instead and the window follows it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from app.call import Call, CallError
from app.protocol import split_call_cid
from ui.bridge import CallBridge, ClientBridge, EngineBridge
from ui.incoming_call_window import IncomingCallWindow, still_ringing_here
from ui.ringtones import RINGTONE, TonePlayer

if TYPE_CHECKING:
    from app.client import VideoClient
    from ui.home_window import HomeWindow

log = logging.getLogger(__name__)

DEFAULT_CALL_TYPE = "default"
_SCREEN_MARGIN_PX = 24
_STACK_GAP_PX = 12


class RingingController(QObject):
    """Rings for ``window`` once signed in as ``client``.

    Signals: ``ring_arrived(str caller_name, bool video)`` when a pop-up opens;
    ``missed_call()`` when the user missed a ring (the missed list changed).
    """

    ring_arrived = Signal(str, bool)
    missed_call = Signal()

    def __init__(self, window: HomeWindow, client: VideoClient) -> None:
        super().__init__(window)
        self._window = window
        self._client = client
        self._commands = EngineBridge(self)
        self._commands.error_occurred.connect(window.show_error)
        self.popups: dict[str, IncomingCallWindow] = {}
        self.ringtone = TonePlayer(RINGTONE, self)
        self.client_bridge = ClientBridge(client, self)
        self.client_bridge.incoming_calls_changed.connect(self._on_incoming_calls)
        self.client_bridge.missed_call.connect(self.missed_call)
        self._on_incoming_calls(client.incoming_calls)

    # --- incoming -----------------------------------------------------------------------

    def _on_incoming_calls(self, calls: tuple[Call, ...]) -> None:
        for call in calls:
            if call.cid not in self.popups and still_ringing_here(call.state.status):
                self._open_popup(call)

    def _open_popup(self, call: Call) -> None:
        bridge = CallBridge(call)
        active = self._window.active_call
        popup = IncomingCallWindow(
            bridge,
            in_other_call=active is not None and active is not call,
            answer_holds=self._client.allow_multiple_active_calls,
        )
        bridge.setParent(popup)
        bridge.error_occurred.connect(self._window.show_error)
        popup.accept_requested.connect(lambda video: self.accept(call, video=video))
        popup.decline_requested.connect(lambda reason: self.decline(call, reason))
        popup.finished.connect(lambda: self._popup_finished(call.cid))
        self.popups[call.cid] = popup
        self._place_popups()
        popup.show()
        popup.raise_()
        self.ringtone.enabled = self._window.settings.ringtone
        self.ringtone.start()
        self.ring_arrived.emit(popup.caller_name, popup.is_video)

    def _popup_finished(self, cid: str) -> None:
        self.popups.pop(cid, None)
        if not self.popups:
            self.ringtone.stop()
        self._place_popups()

    def _place_popups(self) -> None:
        """Stack the pop-ups upwards from the bottom-right corner, oldest lowest."""
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        bottom = area.bottom() - _SCREEN_MARGIN_PX
        for popup in self.popups.values():
            popup.move(area.right() - popup.width() - _SCREEN_MARGIN_PX, bottom - popup.height())
            bottom -= popup.height() + _STACK_GAP_PX

    def accept(self, call: Call, *, video: bool) -> None:
        """Answer ``call`` in the main window, with the camera on only when ``video``.
        In multi-call mode the call the user is in stays open: joining this one puts it on
        hold (``suspend_existing`` + ``hold_background_calls``) and hanging up resumes it
        (Stream's "livestream + 1:1"); in single-call mode the join replaces it."""
        window = self._window
        window.open_call(call)
        window.restore_from_pip()
        self._commands.run(self._accept(call, video), action=self.tr("Answering the call"))

    async def _accept(self, call: Call, video: bool) -> None:
        await self._set_devices(call, camera=video)
        await call.accept()

    def decline(self, call: Call, reason: str) -> None:
        """Decline ``call`` (``"decline"``, or ``"busy"`` when in another call)."""
        self._commands.run(call.reject(reason), action=self.tr("Declining the call"))

    # --- outgoing -----------------------------------------------------------------------

    def ring_user(self, user_id: str, *, video: bool = True) -> Call:
        """Create a call with ``user_id`` as member, ring them and show the OutgoingCall
        screen. A failure (no such user, ...) returns home with the reason in a toast."""
        call = self._client.make_call(DEFAULT_CALL_TYPE)
        self._window.open_call(call, ringing_out=True)
        self._commands.run(self._ring(call, [user_id], video), action=self.tr("Calling"))
        return call

    async def _ring(self, call: Call, members: list[str], video: bool) -> None:
        await self._set_devices(call, camera=video)
        try:
            response = await call.get_or_create(members=members, ring=True, video=video)
        except Exception:
            container = self._window.calls.container_for(call)
            if container is not None:
                self._window.calls.close_call(container)
            raise
        if response.ring_redirect_cid is not None:  # glare: we are in their call now
            self._window.open_call(
                self._client.make_call(*split_call_cid(response.ring_redirect_cid))
            )
            stale = self._window.calls.container_for(call)  # our ring, never joined
            if stale is not None:
                self._window.calls.close_call(stale)

    async def _set_devices(self, call: Call, *, camera: bool) -> None:
        """Microphone on, camera as asked; a device that cannot open is reported and the
        call goes on without it (a call without a camera beats no call)."""
        for enable, on, what in (
            (call.set_microphone_enabled, True, self.tr("Microphone")),
            (call.set_camera_enabled, camera, self.tr("Camera")),
        ):
            try:
                await enable(on)
            except CallError as exc:
                log.warning("%s: %s", what, exc.message)
                self._window.show_error(f"{what}: {exc.message}")
