"""Where the person-segmentation model comes from: a path in settings, Parley's user cache,
or a one-time download — never the repository.

The download source is the ``mediapipe==0.10.14`` wheel on PyPI, which contains
``mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite`` (later mediapipe
releases ship no model files). PyPI files are immutable, so both the wheel's and the
model's SHA-256 are pinned here; a file that does not match is never used.

Run ``python -m app.media.filters`` to download the model into the cache.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import platformdirs

from app.media.filters.base import FilterUnavailable

__all__ = [
    "SELFIE_SEGMENTATION",
    "ModelSource",
    "default_cache_dir",
    "find_model",
    "provision_model",
]

type ProgressCallback = Callable[[int, int], None]
"""``progress(done_bytes, total_bytes)``; called from the downloading thread."""

_CHUNK_BYTES = 256 * 1024
_DOWNLOAD_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class ModelSource:
    """A model file inside a pinned wheel on PyPI."""

    file_name: str  # name in the cache folder
    sha256: str  # of the model file
    wheel_url: str
    wheel_sha256: str
    wheel_size_bytes: int
    wheel_member: str  # path of the model inside the wheel


# From `pip download mediapipe==0.10.14 --no-deps --platform manylinux_2_17_x86_64
# --python-version 3.12 --only-binary=:all:`; every platform's wheel holds the same model.
SELFIE_SEGMENTATION = ModelSource(
    file_name="selfie_segmentation.tflite",
    sha256="9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c",
    wheel_url=(
        "https://files.pythonhosted.org/packages/11/73/"
        "07c6dcbb322f86e2b8526e0073456dbdd2813d5351f772f882123c985fda/"
        "mediapipe-0.10.14-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    ),
    wheel_sha256="9b1e72d754cd9e1b4b88d80ec9ead2f1cbe8424b7f883d3bda53341b982a9f8b",
    wheel_size_bytes=35_665_742,
    wheel_member="mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
)


def default_cache_dir() -> Path:
    """``platformdirs.user_cache_dir("Parley") / "models"`` (not created here)."""
    return Path(platformdirs.user_cache_dir("Parley")) / "models"


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _how_to_get(source: ModelSource) -> str:
    size_mb = round(source.wheel_size_bytes / 1e6)
    return (
        f"download it from Effects (about {size_mb} MB from PyPI), or run "
        "`python -m app.media.filters`"
    )


def find_model(
    model_path: str | Path | None = None,
    *,
    cache_dir: Path | None = None,
    source: ModelSource = SELFIE_SEGMENTATION,
) -> Path:
    """The model to load, without touching the network.

    ``model_path`` (from settings) wins when given; it is not hash-checked, so a user may
    point it at another compatible model (e.g. the landscape variant). Otherwise the
    cached copy is used if its SHA-256 matches. Raises ``FilterUnavailable`` saying what is
    missing or damaged and how to get the model.
    """
    if model_path is not None:
        path = Path(model_path)
        if not path.is_file():
            raise FilterUnavailable(
                f"The segmentation model set in settings, {path}, does not exist: fix the "
                f"path, or clear it and {_how_to_get(source)}"
            )
        return path
    cached = (cache_dir or default_cache_dir()) / source.file_name
    if not cached.is_file():
        raise FilterUnavailable(
            f"Background effects need the segmentation model, which is not on this computer "
            f"yet: {_how_to_get(source)}"
        )
    if _sha256_of(cached) != source.sha256:
        raise FilterUnavailable(
            f"The cached segmentation model {cached} is damaged (checksum mismatch): "
            f"{_how_to_get(source)} again"
        )
    return cached


def provision_model(
    model_path: str | Path | None = None,
    *,
    cache_dir: Path | None = None,
    source: ModelSource = SELFIE_SEGMENTATION,
    progress: ProgressCallback | None = None,
    client: httpx.Client | None = None,
) -> Path:
    """:func:`find_model`, downloading the model into the cache when it is missing or
    damaged. Blocking (seconds): call it from a worker thread.

    Streams the wheel to a temporary file, checks its SHA-256, extracts the model, checks
    the model's SHA-256, and moves it into place atomically. ``progress`` gets
    ``(done_bytes, total_bytes)`` while downloading. Raises ``FilterUnavailable`` when the
    download fails or a checksum does not match (nothing is left in the cache then).
    """
    try:
        return find_model(model_path, cache_dir=cache_dir, source=source)
    except FilterUnavailable:
        if model_path is not None:
            raise  # the user chose that file: do not silently use another one
    target_dir = cache_dir or default_cache_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target_dir, prefix=".download-") as scratch:
        wheel = Path(scratch) / "model.whl"
        _download(source, wheel, progress, client)
        if _sha256_of(wheel) != source.wheel_sha256:
            raise FilterUnavailable(
                f"The downloaded {source.wheel_url.rsplit('/', 1)[-1]} does not match its "
                "pinned checksum; not using it. Try again later."
            )
        extracted = Path(scratch) / source.file_name
        try:
            with zipfile.ZipFile(wheel) as archive, archive.open(source.wheel_member) as member:
                extracted.write_bytes(member.read())
        except (KeyError, zipfile.BadZipFile) as exc:
            raise FilterUnavailable(f"The downloaded wheel has no usable model: {exc}") from exc
        if _sha256_of(extracted) != source.sha256:
            raise FilterUnavailable("The model in the downloaded wheel has an unexpected checksum")
        target = target_dir / source.file_name
        os.replace(extracted, target)
    return target


def _download(
    source: ModelSource,
    destination: Path,
    progress: ProgressCallback | None,
    client: httpx.Client | None,
) -> None:
    own_client = client is None
    http = client or httpx.Client(timeout=_DOWNLOAD_TIMEOUT_S, follow_redirects=True)
    try:
        with http.stream("GET", source.wheel_url) as response, destination.open("wb") as out:
            response.raise_for_status()
            total = int(response.headers.get("content-length") or source.wheel_size_bytes)
            done = 0
            for chunk in response.iter_bytes(_CHUNK_BYTES):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    except httpx.HTTPError as exc:
        raise FilterUnavailable(
            f"Downloading the segmentation model from {httpx.URL(source.wheel_url).host} "
            f"failed ({exc}); check the network and try again"
        ) from exc
    finally:
        if own_client:
            http.close()
