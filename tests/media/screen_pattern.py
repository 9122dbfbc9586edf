"""A screen-like test picture (text and fine lines), a thread that pushes it like a
screen capture does, and the measure of what came out of a codec."""

from __future__ import annotations

import threading

import numpy as np

from app.media import ScreenShareTrack
from app.media.video_sources import import_cv2

CAPTURE_FPS = 30.0  # QScreenCapture delivers 60 fps under Xvfb; 30 is plenty for tests


def screen_pattern(width: int, height: int, label: str = "Parley screen share") -> np.ndarray:
    """(height, width, 3) uint8 RGB: a light page with lines of black text at several
    sizes, one-pixel line pairs (horizontal and vertical) and colour blocks — what a
    codec blurs first when it trades resolution away."""
    cv2 = import_cv2()
    image = np.full((height, width, 3), 245, np.uint8)
    band = height // 3
    for row, scale in enumerate((0.5, 0.8, 1.2)):
        y = 40 + row * 40
        text = f"{label} {width}x{height} - the quick brown fox jumps 0123456789"
        cv2.putText(image, text, (20, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 1)
    # one-pixel lines, two pixels apart: horizontal in one block, vertical in the next
    image[band : 2 * band : 3, width // 8 : width // 2] = 0
    image[band : 2 * band, width // 2 : 7 * width // 8 : 3] = 0
    for index, colour in enumerate(((200, 30, 30), (30, 160, 30), (30, 60, 200))):
        left = width // 8 + index * width // 4
        image[2 * band + 20 : height - 20, left : left + width // 6] = colour
        cv2.putText(
            image,
            f"block {index}",
            (left + 10, 2 * band + 60),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.7,
            (255, 255, 255),
            1,
        )
    return image


def luma(rgb: np.ndarray) -> np.ndarray:
    """The Y plane (BT.601, limited range) that the track's RGB→I420 conversion makes."""
    import av

    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    return frame.to_ndarray()[: rgb.shape[0]]


class PatternPusher:
    """Pushes ``image`` into ``track`` at ``fps`` from its own thread until :meth:`stop`
    (which joins the thread)."""

    def __init__(self, track: ScreenShareTrack, image: np.ndarray, fps: float = CAPTURE_FPS):
        self.pushed = 0
        self._quit = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(track, image, fps), name="pattern-pusher", daemon=True
        )
        self._thread.start()

    def _run(self, track: ScreenShareTrack, image: np.ndarray, fps: float) -> None:
        while not self._quit.is_set():
            if not track.push(image.copy()):  # a capture hands over a new buffer each time
                return
            self.pushed += 1
            self._quit.wait(1 / fps)

    def stop(self) -> None:
        self._quit.set()
        self._thread.join(5)
