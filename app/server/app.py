"""The coordinator's ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.protocol import API_PREFIX, WS_PATH
from app.server.calls_service import CallsService
from app.server.coordinator import Coordinator
from app.server.errors import install_error_handlers
from app.server.participation import ParticipationService
from app.server.reactions import ReactionsService
from app.server.ringing import RingingService
from app.server.routes import auth_router, calls_router, reactions_router, ringing_router
from app.server.settings import ServerSettings
from app.server.version import SERVER_VERSION
from app.server.ws import websocket_endpoint


def create_app(settings: ServerSettings) -> FastAPI:
    """A FastAPI app serving the coordinator's REST API and WebSocket.

    Its tables are created at start-up (lifespan) and its engine disposed at shutdown; the
    ``Coordinator`` lives at ``app.state.coordinator`` (``run_server`` reads how many
    connections and sessions it has to decide when it is idle).
    """
    coordinator = Coordinator(settings)
    ringing = RingingService(coordinator)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await coordinator.store.create_tables()
        try:
            yield
        finally:
            ringing.close()
            await coordinator.store.close()

    app = FastAPI(
        title="Parley coordinator",
        version=SERVER_VERSION,
        description="Users, calls, members, capabilities, events and P2P signalling.",
        lifespan=lifespan,
    )
    calls = CallsService(coordinator, ringing)
    app.state.coordinator = coordinator
    app.state.calls = calls
    app.state.ringing = ringing
    app.state.participation = ParticipationService(coordinator, calls, ringing)
    app.state.reactions = ReactionsService(coordinator)
    install_error_handlers(app)
    app.include_router(auth_router, prefix=API_PREFIX)
    app.include_router(calls_router, prefix=API_PREFIX)
    app.include_router(ringing_router, prefix=API_PREFIX)
    app.include_router(reactions_router, prefix=API_PREFIX)
    app.add_api_websocket_route(WS_PATH, websocket_endpoint)
    return app
