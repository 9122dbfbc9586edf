"""Reactions in the call UI (Stream's reactions overlay and reaction picker).

- :class:`ReactionsPopup`: the picker the controls' reactions button opens — five emoji
  and a raise/lower-hand toggle.
- :class:`ReactionOverlay`: the emoji a participant just sent, big on their tile, for as
  long as the engine keeps it on the participant (``CallParticipantState.reaction``).
- :class:`HandBadge`: the ✋ on a tile (and in the people panel) while a hand is raised.

Emoji are drawn with a colour emoji font (Debian ``fonts-noto-color-emoji``; Apple's and
Segoe's on macOS and Windows); Qt falls back to any font with the glyph when none is
installed.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsDropShadowEffect,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from app.call import Reaction
from ui.theme import current_palette

EMOJI_FONT_FAMILIES = ["Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji"]
RAISED_HAND_EMOJI = "✋"
_UNKNOWN_EMOJI = "✨"  # a code this version does not know still shows that something came
_HAND_YELLOW = "#fdd663"  # Meet's raised-hand yellow, readable on video and on the stage


@dataclass(frozen=True, slots=True)
class ReactionChoice:
    """One emoji of the picker: Stream's ``emoji_code``, the glyph, an accessible name."""

    emoji_code: str
    emoji: str
    name: str


def _tr(text: str) -> str:
    return QCoreApplication.translate("Reactions", text)


REACTION_CHOICES = (
    ReactionChoice(":like:", "👍", "Thumbs up"),
    ReactionChoice(":heart:", "❤️", "Heart"),
    ReactionChoice(":laughing:", "😂", "Laughing"),
    ReactionChoice(":fireworks:", "🎉", "Celebrate"),
    ReactionChoice(":clap:", "👏", "Applause"),
)
_EMOJI_BY_CODE = {choice.emoji_code: choice.emoji for choice in REACTION_CHOICES} | {
    ":raised-hand:": RAISED_HAND_EMOJI,
    ":smile:": "😄",
    ":dislike:": "👎",
}


def emoji_font(pixel_size: int) -> QFont:
    """A colour emoji font at ``pixel_size`` px."""
    font = QFont()
    font.setFamilies(EMOJI_FONT_FAMILIES)
    font.setPixelSize(pixel_size)
    return font


def emoji_for(reaction: Reaction) -> str:
    """The glyph of ``reaction``: its ``emoji_code``, else its type as a code (Stream's
    ``sendReaction(reactionType: 'fireworks')``), else a sparkle."""
    code = reaction.emoji_code or f":{reaction.type}:"
    return _EMOJI_BY_CODE.get(code, _UNKNOWN_EMOJI)


