"""Frame-sized buffers stay mapped between frames (glibc's malloc thresholds).

Painting a 720p video converts every frame into a new 3.6 MB RGB32 image: PyAV's
``reformat`` always allocates its output, and the renderer keeps one image until the next
replaces it. glibc serves a block that large with ``mmap`` at first; after the first such
block is freed it raises its threshold, so later ones come from the heap, but it also
trims the heap's free top beyond twice that size. Two alternating images are just past
it: each frame's image was unmapped and mapped again, and every page faulted in fresh.
Measured in a painting 1:1 call here: 14,800 page faults a second, 99 % of them in
swscale writing the new image, 2 MB of zero-filling per frame in the kernel.

:func:`keep_frame_buffers_mapped` fixes both thresholds: blocks up to 32 MiB (a 1440p
RGB32 image, a 4K yuv420p frame) come from the heap, and up to 32 MiB of free heap is
kept rather than handed back (enough for two 1080p RGB32 images). The same call then
faulted 15 pages a second. The price is memory kept after a spike: a plain benchmark bot
in a painting 1:1 call held 226-239 MiB of PSS instead of 214-222, and an instrumented
one, which allocates large NumPy arrays for its PSNR, 255-273 MiB instead of 237-253
(with a 64 MiB trim threshold: ~295). Call it once, at start-up, before media flows (the
app, ``app.bot`` and the benchmark's painting bot do).
"""

from __future__ import annotations

import ctypes
import logging
import sys

__all__ = ["MMAP_THRESHOLD_BYTES", "TRIM_THRESHOLD_BYTES", "keep_frame_buffers_mapped"]

log = logging.getLogger(__name__)

# mallopt parameters (glibc's malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# glibc's ceiling for the mmap threshold on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX)
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 32 * 1024 * 1024


def keep_frame_buffers_mapped() -> bool:
    """Set glibc's mmap and trim thresholds (above) for this process; True when both
    took. A no-op returning False off Linux, or with a C library without ``mallopt``
    (musl's ignores it): macOS's and Windows' allocators keep large blocks themselves.
    Never raises."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    applied = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
    if not applied:
        log.info("malloc thresholds not set: the C library ignores mallopt")
    return applied
