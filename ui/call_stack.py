"""``CallStack``: the home window's call screen — one :class:`CallContainer` per open call
(issue 4, multiple active calls), the :class:`ActiveCallsSwitcher` over them and the
:class:`SplitView`.

Which container is on screen ("shown"):

- opening a call shows its container (a new Lobby, a ring being answered, ...) without
  leaving the other calls; in single-call mode (``allow_multiple_active_calls`` off) the
  other containers close first, as before issue 4 (joining would replace their call);
- when the engine's focused call changes (a join under ``suspend_existing``, a leave that
  resumes the call focused last, ``switch_focus``), its container is shown: the
  "livestream + 1:1" flow — accepting a ring shows the new call while the first waits on
  hold, hanging up shows the first one again;
- a call that ends while another is still active closes its container (the ended screen
  would only stand between the user and the call they are back in); the reason goes to
  ``call_ended(str)`` for a toast;
- closing the last container asks for the home page (``home_requested``).

The controls, the PiP window and the tray follow the shown container
(``shown_changed(CallContainer | None)``, ``call_state_changed(CallState | None)``), which
is the focused call's whenever the user is in a call. The switcher's "Switch"/"Resume"
runs ``VideoClient.switch_focus`` (which also takes the call off hold when the client
holds background calls; a call held by hand is taken off hold as well).

Split view: while it is on, the focused call and the other call watched beside it are
taken off hold (watching a room is not holding it: its video flows again; its audio stays
suspended, so only the focused call is heard); turning it off puts the calls it took off
hold back on hold, unless they have the focus by then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from app.call import Call, CallStatus, CallStatusKind, LocalMedia
from ui.active_calls_switcher import ActiveCallsSwitcher
from ui.bridge import ActiveCallsBridge, EngineBridge
from ui.call_container import CallContainer, disconnect_reason_text
from ui.split_view import SplitView

if TYPE_CHECKING:
    from app.client import VideoClient


class CallStack(QWidget):
    """The open calls' screens. Call :meth:`set_client` once signed in.

    Signals: ``home_requested()`` (no call screen left), ``pip_requested()`` (a call
    screen's PiP button), ``shown_changed(CallContainer | None)``,
    ``call_state_changed(CallState | None)`` (every snapshot of the shown call),
    ``call_ended(str)`` (a background-closed call's end, in words),
    ``error_occurred(str)`` (a switch or hold command failed).
    """

    home_requested = Signal()
    pip_requested = Signal()
    shown_changed = Signal(object)
    call_state_changed = Signal(object)
    call_ended = Signal(str)
    error_occurred = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client: VideoClient | None = None
        self._active: ActiveCallsBridge | None = None
        self._commands = EngineBridge(self)
        self._commands.error_occurred.connect(self.error_occurred)
        self._shown: CallContainer | None = None
        self._focused: Call | None = None
        self._watched: set[Call] = set()  # taken off hold by the split view
        self.containers: list[CallContainer] = []
        self.switcher = ActiveCallsSwitcher()
        self.switcher.switch_requested.connect(self.switch_to)
        self.switcher.split_view_toggled.connect(self.set_split_view)
        self.split_view = SplitView()
        self.split_view.focus_requested.connect(self.switch_to)
        self._pages = QStackedWidget()
        self._pages.addWidget(self.split_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.switcher)
        layout.addWidget(self._pages, 1)

    def set_client(self, client: VideoClient) -> None:
        self._client = client
        if self._active is not None:
            self._active.close()
            self._active.deleteLater()
        self._active = ActiveCallsBridge(client, self)
        self._active.active_calls_changed.connect(self._on_active_calls)
        self._on_active_calls(client.active_calls, client.focused_call)

    # --- queries ------------------------------------------------------------------------

    @property
    def container(self) -> CallContainer | None:
        """The container on screen (the focused call's while the user is in a call)."""
        return self._shown

    def container_for(self, call: Call) -> CallContainer | None:
        return next((c for c in self.containers if c.call is call), None)

    @property
    def split_view_shown(self) -> bool:
        return self._pages.currentWidget() is self.split_view

    # --- opening and closing ------------------------------------------------------------

    def open(
        self,
        call: Call,
        local_media: LocalMedia,
        user_name: str,
        *,
        ringing_out: bool = False,
        join_devices_off: tuple[bool, bool] = (False, False),
    ) -> CallContainer:
        """Show ``call``'s container, made now unless the call already has one."""
        existing = self.container_for(call)
        if existing is not None:
            self.show_container(existing)
            return existing
        if self._client is not None and not self._client.allow_multiple_active_calls:
            self.close_all()
        container = CallContainer(
            call,
            local_media,
            user_name,
            ringing_out=ringing_out,
            join_devices_off=join_devices_off,
        )
        container.home_requested.connect(lambda: self.close_call(container))
        container.pip_requested.connect(self.pip_requested)
        container.bridge.state_changed.connect(
            lambda state: self.call_state_changed.emit(state) if container is self._shown else None
        )
        container.bridge.status_changed.connect(lambda status: self._on_status(container, status))
        self.containers.append(container)
        self._pages.addWidget(container)
        self.show_container(container)
        return container

    def show_container(self, container: CallContainer) -> None:
        """Put ``container`` on screen (leaving the split view)."""
        if self.switcher.split_view:
            self.switcher.set_split_view(False)  # → set_split_view(False)
        self._pages.setCurrentWidget(container)
        self._set_shown(container)

    def _set_shown(self, container: CallContainer) -> None:
        """``container``'s call is the one controls, PiP and tray follow (in the split
        view too, where its pane is the focused one)."""
        if container is not self._shown:
            self._shown = container
            self.shown_changed.emit(container)
            self.call_state_changed.emit(container.call.state)

    def close_call(self, container: CallContainer) -> None:
        """Close ``container`` (leaving its call when active) and show the next one: the
        focused call's, else the one opened last; ``home_requested`` when none is left."""
        if container not in self.containers:
            return
        self.containers.remove(container)
        call = container.call
        if call.state.status.is_active:
            self._commands.run(call.leave(), action=self.tr("Leaving the call"))
        self._pages.removeWidget(container)
        container.deleteLater()
        if container is not self._shown:
            return
        self._shown = None
        focused = self.container_for(self._focused) if self._focused is not None else None
        following = focused or (self.containers[-1] if self.containers else None)
        if following is not None:
            self.show_container(following)
            return
        self.shown_changed.emit(None)
        self.call_state_changed.emit(None)
        self.home_requested.emit()

    def close_all(self) -> None:
        for container in list(self.containers):
            self.close_call(container)

    # --- focus --------------------------------------------------------------------------

    def switch_to(self, call: Call) -> None:
        """The user chose ``call`` (switcher, split view): focus it and take it off hold."""
        client = self._client
        if client is None:
            return
        self._commands.run(self._switch(client, call), action=self.tr("Switching calls"))

    async def _switch(self, client: VideoClient, call: Call) -> None:
        from_call = client.focused_call
        await client.switch_focus(from_call if from_call is not call else None, call)
        if call.state.is_on_hold:  # held by hand, or a client that does not hold
            await call.set_on_hold(False)

    def _on_active_calls(self, calls: tuple[Call, ...], focused: Call | None) -> None:
        self.switcher.set_calls(calls, focused)
        self._watched &= set(calls)
        refocused = focused is not self._focused
        self._focused = focused
        splitting = self.switcher.split_view
        if splitting and len(calls) < 2:
            self.switcher.set_split_view(False)
            splitting = False
        elif splitting:
            self._show_split(calls, focused)
        container = self.container_for(focused) if refocused and focused is not None else None
        if container is None:
            return
        if splitting:
            self._set_shown(container)  # the split view stays; its focused pane moved
        else:
            self.show_container(container)

    def _on_status(self, container: CallContainer, status: CallStatus) -> None:
        others_active = any(
            c is not container and c.call.state.status.is_active for c in self.containers
        )
        was_in_call = container.content is not None
        if status.kind is CallStatusKind.DISCONNECTED and was_in_call and others_active:
            headline, _ = disconnect_reason_text(status)
            self.close_call(container)
            self.call_ended.emit(headline)

    # --- split view ---------------------------------------------------------------------

    def set_split_view(self, on: bool) -> None:
        """Show the focused call and the call joined before or after it side by side
        (``on``), or the focused call's container alone."""
        calls = self._client.active_calls if self._client is not None else ()
        if on and len(calls) >= 2:
            self._show_split(calls, self._focused)
            self._pages.setCurrentWidget(self.split_view)
            return
        if on:  # nothing to split: the button goes back off
            self.switcher.set_split_view(False)
            return
        self._stop_watching()
        if self._shown is not None:
            self._pages.setCurrentWidget(self._shown)

    def _show_split(self, calls: tuple[Call, ...], focused: Call | None) -> None:
        shown = tuple(pane.call for pane in self.split_view.panes)
        if len(shown) == 2 and focused in shown and all(call in calls for call in shown):
            pair = shown  # the focus moved between the two sides: they stay where they are
        else:
            first = focused if focused is not None else calls[-1]
            pair = (first, next(call for call in reversed(calls) if call is not first))
        self.split_view.set_calls(pair, focused)
        for call in pair:  # again after each switch: switch_focus holds the call it leaves
            if call.state.is_on_hold:
                self._watched.add(call)
                self._commands.run(call.set_on_hold(False), action=self.tr("Watching the call"))

    def _stop_watching(self) -> None:
        watched, self._watched = self._watched, set()
        for call in watched:  # each was on hold when the split view took it off
            if call is not self._focused and call.state.status.is_active:
                self._commands.run(call.set_on_hold(True), action=self.tr("Holding the call"))
