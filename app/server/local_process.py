"""Starting the embedded coordinator's process, and starting it early.

The part of :mod:`app.server.local` that needs only the standard library: the data
folder's state file, the server's command line, the detached spawn. The desktop app calls
:func:`spawn_early` before its own imports, so the coordinator (about a second of imports
of its own) starts at the same time as the app instead of after it; the app's
``ensure_local_coordinator`` then takes the spawn over (:func:`take_early_spawn`) and
waits for it to answer.

The early spawn holds the data folder's start lock (``coordinator.lock``) from the spawn
until ``ensure_local_coordinator`` has seen the server up, as a spawn inside
``ensure_local_coordinator`` does: another Parley starting meanwhile waits for it rather
than spawning a second server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import app as app_package
from app.server.data_dir import DATABASE_FILE, DEFAULT_PORT, SECRET_FILE, default_data_dir
from app.server.file_lock import release_lock, try_lock

STATE_FILE = "coordinator.json"
LOCK_FILE = "coordinator.lock"
LOG_FILE = "coordinator.log"
LOG_ROTATE_BYTES = 1024 * 1024
IDLE_EXIT_S = 60
CONNECT_PROBE_TIMEOUT_S = 0.2
# Handles of servers this process spawned: they are never waited for (they outlive us),
# but holding them lets ``poll`` reap the ones that exited.
spawned: list[subprocess.Popen[bytes]] = []


@dataclass
class EarlySpawn:
    """A coordinator process :func:`spawn_early` started and nobody has waited for yet:
    its log offset, and the start lock's file descriptor, held until :meth:`release`."""

    process: subprocess.Popen[bytes]
    log_offset: int
    lock_fd: int

    def release(self) -> None:
        """Give the start lock back (once)."""
        if self.lock_fd >= 0:
            release_lock(self.lock_fd)
            os.close(self.lock_fd)
            self.lock_fd = -1


_early: dict[Path, EarlySpawn] = {}


def spawn_early(data_dir: Path | str | None = None) -> bool:
    """Start the coordinator of ``data_dir`` (``default_data_dir()`` when None) on
    :data:`DEFAULT_PORT` without waiting for it, when nothing seems to run: no other
    starter holds the lock, the state file's server does not accept connections and the
    port is free. True when a process was started. Never raises: whatever goes wrong here,
    ``ensure_local_coordinator`` finds and reports."""
    try:
        folder = Path(data_dir) if data_dir is not None else default_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return False
    try:
        if not try_lock(fd):
            os.close(fd)  # another starter is at it: ensure_local_coordinator waits for it
            return False
        known = read_state(folder).get("url")
        if (isinstance(known, str) and _accepts_connections(known)) or not port_is_free(
            DEFAULT_PORT
        ):
            release_lock(fd)
            os.close(fd)  # up, or something else listens: ensure_local_coordinator decides
            return False
        process, offset = start_process(folder, DEFAULT_PORT, folder / LOG_FILE)
    except OSError:
        release_lock(fd)
        os.close(fd)
        return False
    spawned.append(process)
    _early[folder.resolve()] = EarlySpawn(process, offset, fd)
    return True


def take_early_spawn(folder: Path) -> EarlySpawn | None:
    """The :func:`spawn_early` process of ``folder`` not yet taken, now the caller's (who
    must :meth:`EarlySpawn.release` it); None when there is none."""
    return _early.pop(folder.resolve(), None)


def _accepts_connections(url: str) -> bool:
    parts = urlsplit(url)
    if parts.hostname is None or parts.port is None:
        return False
    try:
        with socket.create_connection((parts.hostname, parts.port), CONNECT_PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def read_state(folder: Path) -> dict[str, Any]:
    """``coordinator.json`` of ``folder`` (``{"url", "pid"}``), ``{}`` when missing or bad."""
    try:
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def write_state(folder: Path, url: str, pid: int | None) -> None:
    """Replace ``coordinator.json`` atomically (``pid`` None: a server we did not start)."""
    temporary = folder / (STATE_FILE + ".tmp")
    temporary.write_text(json.dumps({"url": url, "pid": pid}), encoding="utf-8")
    os.replace(temporary, folder / STATE_FILE)


def port_is_free(port: int) -> bool:
    """True when nothing listens on loopback ``port`` (0: any port, always free)."""
    if port == 0:
        return True
    try:
        with socket.create_server(("127.0.0.1", port)):
            return True
    except OSError:
        return False


def _server_command(folder: Path, port: int) -> list[str]:
    # A frozen (PyInstaller) app has no ``-m``: its executable dispatches ``parley server``.
    entry = (
        [sys.executable, "server"]
        if getattr(sys, "frozen", False)
        else [sys.executable, "-m", "app.server"]
    )
    return [
        *entry,
        "--local",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--exit-when-idle",
        str(IDLE_EXIT_S),
        "--database-url",
        f"sqlite+aiosqlite:///{(folder / DATABASE_FILE).as_posix()}",
        "--secret-file",
        str(folder / SECRET_FILE),
    ]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):
        # Import this very copy of Parley in the child (source checkouts, tests).
        source_root = str(Path(app_package.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH")) if p)
    return env


def _detach_options() -> dict[str, Any]:
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.DETACHED_PROCESS}
    return {"start_new_session": True}


def started_url(log_path: Path, offset: int) -> str | None:
    """The URL of the ``server.started`` line written to the log after ``offset``."""
    with open(log_path, "rb") as log:
        log.seek(offset)
        for line in log.read().splitlines():
            if not line.startswith(b"{"):
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("event") == "server.started":
                url = event.get("url")
                return url if isinstance(url, str) else None
    return None


def log_tail(log_path: Path, offset: int, limit: int = 2000) -> str:
    with open(log_path, "rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", "replace")[-limit:]


def start_process(folder: Path, port: int, log_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Spawn the detached server writing to ``log_path``; the process and the log offset
    its output starts at."""
    if log_path.exists() and log_path.stat().st_size > LOG_ROTATE_BYTES:
        os.replace(log_path, log_path.with_suffix(".log.1"))
    with open(log_path, "ab") as log:
        offset = log.tell()
        process = subprocess.Popen(
            _server_command(folder, port),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=_child_env(),
            close_fds=True,
            **_detach_options(),
        )
    return process, offset
