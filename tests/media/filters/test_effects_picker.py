"""The effects picker, offscreen, on a real LocalMedia whose camera is messi5.jpg."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from app.call import LocalMedia
from app.media.filters import BackgroundBlurFilter, BackgroundImageFilter, GrayscaleFilter
from tests.fixtures.qt import OFFSCREEN_NOISE
from tests.media.filters.conftest import BABOON_JPG
from tests.ui.helpers import grab_rgb
from ui.bridge import LocalMediaBridge
from ui.controls import CallControls
from ui.effects_picker import EffectsPicker

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def media_bridge(qtbot, qt_loop, messi_clip, segmentation_model):
    def make(model_path: Path = segmentation_model) -> LocalMediaBridge:
        media = LocalMedia(
            video_file=str(messi_clip), audio_output="null", segmentation_model_path=model_path
        )
        bridges.append(LocalMediaBridge(media))
        return bridges[-1]

    bridges: list[LocalMediaBridge] = []
    yield make
    for bridge in bridges:
        closing = asyncio.ensure_future(bridge.local_media.close(), loop=qt_loop)
        qtbot.waitUntil(closing.done, timeout=5000)
        bridge.close()


def _picker(qtbot, bridge: LocalMediaBridge) -> EffectsPicker:
    bridge.run(bridge.local_media.set_camera_enabled(True))
    qtbot.waitUntil(lambda: bridge.local_media.preview_sink.frame_count >= 2, timeout=10000)
    picker = EffectsPicker(bridge)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    return picker


def _tile_pixels(picker: EffectsPicker, effect_id: str) -> np.ndarray:
    return grab_rgb(picker.tiles[effect_id])[10:100, 20:180].astype(np.int16)


def test_tiles_preview_each_effect_live_and_apply_it(qtbot, media_bridge, artifacts_root, tmp_path):
    bridge = media_bridge()
    picker = _picker(qtbot, bridge)
    expected = ["none", "blur-light", "blur-medium", "blur-heavy", "grayscale"]
    assert list(picker.tiles)[:5] == expected
    picker.choose_image(BABOON_JPG)
    qtbot.waitUntil(lambda: not picker.tiles["image"].icon().isNull(), timeout=5000)
    picker.refresh_previews()
    out = artifacts_root / "filters"
    out.mkdir(exist_ok=True)
    grab_rgb(picker, out / "effects_picker.png")

    plain, heavy = _tile_pixels(picker, "none"), _tile_pixels(picker, "blur-heavy")
    gray, image = _tile_pixels(picker, "grayscale"), _tile_pixels(picker, "image")
    assert plain.std() > 30  # a real picture, not a placeholder
    assert np.abs(plain - heavy).mean() > 5  # each tile shows its own effect
    assert np.abs(gray[..., 0] - gray[..., 2]).mean() < 3  # grey: R == B
    assert np.abs(plain - image).mean() > 20
    assert "model" not in picker.banner.text()
    assert isinstance(bridge.local_media.video_filters[0], BackgroundImageFilter)

    picker.tiles["grayscale"].click()
    assert isinstance(bridge.local_media.video_filters[0], GrayscaleFilter)
    picker.tiles["blur-medium"].click()
    (blur,) = bridge.local_media.video_filters
    assert isinstance(blur, BackgroundBlurFilter) and blur.level == "medium"
    picker.tiles["none"].click()
    assert bridge.local_media.video_filters == ()


def test_missing_model_is_explained_and_the_camera_stays_plain(
    qtbot, media_bridge, tmp_path, artifacts_root
):
    bridge = media_bridge(model_path=tmp_path / "missing.tflite")
    picker = _picker(qtbot, bridge)
    picker.refresh_previews()
    qtbot.waitUntil(lambda: "does not exist" in picker.banner.text(), timeout=5000)
    assert picker.download_button.isVisibleTo(picker)
    picker.tiles["blur-heavy"].click()
    media = bridge.local_media
    qtbot.waitUntil(lambda: media.video_filter_status.problems != (), timeout=10000)
    assert "missing.tflite" in media.video_filter_status.problems[0]
    count = media.preview_sink.frame_count
    qtbot.waitUntil(lambda: media.preview_sink.frame_count >= count + 5, timeout=10000)
    assert media.preview_sink.latest().to_ndarray(format="rgb24").std() > 30  # not black
    grab_rgb(picker, artifacts_root / "filters" / "effects_picker_no_model.png")


def test_call_controls_offer_effects(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    controls = CallControls(holder)
    with qtbot.waitSignal(controls.effects_requested, timeout=1000):
        controls.effects_button.click()
    assert controls.effects_button.accessibleName() == "Effects"
