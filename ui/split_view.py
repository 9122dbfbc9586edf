"""``SplitView``: two joined calls side by side, to monitor two rooms at once (issue 4;
Stream's ``video_multicall`` sample shows its rooms split like this).

Each side is a :class:`CallPane`: a header with the call's name and what it is doing
(the same words as the switcher's chips) over a compact grid of its participants. The
focused call's pane is outlined; clicking the other pane asks to focus it
(``focus_requested(call)``), which hands it the microphone and the speakers. A pure view
of the two calls' states (each pane follows its call through its own ``CallBridge``); the
window's :class:`ui.call_stack.CallStack` decides which calls are shown and runs the
switch.

A call on hold receives no video (``Call.set_on_hold``: that is what hold saves), so its
tiles show their avatars with the "On hold" overlay until it is resumed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.call import CallParticipantState, CallState
from ui.active_calls_switcher import call_display_name
from ui.bridge import CallBridge
from ui.call_participants import CallParticipants
from ui.icons import icon_pixmap
from ui.theme import current_palette

if TYPE_CHECKING:
    from app.call import Call

_HOLD_COLOR = "#fdd663"


class CallPane(QFrame):
    """One side of the split view: ``call``'s header and participants grid.
    ``clicked(call)`` when the user clicks anywhere in it."""

    clicked = Signal(object)

    def __init__(self, call: Call, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        palette = current_palette()
        self.setObjectName("callPane")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.bridge = CallBridge(call, self)
        self._focused = False
        people = QLabel()
        people.setPixmap(icon_pixmap("people", palette.stage_text_muted, 18))
        people.setStyleSheet("background: transparent;")
        self.name_label = QLabel()
        self.name_label.setStyleSheet(
            f"color: {palette.stage_text}; font-size: 15px; font-weight: 600;"
            " background: transparent;"
        )
        self.state_label = QLabel()
        header = QHBoxLayout()
        header.setContentsMargins(6, 0, 6, 0)
        header.setSpacing(8)
        header.addWidget(people)
        header.addWidget(self.name_label)
        header.addStretch(1)
        header.addWidget(self.state_label)
        self.participants_view = CallParticipants()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self.participants_view, 1)
        self.bridge.participants_changed.connect(self._show_participants)
        self.bridge.state_changed.connect(self._render)
        self._show_participants(self.bridge.state.participants)
        self._render(self.bridge.state)

    @property
    def call(self) -> Call:
        return self.bridge.call

    @property
    def focused(self) -> bool:
        return self._focused

    @property
    def state_text(self) -> str:
        return self.state_label.text()

    def set_focused(self, focused: bool) -> None:
        if focused != self._focused:
            self._focused = focused
            self._render(self.bridge.state)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.call)
            event.accept()
            return
        super().mousePressEvent(event)

    def _show_participants(self, participants: tuple[CallParticipantState, ...]) -> None:
        self.participants_view.set_participants(participants, self.call.video_sink)

    def _render(self, state: CallState) -> None:
        palette = current_palette()
        if self._focused:
            text, color = self.tr("On screen"), palette.success
        elif state.is_on_hold:
            text, color = self.tr("On hold"), _HOLD_COLOR
        else:
            text, color = self.tr("In background"), palette.stage_text_muted
        self.name_label.setText(call_display_name(state))
        self.setToolTip(state.call_cid)
        self.state_label.setText(text)
        self.state_label.setStyleSheet(
            f"color: {color}; background: {palette.stage_control};"
            f" border: 1px solid {palette.stage_control}; border-radius: 11px;"
            " padding: 2px 10px; font-weight: 600;"
        )
        border = palette.speaking if self._focused else palette.stage_surface
        self.setStyleSheet(
            f"QFrame#callPane {{ background: {palette.stage_surface};"
            f" border: 2px solid {border}; border-radius: 14px; }}"
        )


class SplitView(QWidget):
    """Two calls side by side (:meth:`set_calls`); ``focus_requested(call)`` when the user
    clicks the pane of a call that is not focused."""

    focus_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(16, 12, 16, 16)
        self._row.setSpacing(12)
        self.panes: list[CallPane] = []

    def set_calls(self, calls: tuple[Call, ...], focused: Call | None) -> None:
        """Show the first two of ``calls`` (the caller passes the focused call and the
        one to watch beside it); panes of calls still shown are kept."""
        wanted = calls[:2]
        kept = {pane.call: pane for pane in self.panes}
        for pane in self.panes:  # re-added below in the new order
            self._row.removeWidget(pane)
        self.panes = []
        for call in wanted:
            if call in kept:
                pane = kept.pop(call)
            else:
                pane = CallPane(call)
                pane.clicked.connect(self._on_clicked)
            self._row.addWidget(pane, 1)
            self.panes.append(pane)
        for pane in kept.values():
            pane.deleteLater()
        self.set_focused(focused)

    def set_focused(self, focused: Call | None) -> None:
        for pane in self.panes:
            pane.set_focused(pane.call is focused)

    def pane(self, call: Call) -> CallPane | None:
        return next((pane for pane in self.panes if pane.call is call), None)

    def _on_clicked(self, call: Call) -> None:
        pane = self.pane(call)
        if pane is not None and not pane.focused:
            self.focus_requested.emit(call)
