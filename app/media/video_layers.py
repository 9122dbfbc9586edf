"""Video layers: a receiver asks for the size it paints, the sender sends the layer that
fits, and each layer is encoded once for every peer that gets it.

A tile in a grid of four is about 620x350 device pixels; a 1280x720 camera sent to it is
decoded and scaled down for nothing, and in a mesh every participant pays for it once per
peer. Like Stream's SFU choosing a simulcast layer from each subscriber's
``TrackSubscriptionDetails.dimension`` (``call.updateSubscriptionsPartial``), a Parley
receiver tells each peer the :class:`VideoDimension` it paints that peer's camera at, and
the peer's :class:`LayeredVideoTrack` for it sends the smallest layer — the source, or the
source halved once or twice — that still covers it (within ``LAYER_SLACK``). Layers carry
their own stream id in their :class:`~app.media.webrtc.FrameTag`, so the senders of one
layer share one encoder (:mod:`app.media.webrtc.shared_encoding`): one encode per
resolution, whatever the number of peers. A picture is scaled once per layer
(:func:`scaled_picture` keeps the last few).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from aiortc import MediaStreamTrack
from av import VideoFrame
from av.frame import Frame
from av.packet import Packet

from app.media.cpu_overuse import CpuOveruseDetector
from app.media.frame_convert import FrameConverter
from app.media.webrtc import FrameTag, frame_tag, layer_stream_id

# A layer may be this much smaller than the painted size (10 % upscaling is not seen).
LAYER_SLACK = 0.9
MIN_LAYER_WIDTH_PX = 160  # below this a halving would be a thumbnail of a thumbnail
MAX_HALVINGS = 2  # 1280x720 → 640x360 → 320x180, as libwebrtc's three simulcast layers
_SCALED_CACHE_SIZE = 8


@dataclass(frozen=True, slots=True)
class VideoDimension:
    """A size in device pixels (Stream's ``VideoDimension``). Raises ``ValueError``
    unless both sides are positive."""

    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"a video dimension needs positive sides, got {self}")


def layer_size(
    source_width: int, source_height: int, wanted: VideoDimension | None
) -> tuple[int, int]:
    """The layer to send for a receiver painting at ``wanted`` (None: no preference, the
    source itself): the source halved while the half still covers ``wanted`` within
    ``LAYER_SLACK``, at most ``MAX_HALVINGS`` times, never below ``MIN_LAYER_WIDTH_PX``
    wide. Sides stay even (VP8's 4:2:0 chroma)."""
    width, height = source_width, source_height
    if wanted is None:
        return width, height
    for _ in range(MAX_HALVINGS):
        half_width, half_height = _even(width / 2), _even(height / 2)
        if half_width < MIN_LAYER_WIDTH_PX:
            break
        if half_width < wanted.width * LAYER_SLACK or half_height < wanted.height * LAYER_SLACK:
            break
        width, height = half_width, half_height
    return width, height


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


_scaled: OrderedDict[tuple[int, int, int, int], VideoFrame] = OrderedDict()
# One swscale context per layer size (loop thread only): a call asks for a few sizes at
# most, and switching one context between them would rebuild it every frame.
_converters: dict[tuple[int, int], FrameConverter] = {}


def scaled_picture(frame: VideoFrame, tag: FrameTag, width: int, height: int) -> VideoFrame:
    """``frame`` (picture ``tag``) scaled to ``width`` x ``height`` yuv420p, tagged as that
    picture of the layer's own stream; the same object for every caller asking for the
    same picture and size (a picture is scaled once per layer, loop thread only)."""
    key = (tag.stream_id, tag.index, width, height)
    scaled = _scaled.get(key)
    if scaled is None:
        converter = _converters.get((width, height))
        if converter is None:
            if len(_converters) >= _SCALED_CACHE_SIZE:
                _converters.clear()  # sizes change only when the receivers' windows do
            converter = _converters[(width, height)] = FrameConverter()
        scaled = converter.convert(frame, width=width, height=height, format="yuv420p")
        scaled.pts = frame.pts
        if frame.time_base is not None:
            scaled.time_base = frame.time_base
        scaled.opaque = FrameTag(
            layer_stream_id(tag.stream_id, width, height), tag.index, tag.pts_90k
        )
        _scaled[key] = scaled
        while len(_scaled) > _SCALED_CACHE_SIZE:
            _scaled.popitem(last=False)
    return scaled


class LayeredVideoTrack(MediaStreamTrack):
    """``source``'s frames at the layer that fits what the receiver paints
    (:meth:`set_wanted`); untagged frames and frames already small enough pass as they
    are. With ``overuse``, only every ``frame_rate_divisor``-th picture is sent while
    the CPU is overused (:mod:`app.media.cpu_overuse`). Stopping it stops ``source``."""

    kind = "video"

    def __init__(
        self,
        source: MediaStreamTrack,
        wanted: VideoDimension | None = None,
        *,
        overuse: CpuOveruseDetector | None = None,
    ) -> None:
        super().__init__()
        self._source = source
        self.wanted = wanted
        self._overuse = overuse

    def set_wanted(self, wanted: VideoDimension | None) -> None:
        """Send the layer for ``wanted`` from the next frame on (None: the source's size).
        The encoder moves to that layer's shared encoder and starts it on a keyframe."""
        self.wanted = wanted

    async def recv(self) -> Frame | Packet:
        while True:
            frame = await self._source.recv()
            if not isinstance(frame, VideoFrame):
                return frame
            tag = frame_tag(frame)
            if tag is None:
                return frame
            divisor = self._overuse.frame_rate_divisor if self._overuse is not None else 1
            if tag.index % divisor == 0:  # the same pictures at every sender
                break
        width, height = layer_size(frame.width, frame.height, self.wanted)
        if (width, height) == (frame.width, frame.height):
            return frame
        return scaled_picture(frame, tag, width, height)

    def stop(self) -> None:
        super().stop()
        self._source.stop()
