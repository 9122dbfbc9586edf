"""The coordinator's REST routers (mounted under ``/api/v1``)."""

from app.server.routes.auth import router as auth_router
from app.server.routes.calls import router as calls_router
from app.server.routes.reactions import router as reactions_router
from app.server.routes.ringing import router as ringing_router

__all__ = ["auth_router", "calls_router", "reactions_router", "ringing_router"]
