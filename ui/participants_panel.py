"""``ParticipantsPanel``: the side panel listing the people in the call (Meet's "People").

One row per participant: avatar, name ("(You)" for the local user), ✋ while their hand is
raised, a pin mark when pinned here, and the microphone and camera state as icons (red when
off). The user comes first,
then everyone else by name. Rows are rebuilt only when something a row shows changed, not
on every audio-level snapshot.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.call import CallParticipantState
from ui.avatar import avatar_color, initials
from ui.icons import icon, icon_pixmap
from ui.reactions import HandBadge
from ui.theme import current_palette

PANEL_WIDTH_PX = 320
_ICON_PX = 18

# What a row shows: (session_id, name, is_local, audio on, video on, pinned, hand raised)
RowKey = tuple[str, str, bool, bool, bool, bool, bool]


class _ParticipantRow(QWidget):
    def __init__(self, key: RowKey, user_id: str) -> None:
        super().__init__()
        _, name, is_local, audio_on, video_on, pinned, hand_raised = key
        palette = current_palette()
        badge = QLabel(initials(name))
        badge.setFixedSize(36, 36)
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badge.setStyleSheet(
            f"background: {avatar_color(user_id).name()}; color: white;"
            "border-radius: 18px; font-weight: 600;"
        )
        label = name + (" " + self.tr("(You)") if is_local else "")
        self.name_label = QLabel(label)
        self.name_label.setStyleSheet("font-size: 14px; background: transparent;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(12)
        layout.addWidget(badge)
        layout.addWidget(self.name_label, 1)
        self.hand_badge = HandBadge(24)
        self.hand_badge.setVisible(hand_raised)
        layout.addWidget(self.hand_badge)
        self.pin_icon = self._icon_label("pin", palette.speaking, self.tr("Pinned"))
        self.pin_icon.setVisible(pinned)
        layout.addWidget(self.pin_icon)
        self.mic_icon = self._icon_label(
            "mic" if audio_on else "mic-off",
            palette.stage_text_muted if audio_on else palette.danger,
            self.tr("Microphone on") if audio_on else self.tr("Microphone off"),
        )
        self.camera_icon = self._icon_label(
            "camera" if video_on else "camera-off",
            palette.stage_text_muted if video_on else palette.danger,
            self.tr("Camera on") if video_on else self.tr("Camera off"),
        )
        layout.addWidget(self.mic_icon)
        layout.addWidget(self.camera_icon)
        parts = [label, self.mic_icon.accessibleName(), self.camera_icon.accessibleName()]
        if hand_raised:
            parts.insert(1, self.hand_badge.accessibleName())
        self.setAccessibleName(", ".join(parts))

    def _icon_label(self, name: str, color: str, description: str) -> QLabel:
        label = QLabel()
        label.setPixmap(icon_pixmap(name, color, _ICON_PX))
        label.setToolTip(description)
        label.setAccessibleName(description)
        label.setStyleSheet("background: transparent;")
        return label


class ParticipantsPanel(QWidget):
    """The "People" side panel. ``close_requested()`` when its close button is pressed."""

    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        palette = current_palette()
        self.setObjectName("participantsPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setFixedWidth(PANEL_WIDTH_PX)
        self.setStyleSheet(
            f"QWidget#participantsPanel {{ background: {palette.stage_surface};"
            " border-radius: 16px; }"
            f"QListWidget::item:hover {{ background: {palette.stage_control}; }}"
            f"QListWidget::item:selected {{ background: {palette.stage_control}; }}"
        )
        self.title_label = QLabel(self.tr("People"))
        self.title_label.setStyleSheet("font-size: 18px; font-weight: 500;")
        self.count_label = QLabel()
        self.count_label.setProperty("role", "muted")
        self.close_button = QToolButton()
        self.close_button.setIcon(icon("close", palette.stage_text, 20))
        self.close_button.setIconSize(QSize(20, 20))
        self.close_button.setFixedSize(36, 36)
        self.close_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.close_button.setToolTip(self.tr("Close"))
        self.close_button.setAccessibleName(self.tr("Close the people panel"))
        self.close_button.setStyleSheet(
            "QToolButton { border: none; border-radius: 18px; background: transparent; }"
            f"QToolButton:hover {{ background: {palette.stage_control}; }}"
        )
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.title_label)
        header.addWidget(self.count_label)
        header.addStretch(1)
        header.addWidget(self.close_button)
        section = QLabel(self.tr("In the call"))
        section.setProperty("role", "muted")
        section.setStyleSheet("font-size: 12px; font-weight: 600; letter-spacing: 0.5px;")
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("People in the call"))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 8, 16)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addSpacing(4)
        layout.addWidget(section)
        layout.addWidget(self.list, 1)
        self.close_button.clicked.connect(self.close_requested)
        self._keys: tuple[RowKey, ...] = ()

    def set_participants(
        self, participants: tuple[CallParticipantState, ...], pinned_session_id: str | None
    ) -> None:
        """Show ``participants``; ``pinned_session_id`` is the one pinned here, if any."""
        ordered = sorted(
            participants, key=lambda p: (not p.is_local, (p.name or p.user_id).casefold())
        )
        keys = tuple(
            (
                p.session_id,
                p.name or p.user_id,
                p.is_local,
                p.is_audio_enabled,
                p.is_video_enabled,
                p.session_id == pinned_session_id,
                p.is_hand_raised,
            )
            for p in ordered
        )
        self.count_label.setText(str(len(keys)))
        if keys == self._keys:
            return
        self._keys = keys
        self.list.clear()
        for key, participant in zip(keys, ordered, strict=True):
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, key[0])
            row = _ParticipantRow(key, participant.user_id)
            item.setSizeHint(row.sizeHint())
            self.list.addItem(item)
            self.list.setItemWidget(item, row)

    def row(self, session_id: str) -> _ParticipantRow | None:
        """The row widget of ``session_id`` (for tests and accessibility tools)."""
        for index in range(self.list.count()):
            item = self.list.item(index)
            if item.data(Qt.ItemDataRole.UserRole) == session_id:
                widget = self.list.itemWidget(item)
                return widget if isinstance(widget, _ParticipantRow) else None
        return None

    @property
    def session_ids(self) -> list[str]:
        """Listed sessions, top to bottom."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]
