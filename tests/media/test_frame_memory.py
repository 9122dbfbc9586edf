"""Frame-sized buffers stay mapped between frames (``app.frame_memory``): converting
720p frames for painting, one after another, no longer faults in fresh pages for every
new image. Each case runs in a new interpreter, which starts with glibc's defaults."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.frame_memory import keep_frame_buffers_mapped

_PROBE = """
import resource, sys
import av, numpy as np
from app.frame_memory import keep_frame_buffers_mapped
from app.media.frame_convert import FrameConverter

if sys.argv[1] == "tuned":
    assert keep_frame_buffers_mapped()
source = av.VideoFrame.from_ndarray(np.full((1080, 1280), 128, np.uint8), format="yuv420p")
converter = FrameConverter()
image = None
for _ in range(5):  # warm up: the converter's context, the first images
    image = converter.convert(source, format="bgra")
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(30):
    image = converter.convert(source, format="bgra")  # the renderer keeps the last one
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 30)
"""


def _faults_per_frame(mode: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return float(result.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_painted_frame_reuses_the_last_images_memory() -> None:
    default, tuned = _faults_per_frame("default"), _faults_per_frame("tuned")
    # A 1280x720 BGRA image is 900 pages: by default most of them fault in again.
    assert default > 200, default
    assert tuned < 20, tuned


def test_it_is_safe_to_call_again() -> None:
    first, second = keep_frame_buffers_mapped(), keep_frame_buffers_mapped()
    assert first == second == sys.platform.startswith("linux")
