"""The per-user data folder and the embedded coordinator's files and port in it.

Standard library and platformdirs only: the desktop app reads these before its own
imports, to start the coordinator early (``app.server.local_process``).
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "Parley"
# The embedded coordinator's port and files in its data folder (``parley server --local``
# and ``ensure_local_coordinator`` must agree on them). The port lies below Linux's
# ephemeral range (32768-60999) and Windows' and macOS's (49152-65535): a port in it (it
# was 47800) is now and then some outgoing connection's local port, and the coordinator
# then had to move to a random one.
DEFAULT_PORT = 28780
DATABASE_FILE = "coordinator.db"
SECRET_FILE = "coordinator.secret"


def default_data_dir() -> Path:
    """The per-user folder of Parley's data (``platformdirs.user_data_dir("Parley")``):
    the embedded coordinator's database, secret, state file and log live here."""
    return Path(user_data_dir(APP_NAME, appauthor=False))
