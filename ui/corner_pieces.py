"""Rounded corners drawn from cached pieces instead of filled paths.

Tiles lie over live video, so what is drawn over a rounded tile (the backdrop in its
corners, the speaking outline) repaints with every frame: about 60 times a second in a
1:1 call. Filling a path with curves flattens and rasterises its arcs each time. A
rounded rectangle's four corners are the four quarters of one circle of the same radius,
so one ``2r`` x ``2r`` picture, drawn once per look and pixel ratio, gives all four; the
straight parts in between are plain rectangles.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPixmap

_PIECES: dict[tuple[Hashable, float, float], QPixmap] = {}


def corner_piece(
    key: Hashable, radius: float, ratio: float, draw: Callable[[QPainter, float], None]
) -> QPixmap:
    """The ``2 * radius`` square picture ``draw(painter, diameter)`` makes on a transparent
    background (antialiased, in logical pixels), at device pixel ratio ``ratio``; drawn once
    per ``key`` (what it looks like: colours), radius and ratio."""
    cache_key = (key, radius, ratio)
    piece = _PIECES.get(cache_key)
    if piece is None:
        diameter = 2 * radius
        piece = QPixmap(round(diameter * ratio), round(diameter * ratio))
        piece.fill(Qt.GlobalColor.transparent)
        painter = QPainter(piece)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(ratio, ratio)
        draw(painter, diameter)
        painter.end()
        _PIECES[cache_key] = piece
    return piece


def paint_corners(
    painter: QPainter, width: float, height: float, radius: float, piece: QPixmap, ratio: float
) -> None:
    """Draw the quarters of ``piece`` (from :func:`corner_piece`) into the four corners of
    a ``width`` x ``height`` area at the painter's origin."""
    side_px = radius * ratio
    for x, y, source_x, source_y in (
        (0.0, 0.0, 0.0, 0.0),
        (width - radius, 0.0, side_px, 0.0),
        (0.0, height - radius, 0.0, side_px),
        (width - radius, height - radius, side_px, side_px),
    ):
        painter.drawPixmap(
            QRectF(x, y, radius, radius), piece, QRectF(source_x, source_y, side_px, side_px)
        )
