"""A real WebSocket client of the coordinator for tests (``websockets`` library)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from app.protocol import SERVER_EVENT_ADAPTER, ConnectionOkEvent, ErrorEvent, ServerEvent

EVENT_TIMEOUT_S = 5.0
BARRIER_TYPE = "test.barrier"


class WsClient:
    """One authenticated connection; events are read in order."""

    def __init__(self, socket: ClientConnection, ok: ConnectionOkEvent) -> None:
        self.socket = socket
        self.connection_id = ok.connection_id
        self.user_id = ok.user.id

    @classmethod
    async def connect(cls, ws_url: str, token: str) -> WsClient:
        socket = await connect(ws_url, proxy=None)
        await socket.send(json.dumps({"type": "auth", "token": token}))
        first = await cls._read(socket)
        assert isinstance(first, ConnectionOkEvent), first
        return cls(socket, first)

    @staticmethod
    async def _read(socket: ClientConnection) -> ServerEvent:
        raw = await asyncio.wait_for(socket.recv(), EVENT_TIMEOUT_S)
        return SERVER_EVENT_ADAPTER.validate_json(raw)

    async def send(self, message: dict[str, Any] | str) -> None:
        await self.socket.send(message if isinstance(message, str) else json.dumps(message))

    async def next_event(self, event_type: str | None = None) -> ServerEvent:
        """The next event (of ``event_type``, skipping others and health checks)."""
        while True:
            event = await self._read(self.socket)
            if event.type == "health.check" and event_type != "health.check":
                continue
            if event_type is None or event.type == event_type:
                return event

    async def barrier(self) -> list[ServerEvent]:
        """Every event queued for this connection before now.

        Sends an unknown message type; the server answers it with an ``error`` after the
        events already queued for this connection, so whatever did not arrive before that
        answer was not delivered.
        """
        await self.send({"type": BARRIER_TYPE})
        received: list[ServerEvent] = []
        while True:
            event = await self._read(self.socket)
            if isinstance(event, ErrorEvent) and event.request_type == BARRIER_TYPE:
                return [e for e in received if e.type != "health.check"]
            received.append(event)

    async def close(self) -> None:
        await self.socket.close()
