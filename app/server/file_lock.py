"""An exclusive lock on a file, shared by processes of this machine (``flock`` on POSIX,
``msvcrt.locking`` on Windows). Locks are per open file, so two holders in one process
exclude each other too. The OS drops the lock when its holder dies: no stale locks."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

POLL_S = 0.05


def try_lock(fd: int) -> bool:
    """Take the lock of the open file ``fd`` if free; False when someone holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def release_lock(fd: int) -> None:
    """Give back the lock :func:`try_lock` took on ``fd`` (the file stays open)."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


@asynccontextmanager
async def file_lock(path: Path, *, timeout_s: float) -> AsyncIterator[None]:
    """Hold the lock on ``path`` (created if missing) for the ``async with`` body.

    Polls without blocking the event loop; raises ``TimeoutError`` after ``timeout_s``.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout_s
        while not try_lock(fd):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{path} stayed locked for {timeout_s} s")
            await asyncio.sleep(POLL_S)
        try:
            yield
        finally:
            release_lock(fd)
    finally:
        os.close(fd)
