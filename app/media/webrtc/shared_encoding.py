"""One VP8 encode per picture for every peer of a mesh call.

aiortc gives each ``RTCRtpSender`` its own encoder, so in a mesh call of N people each one
encodes the same camera picture N − 1 times: the cost of every extra participant is a
whole encode (the media-performance issue measured 1.35× the first participant). Here the
senders of one tagged stream (:mod:`app.media.webrtc.frame_tags`) share one
:class:`~app.media.webrtc.vp8_compressor.Vp8Compressor`: the first sender to ask for a
picture encodes it, the others send the same VP8 frame, each with its own RTP packets,
picture id and timestamps. libwebrtc does the same within one peer connection for
simulcast layers; across peer connections it is what an SFU saves.

The rules that keep every receiver decodable:
- A VP8 inter frame needs the frame encoded before it. Each sender remembers the last
  frame it sent; it may send a frame only if that frame is a keyframe or follows it. A
  sender that skipped one (its relay proxy is unbuffered, so a slow sender gets the
  newest picture) sends nothing and asks for a keyframe, which then goes to everyone.
- A keyframe request (PLI/FIR) from any receiver makes the next picture a keyframe.
- The bitrate is the lowest of the senders' targets (each held within the call type's
  bounds and that receiver's REMB), so no receiver is sent more than it can take.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

from av import VideoFrame

from app.media.webrtc.frame_tags import FrameTag
from app.media.webrtc.vp8_compressor import Vp8Compressor

CACHED_FRAMES = 30  # one second at 30 fps: a sender further behind resyncs on a keyframe


@dataclass(frozen=True, slots=True)
class _Encoded:
    data: bytes
    is_key: bool
    previous_index: int | None  # the picture encoded before this one (None: the first)


class SharedEncoding:
    """The shared encoder of one tagged stream; get it with :func:`shared_encoding_for`.
    Thread-safe (aiortc encodes on executor threads)."""

    def __init__(self, stream_id: int) -> None:
        self.stream_id = stream_id
        self.compressor = Vp8Compressor()
        self._lock = threading.Lock()
        self._cache: OrderedDict[int, _Encoded] = OrderedDict()
        self._last_index: int | None = None
        self._keyframe_next = False
        # sender's encoder → (index of the last frame it sent or None, its target bps)
        self._members: weakref.WeakKeyDictionary[object, tuple[int | None, int]] = (
            weakref.WeakKeyDictionary()
        )
        self.frames_sent = 0  # frames handed to senders, counting each sender
        self.resyncs = 0  # times a sender had to wait for a keyframe

    @property
    def sender_count(self) -> int:
        return len(self._members)

    def join(self, member: object, bitrate_bps: int) -> None:
        """Make ``member`` (a sender's encoder) one of the senders; idempotent."""
        with self._lock:
            if member not in self._members:
                self._members[member] = (None, bitrate_bps)

    def encode_for(
        self,
        member: object,
        tag: FrameTag,
        frame: VideoFrame,
        *,
        keyframe_requested: bool,
        bitrate_bps: int,
    ) -> bytes:
        """The VP8 frame ``member`` sends for picture ``tag`` (``frame``, yuv420p); empty
        when it must skip this picture (see the module doc). ``bitrate_bps`` is the
        member's own target."""
        with self._lock:
            last_sent, _ = self._members.get(member, (None, bitrate_bps))
            self._members[member] = (last_sent, bitrate_bps)
            if keyframe_requested:
                self._keyframe_next = True
            encoded = self._cache.get(tag.index)
            if encoded is None:
                if self._last_index is not None and tag.index <= self._last_index:
                    self._keyframe_next = True  # an old picture never encoded: resync
                    self.resyncs += 1
                    return b""
                encoded = self._encode(tag, frame, keyframe=last_sent != self._last_index)
            if not encoded.is_key and (last_sent is None or last_sent != encoded.previous_index):
                self._keyframe_next = True
                self.resyncs += 1
                return b""
            self._members[member] = (tag.index, bitrate_bps)
            self.frames_sent += 1
            return encoded.data

    def _encode(self, tag: FrameTag, frame: VideoFrame, *, keyframe: bool) -> _Encoded:
        bitrate_bps = min(bps for _, bps in self._members.values())
        data, is_key = self.compressor.compress(
            frame,
            tag.pts_90k,
            keyframe=keyframe or self._keyframe_next,
            bitrate_bps=bitrate_bps,
        )
        self._keyframe_next = False
        encoded = _Encoded(data, is_key, self._last_index)
        self._last_index = tag.index
        self._cache[tag.index] = encoded
        while len(self._cache) > CACHED_FRAMES:
            self._cache.popitem(last=False)
        return encoded


_registry_lock = threading.Lock()
_registry: weakref.WeakValueDictionary[int, SharedEncoding] = weakref.WeakValueDictionary()


def shared_encoding_for(stream_id: int) -> SharedEncoding:
    """The shared encoder of tagged stream ``stream_id`` (made on first use; it lives as
    long as a sender's encoder holds it)."""
    with _registry_lock:
        shared = _registry.get(stream_id)
        if shared is None:
            shared = SharedEncoding(stream_id)
            _registry[stream_id] = shared
        return shared
