"""FilterChainTrack on a real file camera: live switching, failures that leave the camera
unfiltered (never black), a hung filter, a slow segmenter, third-party plugins."""

import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from app.media import FileVideoTrack
from app.media.filters import (
    BackgroundBlurFilter,
    FilterChainTrack,
    FilterCost,
    FilterUnavailable,
    GrayscaleFilter,
    PersonSegmenter,
    VideoFilter,
    available_filters,
    find_model,
    i420_planes,
)


class _Exploding(VideoFilter):
    label = "Exploding"

    def __init__(self, after_frames: int = 0) -> None:
        self.after_frames = after_frames

    def apply(self, image, person_mask):
        if self.after_frames <= 0:
            raise RuntimeError("kaboom")
        self.after_frames -= 1
        return image


class _Hanging(VideoFilter):
    label = "Hanging"

    def __init__(self) -> None:
        self.release = threading.Event()

    def apply(self, image, person_mask):
        self.release.wait(10)
        return image


class _WrongShape(VideoFilter):
    label = "Wrong shape"

    def apply(self, image, person_mask):
        return image[:10]


class _InvertBgr(VideoFilter):
    label = "Invert (BGR)"
    pixel_format = "bgr24"

    def apply(self, image, person_mask):
        return 255 - image


async def _frames(track, count):
    return [await track.recv() for _ in range(count)]


async def _frames_until(track, condition, limit=100):
    """Read frames until ``condition()`` holds (at most ``limit`` frames, 10 s at 10 fps)."""
    for _ in range(limit):
        if condition():
            return
        await track.recv()
    raise AssertionError(f"condition not met within {limit} frames")


def _luma_matches_source(frame, source_frames) -> bool:
    image = frame.to_ndarray()
    return any(np.array_equal(image, s.to_ndarray()) for s in source_frames)


@pytest.fixture
def camera(vtest_clip_avi):
    track = FileVideoTrack(vtest_clip_avi)
    yield track
    track.stop()


async def test_no_filters_pass_frames_through(camera):
    chain = FilterChainTrack(camera)
    try:
        frames = await _frames(chain, 3)
        assert chain.latest_input_frame() is frames[-1]  # the very same object: no copy
        assert chain.stats().frames_in == 3 and chain.stats().frames_filtered == 0
    finally:
        chain.stop()


async def test_switching_filters_live(camera):
    chain = FilterChainTrack(camera)
    try:
        chain.set_filters([GrayscaleFilter()])
        gray = await _frames(chain, 3)
        for frame in gray:
            _, u, v = i420_planes(frame.to_ndarray())
            assert (u == 128).all() and (v == 128).all()
        source = chain.latest_input_frame()
        assert not (i420_planes(source.to_ndarray())[1] == 128).all()  # input untouched
        pts = [f.pts for f in gray]
        assert pts == sorted(pts) and len(set(pts)) == 3
        chain.set_filters([])
        (plain,) = await _frames(chain, 1)
        assert plain is chain.latest_input_frame()
        assert chain.status.active == () and chain.status.problems == ()
    finally:
        chain.stop()


async def test_bgr_filters_get_converted(camera):
    chain = FilterChainTrack(camera)
    try:
        chain.set_filters([_InvertBgr()])
        (frame,) = await _frames(chain, 1)
        source_y = i420_planes(chain.latest_input_frame().to_ndarray())[0].astype(int)
        inverted_y = i420_planes(frame.to_ndarray())[0].astype(int)
        # Y of an inverted picture, through BT.601 video range and back: 16 + 235 - Y
        assert np.abs((251 - source_y) - inverted_y).mean() < 4
    finally:
        chain.stop()


@pytest.mark.parametrize("bad", [_Exploding, _WrongShape])
async def test_a_failing_filter_leaves_the_camera_unfiltered(camera, bad):
    chain = FilterChainTrack(camera)
    changes = []
    chain.subscribe(lambda: changes.append(chain.status))
    try:
        chain.set_filters([bad(), GrayscaleFilter()])
        frames = await _frames(chain, 4)
        assert chain.status.active == ("Grayscale",)
        (problem,) = chain.status.problems
        assert bad.label in problem and "turned off" in problem
        assert changes[-1].problems == (problem,)
        # grayscale still runs after the failed filter; the picture is not black
        for frame in frames:
            y, u, _ = i420_planes(frame.to_ndarray())
            assert (u == 128).all() and y.mean() > 40
    finally:
        chain.stop()


async def test_a_hung_filter_never_stalls_video(camera):
    hanging = _Hanging()
    chain = FilterChainTrack(camera, frame_timeout_s=0.1)
    try:
        chain.set_filters([hanging])
        frames = await _frames(chain, 12)  # the file plays at 10 fps: ~1.2 s of video
        stats = chain.stats()
        assert stats.timeouts == 1  # the first frame waited; the others did not queue
        assert stats.frames_unfiltered == 12
        assert all(f is not None and f.to_ndarray()[:576].mean() > 40 for f in frames)
    finally:
        hanging.release.set()
        chain.stop()


