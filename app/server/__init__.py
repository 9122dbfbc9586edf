"""The coordinator: users and tokens, call types and capabilities, calls and members,
events and the peer-to-peer signalling relay (FastAPI + uvicorn, SQLAlchemy async).

Run it standalone (``parley server`` / ``python -m app.server``), embed it
(``run_server``), or let the desktop app share one per machine
(``ensure_local_coordinator``).

The names below load on first use (PEP 562): the desktop app only needs
``ensure_local_coordinator``, which spawns the server as another process, and importing
FastAPI and SQLAlchemy for nothing cost it about 0.6 s of its cold start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.server.app import create_app
    from app.server.auth import mint_token
    from app.server.local import ensure_local_coordinator
    from app.server.runner import run_server
    from app.server.settings import ServerSettings, default_data_dir

_HOMES = {
    "ServerSettings": "app.server.settings",
    "create_app": "app.server.app",
    "default_data_dir": "app.server.settings",
    "ensure_local_coordinator": "app.server.local",
    "mint_token": "app.server.auth",
    "run_server": "app.server.runner",
}

__all__ = [
    "ServerSettings",
    "create_app",
    "default_data_dir",
    "ensure_local_coordinator",
    "mint_token",
    "run_server",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
