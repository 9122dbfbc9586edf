"""The only Qt code that subscribes to the engine: snapshots in, Qt signals out.

``CallBridge`` turns a ``Call``'s stream of frozen ``CallState`` snapshots into signals
that fire only when their part of the state really changed (Stream's ``partialState`` +
``distinct``), so a tile does not repaint because someone else's audio level moved.
Commands from widgets go through :meth:`EngineBridge.run`: the coroutine runs as a task on
the qasync loop and any exception comes back as ``error_occurred(str)`` for a banner —
never as an exception escaping into Qt (ARCHITECTURE.md, "State flow" 4).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from app.call import CallState
from ui.subscription import Subscription, weak_method

if TYPE_CHECKING:
    from app.call import Call, LocalMedia
    from app.client import VideoClient

log = logging.getLogger(__name__)


def error_text(exc: BaseException) -> str:
    """A sentence for a person: ``CallError.message`` when there is one, else ``str(exc)``,
    else the exception's class name."""
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    return str(exc) or type(exc).__name__


class EngineBridge(QObject):
    """Runs engine commands for widgets and reports their failures as a signal."""

    error_occurred = Signal(str)  # a human-readable message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()  # asyncio keeps only weak references
        # A command started by a widget that is gone has no one to report to: cancel it.
        self.destroyed.connect(_canceller(self._tasks))

    def run(self, command: Coroutine[Any, Any, Any], *, action: str = "") -> asyncio.Task[Any]:
        """Schedule ``command`` on the running loop; a failure emits ``error_occurred`` with
        ``"{action}: {reason}"`` (or just the reason). Cancellation is not a failure.
        Must be called on the loop thread (the GUI thread under qasync)."""
        task = asyncio.get_running_loop().create_task(command)
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(done, action))
        return task

    @property
    def pending_commands(self) -> int:
        """Commands scheduled by :meth:`run` that have not finished."""
        return len(self._tasks)

    def _finished(self, task: asyncio.Task[Any], action: str) -> None:
        self._tasks.discard(task)
        if task.cancelled() or not shiboken6.isValid(self):
            return
        exc = task.exception()
        if exc is None:
            return
        log.warning("%s failed", action or "command", exc_info=exc)
        reason = error_text(exc)
        self.error_occurred.emit(f"{action}: {reason}" if action else reason)


def _canceller(tasks: set[asyncio.Task[Any]]) -> Callable[[], None]:
    def cancel_all() -> None:
        for task in list(tasks):
            task.cancel()

    return cancel_all


class CallBridge(EngineBridge):
    """Qt signals for one ``Call``.

    Signals (each emitted on the GUI thread, only when its part changed):
      - ``state_changed(CallState)``: any new snapshot that differs from the previous one
      - ``status_changed(CallStatus)``
      - ``participants_changed(tuple[CallParticipantState, ...])``
      - ``media_changed(tuple[bool, bool])``: the local (microphone_enabled, camera_enabled)
      - ``error_occurred(str)``: a command run through :meth:`run` failed
    """

    state_changed = Signal(object)
    status_changed = Signal(object)
    participants_changed = Signal(object)
    media_changed = Signal(object)

    def __init__(self, call: Call, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call = call
        self._state: CallState = call.state
        self._subscription = Subscription()
        self._subscription.set(call.subscribe(weak_method(self._on_state)))
        self.destroyed.connect(self._subscription.cancel)

    @property
    def call(self) -> Call:
        return self._call

    @property
    def state(self) -> CallState:
        """The newest snapshot this bridge has seen."""
        return self._state

    def close(self) -> None:
        """Stop listening to the call (the call itself keeps running)."""
        self._subscription.cancel()

    def _on_state(self, state: CallState) -> None:
        previous, self._state = self._state, state
        if state == previous:
            return
        if state.status != previous.status:
            self.status_changed.emit(state.status)
        if state.participants != previous.participants:
            self.participants_changed.emit(state.participants)
        media = (state.microphone_enabled, state.camera_enabled)
        if media != (previous.microphone_enabled, previous.camera_enabled):
            self.media_changed.emit(media)
        self.state_changed.emit(state)


class LocalMediaBridge(EngineBridge):
    """Qt signals for the user's devices (``LocalMedia``): ``changed()`` after the enabled
    flags or the selected devices change."""

    changed = Signal()

    def __init__(self, local_media: LocalMedia, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._local_media = local_media
        self._subscription = Subscription()
        self._subscription.set(local_media.subscribe(weak_method(self._on_changed)))
        self.destroyed.connect(self._subscription.cancel)

    def _on_changed(self) -> None:
        self.changed.emit()

    @property
    def local_media(self) -> LocalMedia:
        return self._local_media

    def close(self) -> None:
        self._subscription.cancel()


class ClientBridge(EngineBridge):
    """Qt signals for the signed-in ``VideoClient``'s rings.

    Signals: ``incoming_calls_changed(tuple[Call, ...])`` when the calls ringing this user
    change (``VideoClient.incoming_calls``); ``missed_call(CallMissedEvent)`` on each ring
    the user missed (the list of ``missed_calls()`` changed).
    """

    incoming_calls_changed = Signal(object)
    missed_call = Signal(object)

    def __init__(self, client: VideoClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._incoming = Subscription()
        self._missed = Subscription()
        self._incoming.set(client.subscribe_incoming_calls(weak_method(self._on_incoming)))
        self._missed.set(client.subscribe_missed_calls(weak_method(self._on_missed)))
        self.destroyed.connect(self._incoming.cancel)
        self.destroyed.connect(self._missed.cancel)

    @property
    def client(self) -> VideoClient:
        return self._client

    def close(self) -> None:
        self._incoming.cancel()
        self._missed.cancel()

    def _on_incoming(self, calls: tuple[Call, ...]) -> None:
        self.incoming_calls_changed.emit(calls)

    def _on_missed(self, event: object) -> None:
        self.missed_call.emit(event)


class ActiveCallsBridge(EngineBridge):
    """Qt signals for the signed-in ``VideoClient``'s joined calls (issue 4, multicall).

    Signal: ``active_calls_changed(tuple[Call, ...], Call | None)`` with the active calls
    in join order and the focused one (top of the engine's focus stack), whenever either
    changes (``VideoClient.subscribe_active_calls``: a join, a leave, ``switch_focus``).
    """

    active_calls_changed = Signal(object, object)

    def __init__(self, client: VideoClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._subscription = Subscription()
        self._subscription.set(client.subscribe_active_calls(weak_method(self._on_changed)))
        self.destroyed.connect(self._subscription.cancel)

    @property
    def client(self) -> VideoClient:
        return self._client

    @property
    def calls(self) -> tuple[Call, ...]:
        return self._client.active_calls

    @property
    def focused(self) -> Call | None:
        return self._client.focused_call

    def close(self) -> None:
        self._subscription.cancel()

    def _on_changed(self, calls: tuple[Call, ...]) -> None:
        self.active_calls_changed.emit(calls, self._client.focused_call)
