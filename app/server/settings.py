"""Coordinator settings (the data folder and its files: ``app.server.data_dir``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.protocol import ICEServer
from app.server.data_dir import (  # re-exported: settings is where callers look
    APP_NAME,
    DATABASE_FILE,
    DEFAULT_PORT,
    SECRET_FILE,
    default_data_dir,
)

__all__ = [
    "APP_NAME",
    "DATABASE_FILE",
    "DEFAULT_PORT",
    "SECRET_FILE",
    "ServerSettings",
    "default_data_dir",
]


@dataclass
class ServerSettings:
    """How one coordinator process runs.

    - ``secret``: the HS256 key that signs and checks access tokens (never logged; kept
      out of ``repr``).
    - ``database_url``: SQLAlchemy async URL, e.g. ``"sqlite+aiosqlite:///path.db"`` or
      ``"postgresql+asyncpg://..."``; tables are created at start-up.
    - ``local_mode``: the embedded coordinator — guest sign-in is on and media credentials
      tell clients to gather loopback candidates only.
    - ``token_ttl_s``: lifetime of tokens minted by guest sign-in, in seconds.
    - ``ice_servers``: STUN/TURN servers handed to clients when they join a call.
    - ``health_check_interval_s``: period of the ``health.check`` event on each WebSocket.
    """

    secret: str = field(repr=False)
    database_url: str
    local_mode: bool = False
    token_ttl_s: int = 7 * 24 * 3600
    ice_servers: list[ICEServer] = field(default_factory=list)
    health_check_interval_s: float = 10.0
