"""Parley's stroke icons (``resources/icons/*.svg``), tinted to any colour.

The SVGs draw with ``stroke="currentColor"``, which Qt's SVG Tiny renderer does not resolve,
so the colour is substituted into the text before rendering. Rendering happens at the
device pixel ratio of the screen so icons stay sharp on HiDPI displays.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"
ICONS_DIR = RESOURCES_DIR / "icons"
APP_ICON_PATH = RESOURCES_DIR / "parley.svg"


@cache
def _svg_text(name: str) -> str:
    path = ICONS_DIR / f"{name}.svg"
    if not path.is_file():
        raise FileNotFoundError(f"no icon named {name!r} in {ICONS_DIR}")
    return path.read_text(encoding="utf-8")


def icon_pixmap(name: str, color: str | QColor, size_px: int = 24) -> QPixmap:
    """The icon ``name`` drawn in ``color`` into a ``size_px`` square (logical pixels).

    Raises ``FileNotFoundError`` when ``resources/icons/{name}.svg`` does not exist.
    """
    color_name = QColor(color).name(QColor.NameFormat.HexArgb)
    return _render(name, color_name, size_px, _device_pixel_ratio())


@cache
def _render(name: str, color_name: str, size_px: int, ratio: float) -> QPixmap:
    svg = _svg_text(name).replace("currentColor", QColor(color_name).name())
    opacity = QColor(color_name).alphaF()
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    side = max(1, round(size_px * ratio))
    pixmap = QPixmap(QSize(side, side))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setOpacity(opacity)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def icon(name: str, color: str | QColor, size_px: int = 24) -> QIcon:
    """A ``QIcon`` of :func:`icon_pixmap`, for buttons, combo boxes and actions."""
    return QIcon(icon_pixmap(name, color, size_px))


def app_icon() -> QIcon:
    """The application icon (window, taskbar, tray)."""
    return QIcon(str(APP_ICON_PATH))


def _device_pixel_ratio() -> float:
    screen = QGuiApplication.primaryScreen()
    return screen.devicePixelRatio() if screen is not None else 1.0
