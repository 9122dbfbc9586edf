"""``CallParticipants``: the grid of tiles (Stream's ``StreamCallParticipants``).

Layout rules (as Google Meet does them):
  - one participant: the tile fills the stage;
  - exactly two with one of them local (a 1:1 call): the other person fills the stage and
    the self-view floats small in the bottom-right corner;
  - otherwise a grid whose column count maximises the tile area at 16:9, rows centred, the
    last row centred too.
Tiles are kept per ``session_id`` and re-used across snapshots, so a frame renderer and its
sink subscription survive layout changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QRect
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.call import CallParticipantState
from ui.participant_view import ParticipantView
from ui.video_renderer import FrameSource

GAP_PX = 10
TILE_ASPECT = 16 / 9
FLOATING_SELF_VIEW_WIDTH_PX = 240
FLOATING_MARGIN_PX = 16

SinkLookup = Callable[[str], FrameSource | None]


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
    """Tiles for a tuple of participants; feed it every new ``participants`` snapshot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._tiles: dict[str, ParticipantView] = {}
        self._order: list[str] = []
        self._floating_session_id: str | None = None

    def tile(self, session_id: str) -> ParticipantView | None:
        return self._tiles.get(session_id)

    @property
    def tiles(self) -> list[ParticipantView]:
        """The tiles in display order."""
        return [self._tiles[s] for s in self._order]

    @property
    def floating_session_id(self) -> str | None:
        """The session shown as the small floating self-view, if any."""
        return self._floating_session_id

    def set_participants(
        self, participants: tuple[CallParticipantState, ...], sink_for: SinkLookup
    ) -> None:
        """Show ``participants`` (join order; the local one last, as in Meet's grid);
        ``sink_for(session_id)`` gives each tile's frame sink (it may appear later)."""
        ordered = [p for p in participants if not p.is_local] + [
            p for p in participants if p.is_local
        ]
        wanted = {p.session_id for p in ordered}
        for session_id in list(self._tiles):
            if session_id not in wanted:
                self._tiles.pop(session_id).deleteLater()
        for participant in ordered:
            tile = self._tiles.get(participant.session_id)
            if tile is None:
                tile = ParticipantView(participant, parent=self)
                self._tiles[participant.session_id] = tile
                tile.show()
            else:
                tile.set_participant(participant)
            tile.set_sink(sink_for(participant.session_id))
        self._order = [p.session_id for p in ordered]
        local = [p for p in ordered if p.is_local]
        self._floating_session_id = (
            local[0].session_id if len(ordered) == 2 and len(local) == 1 else None
        )
        self._relayout()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._relayout()
        super().resizeEvent(event)

    def _relayout(self) -> None:
        area = self.rect()
        if not self._order or area.isEmpty():
            return
        grid_ids = [s for s in self._order if s != self._floating_session_id]
        for session_id, rect in zip(grid_ids, _grid_rects(len(grid_ids), area), strict=True):
            tile = self._tiles[session_id]
            tile.set_compact(False)
            tile.setGeometry(rect)
        if self._floating_session_id is not None:
            tile = self._tiles[self._floating_session_id]
            width = min(FLOATING_SELF_VIEW_WIDTH_PX, max(120, area.width() // 4))
            height = round(width / TILE_ASPECT)
            tile.set_compact(True)
            tile.setGeometry(
                area.right() - width - FLOATING_MARGIN_PX + 1,
                area.bottom() - height - FLOATING_MARGIN_PX + 1,
                width,
                height,
            )
            tile.raise_()


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
