"""The screen-share layout (Stream's ``ScreenShareContent``) and the sharer's banner.

- ``ScreenShareStage``: someone else's share fills the stage, letterboxed (fit) or at its
  own pixels (1:1, scrollable); their camera floats small in the bottom-right corner;
  "{name} is presenting" above; a button pops the share out into ``ScreenShareWindow``.
- ``ScreenShareWindow``: the share alone in a resizable top-level window.
- ``SharingBanner``: "You are sharing your screen" with a Stop button, shown to the sharer
  for as long as the share runs (the visible indicator the issue asks for).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.call import CallParticipantState
from ui.theme import current_palette
from ui.video_renderer import FrameSource, VideoFit, VideoRenderer

CAMERA_TILE_WIDTH_PX = 200
_MARGIN_PX = 12


class ShareView(QScrollArea):
    """A share's video: fitted to the view (default) or 1:1 in pixels, scrollable."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.renderer = VideoRenderer(fit=VideoFit.CONTAIN, corner_radius_px=8.0)
        self.setWidget(self.renderer)
        self._actual_size = False
        self.set_actual_size(False)

    @property
    def actual_size(self) -> bool:
        return self._actual_size

    def set_sink(self, sink: FrameSource | None) -> None:
        self.renderer.set_sink(sink)
        self.set_actual_size(self._actual_size)

    def set_actual_size(self, actual: bool) -> None:
        """True: one video pixel per device pixel (scroll to see the rest); False: fit."""
        self._actual_size = actual
        frame = self.renderer.sink.latest() if self.renderer.sink is not None else None
        if actual and frame is not None:
            ratio = self.devicePixelRatioF()
            self.setWidgetResizable(False)
            self.renderer.setFixedSize(
                QSize(round(frame.width / ratio), round(frame.height / ratio))
            )
        else:
            self.renderer.setMinimumSize(QSize(64, 48))
            self.renderer.setMaximumSize(QSize(16777215, 16777215))
            self.setWidgetResizable(True)


class ScreenShareStage(QWidget):
    """The presenter's share big, their camera small. Feed it :meth:`show_share`.

    Signal: ``pop_out_requested()`` — show the share in its own window.
    """

    pop_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter_label = QLabel()
        self.presenter_label.setStyleSheet("font-weight: 600;")
        self.fit_button = QPushButton(self.tr("Actual size"))
        self.fit_button.setCheckable(True)
        self.fit_button.setToolTip(self.tr("Show the share at its own resolution (1:1)"))
        self.pop_out_button = QPushButton(self.tr("Pop out"))
        self.pop_out_button.setToolTip(self.tr("Open the share in its own window"))
        for button in (self.fit_button, self.pop_out_button):
            button.setProperty("variant", "text")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 4, 0)
        header.addWidget(self.presenter_label)
        header.addStretch(1)
        header.addWidget(self.fit_button)
        header.addWidget(self.pop_out_button)
        self.share_view = ShareView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.share_view, 1)
        self.camera_view = VideoRenderer(self, corner_radius_px=10.0)
        self.camera_view.setFixedSize(CAMERA_TILE_WIDTH_PX, CAMERA_TILE_WIDTH_PX * 9 // 16)
        self.presenter: CallParticipantState | None = None
        self.fit_button.toggled.connect(self.share_view.set_actual_size)
        self.pop_out_button.clicked.connect(self.pop_out_requested)

    def show_share(
        self,
        presenter: CallParticipantState,
        share_sink: FrameSource | None,
        camera_sink: FrameSource | None,
    ) -> None:
        """Show ``presenter``'s share and camera (their avatar while the camera is off)."""
        self.presenter = presenter
        name = presenter.name or presenter.user_id
        self.presenter_label.setText(self.tr("%1 is presenting").replace("%1", name))
        self.share_view.set_sink(share_sink)
        self.camera_view.set_sink(camera_sink)
        self.camera_view.set_video_enabled(presenter.is_video_enabled)
        self.camera_view.set_placeholder(name, presenter.user_id)
        self._place_camera()

    def clear(self) -> None:
        self.presenter = None
        self.share_view.set_sink(None)
        self.camera_view.set_sink(None)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_camera()

    def _place_camera(self) -> None:
        view = self.share_view.geometry()
        tile = self.camera_view
        tile.move(
            view.right() - tile.width() - _MARGIN_PX, view.bottom() - tile.height() - _MARGIN_PX
        )
        tile.raise_()


class ScreenShareWindow(QWidget):
    """A presenter's share alone in a resizable window (fit or 1:1)."""

    def __init__(self, title: str, sink: FrameSource | None, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("stage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(title)
        self.fit_button = QPushButton(self.tr("Actual size"))
        self.fit_button.setCheckable(True)
        self.fit_button.setProperty("variant", "text")
        self.share_view = ShareView()
        self.share_view.set_sink(sink)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.fit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.share_view, 1)
        self.fit_button.toggled.connect(self.share_view.set_actual_size)
        self.resize(960, 600)

    def set_sink(self, sink: FrameSource | None) -> None:
        self.share_view.set_sink(sink)


class SharingBanner(QWidget):
    """ "You are sharing your screen" and a Stop button, for the sharer.

    Signal: ``stop_requested()``.
    """

    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        palette = current_palette()
        self.setObjectName("sharingBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(
            f"QWidget#sharingBanner {{ background: {palette.accent}; border-radius: 10px; }}"
            f"QWidget#sharingBanner QLabel {{ color: {palette.on_accent}; font-weight: 600; }}"
        )
        self.label = QLabel(self.tr("You are sharing your screen"))
        self.stop_button = QPushButton(self.tr("Stop sharing"))
        self.stop_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.stop_button.setStyleSheet(
            "QPushButton { background: #d93025; color: white; border-radius: 14px;"
            " padding: 4px 14px; font-weight: 600; }"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 8, 6)
        row.addWidget(self.label)
        row.addStretch(1)
        row.addWidget(self.stop_button)
        self.stop_button.clicked.connect(self.stop_requested)

    def set_what(self, label: str) -> None:
        """Name what is shared ("Screen 1 (1280x800)", a window title)."""
        self.label.setText(self.tr("You are sharing %1").replace("%1", label))