class ReactionsPopup(QFrame):
    """The reaction picker, a popup window that closes on a choice or a click elsewhere.

    Signals: ``reaction_chosen(emoji_code: str)``; ``hand_toggled(raised: bool)`` with the
    state the user asked for (not emitted by :meth:`set_hand_raised`).
    """

    reaction_chosen = Signal(str)
    hand_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setObjectName("reactionsPopup")
        palette = current_palette()
        self._background = QColor(palette.stage_surface)
        self.setStyleSheet(
            "QToolButton { border: none; border-radius: 22px; background: transparent; }"
            f"QToolButton:hover {{ background: {palette.stage_control}; }}"
            f"QToolButton:checked {{ background: {_HAND_YELLOW}; }}"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.setSpacing(4)
        self.emoji_buttons: list[QToolButton] = []
        for choice in REACTION_CHOICES:
            button = self._emoji_button(choice.emoji, _tr(choice.name))
            button.clicked.connect(lambda _=False, code=choice.emoji_code: self._choose(code))
            self.emoji_buttons.append(button)
            row.addWidget(button)
        separator = QFrame()
        separator.setFixedSize(1, 28)
        separator.setStyleSheet(f"background: {palette.stage_control_hover};")
        row.addWidget(separator)
        self.hand_button = self._emoji_button(RAISED_HAND_EMOJI, "")
        self.hand_button.setCheckable(True)
        self.hand_button.clicked.connect(self._on_hand_clicked)
        row.addWidget(self.hand_button)
        self.set_hand_raised(False)

    @staticmethod
    def _emoji_button(emoji: str, name: str) -> QToolButton:
        button = QToolButton()
        button.setText(emoji)
        button.setFont(emoji_font(24))
        button.setFixedSize(QSize(44, 44))
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setToolTip(name)
        button.setAccessibleName(name)
        return button

    def set_hand_raised(self, raised: bool) -> None:
        """Show whether the user's hand is up (the engine's state; no signal)."""
        self.hand_button.setChecked(raised)
        name = self.tr("Lower hand") if raised else self.tr("Raise hand")
        self.hand_button.setToolTip(name)
        self.hand_button.setAccessibleName(name)

    def show_above(self, anchor: QWidget, gap_px: int = 10) -> None:
        """Open centred above ``anchor`` (the reactions button)."""
        self.adjustSize()
        top_centre = anchor.mapToGlobal(QPoint(anchor.width() // 2, 0))
        self.move(top_centre.x() - self.width() // 2, top_centre.y() - self.height() - gap_px)
        self.show()

    def paintEvent(self, event: QPaintEvent) -> None:
        # A pill painted here: a translucent top-level window gets no QSS background.
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._background)
        radius = self.height() / 2
        painter.drawRoundedRect(QRectF(self.rect()), radius, radius)
        painter.end()

    def _choose(self, emoji_code: str) -> None:
        self.hide()
        self.reaction_chosen.emit(emoji_code)

    def _on_hand_clicked(self, checked: bool) -> None:
        self.set_hand_raised(checked)
        self.hide()
        self.hand_toggled.emit(checked)


class ReactionOverlay(QLabel):
    """A participant's current reaction, drawn big; hidden while there is none.
    Invisible to the mouse, so the tile under it keeps its hover and menu."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("reactionOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background: transparent;")
        # A soft shadow keeps the emoji readable on bright video.
        shadow = QGraphicsDropShadowEffect(self)
        shadow.setBlurRadius(18)
        shadow.setOffset(0, 2)
        shadow.setColor(QColor(0, 0, 0, 140))
        self.setGraphicsEffect(shadow)
        self._reaction: Reaction | None = None
        self.hide()

    @property
    def reaction(self) -> Reaction | None:
        return self._reaction

    def set_reaction(self, reaction: Reaction | None) -> None:
        if reaction == self._reaction:
            return
        self._reaction = reaction
        if reaction is None:
            self.hide()
            return
        self.setText(emoji_for(reaction))
        self.setAccessibleName(self.tr("Reacted %1").replace("%1", self.text()))
        self.show()

    def fit_to(self, tile_width_px: int, tile_height_px: int) -> None:
        """Size the emoji to a third of the tile's smaller side (32–96 px) and centre it."""
        side = max(32, min(96, min(tile_width_px, tile_height_px) // 3))
        self.setFont(emoji_font(side))
        box = side + side // 2
        self.setGeometry((tile_width_px - box) // 2, (tile_height_px - box) // 2, box, box)


class HandBadge(QLabel):
    """✋ on a dark disc ringed in yellow: this participant's hand is raised. (A yellow
    disc would swallow the yellow emoji; the ring keeps Meet's colour cue.)"""

    def __init__(self, diameter_px: int, parent: QWidget | None = None) -> None:
        super().__init__(RAISED_HAND_EMOJI, parent)
        self.setObjectName("raisedHandBadge")
        self.setFixedSize(diameter_px, diameter_px)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFont(emoji_font(max(10, diameter_px * 4 // 7)))
        self.setStyleSheet(
            f"background: rgba(32, 33, 36, 0.78); border: 2px solid {_HAND_YELLOW};"
            f"border-radius: {diameter_px // 2}px;"
        )
        self.setToolTip(self.tr("Hand raised"))
        self.setAccessibleName(self.tr("Hand raised"))
