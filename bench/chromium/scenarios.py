"""Chromium's scenarios of ``bench.compare``: a 1:1 call, a mesh of N, join times.

All participants live in one page of one browser, so CPU and PSS are the browser's whole
process tree (browser, GPU/compositor, network, audio and renderer processes) divided by
the participants. Latency is ``requestVideoFrameCallback``'s ``presentationTime -
captureTime``: the sender's capture time (carried by RTP timestamps and mapped to the
receiver's clock through RTCP sender reports — one machine, one clock) to the decoded
frame being handed to the compositor.
"""

from __future__ import annotations

import asyncio
import base64
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from app.bot.frame_stamp import STAMP_HEIGHT_PX, read_stamp
from app.bot.quality import ReferenceVideo, psnr_db, ssim
from bench.chromium.driver import ChromiumPage
from bench.processes import tree_cpu_seconds, tree_pss_kib

PSNR_SAMPLE_EVERY_FRAMES = 30  # one decoded picture per second per receiver goes to Python


async def _measure(page: ChromiumPage, seconds: float, drain: list[dict[str, Any]]) -> dict:
    await page.evaluate("bench.resetWindow()")
    cpu_start = tree_cpu_seconds(page.pid)
    wall_start = time.monotonic()
    while (elapsed := time.monotonic() - wall_start) < seconds:
        await asyncio.sleep(min(1.0, seconds - elapsed))
        drain.extend(await page.evaluate("bench.drainSamples()"))
    cpu_cores = (tree_cpu_seconds(page.pid) - cpu_start) / (time.monotonic() - wall_start)
    report: dict[str, Any] = await page.evaluate("bench.report()")
    report["tree_cpu_cores"] = cpu_cores
    report["tree_pss_kib"] = tree_pss_kib(page.pid)
    return report


def _quality_of_samples(
    samples: list[dict[str, Any]], reference_path: Path
) -> tuple[list[float], list[float]]:
    """(PSNR dB, SSIM) of each sampled luma plane against the source frame its stamp
    names, below the stamp rows, exactly as the bots compare (``app.bot.quality``)."""
    decoded = []
    for sample in samples:
        raw = np.frombuffer(base64.b64decode(sample["luma_b64"]), np.uint8)
        luma = raw.reshape(sample["height"], sample["width"])
        index, _ = read_stamp(luma)
        decoded.append((index, luma))
    reference = ReferenceVideo(str(reference_path))
    psnr: list[float] = []
    similarity: list[float] = []
    try:
        # in index order the reference decodes each source frame at most once
        for index, luma in sorted(decoded, key=lambda pair: pair[0] % reference.frame_count):
            source = reference.luma(index)
            if source.shape == luma.shape:
                below, source_below = luma[STAMP_HEIGHT_PX:], source[STAMP_HEIGHT_PX:]
                value = psnr_db(below, source_below)
                if np.isfinite(value):
                    psnr.append(value)
                similarity.append(ssim(below, source_below))
        return psnr, similarity
    finally:
        reference.close()


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


async def one_to_one(
    page: ChromiumPage,
    *,
    seconds: float,
    warmup_s: float,
    reference: Path,
    max_bitrate_bps: int = 0,
) -> dict[str, Any]:
    """Two participants, both directions; per-participant figures (means of the two).
    ``received_fps`` is decoded frames (getStats) per second per stream, as Parley's bots
    count decoded frames; ``rendered_fps`` is what ``requestVideoFrameCallback`` saw.
    ``max_bitrate_bps`` > 0 caps both video encoders (RTCRtpEncodingParameters.maxBitrate)."""
    await page.evaluate(f"bench.start(2, {PSNR_SAMPLE_EVERY_FRAMES}, {int(max_bitrate_bps)})")
    await asyncio.sleep(warmup_s)
    await page.evaluate("bench.drainSamples()")  # samples of the warm-up don't count
    samples: list[dict[str, Any]] = []
    report = await _measure(page, seconds, samples)
    await page.evaluate("bench.stop()")
    receivers = report["receivers"]
    psnr, similarity = _quality_of_samples(samples, reference)

    def receiver_mean(key: str) -> float | None:
        return _mean([r[key] for r in receivers if r[key] is not None])

    return {
        "cpu_cores_per_participant": report["tree_cpu_cores"] / 2,
        "received_fps": report["decoded_fps_per_stream"],
        "rendered_fps": receiver_mean("fps"),
        "latency_ms_p50": receiver_mean("capture_to_present_ms_p50"),
        "latency_ms_p95": receiver_mean("capture_to_present_ms_p95"),
        "psnr_db": _mean(psnr),
        "ssim": _mean(similarity),
        "video_bitrate_kbps": report["video_bitrate_bps_per_stream"] / 1000,
        "max_gap_ms": max(r["max_gap_ms"] for r in receivers),
        "freezes": sum(r["freezes"] for r in receivers),
        "resolution": ",".join(sorted({f"{r['width']}x{r['height']}" for r in receivers})),
        "pss_mib_per_participant": report["tree_pss_kib"] / 1024 / 2,
        "details": {
            "latency_meaning": "rVFC presentationTime - captureTime (RTCP-mapped sender "
            "capture -> decoded frame handed to the compositor)",
            "receive_to_present_ms_p50": receiver_mean("receive_to_present_ms_p50"),
            "receive_to_present_ms_p95": receiver_mean("receive_to_present_ms_p95"),
            "encode_ms_per_frame": report["encode_ms_per_frame"],
            "decode_ms_per_frame": report["decode_ms_per_frame"],
            "jitter_buffer_ms_per_frame": report["jitter_buffer_ms_per_frame"],
            "quality_limitation": report["quality_limitation"],
            "encoders": report["encoders"],
            "psnr_frames_compared": len(psnr),
            "tree_pss_mib": report["tree_pss_kib"] / 1024,
            "receivers": receivers,
        },
    }


async def mesh(page: ChromiumPage, *, participants: int, seconds: float, warmup_s: float) -> dict:
    """``participants`` in a full mesh; CPU and PSS (MiB) per participant, decoded and
    rendered fps."""
    await page.evaluate(f"bench.start({participants}, 0)")
    await asyncio.sleep(warmup_s)
    report = await _measure(page, seconds, [])
    await page.evaluate("bench.stop()")
    return {
        "cpu_cores_per_participant": report["tree_cpu_cores"] / participants,
        "received_fps": report["decoded_fps_per_stream"],
        "rendered_fps": _mean([r["fps"] for r in report["receivers"]]),
        "video_bitrate_kbps": report["video_bitrate_bps_per_stream"] / 1000,
        "pss_mib_per_participant": report["tree_pss_kib"] / 1024 / participants,
        "resolution": ",".join(
            sorted({f"{r['width']}x{r['height']}" for r in report["receivers"]})
        ),
    }


async def join_times_ms(page: ChromiumPage, trials: int) -> list[float]:
    """``trials`` joins, each with new peer connections: ms from the joiner's
    ``createOffer`` to its first ``requestVideoFrameCallback`` of the other's video."""
    return [float(await page.evaluate("bench.joinTrial()")) for _ in range(trials)]
