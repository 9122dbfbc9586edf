"""Starts the embedded coordinator's process before the desktop app imports anything heavy.

The first Parley on a machine spawns the coordinator, a process that needs about a second
to import its web stack; the app itself needs about as long to import Qt and its widgets.
Done one after the other, launch → Lobby took 2.4–2.9 s here against the 2 s goal of the
media-performance issue. :func:`prestart` spawns the process first thing
(``app.server.local_process.spawn_early``: standard library only, a few milliseconds), so
both import at once, in two processes; the app's own ``ensure_local_coordinator`` later
takes the spawn over and waits for it to answer, and reports any failure itself. Nothing
is started when a server URL is configured.

An earlier version ran ``ensure_local_coordinator`` on a thread here. That thread imported
pydantic (through ``app.protocol``) while the app's thread did too, and one of them could
get a partially initialised module: the app died at start with "cannot import name
'import_string' from partially initialized module 'pydantic._internal._validators'" about
once in twenty cold starts. No thread now, and no import of those packages before the
spawn.
"""

from __future__ import annotations

from pathlib import Path

from ui.settings import APPLICATION_NAME, ORGANIZATION_NAME, Settings


def prestart(
    data_dir: Path | None, server_url: str | None, settings: Settings | None = None
) -> bool:
    """Spawn the local coordinator of ``data_dir`` now, without waiting for it, unless
    ``server_url`` (the command line's) or ``settings`` (default: the app's store) name a
    server or one already runs. True when a process was started. Never raises: the app's
    own ``ensure_local_coordinator`` reports errors."""
    if server_url:
        return False
    if settings is None:
        from PySide6.QtCore import QSettings  # QtCore only: cheap, and the store is known

        settings = Settings(QSettings(ORGANIZATION_NAME, APPLICATION_NAME))
    if settings.server_url:
        return False
    from app.server.local_process import spawn_early

    return spawn_early(data_dir)
