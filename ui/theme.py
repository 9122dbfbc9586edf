"""Parley's look: one palette plus the style sheet derived from it.

Dark is the default (a calling app is used with video, where a dark frame keeps attention on
faces, as Google Meet and Zoom do). The light variant follows the OS colour scheme
(``QStyleHints.colorScheme()``) when ``follow_system`` is on; the call stage stays dark in
both, like Meet's. Widgets that paint themselves (tiles, round buttons, meters) read the
same :class:`Palette` through :func:`current_palette`, so QSS and painting never disagree.

Widgets choose a style through dynamic properties rather than object names:
``variant`` on buttons (``primary``, ``secondary``, ``danger``, ``text``, ``segment`` for
one checkable choice of a few) and ``role`` on
labels (``display``, ``title``, ``subtitle``, ``muted``, ``chip``, ``error``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

# First installed family wins; DejaVu Sans is on every Linux desktop as the last resort.
FONT_FAMILIES = ["Inter", "Segoe UI", "SF Pro Text", "Cantarell", "Noto Sans", "DejaVu Sans"]
BASE_FONT_PT = 10


@dataclass(frozen=True, slots=True)
class Palette:
    """Colours as ``#rrggbb`` strings. ``stage*`` colours are the call screen's, which is
    dark in both schemes."""

    is_dark: bool
    window: str
    surface: str  # cards, inputs, lists
    surface_raised: str  # hovered cards, secondary buttons
    border: str
    text: str
    text_muted: str
    accent: str
    accent_hover: str
    on_accent: str
    danger: str
    danger_hover: str
    success: str
    stage: str = "#202124"
    stage_surface: str = "#2d2e31"  # tiles and the app bar on the stage
    stage_control: str = "#3c4043"  # round control buttons that are "on"
    stage_control_hover: str = "#4a4e51"
    stage_text: str = "#e8eaed"
    stage_text_muted: str = "#9aa0a6"
    speaking: str = "#8ab4f8"


DARK = Palette(
    is_dark=True,
    window="#202124",
    surface="#2d2e31",
    surface_raised="#3c4043",
    border="#3c4043",
    text="#e8eaed",
    text_muted="#9aa0a6",
    accent="#8ab4f8",
    accent_hover="#aecbfa",
    on_accent="#202124",
    danger="#ea4335",
    danger_hover="#f06b5f",
    success="#81c995",
)

LIGHT = Palette(
    is_dark=False,
    window="#ffffff",
    surface="#f1f3f4",
    surface_raised="#e8eaed",
    border="#dadce0",
    text="#202124",
    text_muted="#5f6368",
    accent="#1a73e8",
    accent_hover="#1765cc",
    on_accent="#ffffff",
    danger="#d93025",
    danger_hover="#b3261e",
    success="#188038",
)

_current: Palette = DARK


def current_palette() -> Palette:
    """The palette applied last by :meth:`Theme.apply` (dark before any)."""
    return _current


def style_sheet(p: Palette) -> str:
    """The application style sheet for palette ``p``."""
    return f"""
    QWidget {{ color: {p.text}; }}
    QMainWindow, QDialog, QWidget#page {{ background: {p.window}; }}
    QWidget#stage {{ background: {p.stage}; }}
    QWidget#stage QLabel {{ color: {p.stage_text}; }}
    QToolTip {{
        color: {p.stage_text}; background: #3c4043; border: none;
        border-radius: 6px; padding: 4px 8px;
    }}

    /* Qt paints tray balloons pale yellow whatever the palette: keep their text dark. */
    QBalloonTip, QBalloonTip QLabel {{ color: #202124; }}
    QBalloonTip QPushButton {{ background: transparent; min-height: 0; padding: 0; }}

    QLabel[role="display"] {{ font-size: 30px; font-weight: 400; }}
    QLabel[role="title"] {{ font-size: 22px; font-weight: 400; }}
    QLabel[role="subtitle"] {{ font-size: 15px; font-weight: 600; }}
    QLabel[role="muted"] {{ color: {p.text_muted}; }}
    QWidget#stage QLabel[role="muted"] {{ color: {p.stage_text_muted}; }}
    QLabel[role="error"] {{ color: {p.danger}; }}
    QLabel[role="chip"] {{
        background: {p.surface}; color: {p.text_muted};
        border-radius: 12px; padding: 4px 10px;
    }}

    QPushButton {{
        border: none; border-radius: 20px; padding: 0 22px; min-height: 40px;
        font-weight: 600; background: {p.surface_raised}; color: {p.text};
    }}
    QPushButton:hover {{ background: {p.border}; }}
    QPushButton:disabled {{ color: {p.text_muted}; }}
    QPushButton:focus {{ outline: none; }}
    QPushButton[variant="primary"] {{ background: {p.accent}; color: {p.on_accent}; }}
    QPushButton[variant="primary"]:hover {{ background: {p.accent_hover}; }}
    QPushButton[variant="primary"]:disabled {{
        background: {p.surface_raised}; color: {p.text_muted};
    }}
    QPushButton[variant="danger"] {{ background: {p.danger}; color: #ffffff; }}
    QPushButton[variant="danger"]:hover {{ background: {p.danger_hover}; }}
    QPushButton[variant="text"] {{ background: transparent; color: {p.accent}; padding: 0 12px; }}
    QPushButton[variant="text"]:hover {{ background: {p.surface}; }}
    QPushButton[variant="text"]:disabled {{ color: {p.text_muted}; }}
    QPushButton[variant="secondary"] {{
        background: transparent; color: {p.accent}; border: 1px solid {p.border};
    }}
    QPushButton[variant="secondary"]:hover {{ background: {p.surface}; }}
    QPushButton[variant="segment"] {{
        background: transparent; color: {p.text}; border: 1px solid {p.border};
        border-radius: 18px; min-height: 36px; padding: 0 20px; font-weight: 500;
    }}
    QPushButton[variant="segment"]:hover {{ background: {p.surface}; }}
    QPushButton[variant="segment"]:checked {{
        background: {p.accent}; color: {p.on_accent}; border-color: {p.accent};
    }}

    QLineEdit {{
        background: {p.window}; border: 1px solid {p.text_muted}; border-radius: 8px;
        padding: 0 12px; min-height: 42px; font-size: 14px;
        selection-background-color: {p.accent}; selection-color: {p.on_accent};
    }}
    QLineEdit:focus {{ border: 2px solid {p.accent}; padding: 0 11px; }}

    QComboBox {{
        background: {p.surface}; border: 1px solid transparent; border-radius: 8px;
        padding: 0 12px; min-height: 40px;
    }}
    QComboBox:hover {{ border: 1px solid {p.border}; }}
    QComboBox:focus {{ border: 1px solid {p.accent}; }}
    QComboBox::drop-down {{ border: none; width: 28px; }}
    QComboBox QAbstractItemView {{
        background: {p.surface}; border: 1px solid {p.border}; border-radius: 8px;
        padding: 4px; outline: none;
        selection-background-color: {p.surface_raised}; selection-color: {p.text};
    }}

    QListWidget {{ background: transparent; border: none; outline: none; }}
    QListWidget::item {{ border-radius: 10px; padding: 2px; }}
    QListWidget::item:hover {{ background: {p.surface}; }}
    QListWidget::item:selected {{ background: {p.surface_raised}; color: {p.text}; }}

    QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
    QScrollBar::handle:vertical {{ background: {p.border}; border-radius: 3px; min-height: 24px; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; width: 0; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}

    QTabWidget::pane {{ border: none; background: {p.surface}; border-radius: 12px; }}
    QTabBar::tab {{
        background: transparent; color: {p.text_muted}; border: none; font-weight: 600;
        padding: 8px 18px; border-bottom: 2px solid transparent;
    }}
    QTabBar::tab:selected {{ color: {p.accent}; border-bottom: 2px solid {p.accent}; }}
    QTabBar::tab:hover:!selected {{ color: {p.text}; }}
    QCheckBox {{ spacing: 8px; }}
    QCheckBox:disabled {{ color: {p.text_muted}; }}

    QFrame#card {{ background: {p.surface}; border-radius: 16px; }}
    QFrame#divider {{ background: {p.border}; max-height: 1px; min-height: 1px; }}
    """


class Theme(QObject):
    """Applies a palette to the application and, when asked, follows the OS scheme."""

    def __init__(self, app: QApplication, *, follow_system: bool = True) -> None:
        super().__init__(app)
        self._app = app
        self._follow_system = follow_system
        app.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)

    @property
    def palette(self) -> Palette:
        return _current

    def apply(self, palette: Palette | None = None) -> None:
        """Apply ``palette``, or the one matching the OS scheme (dark when unknown)."""
        global _current
        if palette is None:
            palette = self._system_palette()
        _current = palette
        self._app.setStyle("Fusion")  # the native styles ignore parts of the QSS
        font = QFont()
        font.setFamilies(FONT_FAMILIES)
        font.setPointSize(BASE_FONT_PT)
        font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        self._app.setFont(font)
        self._app.setPalette(_qt_palette(palette))
        self._app.setStyleSheet(style_sheet(palette))

    def choose(self, palette: Palette | None) -> None:
        """Use ``palette`` from now on, or (None) follow the OS colour scheme again."""
        self._follow_system = palette is None
        self.apply(palette)

    def _system_palette(self) -> Palette:
        if not self._follow_system:
            return DARK
        return palette_for_scheme(QGuiApplication.styleHints().colorScheme())

    def _on_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self._follow_system:
            self.apply(palette_for_scheme(scheme))


def palette_for_scheme(scheme: Qt.ColorScheme) -> Palette:
    """LIGHT for an OS in light mode; DARK for dark mode and when the OS does not say."""
    return LIGHT if scheme is Qt.ColorScheme.Light else DARK


def _qt_palette(p: Palette) -> QPalette:
    """A QPalette matching ``p``, for the parts QSS does not reach (menus, focus rects)."""
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: p.window,
        QPalette.ColorRole.WindowText: p.text,
        QPalette.ColorRole.Base: p.surface,
        QPalette.ColorRole.AlternateBase: p.surface_raised,
        QPalette.ColorRole.Text: p.text,
        QPalette.ColorRole.Button: p.surface_raised,
        QPalette.ColorRole.ButtonText: p.text,
        QPalette.ColorRole.Highlight: p.accent,
        QPalette.ColorRole.HighlightedText: p.on_accent,
        QPalette.ColorRole.ToolTipBase: "#3c4043",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.PlaceholderText: p.text_muted,
        QPalette.ColorRole.Link: p.accent,
    }
    for role, color in roles.items():
        pal.setColor(role, QColor(color))
    return pal
