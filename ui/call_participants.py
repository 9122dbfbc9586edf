"""``CallParticipants``: the participants' tiles in a grid or a spotlight (Stream's
``StreamCallParticipants`` with ``ParticipantLayoutMode.grid`` / ``spotlight``).

Order: Stream's default sorting (:mod:`ui.participant_sorting`: pinned, screen sharing,
dominant speaker, video on, speaking, name).

Grid (as Google Meet lays it out):
  - one participant: the tile fills the stage;
  - exactly two with one of them local (a 1:1 call): the other person fills the stage and
    the self-view floats small in the bottom-right corner;
  - otherwise a grid whose column count maximises the tile area at 16:9, rows centred, the
    last row centred too.
Spotlight: the pinned participant, else the first in sorted order (the dominant speaker
when nobody is pinned or sharing; never yourself unless pinned or alone) fills the stage;
everyone else sits in a strip of small tiles under it, "+N" when they do not all fit.

Pinning is local to this user; pinning someone while in the grid switches to the spotlight,
as Meet does. Tiles are kept per ``session_id`` and re-used across snapshots and layouts,
so a frame renderer and its sink subscription survive every reflow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from app.call import CallParticipantState
from ui.participant_sorting import sort_participants, spotlight_participant
from ui.participant_view import ParticipantView
from ui.theme import current_palette
from ui.video_renderer import FrameSource

GAP_PX = 10
TILE_ASPECT = 16 / 9
FLOATING_SELF_VIEW_WIDTH_PX = 240
FLOATING_MARGIN_PX = 16
STRIP_MIN_HEIGHT_PX = 90
STRIP_MAX_HEIGHT_PX = 140

SinkLookup = Callable[[str], FrameSource | None]


class LayoutMode(StrEnum):
    GRID = "grid"
    SPOTLIGHT = "spotlight"


def grid_shape(count: int, width: float, height: float, gap: float = GAP_PX) -> tuple[int, int]:
    """``(columns, rows)`` giving ``count`` 16:9 tiles the largest size in a ``width`` ×
    ``height`` area with ``gap`` between tiles. ``count`` ≥ 1."""
    best = (1, count)
    best_area = -1.0
    for columns in range(1, count + 1):
        rows = math.ceil(count / columns)
        tile_w = (width - gap * (columns - 1)) / columns
        tile_h = (height - gap * (rows - 1)) / rows
        w = min(tile_w, tile_h * TILE_ASPECT)
        if w > 0 and w * w / TILE_ASPECT > best_area:
            best_area, best = w * w / TILE_ASPECT, (columns, rows)
    return best


class CallParticipants(QWidget):
    """Tiles for a tuple of participants; feed it every new ``participants`` snapshot.

    Signals: ``layout_mode_changed(LayoutMode)``, ``pinned_changed(str | None)`` (the
    pinned session id), each emitted only on a change.
    """

    layout_mode_changed = Signal(object)
    pinned_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._tiles: dict[str, ParticipantView] = {}
        self._participants: tuple[CallParticipantState, ...] = ()
        self._order: list[str] = []
        self._visible: list[str] = []
        self._floating_session_id: str | None = None
        self._spotlight_session_id: str | None = None
        self._pinned_session_id: str | None = None
        self._layout_mode = LayoutMode.GRID
        self._overflow = QLabel(self)
        self._overflow.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._overflow.setStyleSheet(
            f"background: {current_palette().stage_surface}; border-radius: 12px;"
            "color: #e8eaed; font-size: 18px; font-weight: 600;"
        )
        self._overflow.hide()

    # --- queries ------------------------------------------------------------------------

    def tile(self, session_id: str) -> ParticipantView | None:
        return self._tiles.get(session_id)

    @property
    def tiles(self) -> list[ParticipantView]:
        """All tiles in sorted order (in the spotlight the main one first)."""
        return [self._tiles[s] for s in self._order]

    @property
    def visible_tiles(self) -> list[ParticipantView]:
        """The tiles on screen, in display order (the spotlight's overflow excluded)."""
        return [self._tiles[s] for s in self._visible]

    @property
    def floating_session_id(self) -> str | None:
        """The session shown as the small floating self-view, if any."""
        return self._floating_session_id

    @property
    def spotlight_session_id(self) -> str | None:
        """The session filling the stage in the spotlight layout (None in the grid)."""
        return self._spotlight_session_id

    @property
    def layout_mode(self) -> LayoutMode:
        return self._layout_mode

    @property
    def pinned_session_id(self) -> str | None:
        return self._pinned_session_id

    @property
    def overflow_count(self) -> int:
        """How many participants the spotlight strip has no room for ("+N")."""
        return len(self._order) - len(self._visible)

    # --- inputs -------------------------------------------------------------------------

    def set_layout_mode(self, mode: LayoutMode) -> None:
        if mode is self._layout_mode:
            return
        self._layout_mode = mode
        self._arrange()
        self.layout_mode_changed.emit(mode)

    def set_pinned(self, session_id: str | None) -> None:
        """Pin ``session_id`` (one at a time; None unpins). Pinning while in the grid
        switches to the spotlight. An unknown session id is ignored."""
        if session_id is not None and session_id not in self._tiles:
            return
        if session_id == self._pinned_session_id:
            return
        self._pinned_session_id = session_id
        for sid, tile in self._tiles.items():
            tile.set_pinned(sid == session_id)
        self.pinned_changed.emit(session_id)
        if session_id is not None and self._layout_mode is LayoutMode.GRID:
            self.set_layout_mode(LayoutMode.SPOTLIGHT)  # arranges
        else:
            self._arrange()

    def set_participants(
        self, participants: tuple[CallParticipantState, ...], sink_for: SinkLookup
    ) -> None:
        """Show ``participants`` (any order); ``sink_for(session_id)`` gives each tile's
        frame sink (it may appear later, so it is asked on every snapshot)."""
        self._participants = participants
        wanted = {p.session_id for p in participants}
        for session_id in list(self._tiles):
            if session_id not in wanted:
                self._tiles.pop(session_id).deleteLater()
        for participant in participants:
            tile = self._tiles.get(participant.session_id)
            if tile is None:
                tile = ParticipantView(participant, parent=self)
                tile.pin_requested.connect(self._on_pin_requested)
                self._tiles[participant.session_id] = tile
                tile.show()
            else:
                tile.set_participant(participant)
            tile.set_sink(sink_for(participant.session_id))
        if self._pinned_session_id is not None and self._pinned_session_id not in wanted:
            self._pinned_session_id = None
            self.pinned_changed.emit(None)
        self._arrange()

    def _on_pin_requested(self, session_id: str, pin: bool) -> None:
        self.set_pinned(session_id if pin else None)

    # --- layout -------------------------------------------------------------------------

    def _arrange(self) -> None:
        pinned = frozenset({self._pinned_session_id}) if self._pinned_session_id else frozenset()
        ordered = sort_participants(self._participants, pinned)
        self._floating_session_id = None
        self._spotlight_session_id = None
        if self._layout_mode is LayoutMode.SPOTLIGHT:
            main = spotlight_participant(ordered, pinned)
            if main is not None:
                self._spotlight_session_id = main.session_id
                ordered.remove(main)
                ordered.insert(0, main)
        else:
            local = [p for p in ordered if p.is_local]
            if len(ordered) == 2 and len(local) == 1:
                self._floating_session_id = local[0].session_id
        self._order = [p.session_id for p in ordered]
        self._relayout()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._relayout()
        super().resizeEvent(event)

    def _relayout(self) -> None:
        area = self.rect()
        self._visible = list(self._order)
        self._overflow.hide()
        if not self._order or area.isEmpty():
            return
        if self._spotlight_session_id is not None:
            self._relayout_spotlight(area)
        else:
            self._relayout_grid(area)
        hidden = set(self._order) - set(self._visible)
        for session_id, tile in self._tiles.items():
            tile.setVisible(session_id not in hidden)

    def _relayout_grid(self, area: QRect) -> None:
        grid_ids = [s for s in self._order if s != self._floating_session_id]
        for session_id, rect in zip(grid_ids, _grid_rects(len(grid_ids), area), strict=True):
            tile = self._tiles[session_id]
            tile.set_compact(False)
            tile.set_floating(False)
            tile.set_corner_covered(False)
            tile.setGeometry(rect)
        if self._floating_session_id is not None:
            if grid_ids:  # the self-view floats over the last tile's bottom-right corner
                self._tiles[grid_ids[-1]].set_corner_covered(True)
            tile = self._tiles[self._floating_session_id]
            width = min(FLOATING_SELF_VIEW_WIDTH_PX, max(120, area.width() // 4))
            height = round(width / TILE_ASPECT)
            tile.set_compact(True)
            tile.set_floating(True, over=self._tiles[grid_ids[-1]] if grid_ids else None)
            tile.setGeometry(
                area.right() - width - FLOATING_MARGIN_PX + 1,
                area.bottom() - height - FLOATING_MARGIN_PX + 1,
                width,
                height,
            )
            tile.raise_()

    def _relayout_spotlight(self, area: QRect) -> None:
        main_id, *others = self._order
        main = self._tiles[main_id]
        main.set_compact(False)
        main.set_floating(False)
        main.set_corner_covered(False)
        if not others:
            main.setGeometry(area)
            return
        strip_h = round(min(STRIP_MAX_HEIGHT_PX, max(STRIP_MIN_HEIGHT_PX, area.height() * 0.2)))
        main.setGeometry(area.adjusted(0, 0, 0, -(strip_h + GAP_PX)))
        tile_w = round(strip_h * TILE_ASPECT)
        room = max(1, (area.width() + GAP_PX) // (tile_w + GAP_PX))
        shown = others if len(others) <= room else others[: room - 1]
        slots = len(shown) + (len(others) > len(shown))
        left = area.left() + (area.width() - (slots * tile_w + (slots - 1) * GAP_PX)) // 2
        top = area.bottom() - strip_h + 1
        for index, session_id in enumerate(shown):
            tile = self._tiles[session_id]
            tile.set_compact(True)
            tile.set_floating(False)
            tile.set_corner_covered(False)
            tile.setGeometry(left + index * (tile_w + GAP_PX), top, tile_w, strip_h)
        self._visible = [main_id, *shown]
        hidden = len(others) - len(shown)
        if hidden:
            self._overflow.setText(f"+{hidden}")
            self._overflow.setToolTip(self.tr("%n more people", "", hidden))
            self._overflow.setGeometry(left + len(shown) * (tile_w + GAP_PX), top, tile_w, strip_h)
            self._overflow.show()
            self._overflow.raise_()


def _grid_rects(count: int, area: QRect) -> list[QRect]:
    """Tile rectangles for ``count`` tiles in ``area``, row by row, rows centred. A lone
    tile takes the whole area (no letterboxing: the video itself is cropped to cover)."""
    if count == 0:
        return []
    if count == 1:
        return [QRect(area)]
    columns, rows = grid_shape(count, area.width(), area.height())
    tile_w = (area.width() - GAP_PX * (columns - 1)) / columns
    tile_h = (area.height() - GAP_PX * (rows - 1)) / rows
    w = min(tile_w, tile_h * TILE_ASPECT)
    h = w / TILE_ASPECT
    top = area.top() + (area.height() - (rows * h + (rows - 1) * GAP_PX)) / 2
    rects: list[QRect] = []
    for row in range(rows):
        in_row = min(columns, count - row * columns)
        left = area.left() + (area.width() - (in_row * w + (in_row - 1) * GAP_PX)) / 2
        y = top + row * (h + GAP_PX)
        for column in range(in_row):
            x = left + column * (w + GAP_PX)
            rects.append(QRect(round(x), round(y), round(w), round(h)))
    return rects
