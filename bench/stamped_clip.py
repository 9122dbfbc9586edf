"""The benchmark clip with every frame's index drawn into its pixels, for Chromium.

Parley's bots stamp frames as they capture them (``app.bot.frame_stamp``); Chromium's fake
camera plays a file as it is, so the file carries the stamp instead: row 0 = the frame's
index in the file, row 1 = zeros (a file can't know its capture time; Chromium's latency
comes from ``requestVideoFrameCallback`` metadata). Same layout, same reader
(``read_stamp``), same PSNR region (below the stamp rows) as the bots.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.bot.frame_stamp import BLOCK_PX, STAMP_BITS, STAMP_HEIGHT_PX, STAMP_WIDTH_PX

# limited-range luma of black and white: what Parley's RGB stamp becomes in yuv420p
_BLACK_Y, _WHITE_Y, _NEUTRAL_CHROMA = 16, 235, 128


def _stamp_planes(frame: np.ndarray, index: int, width: int, height: int) -> None:
    luma = frame[: width * height].reshape(height, width)
    bits = [(index >> (STAMP_BITS - 1 - i)) & 1 for i in range(STAMP_BITS)]
    row0 = np.repeat(np.where(np.array(bits, bool), _WHITE_Y, _BLACK_Y), BLOCK_PX)
    luma[:BLOCK_PX, :STAMP_WIDTH_PX] = row0[None, :].astype(np.uint8)
    luma[BLOCK_PX:STAMP_HEIGHT_PX, :STAMP_WIDTH_PX] = _BLACK_Y
    chroma_size = (width // 2) * (height // 2)
    for plane in range(2):
        start = width * height + plane * chroma_size
        chroma = frame[start : start + chroma_size].reshape(height // 2, width // 2)
        chroma[: STAMP_HEIGHT_PX // 2, : STAMP_WIDTH_PX // 2] = _NEUTRAL_CHROMA


def stamp_y4m(source: Path) -> Path:
    """Write ``<source>-stamped.y4m`` next to a 4:2:0 Y4M file (once) and return it.

    Raises ``ValueError`` for a Y4M that is not 8-bit 4:2:0 or carries frame parameters."""
    out = source.with_name(source.stem + "-stamped.y4m")
    if out.exists():
        return out
    tmp = out.with_suffix(".tmp")
    with source.open("rb") as reader, tmp.open("wb") as writer:
        header = reader.readline()
        fields = header.split()
        width = int(next(f[1:] for f in fields if f.startswith(b"W")))
        height = int(next(f[1:] for f in fields if f.startswith(b"H")))
        colour = next((f for f in fields if f.startswith(b"C")), b"C420")
        if not colour.startswith(b"C420"):
            raise ValueError(f"{source}: only 4:2:0 Y4M is supported, not {colour!r}")
        writer.write(header)
        frame_bytes = width * height * 3 // 2
        index = 0
        while line := reader.readline():
            if line != b"FRAME\n":
                raise ValueError(f"{source}: frame parameters are not supported: {line!r}")
            frame = np.frombuffer(reader.read(frame_bytes), np.uint8).copy()
            _stamp_planes(frame, index, width, height)
            writer.write(line)
            writer.write(frame.tobytes())
            index += 1
    tmp.replace(out)
    return out
