"""The tables of ``bench.compare``: one per scenario, Parley, Chromium and the ratio."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

SATURATED_FPS = 25  # received fps below this: the CPU ran out, costs stop adding up


def _ratio(parley: Any, chromium: Any) -> str:
    if not isinstance(parley, int | float) or not isinstance(chromium, int | float):
        return "-"
    return f"{parley / chromium:.2f}" if chromium else "-"


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def print_table(title: str, rows: list[tuple[str, Any, Any]], notes: Sequence[str] = ()) -> None:
    """One scenario: ``rows`` of (metric, Parley, Chromium); the ratio is computed."""
    print(f"\n## {title}")
    print(f"{'metric':<40}{'Parley':>12}{'Chromium':>12}{'P/C':>8}")
    for metric, parley, chromium in rows:
        print(f"{metric:<40}{_cell(parley):>12}{_cell(chromium):>12}{_ratio(parley, chromium):>8}")
    for note in notes:
        print(f"  - {note}")


_ONE_TO_ONE_ROWS = [
    ("CPU cores / participant", "cpu_cores_per_participant"),
    ("received fps (decoded)", "received_fps"),
    ("latency p50 ms", "latency_ms_p50"),
    ("latency p95 ms", "latency_ms_p95"),
    ("PSNR dB (luma, below stamp)", "psnr_db"),
    ("SSIM (luma, below stamp)", "ssim"),
    ("video bitrate kbps / stream", "video_bitrate_kbps"),
    ("longest frame gap ms", "max_gap_ms"),
    ("freezes (gaps > 200 ms)", "freezes"),
    ("received resolution", "resolution"),
]


def _rounds_text(rounds: list[dict[str, float]]) -> str:
    """``P / C (ratio)`` for each alternating plain 1:1 round."""
    return ", ".join(
        f"{r['parley']:.3f} / {r['chromium']:.3f} ({_ratio(r['parley'], r['chromium'])})"
        for r in rounds
    )


def report(results: dict[str, Any]) -> None:
    """Print every scenario of a ``bench.compare`` result (its JSON document)."""
    machine = results["machine"]
    print(
        f"\n{machine['cores']} cores, {machine['chromium']}, Parley on "
        f"{machine.get('python', 'Python (not recorded)')}; load average (1 min) "
        f"{machine['loadavg_start'][0]:.1f} at the start, {machine['loadavg_end'][0]:.1f} at"
        " the end: other work on the machine skews every figure"
    )
    parley, chromium = results["one_to_one"]["parley"], results["one_to_one"]["chromium"]
    plain = results["mesh"]["2"]
    print_table(
        f"1:1 call, 720p30, both directions, {results['seconds']} s window",
        [(label, parley[key], chromium[key]) for label, key in _ONE_TO_ONE_ROWS]
        + [("rendered fps (rVFC)", None, chromium["rendered_fps"])]
        + [
            (
                "CPU cores / participant, plain",
                plain["parley"]["cpu_cores_per_participant"],
                plain["chromium"]["cpu_cores_per_participant"],
            )
        ],
        [
            "Parley latency: " + parley["details"]["latency_meaning"],
            "Chromium latency: "
            + chromium["details"]["latency_meaning"]
            + f"; receive->present p50 {_cell(chromium['details']['receive_to_present_ms_p50'])}"
            + f" ms, jitter buffer {_cell(chromium['details']['jitter_buffer_ms_per_frame'])}"
            + f" ms/frame, encode {_cell(chromium['details']['encode_ms_per_frame'])}"
            + f" ms, decode {_cell(chromium['details']['decode_ms_per_frame'])} ms",
            "CPU: Parley = each bot process (instrumented: stamping, stamp reading, PSNR);"
            " Chromium = browser tree / 2 with both <video>s rendered; 'plain' = mesh-of-2"
            " run without instrumentation, the median of its rounds: "
            + _rounds_text(plain.get("cpu_rounds", [])),
            f"PSNR: Parley on every 3rd frame in the bot; Chromium on "
            f"{chromium['details']['psnr_frames_compared']} sampled decoded I420 frames",
            "Freezes and longest gap: every gap > 200 ms between received (Parley) / presented"
            " (Chromium) frames inside the window; Parley over the whole call: longest gap"
            f" {_cell(parley.get('whole_call', {}).get('max_gap_ms'))} ms, freezes (s after"
            f" the first frame, gap ms) {parley.get('whole_call', {}).get('freeze_times')}",
        ],
    )
    same = results["same_bitrate"]
    print_table(
        f"1:1 quality at the same bitrate (Chromium capped at Parley's mean bitrate, "
        f"{results['same_bitrate_seconds']} s window)",
        [
            (label, same["parley"][key], same["chromium"][key])
            for label, key in _ONE_TO_ONE_ROWS
            if key
            in (
                "video_bitrate_kbps",
                "psnr_db",
                "ssim",
                "cpu_cores_per_participant",
                "latency_ms_p95",
                "received_fps",
            )
        ],
        ["maxBitrate on both of Chromium's video senders = Parley's 1:1 mean bitrate"],
    )
    join = results["join"]
    print_table(
        f"Join: join()/createOffer -> first remote frame, ms, {join['trials']} trials",
        [
            ("median ms", join["parley"]["median_ms"], join["chromium"]["median_ms"]),
            ("min ms", join["parley"]["min_ms"], join["chromium"]["min_ms"]),
            ("max ms", join["parley"]["max_ms"], join["chromium"]["max_ms"]),
        ],
        [
            "Parley: Call.join() (coordinator join + signalling + ICE/DTLS) -> frame in the"
            " joiner's FrameSink; the other participant is a bot process",
            "Chromium: createOffer -> first requestVideoFrameCallback, both peers in one"
            " page, SDP handed over in-page (no signalling server)",
        ],
    )
    sizes = sorted(int(key) for key in results["mesh"] if key.isdigit())
    mesh_rows: list[tuple[str, Any, Any]] = []
    for size in sizes:
        entry = results["mesh"][str(size)]
        for label, key in (
            ("CPU cores / part.", "cpu_cores_per_participant"),
            ("CPU / part. scaled to 30 fps", "cpu_cores_at_30fps"),
            ("received fps", "received_fps"),
            ("video kbps / stream", "video_bitrate_kbps"),
            ("received resolution", "resolution"),
        ):
            mesh_rows.append(
                (f"mesh {size}: {label}", entry["parley"].get(key), entry["chromium"].get(key))
            )
    mesh_rows.append(
        (
            "extra peer cost / first peer cost",
            results["mesh"]["extra_peer_cost_ratio_parley"],
            results["mesh"]["extra_peer_cost_ratio_chromium"],
        )
    )
    saturated = [
        f"{size} ({side})"
        for size in sizes
        for side in ("parley", "chromium")
        if (results["mesh"][str(size)][side]["received_fps"] or 0) < SATURATED_FPS
    ]
    stalled = [
        str(size)
        for size in sizes
        if results["mesh"][str(size)]["parley"].get("all_receiving_at_start") is False
    ]
    print_table(
        f"Mesh, plain participants, {results['mesh_seconds']} s windows",
        mesh_rows,
        ["extra peer cost = (CPU/part. at 4 - at 2) / 2 over CPU/part. at 2, from the"
         " figures scaled to 30 fps (goal <= 0.25)",
         "Parley's receivers ask each sender for the layer that fits their tile (the app's"
         " behaviour); Chromium's page sends every peer 720p",
         f"{os.cpu_count()} cores; below {SATURATED_FPS} fps the machine is saturated and "
         f"CPU/part. stops growing: {', '.join(saturated) or 'none'}",
         "Parley meshes measured without every stream flowing after 60 s: "
         f"{', '.join(stalled) or 'none'}"],
    )  # fmt: skip
    if "mesh_light" in results:
        _light_mesh_table(results["mesh_light"], results["mesh_seconds"])
    memory = results["memory"]
    print_table(
        "Memory (PSS, MiB)",
        [
            (
                "PSS / participant, 1:1 instrumented",
                memory["parley_pss_mib_per_participant"],
                memory["chromium_pss_mib_per_participant"],
            ),
            (
                "PSS / participant, 1:1 plain (mesh 2)",
                plain["parley"]["pss_mib_per_participant"],
                plain["chromium"]["pss_mib_per_participant"],
            ),
            (
                "PSS, a bot vs Chromium's tree",
                memory["parley_pss_mib_per_participant"],
                memory["chromium_tree_pss_mib"],
            ),
        ],
        [
            "Chromium's tree hosts both participants (one browser, one page)",
            "instrumented Parley bots also hold the reference decoder and NumPy frames",
        ],
    )


def _light_mesh_table(light: dict[str, Any], seconds: float) -> None:
    fps = light["fps"]
    sizes = sorted(int(key) for key in light if key.isdigit())
    rows: list[tuple[str, Any, Any]] = []
    for size in sizes:
        entry = light[str(size)]
        for label, key in (
            ("CPU cores / part.", "cpu_cores_per_participant"),
            ("received fps", "received_fps"),
            ("received resolution", "resolution"),
        ):
            rows.append(
                (f"mesh {size}: {label}", entry["parley"].get(key), entry["chromium"].get(key))
            )
    rows.append(
        (
            "extra peer cost / first peer cost",
            light["extra_peer_cost_ratio_parley"],
            light["extra_peer_cost_ratio_chromium"],
        )
    )
    short = [
        f"{size} ({side})"
        for size in sizes
        for side in ("parley", "chromium")
        if (light[str(size)][side]["received_fps"] or 0) < 0.9 * fps
    ]
    print_table(
        f"Mesh at 720p{fps} (the clip's own rate: unsaturated on this machine), {seconds} s"
        " windows",
        rows,
        [
            "extra peer cost = (CPU/part. at 4 - at 2) / 2 over CPU/part. at 2, raw figures"
            " (goal <= 0.25)",
            f"meshes that received under 90 % of {fps} fps (saturated, figure unreliable): "
            f"{', '.join(short) or 'none'}",
        ],
    )
