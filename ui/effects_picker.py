"""``EffectsPicker``: choose a video effect while watching it on your own camera.

A dialog of tiles — no effect, blur light/medium/heavy, grayscale, third-party effects
(entry point group ``parley.video_filters``), your background picture and "Choose image…"
— each tile a live thumbnail of that effect applied to the user's camera, refreshed a few
times a second. When the segmentation model is missing or broken, a banner says why, with a
button that downloads it (progress shown) — the camera and the call are not affected.
Opened from the Lobby and from the call controls.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.media.filters import (
    BackgroundImageFilter,
    EffectPreviewer,
    FilterSpec,
    VideoFilter,
    available_filters,
    provision_model,
)
from ui.bridge import LocalMediaBridge, error_text

NO_EFFECT_ID = "none"
IMAGE_EFFECT_ID = "image"
THUMBNAIL_SIZE = QSize(192, 108)
_REFRESH_MS = 250  # 4 previews a second: lively enough, ~10 ms of GUI time per refresh
_COLUMNS = 4


class _NoEffect(VideoFilter):
    """Stands for "no effect" in the preview grid (the original picture)."""

    label = "None"

    def apply(self, image: np.ndarray, person_mask: object) -> np.ndarray:
        return image


class EffectsPicker(QDialog):
    """Effects for ``media_bridge.local_media``. Choosing a tile applies it at once (in the
    Lobby and during a call alike). ``download_progress(done_bytes, total_bytes)`` is
    emitted (queued from the download thread) while the model downloads."""

    download_progress = Signal(int, int)

    def __init__(self, media_bridge: LocalMediaBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Effects"))
        self._bridge = media_bridge
        self._media = media_bridge.local_media
        self._previewer = EffectPreviewer(
            width_px=THUMBNAIL_SIZE.width(), model_path=self._media.segmentation_model_path
        )
        self._specs: dict[str, FilterSpec] = {s.filter_id: s for s in available_filters()}
        self._image_path: Path | None = _current_image(self._media.video_filters)
        self._preview_filters: dict[str, VideoFilter] = {}
        self.tiles: dict[str, QToolButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setProperty("role", "muted")
        self.download_button = QPushButton(self.tr("Download model"))
        self.download_button.clicked.connect(self._download)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.download_button)

        self._grid = QGridLayout()
        self._grid.setSpacing(10)
        self.choose_image_button = QPushButton(self.tr("Choose image…"))
        self.choose_image_button.clicked.connect(self._choose_image)
        close = QPushButton(self.tr("Done"))
        close.setProperty("variant", "primary")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose_image_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(banner_row)
        layout.addWidget(self.progress)
        layout.addLayout(self._grid)
        layout.addLayout(buttons)

        self._build_tiles()
        self.download_progress.connect(self._show_progress)
        self._bridge.changed.connect(self._show_status)
        self._timer = QTimer(self)
        self._timer.setInterval(_REFRESH_MS)
        self._timer.timeout.connect(self.refresh_previews)
        self._timer.start()
        self._show_status()
        self.refresh_previews()

    # --- tiles --------------------------------------------------------------------------

    def _build_tiles(self) -> None:
        for tile in self.tiles.values():
            self._group.removeButton(tile)
            tile.deleteLater()
        self.tiles.clear()
        self._preview_filters = {NO_EFFECT_ID: _NoEffect()}
        entries: list[tuple[str, str]] = [(NO_EFFECT_ID, self.tr("No effect"))]
        for spec in self._specs.values():
            if spec.load_error is not None:
                continue  # listed in the banner instead
            try:
                self._preview_filters[spec.filter_id] = spec.create()
            except Exception:
                continue
            entries.append((spec.filter_id, spec.label))
        if self._image_path is not None:
            try:
                self._preview_filters[IMAGE_EFFECT_ID] = BackgroundImageFilter(self._image_path)
                entries.append((IMAGE_EFFECT_ID, self._image_path.name))
            except Exception:
                self._image_path = None
        for index, (effect_id, label) in enumerate(entries):
            tile = QToolButton()
            tile.setCheckable(True)
            tile.setText(label)
            tile.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            tile.setIconSize(THUMBNAIL_SIZE)
            tile.setFixedSize(THUMBNAIL_SIZE + QSize(16, 36))
            tile.setAccessibleName(label)
            tile.clicked.connect(lambda _=False, effect_id=effect_id: self.choose(effect_id))
            self._group.addButton(tile)
            self._grid.addWidget(tile, index // _COLUMNS, index % _COLUMNS)
            self.tiles[effect_id] = tile
        self._check_current()

    def _check_current(self) -> None:
        current = self._media.video_filters
        chosen = NO_EFFECT_ID
        if current:
            label = current[0].label
            chosen = next(
                (i for i, f in self._preview_filters.items() if f.label == label), NO_EFFECT_ID
            )
        self.tiles[chosen].setChecked(True)

    # --- commands -------------------------------------------------------------------------

    def choose(self, effect_id: str) -> None:
        """Apply the effect of tile ``effect_id`` to the camera (``"none"``: no effect)."""
        filters: list[VideoFilter] = []
        try:
            if effect_id == IMAGE_EFFECT_ID and self._image_path is not None:
                filters = [BackgroundImageFilter(self._image_path)]
            elif effect_id in self._specs:
                filters = [self._specs[effect_id].create()]
        except Exception as exc:  # a third-party factory: say so, keep the camera as it is
            self.banner.setText(error_text(exc))
            self._check_current()
            return
        self._media.set_video_filters(filters)
        self.tiles[effect_id].setChecked(True)

    def choose_image(self, path: Path) -> None:
        """Use the picture at ``path`` as the background (what "Choose image…" does)."""
        self._image_path = path
        self._build_tiles()
        self.choose(IMAGE_EFFECT_ID)

    def _choose_image(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a background"), "", self.tr("Images (*.png *.jpg *.jpeg *.bmp)")
        )
        if name:
            self.choose_image(Path(name))

    def _download(self) -> None:
        self.download_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self._bridge.run(self._download_model(), action=self.tr("Downloading the model"))

    async def _download_model(self) -> None:
        try:
            await asyncio.to_thread(provision_model, progress=self.download_progress.emit)
        finally:
            self.progress.setVisible(False)
            self.download_button.setEnabled(True)
        self._previewer.retry()
        self._media.set_video_filters(self._media.video_filters)  # retries the model
        self._show_status()

    # --- rendering ----------------------------------------------------------------------

    def _show_progress(self, done_bytes: int, total_bytes: int) -> None:
        self.progress.setRange(0, max(1, total_bytes // 1024))
        self.progress.setValue(done_bytes // 1024)

    def _show_status(self) -> None:
        problems = list(self._media.video_filter_status.problems)
        if self._previewer.problem is not None and self._previewer.problem not in problems:
            problems.insert(0, self._previewer.problem)
        problems += [s.load_error for s in self._specs.values() if s.load_error]
        if not self._media.camera_enabled:
            problems.insert(0, self.tr("Turn on your camera to see the effects."))
        self.banner.setText("\n".join(problems))
        self.banner.setVisible(bool(problems))
        model_missing = self._previewer.problem is not None
        self.download_button.setVisible(model_missing)
        self._check_current()

    def refresh_previews(self) -> None:
        """Render every tile from the newest camera frame (no-op with the camera off)."""
        chain = self._media.video_filter_chain
        frame = chain.latest_input_frame() if chain is not None else None
        if frame is None:
            return
        had_problem = self._previewer.problem
        previews = self._previewer.render(frame, self._preview_filters)
        for effect_id, rgb in previews.images.items():
            tile = self.tiles.get(effect_id)
            if tile is not None:
                tile.setIcon(QIcon(_cover_pixmap(rgb, THUMBNAIL_SIZE)))
        if previews.problem != had_problem:
            self._show_status()

    def done(self, result: int) -> None:
        self._timer.stop()
        self._bridge.changed.disconnect(self._show_status)
        self._previewer.close()
        super().done(result)


def _current_image(filters: tuple[VideoFilter, ...]) -> Path | None:
    for filter_ in filters:
        if isinstance(filter_, BackgroundImageFilter):
            return filter_.path
    return None


def _cover_pixmap(rgb: np.ndarray, size: QSize) -> QPixmap:
    """``rgb`` (h, w, 3) mirrored like the self-view and scaled to cover ``size``."""
    mirrored = np.ascontiguousarray(rgb[:, ::-1])
    height, width = mirrored.shape[:2]
    image = QImage(mirrored.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaled(
        size,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
