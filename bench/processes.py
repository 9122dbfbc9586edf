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
    """Run ``parley server --local`` on 127.0.0.1, an ephemeral port; yield its URL. Its
    log goes to ``data_dir/coordinator.log``, not the benchmark's output."""
    log = (data_dir / "coordinator.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.server", "--local", "--port", "0",
         "--database-url", f"sqlite+aiosqlite:///{data_dir / 'coordinator.db'}",
         "--secret-file", str(data_dir / "coordinator.secret")],
        stdout=subprocess.PIPE,
        stderr=log,
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
        log.close()


def tree_pids(root: int) -> list[int]:
    """``root`` and every live descendant (parent links read from /proc/PID/stat)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        children.setdefault(parent, []).append(int(entry.name))
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(children.get(pid, ()))
    return pids


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds of a process tree. A child that ends between two readings moves its
    time into its parent's reaped-children counters, so differences stay right."""
    total = 0.0
    for pid in tree_pids(root):
        try:
            total += cpu_seconds(pid)
        except OSError:
            continue
    return total


def pss_kib(pid: int) -> int:
    """Proportional set size of one process in KiB (/proc/PID/smaps_rollup): shared
    pages are split among their users, so PSS of several processes adds up."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    raise OSError(f"no Pss in /proc/{pid}/smaps_rollup")


def tree_pss_kib(root: int) -> int:
    """PSS of a process tree in KiB (see ``pss_kib``)."""
    total = 0
    for pid in tree_pids(root):
        try:
            total += pss_kib(pid)
        except OSError:
            continue
    return total
