"""Frame tags: which picture of which stream a video frame is, whatever copies it went
through on its way to the senders.

A call sends the same camera picture to every peer through its own ``RTCRtpSender``; to
encode that picture once (:mod:`app.media.webrtc.shared_encoding`) the encoders must
recognise it. Frame objects cannot tell them: a :class:`~app.media.SwitchableTrack` may
copy a frame to give it a new ``pts``. So the source's frames carry a :class:`FrameTag`
in PyAV's ``Frame.opaque``, which ``reformat`` keeps and Parley's copies carry over.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from fractions import Fraction

from aiortc import MediaStreamTrack
from av import VideoFrame
from av.frame import Frame
from av.packet import Packet

from app.media.webrtc.vp8_compressor import TIMEBASE_HZ

_stream_ids = itertools.count(1)
_layer_ids: dict[tuple[int, int, int], int] = {}
_layer_ids_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class FrameTag:
    """``index``-th picture (0, 1, …) of tagged stream ``stream_id`` (unique in the
    process), shown at ``pts_90k`` (1/90000 s) on the source's own clock."""

    stream_id: int
    index: int
    pts_90k: int


def frame_tag(frame: Frame) -> FrameTag | None:
    """The tag of ``frame``, or None when it has none."""
    tag = getattr(frame, "opaque", None)
    return tag if isinstance(tag, FrameTag) else None


def layer_stream_id(stream_id: int, width: int, height: int) -> int:
    """The stream id of tagged stream ``stream_id`` scaled to ``width`` x ``height``
    (``app.media.video_layers``): the same id for the same layer, so its senders share
    one encoder, and never an id of another stream."""
    with _layer_ids_lock:
        key = (stream_id, width, height)
        layer_id = _layer_ids.get(key)
        if layer_id is None:
            layer_id = _layer_ids[key] = next(_stream_ids)
        return layer_id


def stream_layers(stream_id: int) -> dict[tuple[int, int], int]:
    """The layers made of tagged stream ``stream_id`` so far: (width, height) → stream id."""
    with _layer_ids_lock:
        return {
            (w, h): layer for (parent, w, h), layer in _layer_ids.items() if parent == stream_id
        }


class TaggedVideoTrack(MediaStreamTrack):
    """``source``'s frames, each tagged with the next :class:`FrameTag` of a new stream.
    Stopping it stops ``source``."""

    kind = "video"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self._source = source
        self.stream_id = next(_stream_ids)
        self._count = 0

    async def recv(self) -> Frame | Packet:
        frame = await self._source.recv()
        if isinstance(frame, VideoFrame):
            time_base = frame.time_base or Fraction(1, TIMEBASE_HZ)
            pts_90k = round((frame.pts or 0) * time_base * TIMEBASE_HZ)
            frame.opaque = FrameTag(self.stream_id, self._count, pts_90k)
            self._count += 1
        return frame

    def stop(self) -> None:
        super().stop()
        self._source.stop()
