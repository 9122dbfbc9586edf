"""``parley server`` / ``python -m app.server``: run the coordinator standalone.

Prints one JSON line ``{"event": "server.started", "url": ..., "pid": ...}`` on stdout once
it listens (``ensure_local_coordinator`` reads it); logs go to stderr. Exit status: 0 after
a normal stop, 1 when the address cannot be bound, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import os
import secrets
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from app.server.runner import run_server
from app.server.settings import (
    DATABASE_FILE,
    DEFAULT_PORT,
    SECRET_FILE,
    ServerSettings,
    default_data_dir,
)

_log = logging.getLogger("app.server")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_or_create_secret(path: Path) -> str:
    """The token-signing secret stored at ``path``, created (256 random bits, mode 0600)
    when the file does not exist. Raises ``OSError``/``ValueError`` for an unreadable or
    empty file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            _log.warning("%s is readable by other users; it should be mode 0600", path)
        secret = path.read_text(encoding="utf-8").strip()
        if not secret:
            raise ValueError(f"{path} is empty") from None
        return secret
    secret = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(secret + "\n")
    return secret


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parley server", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument(
        "--database-url",
        help=f"SQLAlchemy async URL (default: SQLite {DATABASE_FILE} in the data folder)",
    )
    parser.add_argument(
        "--secret-file", type=Path, help=f"token secret (default: {SECRET_FILE} in the data folder)"
    )
    parser.add_argument(
        "--local", action="store_true", help="embedded mode: guest sign-in, loopback only"
    )
    parser.add_argument(
        "--exit-when-idle",
        type=float,
        metavar="S",
        help="stop after S seconds without connections or sessions",
    )
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``parley server`` with ``argv`` (``sys.argv[1:]`` by default); the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be 0-65535")
    if args.local and not is_loopback(args.host):
        parser.error("--local serves guests without passwords: it only binds loopback hosts")
    if args.exit_when_idle is not None and args.exit_when_idle <= 0:
        parser.error("--exit-when-idle must be positive")
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    data_dir = default_data_dir()
    database_url = (
        args.database_url or f"sqlite+aiosqlite:///{(data_dir / DATABASE_FILE).as_posix()}"
    )
    try:
        secret = load_or_create_secret(args.secret_file or data_dir / SECRET_FILE)
    except (OSError, ValueError) as exc:
        _log.error("cannot read the secret: %s", exc)
        return 2
    settings = ServerSettings(secret=secret, database_url=database_url, local_mode=args.local)

    def started(port: int) -> None:
        line = {"event": "server.started", "url": _url(args.host, port), "pid": os.getpid()}
        print(json.dumps(line), flush=True)

    try:
        asyncio.run(
            run_server(
                settings,
                args.host,
                args.port,
                exit_when_idle_s=args.exit_when_idle,
                on_started=started,
            )
        )
    except OSError as exc:
        _log.error("cannot listen on %s: %s", _url(args.host, args.port), exc)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
