"""The per-user data folder and the embedded coordinator's files and port in it.

Standard library and platformdirs only: the desktop app reads these before its own
imports, to start the coordinator early (``app.server.local_process``).
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "Parley"
# The embedded coordinator's port and files in its data folder (``parley server --local``
# and ``ensure_local_coordinator`` must agree on them).
DEFAULT_PORT = 47800
DATABASE_FILE = "coordinator.db"
SECRET_FILE = "coordinator.secret"


def default_data_dir() -> Path:
    """The per-user folder of Parley's data (``platformdirs.user_data_dir("Parley")``):
    the embedded coordinator's database, secret, state file and log live here."""
    return Path(user_data_dir(APP_NAME, appauthor=False))
