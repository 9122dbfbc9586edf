"""The coordinator: users and tokens, call types and capabilities, calls and members,
events and the peer-to-peer signalling relay (FastAPI + uvicorn, SQLAlchemy async).

Run it standalone (``parley server`` / ``python -m app.server``), embed it
(``run_server``), or let the desktop app share one per machine
(``ensure_local_coordinator``).
"""

from app.server.app import create_app
from app.server.auth import mint_token
from app.server.local import ensure_local_coordinator
from app.server.runner import run_server
from app.server.settings import ServerSettings, default_data_dir

__all__ = [
    "ServerSettings",
    "create_app",
    "default_data_dir",
    "ensure_local_coordinator",
    "mint_token",
    "run_server",
]
