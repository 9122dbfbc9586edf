"""Parley against Chromium's WebRTC, same machine, same input, same run (issue 7).

    python -m bench.compare [--seconds 30] [--mesh-seconds 15] [--join-trials 10]
                            [--cpu-rounds 3]

Input: the 1280x720@30 clip of ``bench.media`` — Parley's bots play it as their file
camera and stamp each frame as they capture it; Chromium's fake camera plays a copy with
the frame index stamped into the pixels (``bench.stamped_clip``). Scenarios, run one after
the other with Parley and Chromium alternating: a 1:1 call both directions, meshes of 2, 3
and 4 (the mesh of 2 is the plain 1:1 call of the CPU goal: ``--cpu-rounds`` rounds of
it), the same meshes at the clip's own 10 fps (small enough not to saturate a 2-core
machine, so the cost of an extra peer is measured), joins. Prints one table per scenario
(Parley, Chromium, Parley / Chromium) and writes ``bench/results/compare.json``. Needs
Debian's ``chromium`` (bench/README.md). The default run takes about 10 minutes; not part
of the tests (figures depend on the machine and its load).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import parley_scenarios
from bench.chromium import scenarios as chromium_scenarios
from bench.chromium.driver import ChromiumPage
from bench.media import make_720p30_clip, make_720p_clip, make_tone_wav
from bench.processes import start_coordinator
from bench.report import report
from bench.stamped_clip import stamp_y4m

RESULTS = Path(__file__).parent / "results"
MESH_SIZES = (2, 3, 4)
# The meshes again at the clip's own 10 fps: 4 participants of either side then fit in 2
# cores, so the extra-peer cost is measured, not extrapolated from a saturated machine.
LIGHT_MESH_FPS = 10


def _scaled_to_30fps(entry: dict[str, Any]) -> float | None:
    """CPU per participant as if every video arrived at 30 fps: on a saturated machine
    frames are dropped instead of CPU growing, so the raw figure hides the cost of a
    peer. Linear in frames (encode and decode are per frame): a rough, stated estimate."""
    fps = entry["received_fps"]
    return entry["cpu_cores_per_participant"] * 30 / fps if fps else None


def _extra_peer_cost(
    mesh: dict[str, Any], side: str, key: str = "cpu_cores_at_30fps"
) -> float | None:
    """(CPU per participant at the largest mesh - at 2) per extra peer, over CPU at 2."""
    first = mesh["2"][side][key]
    last = mesh[str(MESH_SIZES[-1])][side][key]
    if first is None or last is None:
        return None
    extra_peers = MESH_SIZES[-1] - MESH_SIZES[0]
    return (last - first) / extra_peers / first if first else None


def python_build() -> str:
    """The interpreter running Parley's side, and how it was compiled as far as its
    configure flags tell. It matters: on this machine's Python 3.11 a PGO+LTO build
    (Debian's) ran a pure-Python per-packet loop 1.5x as fast as pyenv's default build,
    and Parley's GUI thread is about half interpreter."""
    flags = str(sysconfig.get_config_var("CONFIG_ARGS") or "")
    build = [name for flag, name in (("--enable-optimizations", "PGO"), ("--with-lto", "LTO"))
             if flag in flags]  # fmt: skip
    how = "+".join(build) if build else ("no PGO/LTO" if flags else "build flags unknown")
    return f"{platform.python_implementation()} {platform.python_version()} ({how})"


def _join_summary(times_ms: list[float]) -> dict[str, Any]:
    return {
        "median_ms": statistics.median(times_ms),
        "min_ms": min(times_ms),
        "max_ms": max(times_ms),
        "all_ms": times_ms,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    clip = make_720p30_clip()
    stamped = stamp_y4m(clip)
    audio = make_tone_wav()
    results: dict[str, Any] = {
        "seconds": args.seconds,
        "mesh_seconds": args.mesh_seconds,
        "same_bitrate_seconds": args.same_bitrate_seconds,
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                    "chromium": _chromium_version(), "python": python_build(),
                    "loadavg_start": os.getloadavg()},
        "input": str(clip),
        "mesh": {},
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, start_coordinator(Path(tmp)) as server_url:
        workdir = Path(tmp)
        _progress("1:1 Parley")
        parley = await parley_scenarios.one_to_one(
            server_url, clip, audio, seconds=args.seconds, warmup_s=args.warmup_seconds,
            workdir=workdir,
        )  # fmt: skip
        _progress("1:1 Chromium")
        async with ChromiumPage(stamped) as page:
            chromium = await chromium_scenarios.one_to_one(
                page, seconds=args.seconds, warmup_s=args.warmup_seconds, reference=clip
            )
        _progress("1:1 Chromium at Parley's bitrate")
        async with ChromiumPage(stamped) as page:
            chromium_capped = await chromium_scenarios.one_to_one(
                page,
                seconds=args.same_bitrate_seconds,
                warmup_s=args.warmup_seconds,
                reference=clip,
                max_bitrate_bps=int((parley["video_bitrate_kbps"] or 0) * 1000),
            )
        results["one_to_one"] = {"parley": parley, "chromium": chromium}
        results["same_bitrate"] = {"parley": parley, "chromium": chromium_capped}
        results["memory"] = {
            "parley_pss_mib_per_participant": parley["pss_mib_per_participant"],
            "chromium_pss_mib_per_participant": chromium["pss_mib_per_participant"],
            "chromium_tree_pss_mib": chromium["details"]["tree_pss_mib"],
        }
        for size in MESH_SIZES:
            if size == 2:
                pair = await _plain_rounds(server_url, clip, stamped, audio, workdir, args)
            else:
                pair = await _mesh_pair(server_url, clip, stamped, audio, workdir, args, size, "")
            for entry in (pair["parley"], pair["chromium"]):
                entry["cpu_cores_at_30fps"] = _scaled_to_30fps(entry)
            results["mesh"][str(size)] = pair
        for side in ("parley", "chromium"):
            results["mesh"][f"extra_peer_cost_ratio_{side}"] = _extra_peer_cost(
                results["mesh"], side
            )
        results["mesh_light"] = await _light_meshes(server_url, audio, workdir, args)
        _progress("join Parley")
        parley_join = await parley_scenarios.join_times_ms(
            server_url, clip, audio, trials=args.join_trials, workdir=workdir
        )
        _progress("join Chromium")
        async with ChromiumPage(stamped) as page:
            chromium_join = await chromium_scenarios.join_times_ms(page, args.join_trials)
        results["join"] = {
            "trials": args.join_trials,
            "parley": _join_summary(parley_join),
            "chromium": _join_summary(chromium_join),
        }
    results["machine"]["loadavg_end"] = os.getloadavg()
    return results


async def _mesh_pair(
    server_url: str, clip: Path, stamped: Path, audio: Path, workdir: Path,
    args: argparse.Namespace, size: int, label: str,
) -> dict[str, Any]:  # fmt: skip
    """One mesh of ``size``, Parley's bots on ``clip`` then Chromium's page on
    ``stamped``: ``{"parley": figures, "chromium": figures}``."""
    _progress(f"mesh {size}{label} Parley")
    parley_mesh = await parley_scenarios.mesh(
        server_url, clip, audio, participants=size, seconds=args.mesh_seconds,
        warmup_s=args.warmup_seconds, workdir=workdir,
    )  # fmt: skip
    _progress(f"mesh {size}{label} Chromium")
    async with ChromiumPage(stamped) as page:
        chromium_mesh = await chromium_scenarios.mesh(
            page, participants=size, seconds=args.mesh_seconds, warmup_s=args.warmup_seconds
        )
    return {"parley": parley_mesh, "chromium": chromium_mesh}


async def _plain_rounds(
    server_url: str, clip: Path, stamped: Path, audio: Path, workdir: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:  # fmt: skip
    """The plain 1:1 call (a mesh of 2), ``args.cpu_rounds`` times, Parley and Chromium
    alternating. It carries the CPU goal, and on a shared machine one window of each
    side is not enough: either figure moved by 10 % between runs here. Each side's entry
    is its round with the median CPU (the lower middle one for an even count);
    ``cpu_rounds`` keeps every round's figures."""
    rounds = []
    for index in range(args.cpu_rounds):
        label = f" (plain 1:1), round {index + 1} of {args.cpu_rounds}"
        rounds.append(await _mesh_pair(server_url, clip, stamped, audio, workdir, args, 2, label))
    pair: dict[str, Any] = {}
    for side in ("parley", "chromium"):
        by_cpu = sorted(rounds, key=lambda r: r[side]["cpu_cores_per_participant"])
        pair[side] = by_cpu[(len(by_cpu) - 1) // 2][side]
    pair["cpu_rounds"] = [
        {
            "parley": r["parley"]["cpu_cores_per_participant"],
            "chromium": r["chromium"]["cpu_cores_per_participant"],
        }
        for r in rounds
    ]
    return pair


async def _light_meshes(
    server_url: str, audio: Path, workdir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """Meshes of 2, 3 and 4 at 720p and ``LIGHT_MESH_FPS``, both sides; raw CPU."""
    clip = make_720p_clip(LIGHT_MESH_FPS)
    stamped = stamp_y4m(clip)
    light: dict[str, Any] = {"fps": LIGHT_MESH_FPS}
    for size in MESH_SIZES:
        light[str(size)] = await _mesh_pair(
            server_url, clip, stamped, audio, workdir, args, size, f" at {LIGHT_MESH_FPS} fps"
        )
    for side in ("parley", "chromium"):
        light[f"extra_peer_cost_ratio_{side}"] = _extra_peer_cost(
            light, side, "cpu_cores_per_participant"
        )
    return light


_STARTED = time.monotonic()


def _progress(step: str) -> None:
    print(f"[{time.monotonic() - _STARTED:5.0f} s] {step}", flush=True)


def _chromium_version() -> str:
    try:
        return subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "missing"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--seconds", type=float, default=30, help="1:1 measurement window")
    parser.add_argument("--mesh-seconds", type=float, default=15, help="each mesh window")
    parser.add_argument("--warmup-seconds", type=float, default=5,
                        help="after every video arrives, before measuring")  # fmt: skip
    parser.add_argument("--join-trials", type=int, default=10)
    parser.add_argument("--cpu-rounds", type=int, default=3,
                        help="plain 1:1 rounds per side, alternating (median kept)")  # fmt: skip
    parser.add_argument("--same-bitrate-seconds", type=float, default=20,
                        help="1:1 window of Chromium capped at Parley's bitrate")  # fmt: skip
    args = parser.parse_args(argv)
    # on SIGTERM unwind like Ctrl-C: bots, browser and coordinator are stopped on the way
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    results = asyncio.run(run(args))
    report(results)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "compare.json"
    path.write_text(json.dumps(results, indent=1, default=str))
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
