"""Local video sources: a media file as a fake camera, and a real camera (OpenCV)."""

import fractions
import logging
import os
import sys
import threading
import time
from pathlib import Path
from types import ModuleType

import av
import av.container
import numpy as np
from aiortc.mediastreams import VIDEO_TIME_BASE

from app.media.errors import MediaDeviceError
from app.media.frame_convert import FrameConverter
from app.media.frame_sink import FrameSink
from app.media.live_source import Frame, ThreadedSourceTrack

__all__ = ["CameraVideoTrack", "FileVideoTrack"]

logger = logging.getLogger(__name__)

VIDEO_CLOCK_RATE = 90000
# Frames waiting for the sender: enough to ride out one slow encode, small enough that a
# stalled reader sees fresh video again within a few frames.
_QUEUE_SIZE = 3
# A producer that falls further behind its schedule than this (a loaded machine) rebases
# its clock rather than bursting frames to catch up, like a capture device would.
_MAX_LAG_S = 0.5


# Variables that importing a non-headless OpenCV wheel rewrites for its own bundled Qt,
# which breaks PySide6 on a real display (ARCHITECTURE.md, "Known pitfalls").
_CV2_CLOBBERED_ENV = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR", "LD_LIBRARY_PATH")


def import_cv2() -> ModuleType:
    """Import OpenCV lazily (only camera code needs it), undoing its environment changes."""
    saved = {name: os.environ.get(name) for name in _CV2_CLOBBERED_ENV}
    import cv2

    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return cv2


def _prepare_frame(
    frame: av.VideoFrame, size: tuple[int, int], converter: FrameConverter
) -> av.VideoFrame:
    """Scale/convert to ``size`` yuv420p (what the encoders want) and clear the picture type.

    A decoded keyframe carries ``pict_type`` I, which the VP8/H.264 encoders would obey,
    producing a keyframe whenever the *file* had one.
    """
    width, height = size
    if frame.width != width or frame.height != height or frame.format.name != "yuv420p":
        frame = converter.convert(frame, width=width, height=height, format="yuv420p")
    frame.pict_type = av.video.frame.PictureType.NONE
    return frame


def _scaled_size(source: tuple[int, int], width: int | None, height: int | None) -> tuple[int, int]:
    """Output size; a missing dimension keeps the aspect ratio (rounded to even for 4:2:0)."""
    src_w, src_h = source
    if width is None and height is None:
        return source
    if width is None:
        assert height is not None
        width = round(src_w * height / src_h / 2) * 2
    elif height is None:
        height = round(src_h * width / src_w / 2) * 2
    return (width, height)


class FileVideoTrack(ThreadedSourceTrack):
    """A video file as a camera, like Chromium's ``--use-file-for-fake-video-capture``.

    Decodes with PyAV in a worker thread, paced at the file's own frame rate by a
    monotonic clock, looping at the end when ``loop`` is true (else the track ends).
    Frame ``k`` produced (counting across loops) has ``pts = round(k * 90000 / fps)`` in
    time base 1/90000, so a receiver recovers the source frame index from RTP timestamp
    differences. Frames are yuv420p of :attr:`size` (``width``/``height`` scale; one of
    them alone keeps the aspect ratio).

    Raises :class:`MediaDeviceError` if the file cannot be opened or has no video.
    """

    kind = "video"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        loop: bool = True,
        width: int | None = None,
        height: int | None = None,
    ) -> None:
        super().__init__(queue_size=_QUEUE_SIZE, thread_name=f"file-video:{Path(path).name}")
        self.path = Path(path)
        self.loop = loop
        self.preview_sink = FrameSink()
        self._frames_produced = 0
        with self._open() as container:
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            if not rate:
                raise MediaDeviceError(f"Video file {self.path} has no frame rate")
            self.fps = fractions.Fraction(rate.numerator, rate.denominator)
            self.size = _scaled_size((stream.width, stream.height), width, height)

    @property
    def frames_produced(self) -> int:
        """Frames delivered to the loop so far (including any the reader dropped)."""
        return self._frames_produced

    def pts_of(self, k: int) -> int:
        """The pts (1/90000 s) of produced frame ``k``."""
        return round(k * VIDEO_CLOCK_RATE / self.fps)

    def _open(self) -> av.container.InputContainer:
        try:
            container = av.open(str(self.path), mode="r")
        except (OSError, av.FFmpegError) as exc:
            raise MediaDeviceError(f"Cannot open video file {self.path}: {exc}") from exc
        if not container.streams.video:
            container.close()
            raise MediaDeviceError(f"File {self.path} has no video stream")
        return container

    def _produce(self, quit_event: threading.Event) -> None:
        k = 0
        start_s = time.monotonic()
        converter = FrameConverter()  # this thread's
        while not quit_event.is_set():
            frames_this_pass = 0
            with self._open() as container:
                for decoded in container.decode(video=0):
                    frame = _prepare_frame(decoded, self.size, converter)
                    frame.pts = self.pts_of(k)
                    frame.time_base = VIDEO_TIME_BASE
                    delay_s = start_s + float(k / self.fps) - time.monotonic()
                    if delay_s > 0:
                        if quit_event.wait(delay_s):
                            return
                    elif delay_s < -_MAX_LAG_S:
                        start_s -= delay_s
                    if quit_event.is_set() or not self._deliver_threadsafe(frame):
                        return
                    k += 1
                    frames_this_pass += 1
            if not self.loop or frames_this_pass == 0:
                return

    def _on_frame(self, frame: Frame) -> None:
        self._frames_produced += 1
        assert isinstance(frame, av.VideoFrame)
        self.preview_sink.put(frame)


