"""Benchmark: two Parley bots in a 1:1 call on loopback, 1280x720@30 from a file.

    python -m bench.two_bots [--seconds 30]

Prints one table (received fps, frame latency produced → decoded p50/p95, PSNR, video
bitrate, CPU cores per bot process) and writes ``bench/results/two_bots.json``. Not part
of the tests: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.media import make_720p30_clip, make_tone_wav
from bench.processes import cpu_seconds, start_coordinator

RESULTS = Path(__file__).parent / "results"


def run(seconds: float) -> dict:
    RESULTS.mkdir(exist_ok=True)
    clip = make_720p30_clip()
    audio = make_tone_wav()
    with tempfile.TemporaryDirectory() as tmp, start_coordinator(Path(tmp)) as server_url:
        out = Path(tmp)
        bots = {}
        for name in ("alice", "bob"):
            bots[name] = subprocess.Popen(
                [
                    sys.executable, "-m", "app.bot", "--server", server_url,
                    "--call", "default:bench-two-bots", "--name", name,
                    "--video-file", str(clip), "--audio-file", str(audio),
                    "--duration", str(seconds + 5), "--stats-json", str(out / f"{name}.json"),
                    "--stamp-frames", "--read-stamps", "--reference-video", str(clip),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
        time.sleep(5)  # measure the steady state, not the join
        cpu_start = {n: cpu_seconds(p.pid) for n, p in bots.items()}
        wall_start = time.monotonic()
        time.sleep(seconds)
        cpu_end = {n: cpu_seconds(p.pid) for n, p in bots.items()}
        wall_s = time.monotonic() - wall_start
        for name, bot in bots.items():
            _, stderr = bot.communicate(timeout=120)
            if bot.returncode != 0:
                raise SystemExit(f"bot {name} failed:\n{stderr[-3000:]}")
        results = {}
        for name in bots:
            stats = json.loads((out / f"{name}.json").read_text())
            remote = stats["summary"][0]
            steady = [s for s in stats["seconds"][5:] if s["remote"]]
            fps = [s["remote"][0]["fps"] for s in steady]
            bitrate = [s["remote"][0]["video_bitrate_bps"] for s in steady]
            (RESULTS / f"two_bots_{name}_stats.json").write_text(json.dumps(stats))
            results[name] = {
                "received_fps": round(sum(fps) / len(fps), 1) if fps else 0,
                "latency_ms_p50": remote["latency_ms_p50"],
                "latency_ms_p95": remote["latency_ms_p95"],
                "psnr_db_mean": remote["psnr_db_mean"],
                "video_bitrate_kbps": round(sum(bitrate) / len(bitrate) / 1000) if bitrate else 0,
                "max_gap_ms": remote["max_gap_ms"],
                "cpu_cores": round((cpu_end[name] - cpu_start[name]) / wall_s, 2),
                "resolution": f"{remote['width']}x{remote['height']}",
            }
    return results


def print_table(results: dict) -> None:
    keys = list(next(iter(results.values())))
    print(f"{'metric':<22}" + "".join(f"{name:>14}" for name in results))
    for key in keys:
        print(f"{key:<22}" + "".join(f"{r[key]!s:>14}" for r in results.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    results = run(args.seconds)
    print_table(results)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "two_bots.json"
    path.write_text(
        json.dumps({"seconds": args.seconds, "cores": os.cpu_count(), **results}, indent=1)
    )
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
