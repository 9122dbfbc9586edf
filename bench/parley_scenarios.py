"""Parley's scenarios of ``bench.compare``: a 1:1 call, a mesh of N, join times.

Latency is the bots' own: the sender stamps its wall-clock capture time into the pixels
(``app.bot.frame_stamp``), the receiver reads it when the decoded frame reaches its
``FrameSink``. Received fps and bitrate come from the bots' per-second ``bot.stats`` lines
inside the measurement window, and so do the longest gap and the freezes (as Chromium's
page counts them); latency percentiles and PSNR from the bots' summaries, which cover the
whole call (the start included). Freezes before the window are reported beside them.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

from bench.parley_bots import BotProcess, bot_argv, measure_window, wait_all_receiving
from bench.parley_join import join_to_first_frame_ms


def _window_records(bot: BotProcess, start: float, end: float) -> list[dict[str, Any]]:
    return [record for t, record in bot.output.history if start <= t <= end]


def _window_fps(bot: BotProcess, start: float, end: float) -> float | None:
    """Mean received fps per remote video between two monotonic instants."""
    timed = [(t, r) for t, r in bot.output.history if start <= t <= end]
    if len(timed) < 2:
        return None
    (t0, first), (t1, last) = timed[0], timed[-1]
    before = {r["session_id"]: r["frames_received"] for r in first["remote"]}
    deltas = [r["frames_received"] - before.get(r["session_id"], 0) for r in last["remote"]]
    return statistics.fmean(deltas) / (t1 - t0) if deltas else None


def _window_bitrate_kbps(bot: BotProcess, start: float, end: float) -> float | None:
    rates = [
        remote["video_bitrate_bps"]
        for record in _window_records(bot, start, end)[1:]  # the first is a partial second
        for remote in record["remote"]
    ]
    return statistics.fmean(rates) / 1000 if rates else None


def _window_longest_gap_ms(bot: BotProcess, start: float, end: float) -> float | None:
    gaps = [
        remote["longest_gap_last_second_ms"]
        for record in _window_records(bot, start, end)[1:]
        for remote in record["remote"]
    ]
    return max(gaps) if gaps else None


def _freezes_between(summary: dict[str, Any], start: float, end: float) -> int:
    """Freezes of one bot's summary that ended between two monotonic instants (the bots
    clock their frames with ``time.monotonic``, one clock for every process here)."""
    first = summary.get("first_frame_monotonic_s")
    if first is None:
        return 0
    return sum(1 for t, _gap in summary["freeze_times"] if start <= first + t <= end)


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


async def _start(
    server_url: str, call_id: str, names: list[str], clip: Path, audio: Path, *,
    instrumented: bool, workdir: Path,
) -> dict[str, BotProcess]:  # fmt: skip
    return {
        name: BotProcess(
            bot_argv(
                server_url,
                call_id,
                name,
                clip,
                audio,
                instrumented=instrumented,
                stats_json=workdir / f"{call_id}-{name}.json",
            )
        )
        for name in names
    }


def _leave_all(bots: dict[str, BotProcess]) -> None:
    for bot in bots.values():
        bot.leave()


async def one_to_one(
    server_url: str, clip: Path, audio: Path, *, seconds: float, warmup_s: float, workdir: Path
) -> dict[str, Any]:
    """Two instrumented bots; per-participant figures (means of the two bots)."""
    bots = await _start(
        server_url, "bench-1to1", ["alice", "bob"], clip, audio,
        instrumented=True, workdir=workdir,
    )  # fmt: skip
    try:
        await wait_all_receiving(bots, peers=1)
        await asyncio.sleep(warmup_s)
        start = time.monotonic()
        reading = await measure_window(bots, seconds)
        end = time.monotonic()
    finally:
        _leave_all(bots)
    summaries = {
        name: json.loads((workdir / f"bench-1to1-{name}.json").read_text())["summary"][0]
        for name in bots
    }
    window_gaps = [_window_longest_gap_ms(b, start, end) for b in bots.values()]
    return {
        "cpu_cores_per_participant": statistics.fmean(reading.cpu_cores.values()),
        "received_fps": _mean([_window_fps(b, start, end) for b in bots.values()]),
        "latency_ms_p50": _mean([s["latency_ms_p50"] for s in summaries.values()]),
        "latency_ms_p95": _mean([s["latency_ms_p95"] for s in summaries.values()]),
        "psnr_db": _mean([s["psnr_db_mean"] for s in summaries.values()]),
        "ssim": _mean([s["ssim_mean"] for s in summaries.values()]),
        "video_bitrate_kbps": _mean([_window_bitrate_kbps(b, start, end) for b in bots.values()]),
        "max_gap_ms": max((g for g in window_gaps if g is not None), default=None),
        "freezes": sum(_freezes_between(s, start, end) for s in summaries.values()),
        "whole_call": {
            "max_gap_ms": max(s["max_gap_ms"] for s in summaries.values()),
            "freeze_times": {name: s["freeze_times"] for name, s in summaries.items()},
        },
        "resolution": ",".join(sorted({f"{s['width']}x{s['height']}" for s in summaries.values()})),
        "pss_mib_per_participant": statistics.fmean(reading.pss_kib.values()) / 1024,
        "details": {
            "latency_meaning": "pixel-stamped wall-clock capture time -> decoded frame at "
            "the receiver's FrameSink (aiortc jitter buffer + decode included)",
            "note": "instrumented bots: stamping (RGB round trip), stamp reading and PSNR on "
            "every 3rd frame are inside the CPU figure; freezes counts every gap > 200 ms "
            "between received frames, from the first frame on",
            "cpu_cores": reading.cpu_cores,
            "summaries": summaries,
        },
    }


async def mesh(
    server_url: str, clip: Path, audio: Path, *, participants: int, seconds: float,
    warmup_s: float, workdir: Path,
) -> dict[str, Any]:  # fmt: skip
    """``participants`` plain bots in one call; CPU, PSS (MiB) per participant, fps."""
    names = [f"p{i}" for i in range(participants)]
    bots = await _start(
        server_url, f"bench-mesh{participants}", names, clip, audio,
        instrumented=False, workdir=workdir,
    )  # fmt: skip
    try:
        all_receiving = await wait_all_receiving(bots, peers=participants - 1, required=False)
        await asyncio.sleep(warmup_s)
        start = time.monotonic()
        reading = await measure_window(bots, seconds)
        end = time.monotonic()
    finally:
        _leave_all(bots)
    return {
        "cpu_cores_per_participant": statistics.fmean(reading.cpu_cores.values()),
        "received_fps": _mean([_window_fps(b, start, end) for b in bots.values()]),
        "video_bitrate_kbps": _mean([_window_bitrate_kbps(b, start, end) for b in bots.values()]),
        "pss_mib_per_participant": statistics.fmean(reading.pss_kib.values()) / 1024,
        "all_receiving_at_start": all_receiving,
        "resolution": ",".join(
            sorted(
                {
                    f"{r['width']}x{r['height']}"
                    for bot in bots.values()
                    for r in bot.output.last_stats.get("remote", [])
                    if r.get("width")
                }
            )
        ),
    }


async def join_times_ms(
    server_url: str, clip: Path, audio: Path, *, trials: int, workdir: Path
) -> list[float]:
    """``trials`` joins of a new guest into a call where a bot has its camera on."""
    call_id = "bench-join"
    host = (await _start(server_url, call_id, ["host"], clip, audio,
                         instrumented=False, workdir=workdir))["host"]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not host.output.joined:
            if time.monotonic() > deadline or host.process.poll() is not None:
                raise RuntimeError("the host bot did not join")
            await asyncio.sleep(0.1)
        return [
            await join_to_first_frame_ms(server_url, call_id, clip, audio) for _ in range(trials)
        ]
    finally:
        host.leave()
