"""Starts the embedded coordinator while the desktop app is still importing.

The first Parley on a machine spawns the coordinator (``ensure_local_coordinator``), a
process that needs about a second to import its web stack; the app itself needs about as
long to import Qt and its widgets. Done one after the other, launch → Lobby took 2.4–2.9 s
here against the 2 s goal of the media-performance issue. :func:`prestart` runs the same
``ensure_local_coordinator`` on a thread *before* the app's imports, so both happen at
once; the app's own call later finds the coordinator up (or waits on the same file lock
for the spawn in progress), and reports any failure itself. Nothing is started when a
server URL is configured.

The thread must not import what the app's thread imports at the same time: two threads
importing one package (pydantic, through ``app.protocol``) can hand one of them a
partially initialised module, and the app then died at start with "cannot import name
'import_string' from partially initialized module 'pydantic._internal._validators'" (once
in about twenty cold starts here). So :func:`prestart` imports the coordinator starter in
the caller's thread first; the app needs those modules anyway, and what overlaps is the
coordinator process's own start-up, which is the slow part.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

from ui.settings import APPLICATION_NAME, ORGANIZATION_NAME, Settings

log = logging.getLogger(__name__)


def prestart(
    data_dir: Path | None, server_url: str | None, settings: Settings | None = None
) -> threading.Thread | None:
    """Start ``ensure_local_coordinator(data_dir)`` on a daemon thread unless
    ``server_url`` (the command line's) or ``settings`` (default: the app's store) name a
    server; the thread, or None when nothing was started. Never raises: the app's own
    attempt reports errors."""
    if server_url:
        return None
    if settings is None:
        from PySide6.QtCore import QSettings  # QtCore only: cheap, and the store is known

        settings = Settings(QSettings(ORGANIZATION_NAME, APPLICATION_NAME))
    if settings.server_url:
        return None
    from app.server.local import ensure_local_coordinator  # here, not on the thread: above

    def start() -> None:
        try:
            asyncio.run(ensure_local_coordinator(data_dir))
        except Exception as exc:  # the app's own ensure_local_coordinator says it again
            log.info("early start of the local coordinator failed: %s", exc)

    thread = threading.Thread(target=start, name="coordinator-prestart", daemon=True)
    thread.start()
    return thread