async def test_missing_model_gives_a_message_and_plain_video(camera, tmp_path, monkeypatch):
    # an empty user cache: Parley's real lookup, pointed at a fresh directory
    monkeypatch.setattr(
        "app.media.filters.model_store.default_cache_dir", lambda: tmp_path / "models"
    )
    with pytest.raises(FilterUnavailable, match=r"not on this computer yet.*Effects"):
        find_model()
    chain = FilterChainTrack(camera)
    try:
        chain.set_filters([BackgroundBlurFilter("heavy")])
        await _frames_until(chain, lambda: chain.status.problems)
        frames = await _frames(chain, 3)
        (problem,) = chain.status.problems
        assert "segmentation model" in problem and "python -m app.media.filters" in problem
        assert chain.stats().frames_filtered == 0
        assert all(f.to_ndarray()[:576].mean() > 40 for f in frames)  # not black
    finally:
        chain.stop()


async def test_broken_model_file_gives_a_message_and_plain_video(camera, tmp_path):
    broken = tmp_path / "selfie_segmentation.tflite"
    broken.write_bytes(b"\x00not a tflite model" * 100)
    chain = FilterChainTrack(camera, model_path=broken)
    changes = []
    chain.subscribe(lambda: changes.append(chain.status))
    try:
        chain.set_filters([BackgroundBlurFilter("medium"), GrayscaleFilter()])
        # The segmentation thread records the failure at once; listeners hear it on the
        # loop thread with the next processed frame.
        await _frames_until(chain, lambda: changes and changes[-1].problems)
        assert changes[-1] == chain.status  # listeners heard about it
        (problem,) = chain.status.problems
        assert str(broken) in problem and "cannot be loaded" in problem
        # The effects that need no model still run. Not every frame: on a loaded machine a
        # frame that overruns the chain's deadline goes out unfiltered, by design.
        grey_frames = 0
        for _ in range(100):  # 10 s at the camera's 10 fps
            frame = await chain.recv()
            grey_frames += bool((i420_planes(frame.to_ndarray())[1] == 128).all())
            if grey_frames == 3:
                break
        assert grey_frames == 3
    finally:
        chain.stop()


async def test_slow_segmentation_reuses_the_last_mask(camera, segmentation_model):
    class SlowSegmenter(PersonSegmenter):
        def confidence(self, rgb):
            time.sleep(0.25)  # a machine 40x slower than this one
            return super().confidence(rgb)

    chain = FilterChainTrack(camera, segmenter_factory=lambda: SlowSegmenter(segmentation_model))
    try:
        chain.set_filters([BackgroundBlurFilter("medium")])
        await _frames_until(chain, lambda: chain.stats().frames_filtered > 0)  # model loaded
        before = chain.stats()
        await _frames(chain, 20)
        after = chain.stats()
        filtered = after.frames_filtered - before.frames_filtered
        assert filtered >= 18  # about every frame is filtered...
        segmentations = after.segmentations - before.segmentations
        assert 1 <= segmentations < filtered / 2  # ...with masks made at a lower rate
        assert after.mask_reuses - before.mask_reuses >= filtered / 2
        assert after.segmentation_ms >= 250
    finally:
        chain.stop()


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    """Two third-party distributions, installed the way pip lays them out (a module and a
    .dist-info with entry_points.txt) in a directory on sys.path."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "parley_fx.py").write_text(
        textwrap.dedent(
            """
            from app.media.filters import FilterCost, VideoFilter

            class Posterize(VideoFilter):
                label = "Posterize"
                cost = FilterCost(cpu_ms_720p=0.5)

                def apply(self, image, person_mask):
                    image[: image.shape[0] * 2 // 3] &= 0xC0
                    return image

            class Crashy(VideoFilter):
                label = "Crashy"

                def apply(self, image, person_mask):
                    raise ZeroDivisionError("plugin bug")
            """
        )
    )
    for dist, entries in (
        ("parley_fx", "posterize = parley_fx:Posterize\ncrashy = parley_fx:Crashy\n"),
        ("parley_broken", "broken = parley_missing_module:Nope\n"),
    ):
        info = site / f"{dist}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"[parley.video_filters]\n{entries}")
    monkeypatch.syspath_prepend(str(site))
    yield
    sys.modules.pop("parley_fx", None)


async def test_third_party_filters_from_entry_points(plugins, camera):
    specs = {spec.filter_id: spec for spec in available_filters()}
    assert {"blur-light", "blur-medium", "blur-heavy", "grayscale"} <= specs.keys()
    assert specs["plugin:posterize"].label == "Posterize"
    assert specs["plugin:posterize"].origin == "parley_fx"
    broken = specs["plugin:broken"]
    assert broken.load_error and "parley_missing_module" in broken.load_error
    with pytest.raises(RuntimeError, match="cannot be loaded"):
        broken.create()

    chain = FilterChainTrack(camera)
    try:
        chain.set_filters([specs["plugin:posterize"].create()])
        (frame,) = await _frames(chain, 1)
        assert set(np.unique(i420_planes(frame.to_ndarray())[0])) <= {0, 64, 128, 192}
        # a plugin that raises: a message naming it, and the camera unfiltered
        chain.set_filters([specs["plugin:crashy"].create()])
        frames = await _frames(chain, 3)
        assert any("Crashy" in p and "plugin bug" in p for p in chain.status.problems)
        assert chain.status.active == ()
        assert frames[-1] is chain.latest_input_frame()
    finally:
        chain.stop()


def test_filter_cost_is_declared():
    assert BackgroundBlurFilter().cost == FilterCost(cpu_ms_720p=3.0, needs_person_mask=True)
    assert not GrayscaleFilter().cost.needs_person_mask
    with pytest.raises(ValueError, match="blur level"):
        BackgroundBlurFilter("extreme")  # type: ignore[arg-type]
