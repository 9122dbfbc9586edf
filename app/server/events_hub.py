"""Delivery of events to WebSocket connections.

A call's event goes to every connection that (a) belongs to a user in the event's
audience (the call's creator and members, named by the publisher), (b) has a session
joined to the call, or (c) watches the call (``?connection_id=`` on get / get-or-create,
Stream's ``watch``). Each event is serialised once and queued per connection; a connection
that falls ``QUEUE_LIMIT`` events behind is closed instead of growing the server's memory.

One process delivers only to its own connections; replicas would share events through a
broker behind this same ``publish`` (see ARCHITECTURE.md, "Scale-out").
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel

from app.protocol import UserResponse
from app.server.sessions import CallSessions

QUEUE_LIMIT = 1024
_log = logging.getLogger(__name__)


@dataclass(eq=False)
class Connection:
    """One authenticated WebSocket. ``outbox`` holds serialised events; ``None`` in it
    tells the writer to close the socket (the client fell too far behind)."""

    connection_id: str
    user: UserResponse
    outbox: asyncio.Queue[str | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_LIMIT + 1)
    )
    overflowed: bool = False

    def send(self, text: str) -> None:
        if self.overflowed:
            return
        if self.outbox.qsize() >= QUEUE_LIMIT:
            self.overflowed = True
            _log.warning(
                "connection %s is %d events behind; closing it", self.connection_id, QUEUE_LIMIT
            )
            self.outbox.put_nowait(None)
            return
        self.outbox.put_nowait(text)


class EventsHub:
    """Registry of this process's connections and the calls they watch."""

    def __init__(self, sessions: CallSessions) -> None:
        self._sessions = sessions
        self._connections: dict[str, Connection] = {}
        self._watchers: dict[str, set[str]] = {}

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    def register(self, user: UserResponse) -> Connection:
        connection = Connection(connection_id=uuid.uuid4().hex, user=user)
        self._connections[connection.connection_id] = connection
        return connection

    def unregister(self, connection_id: str) -> None:
        self._connections.pop(connection_id, None)
        for call_cid in [cid for cid, ids in self._watchers.items() if connection_id in ids]:
            watchers = self._watchers[call_cid]
            watchers.discard(connection_id)
            if not watchers:
                del self._watchers[call_cid]

    def get(self, connection_id: str) -> Connection | None:
        return self._connections.get(connection_id)

    def watch(self, connection_id: str, call_cid: str) -> None:
        if connection_id in self._connections:
            self._watchers.setdefault(call_cid, set()).add(connection_id)

    def send_to(self, connection_id: str, event: BaseModel) -> bool:
        """Queue ``event`` for one connection; False when it is gone."""
        connection = self._connections.get(connection_id)
        if connection is None:
            return False
        connection.send(event.model_dump_json())
        return True

    def send_to_user(self, user_id: str, event: BaseModel) -> int:
        """Queue ``event`` for every connection of ``user_id`` (all their devices);
        returns how many."""
        recipients = [c for c in self._connections.values() if c.user.id == user_id]
        if recipients:
            text = event.model_dump_json()
            for connection in recipients:
                connection.send(text)
        return len(recipients)

    def publish(self, call_cid: str, event: BaseModel, audience: Iterable[str]) -> int:
        """Queue a call event for its recipients (module docstring); ``audience`` holds
        user ids. Returns how many connections it was queued for."""
        user_ids = set(audience)
        connection_ids = self._sessions.connection_ids(call_cid) | self._watchers.get(
            call_cid, set()
        )
        recipients = [
            connection
            for connection in self._connections.values()
            if connection.user.id in user_ids or connection.connection_id in connection_ids
        ]
        if recipients:
            text = event.model_dump_json()
            for connection in recipients:
                connection.send(text)
        return len(recipients)
