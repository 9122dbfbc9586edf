"""Processes for benchmarks: a coordinator on loopback, and CPU time of a process."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its reaped children (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) / _CLOCK_TICKS


@contextlib.contextmanager
def start_coordinator(data_dir: Path) -> Iterator[str]:
    """Run ``parley server --local`` on 127.0.0.1, an ephemeral port; yield its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app.server", "--local", "--port", "0",
         "--database-url", f"sqlite+aiosqlite:///{data_dir / 'coordinator.db'}",
         "--secret-file", str(data_dir / "coordinator.secret")],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        for line in process.stdout:
            record = json.loads(line) if line.startswith("{") else {}
            if record.get("event") == "server.started":
                yield record["url"]
                break
        else:
            raise SystemExit("the coordinator did not start")
    finally:
        process.terminate()
        process.wait(timeout=10)
