"""Model provisioning against a loopback HTTP server serving a real wheel-shaped zip with
the real model inside: checksums, progress, atomic install, clear errors."""

import dataclasses
import hashlib
import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from app.media.filters import SELFIE_SEGMENTATION, FilterUnavailable, find_model, provision_model


@pytest.fixture
def wheel_server(tmp_path, segmentation_model):
    """Serves ``tmp_path/www`` on 127.0.0.1; yields (base_url, www_dir)."""
    www = tmp_path / "www"
    www.mkdir()
    wheel = www / "mediapipe-0.10.14-test.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("mediapipe/__init__.py", "")
        archive.write(segmentation_model, SELFIE_SEGMENTATION.wheel_member)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(www), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", wheel
    server.shutdown()
    server.server_close()


def _source_for(base_url: str, wheel: Path):
    return dataclasses.replace(
        SELFIE_SEGMENTATION,
        wheel_url=f"{base_url}/{wheel.name}",
        wheel_sha256=hashlib.sha256(wheel.read_bytes()).hexdigest(),
        wheel_size_bytes=wheel.stat().st_size,
    )


def test_download_verifies_and_installs_with_progress(wheel_server, tmp_path):
    base_url, wheel = wheel_server
    source = _source_for(base_url, wheel)
    cache = tmp_path / "cache"
    progress: list[tuple[int, int]] = []
    path = provision_model(
        cache_dir=cache, source=source, progress=lambda d, t: progress.append((d, t))
    )
    assert path == cache / "selfie_segmentation.tflite"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == SELFIE_SEGMENTATION.sha256
    assert progress[-1] == (wheel.stat().st_size, wheel.stat().st_size)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert sorted(p.name for p in cache.iterdir()) == ["selfie_segmentation.tflite"]  # no leftovers
    assert find_model(cache_dir=cache, source=source) == path
    # a second call finds the cached copy and downloads nothing
    progress.clear()
    assert (
        provision_model(
            cache_dir=cache, source=source, progress=lambda d, t: progress.append((d, t))
        )
        == path
    )
    assert progress == []


def test_tampered_wheel_is_refused(wheel_server, tmp_path):
    base_url, wheel = wheel_server
    source = dataclasses.replace(_source_for(base_url, wheel), wheel_sha256="0" * 64)
    cache = tmp_path / "cache"
    with pytest.raises(FilterUnavailable, match="does not match its pinned checksum"):
        provision_model(cache_dir=cache, source=source)
    assert list(cache.iterdir()) == []


def test_unreachable_server_says_so(tmp_path):
    source = dataclasses.replace(SELFIE_SEGMENTATION, wheel_url="http://127.0.0.1:9/x.whl")
    with pytest.raises(
        FilterUnavailable, match=r"Downloading the segmentation model from 127\.0\.0\.1 failed"
    ):
        provision_model(cache_dir=tmp_path, source=source)


def test_damaged_cache_is_reported_then_repaired(wheel_server, tmp_path):
    base_url, wheel = wheel_server
    source = _source_for(base_url, wheel)
    (tmp_path / "selfie_segmentation.tflite").write_bytes(b"truncated")
    with pytest.raises(FilterUnavailable, match="damaged"):
        find_model(cache_dir=tmp_path, source=source)
    repaired = provision_model(cache_dir=tmp_path, source=source)
    assert hashlib.sha256(repaired.read_bytes()).hexdigest() == SELFIE_SEGMENTATION.sha256


def test_settings_path_wins_and_must_exist(tmp_path, segmentation_model):
    assert find_model(segmentation_model, cache_dir=tmp_path) == segmentation_model
    with pytest.raises(FilterUnavailable, match=r"set in settings.*does not exist"):
        provision_model(tmp_path / "nope.tflite", cache_dir=tmp_path)
