"""``ActiveCallsSwitcher``: the slim bar over the call screen while several calls are
joined (issue 4; Stream's ``video_multicall`` sample switches rooms with a list like it).

One chip per active call, in join order: a status dot, the call's name (the other people
in it, else its id), what the call is doing and an action:

  focused       → "On screen", no action (it has the microphone and the speakers)
  on hold       → "On hold" (the others see it too), "Resume"
  suspended     → "Muted in background" (audio suspended, not held), "Switch"
  neither       → "In background", "Switch"

At the right, "Split view" shows two calls side by side (:mod:`ui.split_view`). A pure
view: it emits what the user chose (``switch_requested(call)``,
``split_view_toggled(bool)``); :class:`ui.call_stack.CallStack` feeds it the active calls
and runs the engine commands. Each chip follows its call through its own ``CallBridge``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.call import CallState
from ui.bridge import CallBridge
from ui.icons import icon
from ui.theme import current_palette

if TYPE_CHECKING:
    from app.call import Call

_NAMES_SHOWN = 2
_CHIP_HEIGHT_PX = 40
_DOT_PX = 10
_HOLD_COLOR = "#fdd663"  # the call screen's amber ("Reconnecting…" chip)


def call_display_name(state: CallState) -> str:
    """The other people in the call (``"Ann"``, ``"Ann, Bob +2"``), else its id: people
    recognise a call by who is in it, not by a generated id."""
    names = [p.name or p.user_id for p in state.remote_participants]
    if not names:
        return state.call_id
    shown = ", ".join(names[:_NAMES_SHOWN])
    more = len(names) - _NAMES_SHOWN
    return f"{shown} +{more}" if more > 0 else shown


class CallChip(QFrame):
    """One active call in the switcher. ``switch_requested(call)`` on its action."""

    switch_requested = Signal(object)

    def __init__(self, call: Call, focused: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callChip")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setFixedHeight(_CHIP_HEIGHT_PX)
        self.bridge = CallBridge(call, self)
        self._focused = focused
        self.dot = QLabel()
        self.dot.setFixedSize(_DOT_PX, _DOT_PX)
        self.name_label = QLabel()
        self.name_label.setStyleSheet("font-weight: 600; background: transparent;")
        self.state_label = QLabel()
        self.action_button = QPushButton()
        self.action_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.action_button.setIconSize(QSize(16, 16))
        self.action_button.setFixedHeight(28)
        self.action_button.clicked.connect(lambda: self.switch_requested.emit(self.call))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 0, 6, 0)
        layout.setSpacing(8)
        layout.addWidget(self.dot)
        layout.addWidget(self.name_label)
        layout.addWidget(self.state_label)
        layout.addWidget(self.action_button)
        self.bridge.state_changed.connect(self._render)
        self._render(self.bridge.state)

    @property
    def call(self) -> Call:
        return self.bridge.call

    @property
    def focused(self) -> bool:
        return self._focused

    def set_focused(self, focused: bool) -> None:
        if focused != self._focused:
            self._focused = focused
            self._render(self.bridge.state)

    @property
    def state_text(self) -> str:
        return self.state_label.text()

    def _render(self, state: CallState) -> None:
        palette = current_palette()
        if self._focused:
            text, color, action = self.tr("On screen"), palette.success, ""
        elif state.is_on_hold:
            text, color, action = self.tr("On hold"), _HOLD_COLOR, self.tr("Resume")
        elif state.is_audio_suspended:
            text, color, action = (
                self.tr("Muted in background"),
                palette.stage_text_muted,
                self.tr("Switch"),
            )
        else:
            text, color, action = (
                self.tr("In background"),
                palette.stage_text_muted,
                self.tr("Switch"),
            )
        name = call_display_name(state)
        self.name_label.setText(name)
        self.setToolTip(state.call_cid)
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"color: {color}; background: transparent;")
        self.dot.setStyleSheet(f"background: {color}; border-radius: {_DOT_PX // 2}px;")
        self.action_button.setText(action)
        self.action_button.setVisible(bool(action))
        self.action_button.setIcon(
            icon("play" if state.is_on_hold else "switch", palette.on_accent, 16)
        )
        self.action_button.setAccessibleName(f"{action} {name}")
        border = palette.speaking if self._focused else "transparent"
        self.setStyleSheet(
            f"QFrame#callChip {{ background: {palette.stage_surface};"
            f" border: 1px solid {border}; border-radius: {_CHIP_HEIGHT_PX // 2}px; }}"
            f"QFrame#callChip QLabel {{ color: {palette.stage_text}; }}"
            f"QFrame#callChip QPushButton {{ background: {palette.speaking};"
            f" color: {palette.on_accent}; border: none; border-radius: 14px;"
            " padding: 0 12px 0 8px; min-height: 28px; font-weight: 600; }"
            f"QFrame#callChip QPushButton:hover {{ background: {palette.accent_hover}; }}"
        )


class ActiveCallsSwitcher(QFrame):
    """The bar of active calls; shown only while two or more are joined.

    Feed it :meth:`set_calls` with every change of the client's active calls. Signals:
    ``switch_requested(Call)`` (a chip's Switch / Resume), ``split_view_toggled(bool)``.
    """

    switch_requested = Signal(object)
    split_view_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        palette = current_palette()
        self.setObjectName("activeCallsSwitcher")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(
            f"QFrame#activeCallsSwitcher {{ background: {palette.stage};"
            f" border-bottom: 1px solid {palette.stage_control}; }}"
        )
        self.title_label = QLabel(self.tr("Active calls"))
        self.title_label.setStyleSheet(
            f"color: {palette.stage_text_muted}; font-weight: 600; background: transparent;"
        )
        self._chips_row = QHBoxLayout()
        self._chips_row.setSpacing(8)
        self.split_button = QPushButton(self.tr("Split view"))
        self.split_button.setCheckable(True)
        self.split_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.split_button.setIconSize(QSize(18, 18))
        self.split_button.setFixedHeight(34)
        self.split_button.setToolTip(self.tr("Watch two calls side by side"))
        self.split_button.setIcon(icon("split-view", palette.stage_text, 18))
        self.split_button.setStyleSheet(
            f"QPushButton {{ background: {palette.stage_surface}; color: {palette.stage_text};"
            " border: none; border-radius: 17px; padding: 0 14px; min-height: 34px;"
            " font-weight: 600; }"
            f"QPushButton:hover {{ background: {palette.stage_control_hover}; }}"
            f"QPushButton:checked {{ background: {palette.stage_control};"
            f" color: {palette.speaking}; }}"
        )
        self.split_button.toggled.connect(self._on_split_toggled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 8, 16, 8)
        layout.setSpacing(12)
        layout.addWidget(self.title_label)
        layout.addLayout(self._chips_row)
        layout.addStretch(1)
        layout.addWidget(self.split_button)
        self.chips: list[CallChip] = []
        self.hide()

    def set_calls(self, calls: tuple[Call, ...], focused: Call | None) -> None:
        """Show ``calls`` (join order), ``focused`` marked; chips of calls still active
        are kept (their bridges keep following)."""
        kept = {chip.call: chip for chip in self.chips}
        for chip in self.chips:  # re-added below in join order
            self._chips_row.removeWidget(chip)
        self.chips = []
        for call in calls:
            if call in kept:
                chip = kept.pop(call)
            else:
                chip = CallChip(call, call is focused)
                chip.switch_requested.connect(self.switch_requested)
            chip.set_focused(call is focused)
            self._chips_row.addWidget(chip)
            self.chips.append(chip)
        for chip in kept.values():
            chip.deleteLater()
        several = len(calls) >= 2
        if not several and self.split_button.isChecked():
            self.split_button.setChecked(False)
        self.setVisible(several)

    def chip(self, call: Call) -> CallChip | None:
        return next((chip for chip in self.chips if chip.call is call), None)

    @property
    def split_view(self) -> bool:
        return self.split_button.isChecked()

    def set_split_view(self, on: bool) -> None:
        self.split_button.setChecked(on)

    def _on_split_toggled(self, on: bool) -> None:
        palette = current_palette()
        color = palette.speaking if on else palette.stage_text
        self.split_button.setIcon(icon("split-view", color, 18))
        self.split_view_toggled.emit(on)
