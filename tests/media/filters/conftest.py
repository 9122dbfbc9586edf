"""Fixtures of the video-filter tests: the real segmentation model (provisioned into the
user cache by Parley's own code, from PyPI, once) and real pictures of people."""

import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.media import apply_ice_policy
from app.media.filters import PersonSegmenter, provision_model, small_rgb_from_i420
from app.media.filters.compositing import to_i420

DATA = Path("/usr/share/doc/opencv-doc/examples/data")
MESSI_JPG = DATA / "messi5.jpg"
BABOON_JPG = DATA / "baboon.jpg"


@pytest.fixture(scope="session")
def segmentation_model() -> Path:
    """The selfie segmentation model: cached, or downloaded (pinned wheel on PyPI)."""
    return provision_model()


@pytest.fixture(scope="session")
def messi_bgr() -> np.ndarray:
    """messi5.jpg (a footballer in a stadium), cropped to even sides: (342, 548, 3)."""
    image = cv2.imread(str(MESSI_JPG))
    if image is None:
        pytest.fail(f"{MESSI_JPG} is missing: install the Debian package 'opencv-doc'")
    return np.ascontiguousarray(image[: image.shape[0] // 2 * 2, : image.shape[1] // 2 * 2])


@pytest.fixture(scope="session")
def messi_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """messi5.jpg as an 8 s, 15 fps, 640x400 video: a still 'camera' showing a person."""
    out = tmp_path_factory.mktemp("media") / "messi.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-loop", "1", "-i", str(MESSI_JPG),
         "-t", "8", "-r", "15", "-vf", "scale=640:400", "-pix_fmt", "yuv420p",
         "-c:v", "libx264", "-crf", "10", str(out)],
        check=True,
    )  # fmt: skip
    return out


@pytest.fixture
async def loopback_policy() -> AsyncIterator[None]:
    apply_ice_policy(True)
    yield
    apply_ice_policy(False)


def person_regions(
    segmentation_model: Path, bgr: np.ndarray, margin_px: int = 9
) -> tuple[np.ndarray, np.ndarray]:
    """``(person, background)`` boolean masks of ``bgr``, from the model's own confidence
    thresholded at 0.5 and each eroded by ``margin_px`` so the feathered edge, where a
    pixel is legitimately a mix of both, is measured in neither."""
    segmenter = PersonSegmenter(segmentation_model)
    try:
        confidence = segmenter.confidence(small_rgb_from_i420(to_i420(bgr)))
    finally:
        segmenter.close()
    full = cv2.resize(confidence, (bgr.shape[1], bgr.shape[0]), interpolation=cv2.INTER_LINEAR)
    kernel = np.ones((2 * margin_px + 1, 2 * margin_px + 1), np.uint8)
    person = cv2.erode((full > 0.5).astype(np.uint8), kernel) > 0
    background = cv2.erode((full <= 0.5).astype(np.uint8), kernel) > 0
    return person, background


def laplacian_variance(bgr: np.ndarray, region: np.ndarray) -> float:
    """Variance of the Laplacian of the grey image over ``region``: a sharpness measure."""
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    return float(cv2.Laplacian(gray, cv2.CV_64F)[region].var())
