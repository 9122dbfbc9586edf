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

from app.bot.frame_stamp import stamp_i420


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
            stamp_i420(frame, width, height, index, 0)  # row 1: no capture time in a file
            writer.write(line)
            writer.write(frame.tobytes())
            index += 1
    tmp.replace(out)
    return out
