"""``ScreenCaptureSource``: a screen or a window, captured by QtMultimedia, pushed into the
engine's screen-share track.

``QScreenCapture`` / ``QWindowCapture`` deliver frames into a ``QVideoSink`` on the GUI
thread (about 60 fps of an Xvfb screen here). Each frame the track can use — at most the
profile's frame rate, the rest are skipped before any copy — is mapped, copied into a numpy
array (about 1 ms for 1280x800; ``QVideoFrame.toImage()`` costs 14–60 ms) and pushed into
an :class:`app.media.ScreenShareTrack`, which scales it to the profile and hands the
newest one to the encoder.
"""

from __future__ import annotations

import logging
import time

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QScreen
from PySide6.QtMultimedia import (
    QCapturableWindow,
    QMediaCaptureSession,
    QScreenCapture,
    QVideoFrame,
    QVideoFrameFormat,
    QVideoSink,
    QWindowCapture,
)

from app.media import ScreenShareTrack

log = logging.getLogger(__name__)

_F = QVideoFrameFormat.PixelFormat
# Packed 32-bit Qt formats and the PyAV name of the same byte order (X = unused alpha).
_PACKED_FORMATS = {
    _F.Format_BGRX8888: "bgra",
    _F.Format_BGRA8888: "bgra",
    _F.Format_RGBX8888: "rgba",
    _F.Format_RGBA8888: "rgba",
    _F.Format_XRGB8888: "argb",
    _F.Format_ARGB8888: "argb",
    _F.Format_XBGR8888: "abgr",
    _F.Format_ABGR8888: "abgr",
}


def frame_to_array(frame: QVideoFrame) -> tuple[np.ndarray, str] | None:
    """A copy of ``frame``'s pixels, (height, width, 4) uint8, with its PyAV pixel format
    name; other layouts go through ``QImage`` (slower). None for a frame that cannot be
    read (not valid, or mapping failed)."""
    if not frame.isValid():
        return None
    pixel_format = _PACKED_FORMATS.get(frame.pixelFormat())
    if pixel_format is None:
        image = frame.toImage().convertToFormat(QImage.Format.Format_RGBX8888)
        if image.isNull():
            return None
        return _packed_copy(image.constBits(), image.bytesPerLine(), image.size()), "rgba"
    mapped = QVideoFrame(frame)  # a shallow handle: mapping it leaves the sink's alone
    if not mapped.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        return _packed_copy(mapped.bits(0), mapped.bytesPerLine(0), mapped.size()), pixel_format
    finally:
        mapped.unmap()


def _packed_copy(bits: object, bytes_per_line: int, size: object) -> np.ndarray:
    width, height = size.width(), size.height()  # type: ignore[attr-defined]
    rows = np.frombuffer(bits, np.uint8, count=bytes_per_line * height)  # type: ignore[call-overload]
    rows = rows.reshape(height, bytes_per_line)[:, : width * 4]
    return rows.reshape(height, width, 4).copy()


class ScreenCaptureSource(QObject):
    """Captures ``screen`` or ``window`` into ``track`` until :meth:`stop`, or until the
    track ends (the call stopped the share, or the call was left).

    Signals: ``stopped()`` once capturing ends for any reason; ``error_occurred(str)``
    with Qt's reason when the capture fails (it stops then). Raises ``ValueError`` unless
    exactly one of ``screen`` and ``window`` is given.
    """

    stopped = Signal()
    error_occurred = Signal(str)

    def __init__(
        self,
        track: ScreenShareTrack,
        *,
        screen: QScreen | None = None,
        window: QCapturableWindow | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if (screen is None) == (window is None):
            raise ValueError("capture either a screen or a window")
        self.track = track
        self.frames_captured = 0  # frames the capture delivered
        self.frames_pushed = 0  # frames copied into the track
        self._min_interval_s = 1.0 / track.profile.max_fps
        self._last_push_s = 0.0
        self._session = QMediaCaptureSession(self)
        self._sink = QVideoSink(self)
        self._session.setVideoSink(self._sink)
        self._capture: QScreenCapture | QWindowCapture
        if screen is not None:
            self._capture = QScreenCapture(self)
            self._capture.setScreen(screen)
            self._session.setScreenCapture(self._capture)
        elif window is not None:
            self._capture = QWindowCapture(self)
            self._capture.setWindow(window)
            self._session.setWindowCapture(self._capture)
        self._capture.errorOccurred.connect(self._on_error)
        self._sink.videoFrameChanged.connect(self._on_frame)
        self._running = False

    @property
    def is_running(self) -> bool:
        return self._running

    def start(self) -> None:
        self._running = True
        self._capture.start()

    def stop(self) -> None:
        """Stop capturing (idempotent); the track is left to its owner (the call)."""
        if not self._running:
            return
        self._running = False
        self._sink.videoFrameChanged.disconnect(self._on_frame)
        self._capture.stop()
        self.stopped.emit()

    def _on_frame(self, frame: QVideoFrame) -> None:
        self.frames_captured += 1
        if self.track.readyState != "live":
            self.stop()
            return
        now_s = time.monotonic()
        if now_s - self._last_push_s < self._min_interval_s:
            return  # the track would only replace it: skip the copy
        pixels = frame_to_array(frame)
        if pixels is None:
            return
        array, pixel_format = pixels
        if self.track.push(array, pixel_format):  # type: ignore[arg-type]
            self.frames_pushed += 1
            self._last_push_s = now_s
        else:
            self.stop()

    def _on_error(self, _error: object, message: str) -> None:
        log.warning("screen capture failed: %s", message)
        self.error_occurred.emit(message)
        self.stop()
