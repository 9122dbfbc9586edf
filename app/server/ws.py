"""The coordinator's WebSocket (``/api/v1/ws``; protocol in ``app.protocol.events``).

1. The client's first message must be ``auth`` within ``AUTH_TIMEOUT_S``; the answer is
   ``connection.ok`` with a fresh ``connection_id``, or an ``error`` and close 4401 (bad or
   no token) / 4400 (not an ``auth`` message).
2. The server sends ``health.check`` every ``health_check_interval_s``; dead peers are also
   caught by uvicorn's WebSocket ping/pong.
3. Client messages ``signal`` and ``track.update`` act on this connection's own sessions
   (``app.server.participation``), ``hold.update`` too (``app.server.hold``); a refused,
   malformed or unknown message gets an ``error`` event and the connection stays open.
4. Right after ``connection.ok`` the connection gets ``call.ring`` for every ring that
   rings its user now (a device that connects mid-ring rings too).
5. On close, the connection's sessions leave their calls.

A reader task (this handler) and a writer task (draining the connection's outbox) run per
connection, so a slow send never stalls event delivery to others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from fastapi import WebSocket
from pydantic import ValidationError

from app.protocol import (
    CLIENT_MESSAGE_ADAPTER,
    AuthMessage,
    ConnectionOkEvent,
    ErrorCode,
    ErrorEvent,
    HealthCheckEvent,
    HealthCheckMessage,
    HoldUpdateMessage,
    SignalMessage,
    TrackUpdateMessage,
)
from app.protocol.events import WS_CLOSE_BAD_MESSAGE, WS_CLOSE_UNAUTHORIZED
from app.server.auth import verify_token
from app.server.coordinator import Coordinator, utc_now
from app.server.errors import ApiError, error_field
from app.server.events_hub import Connection
from app.server.hold import HoldService
from app.server.participation import ParticipationService
from app.server.ringing import RingingService
from app.server.storage import UserRecord
from app.server.views import user_response

AUTH_TIMEOUT_S = 5.0
WS_CLOSE_TOO_SLOW = 1013  # RFC 6455 "try again later": the client fell behind
_log = logging.getLogger(__name__)


async def _refuse(websocket: WebSocket, code: ErrorCode, message: str, close_code: int) -> None:
    with contextlib.suppress(Exception):  # the peer may be gone already
        await websocket.send_text(
            ErrorEvent(code=code, message=message, request_type="auth").model_dump_json()
        )
        await websocket.close(code=close_code)


async def _authenticate(websocket: WebSocket, coordinator: Coordinator) -> UserRecord | None:
    """The user of the first message's token, or None after refusing the connection."""
    try:
        message = await asyncio.wait_for(websocket.receive(), AUTH_TIMEOUT_S)
    except TimeoutError:
        await _refuse(
            websocket, ErrorCode.TOKEN_MISSING, "no auth message in time", WS_CLOSE_UNAUTHORIZED
        )
        return None
    if message["type"] == "websocket.disconnect":
        return None
    try:
        auth = AuthMessage.model_validate_json(message.get("text") or "")
    except ValidationError:
        await _refuse(
            websocket,
            ErrorCode.INVALID_REQUEST,
            'the first message must be {"type": "auth", "token": ...}',
            WS_CLOSE_BAD_MESSAGE,
        )
        return None
    try:
        user_id = verify_token(coordinator.settings.secret, auth.token)
    except ApiError as exc:
        await _refuse(websocket, exc.code, exc.message, WS_CLOSE_UNAUTHORIZED)
        return None
    return await coordinator.store.ensure_user(user_id, origin="token", now=utc_now())


async def _write(websocket: WebSocket, connection: Connection) -> None:
    while True:
        text = await connection.outbox.get()
        if text is None:
            await websocket.close(code=WS_CLOSE_TOO_SLOW)
            return
        await websocket.send_text(text)


async def _send_health_checks(connection: Connection, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        connection.send(HealthCheckEvent(connection_id=connection.connection_id).model_dump_json())


def _request_type(text: str) -> str | None:
    """The ``type`` of a message that failed validation, for the error event."""
    with contextlib.suppress(ValueError):
        value = json.loads(text)
        if isinstance(value, dict) and isinstance(value.get("type"), str):
            return value["type"][:64]
    return None


async def _handle(
    text: str, connection: Connection, participation: ParticipationService, hold: HoldService
) -> None:
    try:
        message = CLIENT_MESSAGE_ADAPTER.validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = error_field(first["loc"])
        detail = f"{field}: {first['msg']}" if field else first["msg"]
        connection.send(
            ErrorEvent(
                code=ErrorCode.INVALID_REQUEST, message=detail, request_type=_request_type(text)
            ).model_dump_json()
        )
        return
    try:
        if isinstance(message, SignalMessage):
            participation.relay_signal(connection, message)
        elif isinstance(message, TrackUpdateMessage):
            await participation.update_tracks(connection, message)
        elif isinstance(message, HoldUpdateMessage):
            await hold.update(connection, message)
        elif isinstance(message, HealthCheckMessage):
            pass  # the client's keep-alive: receiving it is all it is for
        elif isinstance(message, AuthMessage):
            raise ApiError(
                400, ErrorCode.INVALID_REQUEST, "this connection is already authenticated"
            )
    except ApiError as exc:
        connection.send(
            ErrorEvent(
                code=exc.code, message=exc.message, request_type=message.type
            ).model_dump_json()
        )


async def websocket_endpoint(websocket: WebSocket) -> None:
    """Serve one client connection (module docstring)."""
    coordinator: Coordinator = websocket.app.state.coordinator
    participation: ParticipationService = websocket.app.state.participation
    ringing: RingingService = websocket.app.state.ringing
    hold = HoldService(coordinator)
    await websocket.accept()
    user = await _authenticate(websocket, coordinator)
    if user is None:
        return
    connection = coordinator.hub.register(user_response(user))
    connection.send(
        ConnectionOkEvent(
            connection_id=connection.connection_id, user=connection.user
        ).model_dump_json()
    )
    writer = asyncio.create_task(_write(websocket, connection))
    health = asyncio.create_task(
        _send_health_checks(connection, coordinator.settings.health_check_interval_s)
    )
    try:
        await ringing.replay(connection)
        while not writer.done():
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                connection.send(
                    ErrorEvent(
                        code=ErrorCode.INVALID_REQUEST, message="binary messages are not supported"
                    ).model_dump_json()
                )
                continue
            await _handle(text, connection, participation, hold)
    finally:
        health.cancel()
        writer.cancel()
        await asyncio.gather(health, writer, return_exceptions=True)
        await participation.drop_connection(connection.connection_id)
        _log.debug("connection %s of %s closed", connection.connection_id, user.id)
