"""The bots' quality measures: SSIM as Wang et al. (2004) define it, beside PSNR."""

from __future__ import annotations

import numpy as np

from app.bot.quality import psnr_db, ssim


def test_ssim_is_one_for_identical_pictures_and_falls_with_damage() -> None:
    rng = np.random.default_rng(3)
    # a picture with structure: gradients and edges, like a camera's
    y, x = np.mgrid[0:240, 0:320]
    picture = ((x * 0.6 + y * 0.3) % 200 + 30).astype(np.uint8)
    picture[60:180, 100:220] = 220
    assert ssim(picture, picture) == 1.0

    noisy = np.clip(picture + rng.normal(0, 8, picture.shape), 0, 255).astype(np.uint8)
    noisier = np.clip(picture + rng.normal(0, 25, picture.shape), 0, 255).astype(np.uint8)
    assert 0.0 < ssim(noisier, picture) < ssim(noisy, picture) < 0.99
    assert psnr_db(noisier, picture) < psnr_db(noisy, picture)


def test_ssim_sees_structure_that_psnr_does_not() -> None:
    # The same mean squared error two ways: a uniform brightness shift keeps the structure
    # (SSIM stays high), noise of the same energy destroys it.
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:240, 0:320]
    picture = (((x // 16 + y // 16) % 2) * 120 + 60).astype(np.uint8)
    shifted = (picture + 10).astype(np.uint8)
    noise = rng.choice([-10, 10], size=picture.shape)
    noisy = (picture.astype(int) + noise).astype(np.uint8)
    assert abs(psnr_db(shifted, picture) - psnr_db(noisy, picture)) < 0.01
    assert ssim(shifted, picture) > ssim(noisy, picture) + 0.1
