"""Running the coordinator under uvicorn from Python (``run_server``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable

import uvicorn

from app.server.app import create_app
from app.server.coordinator import Coordinator
from app.server.settings import ServerSettings

WS_MAX_MESSAGE_BYTES = 1024 * 1024  # an SDP is at most 200 kB (SignalPayload)
GRACEFUL_SHUTDOWN_S = 5.0
_log = logging.getLogger(__name__)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port).

    Raises ``OSError`` when the address is taken — uvicorn would ``sys.exit`` instead.

    The socket is made with ``IPPROTO_TCP`` spelled out, not ``socket.create_server``'s
    protocol 0: asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only on sockets whose
    ``proto`` says TCP, and accepted sockets inherit the listener's. With Nagle on, every
    answer after the first on a keep-alive connection waited for the client's delayed ACK
    (uvicorn writes the head and the body separately): 44 ms per REST call instead of
    0.3 ms, and the same on WebSocket events sent back to back.
    """
    family, _, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )[0]
    sock = socket.socket(family, socket.SOCK_STREAM, proto)
    try:
        if os.name == "posix":  # as create_server: rebind while old connections linger
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address[:2])
        sock.listen()
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


def _is_idle(server: uvicorn.Server, coordinator: Coordinator) -> bool:
    # An open HTTP connection counts: the app authenticates over REST and then opens its
    # WebSocket, and the server must not stop between the two.
    return (
        not server.server_state.connections
        and coordinator.hub.connection_count == 0
        and coordinator.sessions.active_sessions == 0
    )


async def _exit_when_idle(server: uvicorn.Server, coordinator: Coordinator, idle_s: float) -> None:
    """Stop ``server`` once it has had no open connection (HTTP or WebSocket) and no
    session for ``idle_s``."""
    check_every_s = min(1.0, idle_s / 4)
    idle_since = time.monotonic()
    while not server.should_exit:
        await asyncio.sleep(check_every_s)
        if not _is_idle(server, coordinator):
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= idle_s:
            _log.info("idle for %.0f s: stopping", idle_s)
            server.should_exit = True


async def run_server(
    settings: ServerSettings,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    exit_when_idle_s: float | None = None,
    on_started: Callable[[int], None] | None = None,
) -> None:
    """Serve the coordinator on ``host:port`` until stopped.

    ``on_started(bound_port)`` runs once it accepts connections (``port=0`` picks a free
    port). With ``exit_when_idle_s`` the server stops itself after that many seconds with
    no open HTTP or WebSocket connection and no joined session — the embedded coordinator
    outlives the app that started it until the calls it serves end. Cancelling this coroutine shuts
    the server down gracefully (open WebSockets are closed with 1012) before it re-raises.
    Raises ``OSError`` when the address cannot be bound.
    """
    app = create_app(settings)
    coordinator: Coordinator = app.state.coordinator
    # Open the database here so a bad URL or folder raises to the caller; uvicorn would
    # sys.exit() from its lifespan start-up instead.
    await coordinator.store.create_tables()
    sock = bind_socket(host, port)
    bound_port: int = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_config=None,  # the embedding program owns logging configuration
        ws_max_size=WS_MAX_MESSAGE_BYTES,
        timeout_graceful_shutdown=int(GRACEFUL_SHUTDOWN_S),
        lifespan="on",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    watchers: list[asyncio.Task[None]] = []
    try:
        while not server.started:
            if serving.done():
                break
            await asyncio.sleep(0.01)
        if serving.done():
            serving.result()  # re-raise a start-up failure
            raise RuntimeError("the coordinator stopped while starting")
        if exit_when_idle_s is not None:
            watchers.append(
                asyncio.create_task(_exit_when_idle(server, coordinator, exit_when_idle_s))
            )
        if on_started is not None:
            on_started(bound_port)
        await asyncio.shield(serving)
    except asyncio.CancelledError:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await serving
        raise
    finally:
        for watcher in watchers:
            watcher.cancel()
        sock.close()
