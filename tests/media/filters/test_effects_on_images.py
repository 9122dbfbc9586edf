"""Built-in effects on real photographs of people, with the real selfie model."""

import cv2
import numpy as np
import pytest

from app.media.filters import (
    BackgroundBlurFilter,
    BackgroundImageFilter,
    GrayscaleFilter,
    MaskSmoother,
    PersonSegmenter,
    i420_planes,
    small_rgb_from_i420,
)
from app.media.filters.compositing import cover_resize, to_i420
from tests.media.filters.conftest import BABOON_JPG, laplacian_variance, person_regions


@pytest.fixture(scope="module")
def messi_mask(segmentation_model, messi_bgr):
    segmenter = PersonSegmenter(segmentation_model)
    try:
        return MaskSmoother().update(segmenter.confidence(small_rgb_from_i420(to_i420(messi_bgr))))
    finally:
        segmenter.close()


def _bgr(i420: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420)


def test_the_model_finds_the_person(segmentation_model, messi_bgr):
    person, background = person_regions(segmentation_model, messi_bgr)
    # Messi fills about a tenth of the picture once his edge is left out; the stadium the rest.
    assert 0.05 < person.mean() < 0.4, person.mean()
    assert background.mean() > 0.5
    # The shirt (a box drawn by hand: x 200-280, y 120-200 in messi5.jpg) is mostly person,
    # the crowd's top-left corner is not.
    assert person[120:200, 200:280].mean() > 0.8
    assert not person[:80, :150].any()


@pytest.mark.parametrize("level", ["light", "medium", "heavy"])
def test_blur_softens_the_background_and_keeps_the_person_sharp(
    segmentation_model, messi_bgr, messi_mask, level
):
    # Regions: the model's own mask thresholded at 0.5, edges excluded (person_regions).
    person, background = person_regions(segmentation_model, messi_bgr)
    original = _bgr(to_i420(messi_bgr))
    blurred = _bgr(BackgroundBlurFilter(level).apply(to_i420(messi_bgr), messi_mask))
    background_kept = laplacian_variance(blurred, background) / laplacian_variance(
        original, background
    )
    person_kept = laplacian_variance(blurred, person) / laplacian_variance(original, person)
    assert background_kept <= 0.30, background_kept
    assert person_kept >= 0.80, person_kept


def test_blur_levels_are_ordered(segmentation_model, messi_bgr, messi_mask):
    _, background = person_regions(segmentation_model, messi_bgr)
    # Sharpness is already near zero at every level, so compare how far the blurred
    # background strays from its own local mean: wider blur, flatter background.
    spread = []
    for level in ("light", "medium", "heavy"):
        blurred = _bgr(BackgroundBlurFilter(level).apply(to_i420(messi_bgr), messi_mask))
        gray = cv2.cvtColor(blurred, cv2.COLOR_BGR2GRAY).astype(np.float32)
        spread.append(float(gray[background].std()))
    assert spread[0] > spread[1] > spread[2], spread


def test_background_image_replaces_the_background(segmentation_model, messi_bgr, messi_mask):
    person, background = person_regions(segmentation_model, messi_bgr)
    height, width = messi_bgr.shape[:2]
    picture = _bgr(to_i420(cover_resize(cv2.imread(str(BABOON_JPG)), width, height)))
    original = _bgr(to_i420(messi_bgr))
    out = _bgr(BackgroundImageFilter(BABOON_JPG).apply(to_i420(messi_bgr), messi_mask))
    error = np.abs(out.astype(np.int16) - picture)
    assert error[background].mean() < 3, error[background].mean()
    assert np.abs(out.astype(np.int16) - original)[person].mean() < 3
    # and not the original stadium
    assert np.abs(out.astype(np.int16) - original)[background].mean() > 30


def test_background_image_that_is_not_an_image_is_refused(tmp_path):
    bogus = tmp_path / "notes.png"
    bogus.write_text("not a picture")
    with pytest.raises(Exception, match=r"Cannot read .*notes\.png as an image"):
        BackgroundImageFilter(bogus)


def test_grayscale_removes_colour_only(messi_bgr):
    image = to_i420(messi_bgr)
    luma = i420_planes(image)[0].copy()
    out = GrayscaleFilter().apply(image, None)
    y, u, v = i420_planes(out)
    assert np.array_equal(y, luma)
    assert (u == 128).all() and (v == 128).all()


def test_blur_on_vtest_frames(segmentation_model, vtest_avi):
    """vtest's pedestrians are small; the background (most of the frame) is blurred, and
    people the model finds keep their sharpness."""
    capture = cv2.VideoCapture(str(vtest_avi))
    segmenter = PersonSegmenter(segmentation_model)
    smoother = MaskSmoother()
    try:
        for _ in range(120):  # people walking near the camera by then
            ok, frame = capture.read()
            assert ok
            mask = smoother.update(segmenter.confidence(small_rgb_from_i420(to_i420(frame))))
    finally:
        segmenter.close()
        capture.release()
    person, background = person_regions(segmentation_model, frame, margin_px=3)
    out = _bgr(BackgroundBlurFilter("medium").apply(to_i420(frame), mask))
    original = _bgr(to_i420(frame))
    assert laplacian_variance(out, background) <= 0.3 * laplacian_variance(original, background)
    assert person.sum() > 200, "the model found nobody in vtest frame 120"
    assert laplacian_variance(out, person) >= 0.8 * laplacian_variance(original, person)


def test_smoothing_steadies_a_flickering_edge():
    rng = np.random.default_rng(7)
    base = np.zeros((144, 256), np.float32)
    base[:, 100:] = 1.0
    smoother = MaskSmoother()
    raw_steps, smooth_steps = [], []
    previous_raw = previous_smooth = None
    for _ in range(30):
        raw = np.clip(base + rng.normal(0, 0.15, base.shape).astype(np.float32), 0, 1)
        smooth = smoother.update(raw).small
        if previous_raw is not None:
            raw_steps.append(np.abs(raw - previous_raw).mean())
            smooth_steps.append(np.abs(smooth - previous_smooth).mean())
        previous_raw, previous_smooth = raw, smooth
    assert np.mean(smooth_steps) < 0.5 * np.mean(raw_steps)
    # a real change still comes through at once: the person moves 40 px
    moved = np.zeros_like(base)
    moved[:, 60:] = 1.0
    assert smoother.update(moved).small[:, 70:90].mean() > 0.8
