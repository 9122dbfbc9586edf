"""``python -m bench.screen_share``: CPU, bitrate and latency of a 1080p screen share.

Not a test: the figures depend on the machine. The coordinator runs in its own process;
this one holds a sharer and a receiver (two ``VideoClient``s, real aiortc peers on
loopback, cameras and microphones off so only the share is measured). A thread pushes a
1920x1080 "document" at 30 fps, as a screen capture does: text, fine lines, a clock that
changes every frame and a scroll of the page every second. For each profile frame rate
(5 and 15 fps):

- CPU: process CPU time / wall time (cores) while sharing, minus the same call idle —
  sharer and receiver together (drawing the document, conversion, encode, decode, RTP),
  since both live in this process;
- bitrate: the share sender's ``bytesSent`` (W3C ``outbound-rtp``) over the window;
- received fps: frames reaching the receiver's screen-share ``FrameSink``;
- latency: a marker in the corner flips; time until the receiver's newest frame shows
  it (p50 / p95 over the flips) — includes waiting for the next paced frame slot.

Results: printed, and ``bench/results/screen_share.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from app.call import Call, LocalMedia
from app.client import VideoClient
from app.media import ScreenShareProfile, ScreenShareTrack
from app.media.video_sources import import_cv2
from bench.processes import start_coordinator
from tests.media.screen_pattern import screen_pattern

WIDTH, HEIGHT = 1920, 1080
CAPTURE_FPS = 30.0
MARKER = (slice(0, 64), slice(WIDTH - 64, WIDTH))  # top-right 64x64 block
RESULTS = Path(__file__).parent / "results" / "screen_share.json"


class DocumentScreen:
    """A pushing thread: the pattern page, scrolled by 40 px every second, with a clock
    line redrawn every frame and the marker block set by :meth:`flip`."""

    def __init__(self, track: ScreenShareTrack) -> None:
        self._page = np.vstack([screen_pattern(WIDTH, HEIGHT, "Benchmark page")] * 2)
        self._marker_on = False
        self.flipped_at: float | None = None
        self._quit = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(track,), name="document-screen")
        self._thread.start()

    def flip(self) -> bool:
        """Toggle the marker; returns its new state (True: white)."""
        self._marker_on = not self._marker_on
        self.flipped_at = time.monotonic()
        return self._marker_on

    def _run(self, track: ScreenShareTrack) -> None:
        cv2 = import_cv2()
        start_s = time.monotonic()
        k = 0
        while not self._quit.is_set():
            offset = (int(time.monotonic() - start_s) * 40) % HEIGHT
            image = self._page[offset : offset + HEIGHT].copy()
            cv2.putText(
                image, f"{time.monotonic() - start_s:8.3f} s", (WIDTH - 420, HEIGHT - 40),
                cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2,
            )  # fmt: skip
            image[MARKER] = 255 if self._marker_on else 0
            if not track.push(image):
                return
            k += 1
            self._quit.wait(max(0.0, start_s + k / CAPTURE_FPS - time.monotonic()))

    def stop(self) -> None:
        self._quit.set()
        self._thread.join(5)


def marker_level(call: Call, session_id: str) -> float | None:
    sink = call.screen_share_sink(session_id)
    frame = sink.latest() if sink is not None else None
    if frame is None:
        return None
    return float(frame.to_ndarray(format="yuv420p")[MARKER].mean())


async def sent_bytes(call: Call, session_id: str) -> int:
    stats = await call.get_stats(session_id)
    return sum(
        getattr(s, "bytesSent", 0)
        for s in stats.values()
        if s.type == "outbound-rtp" and getattr(s, "kind", "") == "video"
    )


async def wait_until(condition: Any, timeout_s: float, step_s: float = 0.005) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step_s)
    return True


async def cpu_cores_over(seconds: float) -> float:
    cpu0, wall0 = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    return (time.process_time() - cpu0) / (time.monotonic() - wall0)


async def measure(
    sharer: Call, receiver: Call, fps: float, seconds: float, flips: int
) -> dict[str, Any]:
    sharer_session, receiver_session = sharer.state.session_id, receiver.state.session_id
    assert sharer_session and receiver_session
    track = ScreenShareTrack(ScreenShareProfile(max_fps=fps))
    screen = DocumentScreen(track)
    try:
        await sharer.start_screen_share(track)
        await wait_until(lambda: marker_level(receiver, sharer_session) is not None, 30)
        await asyncio.sleep(3)  # warm-up: the encoder's rate control settles
        sink = receiver.screen_share_sink(sharer_session)
        assert sink is not None
        frames0, bytes0 = sink.frame_count, await sent_bytes(sharer, receiver_session)
        wall0 = time.monotonic()
        cpu = await cpu_cores_over(seconds)
        elapsed = time.monotonic() - wall0
        bitrate_bps = (await sent_bytes(sharer, receiver_session) - bytes0) * 8 / elapsed
        fps_received = (sink.frame_count - frames0) / elapsed
        latencies_ms = []
        for _ in range(flips):
            white = screen.flip()
            flipped_at = screen.flipped_at
            assert flipped_at is not None
            seen = await wait_until(
                lambda w=white: (
                    (level := marker_level(receiver, sharer_session)) is not None
                    and (level > 160 if w else level < 60)
                ),
                5,
            )
            if seen:
                latencies_ms.append((time.monotonic() - flipped_at) * 1000)
            await asyncio.sleep(0.3)
        size = sink.frame_size
    finally:
        await sharer.stop_screen_share()
        screen.stop()
    return {
        "profile_fps": fps,
        "size": list(size) if size else None,
        "cpu_cores": round(cpu, 3),
        "bitrate_kbps": round(bitrate_bps / 1000),
        "received_fps": round(fps_received, 1),
        "latency_ms_p50": round(float(np.percentile(latencies_ms, 50))) if latencies_ms else None,
        "latency_ms_p95": round(float(np.percentile(latencies_ms, 95))) if latencies_ms else None,
        "flips_seen": f"{len(latencies_ms)}/{flips}",
    }


async def run(seconds: float, flips: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir, start_coordinator(Path(data_dir)) as url:
        clients = [
            await VideoClient.sign_in_guest(url, name, local_media=LocalMedia(audio_output="null"))
            for name in ("Sharer", "Receiver")
        ]
        try:
            sharer, receiver = (c.make_call("default", "bench-share") for c in clients)
            await sharer.join()
            await receiver.join(create=False)
            await wait_until(lambda: len(receiver.state.participants) == 2, 30)
            await asyncio.sleep(2)
            idle = await cpu_cores_over(seconds / 2)
            rows = [await measure(sharer, receiver, fps, seconds, flips) for fps in (5.0, 15.0)]
        finally:
            for client in clients:
                await client.disconnect()
    for row in rows:
        row["cpu_cores_over_idle"] = round(row["cpu_cores"] - idle, 3)
    return {"idle_call_cpu_cores": round(idle, 3), "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--flips", type=int, default=12)
    args = parser.parse_args()
    result = asyncio.run(run(args.seconds, args.flips))
    print(f"idle call: {result['idle_call_cpu_cores']} cores")
    header = ("fps", "size", "CPU cores (-idle)", "kbit/s", "recv fps", "latency p50/p95 ms")
    print(" | ".join(header))
    for r in result["rows"]:
        print(
            f"{r['profile_fps']:g} | {r['size']} | {r['cpu_cores']} ({r['cpu_cores_over_idle']})"
            f" | {r['bitrate_kbps']} | {r['received_fps']} | "
            f"{r['latency_ms_p50']}/{r['latency_ms_p95']} ({r['flips_seen']})"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
