"""Coordinator settings and the per-user data folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from app.protocol import ICEServer

APP_NAME = "Parley"
# The embedded coordinator's port and files in its data folder (``parley server --local``
# and ``ensure_local_coordinator`` must agree on them).
DEFAULT_PORT = 47800
DATABASE_FILE = "coordinator.db"
SECRET_FILE = "coordinator.secret"


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


def default_data_dir() -> Path:
    """The per-user folder of Parley's data (``platformdirs.user_data_dir("Parley")``):
    the embedded coordinator's database, secret, state file and log live here."""
    return Path(user_data_dir(APP_NAME, appauthor=False))
