"""The client's one WebSocket to the coordinator: events in, signalling out, reconnects.

Runs on the event loop. Listeners are called on the loop thread, in arrival order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum

import websockets
from pydantic import BaseModel, ValidationError
from websockets.asyncio.client import ClientConnection, connect

from app.client.errors import ClientError
from app.protocol import (
    SERVER_EVENT_ADAPTER,
    WS_PATH,
    AuthMessage,
    ConnectionOkEvent,
    ErrorCode,
    ErrorEvent,
    ServerEvent,
)

log = logging.getLogger(__name__)

RECONNECT_DELAYS_S = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
CONNECT_TIMEOUT_S = 10.0

EventListener = Callable[[ServerEvent], None]


class ConnectionState(StrEnum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"


class EventStream:
    """One authenticated WebSocket: ``connect()`` waits for ``connection.ok``.

    After a drop it reconnects with backoff (``RECONNECT_DELAYS_S``) and tells
    ``on_reconnected(new_connection_id)`` so calls can re-join; the coordinator gives every
    connection a new ``connection_id``.
    """

    def __init__(self, http_base_url: str, token: Callable[[], Awaitable[str]]) -> None:
        self._ws_url = http_base_url.rstrip("/").replace("http", "ws", 1) + WS_PATH
        self._token = token
        self._listeners: list[EventListener] = []
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._closing = False
        self.connection_id: str | None = None
        self.state = ConnectionState.DISCONNECTED
        self.on_state_changed: Callable[[ConnectionState], None] | None = None
        self.on_reconnected: Callable[[str], None] | None = None

    def add_listener(self, listener: EventListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def connect(self) -> ConnectionOkEvent:
        """Open and authenticate; raises ``ClientError`` when refused or unreachable."""
        self._closing = False
        self._set_state(ConnectionState.CONNECTING)
        ok = await self._open()
        self._set_state(ConnectionState.CONNECTED)
        self._reader = asyncio.create_task(self._read_forever(), name="parley-event-stream")
        return ok

    async def close(self) -> None:
        self._closing = True
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        self._set_state(ConnectionState.DISCONNECTED)

    async def send(self, message: BaseModel) -> None:
        """Send a client message; raises ``ClientError`` when not connected."""
        if self._ws is None or self.state is not ConnectionState.CONNECTED:
            raise ClientError("not connected to the coordinator")
        try:
            await self._ws.send(message.model_dump_json())
        except websockets.ConnectionClosed as exc:
            raise ClientError("the connection to the coordinator closed") from exc

    async def _open(self) -> ConnectionOkEvent:
        try:
            ws = await asyncio.wait_for(
                connect(self._ws_url, max_size=2**22, ping_interval=20),
                CONNECT_TIMEOUT_S,
            )
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            raise ClientError(f"cannot open the event stream at {self._ws_url}: {exc}") from exc
        try:
            await ws.send(AuthMessage(token=await self._token()).model_dump_json())
            raw = await asyncio.wait_for(ws.recv(), CONNECT_TIMEOUT_S)
            event = SERVER_EVENT_ADAPTER.validate_json(raw)
        except (TimeoutError, websockets.WebSocketException, ValidationError) as exc:
            await ws.close()
            raise ClientError(f"the coordinator did not accept the event stream: {exc}") from exc
        if isinstance(event, ErrorEvent):
            await ws.close()
            raise ClientError(event.message, status=401, code=event.code)
        if not isinstance(event, ConnectionOkEvent):
            await ws.close()
            raise ClientError(f"expected connection.ok, got {event.type}")
        self._ws = ws
        self.connection_id = event.connection_id
        return event

    async def _read_forever(self) -> None:
        while not self._closing:
            ws = self._ws
            assert ws is not None
            try:
                async for raw in ws:
                    self._dispatch(raw)
            except websockets.ConnectionClosed:
                pass
            if self._closing:
                return
            log.warning("event stream dropped; reconnecting")
            if not await self._reconnect():
                return

    async def _reconnect(self) -> bool:
        self._set_state(ConnectionState.RECONNECTING)
        attempt = 0
        while not self._closing:
            delay = RECONNECT_DELAYS_S[min(attempt, len(RECONNECT_DELAYS_S) - 1)]
            await asyncio.sleep(delay)
            attempt += 1
            try:
                ok = await self._open()
            except ClientError as exc:
                if exc.code in (ErrorCode.TOKEN_INVALID, ErrorCode.TOKEN_MISSING):
                    log.error("event stream refused for good: %s", exc.message)
                    self._set_state(ConnectionState.DISCONNECTED)
                    return False
                log.info("reconnect attempt %d failed: %s", attempt, exc.message)
                continue
            self._set_state(ConnectionState.CONNECTED)
            if self.on_reconnected is not None:
                self.on_reconnected(ok.connection_id)
            return True
        return False

    def _dispatch(self, raw: str | bytes) -> None:
        try:
            event = SERVER_EVENT_ADAPTER.validate_json(raw)
        except ValidationError as exc:
            log.warning("ignoring an event that does not parse: %s", exc.errors()[:1])
            return
        if isinstance(event, ErrorEvent):
            log.warning("coordinator refused %s: %s", event.request_type, event.message)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed on %s", event.type)

    def _set_state(self, state: ConnectionState) -> None:
        if state is self.state:
            return
        self.state = state
        if self.on_state_changed is not None:
            self.on_state_changed(state)
