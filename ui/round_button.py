"""``RoundButton``: the circular icon buttons of a call screen (mic, camera, leave).

Painted rather than styled with QSS so the on/off colours, the hover tint and the focus ring
match the tiles exactly, and so the icon swaps with the checked state (``mic`` ↔
``mic-off``). Following Meet: a device that is on is a neutral grey circle, a device that is
off turns red with a struck-through icon, "leave" is a red pill, and a button that opens a
panel turns accent blue while its panel is open. Ring screens answer with a green circle and
decline with a red one, as phones do.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFocusEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QWidget

from ui.icons import icon_pixmap
from ui.theme import current_palette

_ACCEPT = ("#1e8e3e", "#34a853")  # Material green 700 / 500: white reads well on both


class ButtonKind(StrEnum):
    TOGGLE = "toggle"  # checkable: checked = device on
    DANGER = "danger"  # leave / hang up: a red pill
    PLAIN = "plain"  # a neutral action
    PANEL = "panel"  # checkable: checked = its panel is open (accent fill, dark icon)
    ACCEPT = "accept"  # answer a ring: a green circle
    DECLINE = "decline"  # decline a ring: a red circle (round, unlike the leave pill)


class RoundButton(QAbstractButton):
    """A round (or pill, for ``DANGER``) icon button.

    ``icon_name`` is drawn when checked or not checkable; ``icon_off_name`` when a
    ``TOGGLE`` button is unchecked. ``diameter_px`` is the height; a pill is 1.5× as wide.
    """

    def __init__(
        self,
        icon_name: str,
        *,
        icon_off_name: str | None = None,
        kind: ButtonKind = ButtonKind.PLAIN,
        diameter_px: int = 48,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._icon_name = icon_name
        self._icon_off_name = icon_off_name or icon_name
        self._kind = kind
        self._diameter_px = diameter_px
        self.setCheckable(kind in (ButtonKind.TOGGLE, ButtonKind.PANEL))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedSize(self.sizeHint())
        self._keyboard_focus = False

    def focusInEvent(self, event: QFocusEvent) -> None:
        # The ring is for keyboard users; a mouse click or window activation shows none.
        self._keyboard_focus = event.reason() in (
            Qt.FocusReason.TabFocusReason,
            Qt.FocusReason.BacktabFocusReason,
            Qt.FocusReason.ShortcutFocusReason,
        )
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._keyboard_focus = False
        super().focusOutEvent(event)

    @property
    def kind(self) -> ButtonKind:
        return self._kind

    def set_icon_name(self, icon_name: str) -> None:
        """Draw ``icon_name`` from now on (a switch whose icon shows its current mode)."""
        self._icon_name = self._icon_off_name = icon_name
        self.update()

    def sizeHint(self) -> QSize:
        width = (
            round(self._diameter_px * 1.5) if self._kind is ButtonKind.DANGER else self._diameter_px
        )
        return QSize(width, self._diameter_px)

    def current_icon_name(self) -> str:
        """The icon shown now: the "off" icon for an unchecked toggle."""
        if self._kind is ButtonKind.TOGGLE and not self.isChecked():
            return self._icon_off_name
        return self._icon_name

    def background_color(self) -> QColor:
        """The fill for the current state (hover and press included)."""
        p = current_palette()
        if self._kind is ButtonKind.ACCEPT:
            base, hover = QColor(_ACCEPT[0]), QColor(_ACCEPT[1])
        elif self._kind in (ButtonKind.DANGER, ButtonKind.DECLINE) or (
            self._kind is ButtonKind.TOGGLE and not self.isChecked()
        ):
            base, hover = QColor(p.danger), QColor(p.danger_hover)
        elif self._kind is ButtonKind.PANEL and self.isChecked():
            base, hover = QColor(p.speaking), QColor(p.speaking).lighter(112)
        else:
            base, hover = QColor(p.stage_control), QColor(p.stage_control_hover)
        if not self.isEnabled():
            base.setAlphaF(0.4)
            return base
        if self.isDown():
            return hover.darker(115)
        return hover if self.underMouse() else base

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bounds = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        radius = bounds.height() / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.background_color())
        painter.drawRoundedRect(bounds, radius, radius)
        if self.hasFocus() and self._keyboard_focus:
            # Keyboard users need to see where they are; the accent ring sits inside the edge.
            painter.setPen(QPen(QColor(current_palette().speaking), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            ring = bounds.adjusted(1, 1, -1, -1)
            painter.drawRoundedRect(ring, ring.height() / 2, ring.height() / 2)
        icon_px = round(self._diameter_px * 0.5)
        on_accent = self._kind is ButtonKind.PANEL and self.isChecked()
        color = "#202124" if on_accent else "#ffffff"
        pixmap = icon_pixmap(self.current_icon_name(), color, icon_px)
        target = QRectF(0, 0, icon_px, icon_px)
        target.moveCenter(bounds.center())
        painter.drawPixmap(target.toRect(), pixmap)
        painter.end()
