"""``ParticipantView``: one participant's tile (Stream's ``StreamCallParticipant``).

A tile is the video (or the avatar placeholder), the name in a pill at the bottom left, a
muted-microphone badge at the top right when ``TrackType.AUDIO`` is not published, and a
speaking outline while ``is_speaking``. Overlays are child widgets placed over the renderer
so a state change repaints only the overlay, never converts a frame again.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from app.call import CallParticipantState
from ui.icons import icon_pixmap
from ui.theme import current_palette
from ui.video_renderer import FrameSource, VideoFit, VideoRenderer

CORNER_RADIUS_PX = 12.0
SPEAKING_BORDER_PX = 3
_INSET_PX = 10
_BADGE_PX = 28


class _SpeakingOutline(QWidget):
    """A rounded outline drawn over the video; invisible to the mouse."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        half = SPEAKING_BORDER_PX / 2
        bounds = QRectF(self.rect()).adjusted(half, half, -half, -half)
        painter.setPen(QPen(QColor(current_palette().speaking), SPEAKING_BORDER_PX))
        painter.drawRoundedRect(bounds, CORNER_RADIUS_PX - half, CORNER_RADIUS_PX - half)
        painter.end()


class ParticipantView(QWidget):
    """The tile of ``participant``; ``sink`` is its camera's frame sink (None: avatar).

    The local participant is labelled "You" and its video is mirrored (a self-view reads
    like a mirror; remote peers see it unmirrored). ``compact`` tiles (the floating
    self-view) use a smaller label.
    """

    def __init__(
        self,
        participant: CallParticipantState,
        sink: FrameSource | None = None,
        *,
        compact: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)
        self._participant = participant
        self._renderer = VideoRenderer(self, fit=VideoFit.COVER, corner_radius_px=CORNER_RADIUS_PX)
        self._name = QLabel(self)
        self._name.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._mic_badge = QLabel(self)
        self._mic_badge.setObjectName("micMutedBadge")  # findChild() handle
        self._mic_badge.setFixedSize(_BADGE_PX, _BADGE_PX)
        self._mic_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._mic_badge.setPixmap(icon_pixmap("mic-off", "#ffffff", 16))
        self._mic_badge.setStyleSheet(
            f"background: rgba(32, 33, 36, 0.72); border-radius: {_BADGE_PX // 2}px;"
        )
        self._mic_badge.setAccessibleName(self.tr("Microphone muted"))
        self._outline = _SpeakingOutline(self)
        self._compact = False
        self.set_compact(compact)
        self.set_sink(sink)
        self._apply(participant, force=True)

    # --- inputs -------------------------------------------------------------------------

    @property
    def participant(self) -> CallParticipantState:
        return self._participant

    @property
    def renderer(self) -> VideoRenderer:
        return self._renderer

    def set_participant(self, participant: CallParticipantState) -> None:
        """Show a newer snapshot of the participant; unchanged parts are not touched."""
        if participant != self._participant:
            self._apply(participant, force=False)

    def set_sink(self, sink: FrameSource | None) -> None:
        self._renderer.set_sink(sink)

    def set_compact(self, compact: bool) -> None:
        if compact == self._compact and self._name.styleSheet():
            return
        self._compact = compact
        font_px = 11 if compact else 13
        self._name.setStyleSheet(
            "color: #ffffff; background: rgba(32, 33, 36, 0.62); border-radius: 6px;"
            f"padding: 3px 8px; font-size: {font_px}px; font-weight: 500;"
        )
        self._layout_overlays()

    # --- state for tests and accessibility ----------------------------------------------

    @property
    def display_name(self) -> str:
        return self._name.text()

    @property
    def mic_muted_visible(self) -> bool:
        return not self._mic_badge.isHidden()

    @property
    def speaking_visible(self) -> bool:
        return not self._outline.isHidden()

    # --- internals ----------------------------------------------------------------------

    def _apply(self, participant: CallParticipantState, *, force: bool) -> None:
        previous, self._participant = self._participant, participant
        if force or (participant.name, participant.is_local) != (previous.name, previous.is_local):
            label = (
                self.tr("You")
                if participant.is_local
                else (participant.name or participant.user_id)
            )
            self._name.setText(label)
            self._name.adjustSize()
            self._renderer.set_placeholder(
                participant.name or participant.user_id, participant.user_id
            )
            self._renderer.set_mirror(participant.is_local)
            self.setAccessibleName(label)
            self._layout_overlays()
        self._renderer.set_video_enabled(participant.is_video_enabled)
        self._mic_badge.setHidden(participant.is_audio_enabled)
        self._outline.setHidden(not (participant.is_speaking and participant.is_audio_enabled))

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout_overlays()
        super().resizeEvent(event)

    def _layout_overlays(self) -> None:
        rect = self.rect()
        self._renderer.setGeometry(rect)
        self._outline.setGeometry(rect)
        self._name.adjustSize()
        max_name_width = max(40, rect.width() - 2 * _INSET_PX)
        if self._name.width() > max_name_width:
            self._name.resize(max_name_width, self._name.height())
        self._name.move(_INSET_PX, rect.height() - self._name.height() - _INSET_PX)
        self._mic_badge.move(rect.width() - _BADGE_PX - _INSET_PX, _INSET_PX)
        self._outline.raise_()
        self._name.raise_()
        self._mic_badge.raise_()
