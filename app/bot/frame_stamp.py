"""A frame counter and a capture time drawn into the pixels of outgoing video.

Used by bots and benchmarks (Chromium's ``--use-file-for-fake-video-capture`` peers can't
carry metadata either): the receiver reads the stamp back from the decoded picture to know
which source frame it got (for PSNR against the right frame) and when it was captured (for
latency: sender and receiver share this machine's wall clock).

Layout: two rows of ``STAMP_BITS`` blocks of ``BLOCK_PX``×``BLOCK_PX`` in the top-left
corner, black = 0 / white = 1, most significant bit first. Row 0: the frame index modulo
2**24; row 1: capture time in ms modulo 2**24 (wraps every 4.6 h, far longer than any
latency). 16-px blocks of full black/white survive VP8 at a few hundred kbit/s.
"""

from __future__ import annotations

import time
from fractions import Fraction

import av
import numpy as np
from aiortc import MediaStreamTrack

STAMP_BITS = 24
BLOCK_PX = 16
STAMP_WIDTH_PX = STAMP_BITS * BLOCK_PX
STAMP_HEIGHT_PX = 2 * BLOCK_PX
_MODULUS = 1 << STAMP_BITS


def _bits(value: int) -> np.ndarray:
    value %= _MODULUS
    return np.array([(value >> (STAMP_BITS - 1 - i)) & 1 for i in range(STAMP_BITS)], np.uint8)


# Limited-range (BT.601) luma of black and white, and neutral chroma. The stamp is drawn
# straight into the I420 planes, so the rest of the picture reaches the encoder untouched:
# an RGB round trip alone cost the bots' pictures ~41 dB PSNR before any encoding, which the
# benchmark then counted against Parley's codec.
BLACK_Y, WHITE_Y, NEUTRAL_CHROMA = 16, 235, 128


def stamp_i420(
    planes: np.ndarray, width: int, height: int, frame_index: int, capture_ms: int
) -> None:
    """Draw the stamp in place into a contiguous I420 picture: ``planes`` holds the Y, U
    and V planes one after the other (flat, or PyAV's ``(h * 3 / 2, w)`` array).

    Raises ``ValueError`` when the picture is smaller than the stamp (384×32 px)."""
    if width < STAMP_WIDTH_PX or height < STAMP_HEIGHT_PX:
        raise ValueError(f"a {width}x{height} frame is too small for the frame stamp")
    flat = planes.reshape(-1)
    luma = flat[: width * height].reshape(height, width)
    for row, value in enumerate((frame_index, capture_ms)):
        blocks = np.repeat(np.where(_bits(value).astype(bool), WHITE_Y, BLACK_Y), BLOCK_PX)
        luma[row * BLOCK_PX : (row + 1) * BLOCK_PX, :STAMP_WIDTH_PX] = blocks[None, :]
    chroma_size = (width // 2) * (height // 2)
    for plane in range(2):
        start = width * height + plane * chroma_size
        chroma = flat[start : start + chroma_size].reshape(height // 2, width // 2)
        chroma[: STAMP_HEIGHT_PX // 2, : STAMP_WIDTH_PX // 2] = NEUTRAL_CHROMA


def read_stamp(luma: np.ndarray) -> tuple[int, int]:
    """Read ``(frame_index, capture_ms)`` (both modulo 2**24) from the top rows of a luma
    plane (``(h, w)`` uint8). Samples the centre of each block, so coding noise at block
    edges does not matter."""
    values = []
    for row in range(2):
        y = row * BLOCK_PX + BLOCK_PX // 2
        centres = luma[y - 2 : y + 2, BLOCK_PX // 2 : STAMP_WIDTH_PX : BLOCK_PX].mean(axis=0)
        value = 0
        for bit in centres > 128:
            value = (value << 1) | int(bit)
        values.append(value)
    return values[0], values[1]


def luma_of(frame: av.VideoFrame) -> np.ndarray:
    """The Y plane of a decoded frame as ``(h, w)`` uint8 (no colour conversion)."""
    if frame.format.name not in ("yuv420p", "yuvj420p", "nv12"):
        frame = frame.reformat(format="yuv420p")
    plane = frame.planes[0]
    rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
    return rows[:, : plane.width]


def wall_ms() -> int:
    return int(time.time() * 1000) % _MODULUS


def ms_since(stamp_ms: int) -> int:
    """Milliseconds from a stamped capture time to now, across the 2**24 wrap."""
    return (wall_ms() - stamp_ms) % _MODULUS


class StampedVideoTrack(MediaStreamTrack):
    """Wraps a video track and stamps each frame with its index and capture time."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack, *, fps: float | None = None) -> None:
        super().__init__()
        self._source = source
        self._fps = fps
        self.frames_stamped = 0

    def _index_of(self, frame: av.VideoFrame) -> int:
        # A file source numbers its frames through pts (k * 90000 / fps), so the index
        # survives frames the stamper never saw; otherwise count what passes by.
        if self._fps and frame.pts is not None and frame.time_base is not None:
            return round(float(frame.pts * frame.time_base) * self._fps)
        return self.frames_stamped

    async def recv(self) -> av.VideoFrame:
        frame = await self._source.recv()
        assert isinstance(frame, av.VideoFrame)
        index = self._index_of(frame)
        if frame.format.name != "yuv420p":
            frame = frame.reformat(format="yuv420p")
        planes = frame.to_ndarray()  # a copy: the source's frame stays as it was
        stamp_i420(planes, frame.width, frame.height, index, wall_ms())
        out = av.VideoFrame.from_ndarray(planes, format="yuv420p")
        out.pts, out.time_base = frame.pts, frame.time_base or Fraction(1, 90000)
        self.frames_stamped += 1
        return out

    def stop(self) -> None:
        self._source.stop()
        super().stop()
