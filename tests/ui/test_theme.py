"""The theme follows the OS colour scheme; the call stage stays dark in both."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.helpers import grab_rgb, hex_rgb
from ui import theme as theme_module
from ui.theme import DARK, LIGHT, Theme


def test_follows_system_color_scheme(
    qtbot: QtBot, themed_app: QApplication, artifacts_dir: Path
) -> None:
    from ui.home_window import HomeWindow

    hints = themed_app.styleHints()
    theme = Theme(themed_app, follow_system=True)
    try:
        # Offscreen and bare X have no platform theme to switch, so play the OS's part.
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        qtbot.waitUntil(lambda: theme_module.current_palette() is LIGHT, timeout=2000)
        window = HomeWindow()
        qtbot.addWidget(window)
        window.resize(1100, 700)
        window.show()
        pixels = grab_rgb(window, artifacts_dir / "home_light.png")
        assert tuple(pixels[5, 600]) == hex_rgb(LIGHT.window)
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        qtbot.waitUntil(lambda: theme_module.current_palette() is DARK, timeout=2000)
        assert DARK.stage == LIGHT.stage  # the call stage is dark in both schemes
    finally:
        theme.deleteLater()
        Theme(themed_app, follow_system=False).apply(DARK)
