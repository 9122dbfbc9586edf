"""Benchmark inputs made from Debian's opencv-doc footage (never committed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
CACHE = Path.home() / ".cache" / "parley-bench"


def make_720p30_clip(seconds: int = 10) -> Path:
    """vtest.avi (768x576, 10 fps, people walking) scaled to 1280x720 at 30 fps, as raw
    Y4M so decoding the input costs next to nothing, as with Chromium's fake capture."""
    return make_720p_clip(30, seconds)


def make_720p_clip(fps: int, seconds: int = 10) -> Path:
    """vtest.avi scaled to 1280x720 at ``fps`` frames a second (Y4M; 10 is its own rate,
    30 repeats each picture three times)."""
    if not VTEST.exists():
        raise SystemExit(f"{VTEST} is missing: apt-get install opencv-doc")
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / f"vtest-720p{fps}-{seconds}s.y4m"
    if not out.exists():
        subprocess.run(
            [
                "ffmpeg", "-loglevel", "error", "-y", "-i", str(VTEST), "-t", str(seconds),
                "-vf", f"fps={fps},scale=1280:720", "-pix_fmt", "yuv420p", str(out),
            ],
            check=True,
        )  # fmt: skip
    return out


def make_tone_wav(seconds: int = 5) -> Path:
    """A 440 Hz sine, 48 kHz mono WAV: the bots' microphone (Chromium's fake one beeps)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / f"tone-440hz-{seconds}s.wav"
    if not out.exists():
        subprocess.run(
            ["sox", "-n", "-r", "48000", "-c", "1", str(out), "synth", str(seconds), "sine", "440"],
            check=True,
        )
    return out