class CameraVideoTrack(ThreadedSourceTrack):
    """A camera read with OpenCV ``VideoCapture`` in a worker thread.

    ``width``/``height``/``fps`` are requests; the driver may pick the nearest mode, and
    frames are scaled to the requested size. pts are capture times in 1/90000 s from the
    first frame. Opening happens in the constructor (it blocks for up to about a second
    on real hardware); raises :class:`MediaDeviceError` naming the device if it is
    missing or busy.
    """

    kind = "video"

    def __init__(
        self, device_index: int = 0, *, width: int = 1280, height: int = 720, fps: int = 30
    ) -> None:
        super().__init__(queue_size=_QUEUE_SIZE, thread_name=f"camera:{device_index}")
        self.device_index = device_index
        self.size = (width, height)
        self.fps = fps
        self.preview_sink = FrameSink()
        self._frames_produced = 0
        if sys.platform.startswith("linux") and not Path(f"/dev/video{device_index}").exists():
            # Checked first: OpenCV only prints a warning for a missing device.
            raise MediaDeviceError(f"Camera {device_index} (/dev/video{device_index}) not found")
        cv2 = import_cv2()
        capture = cv2.VideoCapture(device_index)
        if not capture.isOpened():
            capture.release()
            raise MediaDeviceError(f"Camera {device_index} cannot be opened (missing or busy)")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        capture.set(cv2.CAP_PROP_FPS, fps)
        self._capture = capture

    @property
    def frames_produced(self) -> int:
        """Frames delivered to the loop so far (including any the reader dropped)."""
        return self._frames_produced

    def _produce(self, quit_event: threading.Event) -> None:
        start_s: float | None = None
        converter = FrameConverter()  # this thread's
        try:
            while not quit_event.is_set():
                ok, image = self._capture.read()  # blocks until the camera's next frame
                if not ok:
                    logger.warning("Camera %d stopped delivering frames", self.device_index)
                    return
                now_s = time.monotonic()
                start_s = now_s if start_s is None else start_s
                frame = _prepare_frame(
                    av.VideoFrame.from_ndarray(np.asarray(image, np.uint8), format="bgr24"),
                    self.size,
                    converter,
                )
                frame.pts = round((now_s - start_s) * VIDEO_CLOCK_RATE)
                frame.time_base = VIDEO_TIME_BASE
                if not self._deliver_threadsafe(frame):
                    return
        finally:
            self._capture.release()

    def _on_frame(self, frame: Frame) -> None:
        self._frames_produced += 1
        assert isinstance(frame, av.VideoFrame)
        self.preview_sink.put(frame)

    def stop(self) -> None:
        """End the track, join the capture thread and release the camera."""
        started = self._thread is not None
        super().stop()
        if not started:
            self._capture.release()
