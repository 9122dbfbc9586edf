"""The placeholder shown instead of video: a coloured circle with the person's initials."""

from __future__ import annotations

import zlib

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter

# Material 600-tone hues: readable with white initials on a dark stage.
_AVATAR_COLORS = (
    "#1e88e5",
    "#8e24aa",
    "#43a047",
    "#f4511e",
    "#00897b",
    "#d81b60",
    "#5e35b1",
    "#6d4c41",
    "#3949ab",
    "#c0ca33",
)


def initials(name: str) -> str:
    """Up to two upper-case initials: ``"Ada Lovelace"`` → ``"AL"``, ``"bob"`` → ``"B"``,
    ``""`` → ``"?"``."""
    words = [w for w in name.replace("_", " ").replace(".", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][0].upper()
    return (words[0][0] + words[-1][0]).upper()


def avatar_color(key: str) -> QColor:
    """A stable colour for ``key`` (a user id or name): the same person, the same colour,
    on every machine (CRC32, not Python's salted ``hash``)."""
    return QColor(_AVATAR_COLORS[zlib.crc32(key.encode("utf-8")) % len(_AVATAR_COLORS)])


def paint_avatar(painter: QPainter, bounds: QRectF, name: str, key: str | None = None) -> None:
    """Paint the avatar of ``name`` centred in ``bounds``; the circle's diameter is 40 % of
    the shorter side, clamped to 40–160 px, so it reads well from thumbnail to full stage."""
    diameter = max(40.0, min(160.0, 0.4 * min(bounds.width(), bounds.height())))
    circle = QRectF(0, 0, diameter, diameter)
    circle.moveCenter(bounds.center())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(avatar_color(key or name))
    painter.drawEllipse(circle)
    font = QFont(painter.font())
    font.setPixelSize(round(diameter * 0.4))
    font.setWeight(QFont.Weight.Medium)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(name))
    painter.restore()
