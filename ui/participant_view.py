"""``ParticipantView``: one participant's tile (Stream's ``StreamCallParticipant``).

A tile is the video (or the avatar placeholder), the name in a pill at the bottom left, a
muted-microphone badge at the top right when ``TrackType.AUDIO`` is not published, the
connection-quality bars at the bottom right, a speaking outline while ``is_speaking``, a
pin button at the top left (shown on hover, and always while pinned; right-click offers the
same), a ✋ badge at the top right while the hand is raised, and the participant's latest
reaction big in the middle for as long as the engine keeps it, and the picture dimmed with
an "On hold" badge while the participant has put the call on hold (issue 4, ``is_on_hold``;
:mod:`ui.hold_overlay`). Overlays are child widgets
placed over the renderer so a state change repaints only the overlay, never converts a
frame again.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QEnterEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QLabel, QMenu, QToolButton, QWidget

from app.call import CallParticipantState
from ui.connection_quality import ConnectionQualityIndicator
from ui.hold_overlay import HoldOverlay
from ui.icons import icon, icon_pixmap
from ui.reactions import HandBadge, ReactionOverlay
from ui.speaking_outline import SpeakingOutline
from ui.theme import current_palette
from ui.video_renderer import FrameSource, VideoFit, VideoRenderer

CORNER_RADIUS_PX = 12.0
_INSET_PX = 10
_BADGE_PX = 28
_BADGE_GAP_PX = 6


class ParticipantView(QWidget):
    """The tile of ``participant``; ``sink`` is its camera's frame sink (None: avatar).

    The local participant is labelled "You" and its video is mirrored (a self-view reads
    like a mirror; remote peers see it unmirrored). ``compact`` tiles (the floating
    self-view, the spotlight strip) use a smaller label and no pin button on hover.

    Signal: ``pin_requested(session_id: str, pin: bool)`` — the user asked to pin or unpin
    this tile; the owner decides (pinning is local to this user, as in Stream's
    ``setParticipantPinnedLocally``) and calls :meth:`set_pinned`.
    """

    pin_requested = Signal(str, bool)

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
        self._renderer = VideoRenderer(
            self,
            fit=VideoFit.COVER,
            corner_radius_px=CORNER_RADIUS_PX,
            backdrop=current_palette().stage,
        )
        self._name = QLabel(self)
        self._name.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._label = ""  # the whole name; the chip may show it elided
        self._mic_badge = QLabel(self)
        self._mic_badge.setObjectName("micMutedBadge")  # findChild() handle
        self._mic_badge.setFixedSize(_BADGE_PX, _BADGE_PX)
        self._mic_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._mic_badge.setPixmap(icon_pixmap("mic-off", "#ffffff", 16))
        self._mic_badge.setStyleSheet(
            f"background: rgba(32, 33, 36, 0.72); border-radius: {_BADGE_PX // 2}px;"
        )
        self._mic_badge.setAccessibleName(self.tr("Microphone muted"))
        self._quality = ConnectionQualityIndicator(self)
        self._reaction = ReactionOverlay(self)
        self._hand_badge = HandBadge(_BADGE_PX, self)
        self._hand_badge.hide()
        self._pin_button = QToolButton(self)
        self._pin_button.setObjectName("pinButton")
        self._pin_button.setFixedSize(_BADGE_PX + 4, _BADGE_PX + 4)
        self._pin_button.setIconSize(QSize(18, 18))
        self._pin_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self._pin_button.clicked.connect(self._on_pin_clicked)
        self._outline = SpeakingOutline(CORNER_RADIUS_PX, self)
        self._hold = HoldOverlay(CORNER_RADIUS_PX, self)
        self._hold.hide()
        self._pinned = False
        self._hovered = False
        self._compact = False
        self._corner_covered = False
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.set_compact(compact)
        self.set_sink(sink)
        self._apply(participant, force=True)
        self._show_pin_state()

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

    @property
    def pinned(self) -> bool:
        return self._pinned

    def set_pinned(self, pinned: bool) -> None:
        """Show whether this participant is pinned (locally)."""
        if pinned != self._pinned:
            self._pinned = pinned
            self._show_pin_state()

    def set_floating(self, floating: bool, over: ParticipantView | None = None) -> None:
        """Whether the tile floats over other video (the 1:1 self-view): its corners then
        show what is under them. Otherwise they show the stage colour and the renderer
        repaints on its own (:meth:`VideoRenderer.set_backdrop`). ``over``: the tile it
        floats over, whose repaints then paint this one's new frames too
        (:meth:`VideoRenderer.set_underlay`)."""
        self._renderer.set_backdrop(None if floating else current_palette().stage)
        self._renderer.set_underlay(over.renderer if floating and over is not None else None)

    def set_corner_covered(self, covered: bool) -> None:
        """Whether something floats over this tile's bottom-right corner (the 1:1
        self-view over the stage). The quality badge then sits beside the name, where it
        stays in sight, instead of peeking out from under the floating view."""
        if covered != self._corner_covered:
            self._corner_covered = covered
            self._layout_overlays()

    def set_compact(self, compact: bool) -> None:
        if compact == self._compact and self._name.styleSheet():
            return
        self._compact = compact
        font_px = 11 if compact else 13
        self._name.setStyleSheet(
            "color: #ffffff; background: rgba(32, 33, 36, 0.62); border-radius: 6px;"
            f"padding: 3px 8px; font-size: {font_px}px; font-weight: 500;"
        )
        self._show_pin_state()
        self._layout_overlays()

    # --- state for tests and accessibility ----------------------------------------------

    @property
    def display_name(self) -> str:
        """The tile's whole name ("You" for the local participant), even while the chip
        shows it elided."""
        return self._label

    @property
    def mic_muted_visible(self) -> bool:
        return not self._mic_badge.isHidden()

    @property
    def speaking_visible(self) -> bool:
        return not self._outline.isHidden()

    @property
    def reaction_overlay(self) -> ReactionOverlay:
        return self._reaction

    @property
    def hand_raised_visible(self) -> bool:
        return not self._hand_badge.isHidden()

    @property
    def on_hold_visible(self) -> bool:
        return not self._hold.isHidden()

    @property
    def quality_indicator(self) -> ConnectionQualityIndicator:
        return self._quality

    @property
    def name_label(self) -> QLabel:
        return self._name

    @property
    def pin_button(self) -> QToolButton:
        return self._pin_button

    def context_menu(self) -> QMenu:
        """The right-click menu (Pin / Unpin); the caller owns and shows it."""
        menu = QMenu(self)
        if self._pinned:
            action = menu.addAction(icon("pin-off", "#e8eaed", 18), self.tr("Unpin"))
        else:
            action = menu.addAction(icon("pin", "#e8eaed", 18), self.tr("Pin to the main stage"))
        action.triggered.connect(self._on_pin_clicked)
        return menu

    # --- events -------------------------------------------------------------------------

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu()
        menu.exec(event.globalPos())
        menu.deleteLater()

    def enterEvent(self, event: QEnterEvent) -> None:
        self._hovered = True
        self._show_pin_state()
        super().enterEvent(event)

    def leaveEvent(self, event: object) -> None:
        self._hovered = False
        self._show_pin_state()
        super().leaveEvent(event)  # type: ignore[arg-type]

    # --- internals ----------------------------------------------------------------------

    def _apply(self, participant: CallParticipantState, *, force: bool) -> None:
        previous, self._participant = self._participant, participant
        if force or (participant.name, participant.is_local) != (previous.name, previous.is_local):
            label = (
                self.tr("You")
                if participant.is_local
                else (participant.name or participant.user_id)
            )
            self._label = label
            self._renderer.set_placeholder(
                participant.name or participant.user_id, participant.user_id
            )
            self._renderer.set_mirror(participant.is_local)
            self.setAccessibleName(label)
            self._layout_overlays()
        self._renderer.set_video_enabled(participant.is_video_enabled)
        self._mic_badge.setHidden(participant.is_audio_enabled)
        self._hand_badge.setHidden(not participant.is_hand_raised)
        self._hold.setHidden(not participant.is_on_hold)
        self._reaction.set_reaction(participant.reaction)
        if force or (participant.is_audio_enabled, participant.is_hand_raised) != (
            previous.is_audio_enabled,
            previous.is_hand_raised,
        ):
            self._place_top_right_badges()
        if force or participant.connection_quality != previous.connection_quality:
            self._quality.set_quality(participant.connection_quality)
        self._outline.setHidden(not (participant.is_speaking and participant.is_audio_enabled))

    def _on_pin_clicked(self) -> None:
        self.pin_requested.emit(self._participant.session_id, not self._pinned)

    def _show_pin_state(self) -> None:
        # Pinned tiles always show the pin (it is the way back); others only on hover, and
        # small tiles none on hover (no room), but the right-click menu is always there.
        button = self._pin_button
        button.setVisible(self._pinned or (self._hovered and not self._compact))
        if self._pinned:
            button.setIcon(icon("pin", "#202124", 18))
            background = current_palette().speaking
            tip = self.tr("Unpin")
        else:
            button.setIcon(icon("pin", "#ffffff", 18))
            background = "rgba(32, 33, 36, 0.72)"
            tip = self.tr("Pin to the main stage")
        radius = button.width() // 2
        button.setStyleSheet(
            f"QToolButton {{ background: {background}; border: none; border-radius: {radius}px; }}"
            "QToolButton:hover { background: rgba(60, 64, 67, 0.92); }"
        )
        button.setToolTip(tip)
        button.setAccessibleName(tip)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout_overlays()
        super().resizeEvent(event)

    def _layout_overlays(self) -> None:
        rect = self.rect()
        self._renderer.setGeometry(rect)
        self._outline.setGeometry(rect)
        self._hold.setGeometry(rect)
        max_name_width = max(40, rect.width() - 3 * _INSET_PX - self._quality.width())
        if self._corner_covered:  # name and badge stay on the uncovered left half
            max_name_width = max(40, rect.width() // 2 - _INSET_PX - _BADGE_GAP_PX - _BADGE_PX)
        self._fit_name(max_name_width)
        self._name.move(_INSET_PX, rect.height() - self._name.height() - _INSET_PX)
        self._place_top_right_badges()
        self._reaction.fit_to(rect.width(), rect.height())
        if self._corner_covered:  # beside the name, centred on it
            name = self._name.geometry()
            self._quality.move(
                name.right() + 1 + _BADGE_GAP_PX,
                name.center().y() - self._quality.height() // 2 + 1,
            )
        else:
            self._quality.move(
                rect.width() - self._quality.width() - _INSET_PX,
                rect.height() - self._quality.height() - _INSET_PX,
            )
        self._pin_button.move(_INSET_PX - 2, _INSET_PX - 2)
        self._outline.raise_()
        self._hold.raise_()  # dims the video, under the name and the badges
        for overlay in (
            self._reaction,
            self._name,
            self._mic_badge,
            self._hand_badge,
            self._quality,
            self._pin_button,
        ):
            overlay.raise_()

    def _fit_name(self, max_width: int) -> None:
        """Show the whole name in the chip, or as much as fits ``max_width`` pixels (chip
        padding included) with an ellipsis: a long name must not run under the badges."""
        self._name.setText(self._label)
        self._name.adjustSize()
        if self._name.width() <= max_width:
            return
        metrics = self._name.fontMetrics()
        chrome = self._name.width() - metrics.horizontalAdvance(self._label)
        elided = metrics.elidedText(self._label, Qt.TextElideMode.ElideRight, max_width - chrome)
        self._name.setText(elided)
        self._name.adjustSize()
        if self._name.width() > max_width:  # not even the ellipsis fits
            self._name.resize(max_width, self._name.height())

    def _place_top_right_badges(self) -> None:
        # The muted badge keeps the corner; the hand sits to its left, or in the corner
        # when the microphone is on.
        right = self.rect().width() - _INSET_PX
        self._mic_badge.move(right - _BADGE_PX, _INSET_PX)
        if not self._mic_badge.isHidden():
            right -= _BADGE_PX + 6
        self._hand_badge.move(right - _BADGE_PX, _INSET_PX)
