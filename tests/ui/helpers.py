"""Helpers for UI tests: grabs as numpy arrays, screenshots as artefacts, and scripts run
in a fresh interpreter (for what this test process has imported already)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget


def grab_rgb(widget: QWidget, save_to: Path | None = None) -> np.ndarray:
    """``widget.grab()`` as an (height, width, 3) uint8 RGB array, at device pixels."""
    pixmap = widget.grab()
    if save_to is not None:
        pixmap.save(str(save_to))
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return (
        data.reshape(height, image.bytesPerLine())[:, : width * 3].reshape(height, width, 3).copy()
    )


def color_fraction(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 24) -> float:
    """Share of ``pixels`` within ``tolerance`` (per channel) of ``rgb``."""
    close = np.all(np.abs(pixels.astype(int) - np.array(rgb)) <= tolerance, axis=-1)
    return float(close.mean())


def hex_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def run_fresh_python(script: str) -> subprocess.CompletedProcess[str]:
    """``script`` run by a new interpreter of this environment from the repository root
    (import order and start-up checks); its output captured as text."""
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2],
    )  # fmt: skip
