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
  frame it sent and may send a frame only if that frame is a keyframe or follows it.
- A sender that cannot follow (it skipped a picture: its relay proxy is unbuffered, so a
  slow sender gets the newest picture) is *detached*: it encodes on its own again, as
  aiortc would, starting with a keyframe for its receiver alone. Asking everyone for a
  keyframe at once instead loops under load: a big keyframe makes the next sender late,
  which asks for the next keyframe (seen with 1080p screen shares). It rejoins on a
  keyframe the group encodes for a picture it is given: a new peer's, a PLI's, or one
  forced for it at most every ``REJOIN_KEYFRAME_INTERVAL`` pictures. A sender joining a
  running group (a new peer, or a peer moving to this video layer) whose first picture
  is already encoded as an inter frame sends its own keyframe once and makes the group's
  next picture a keyframe to join on. When every sender
  is detached the group encodes nothing, so the first to ask once that interval has
  passed makes the group's keyframe itself. (Without this, two senders that both
  stumbled while a mesh call started stayed detached for the whole call: each picture
  was encoded once per peer again, as the benchmark's encoder counters showed.)
- A keyframe request (PLI/FIR) from a receiver of the group makes the next picture a
  keyframe; a detached sender's request goes to its own encoder.
- The bitrate is the lowest of the grouped senders' targets (each held within the call
  type's bounds and that receiver's REMB), so no receiver is sent more than it can take.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

from av import VideoFrame

from app.media.webrtc.frame_tags import FrameTag, stream_layers
from app.media.webrtc.vp8_compressor import Vp8Compressor

CACHED_FRAMES = 30  # a second at 30 fps: senders asking for older pictures detach
# Pictures between keyframes forced to bring detached senders back (2 s at 30 fps).
REJOIN_KEYFRAME_INTERVAL = 60


@dataclass(frozen=True, slots=True)
class _Encoded:
    data: bytes
    is_key: bool
    previous_index: int | None  # the picture encoded before this one (None: the first)


@dataclass(slots=True)
class _Member:
    last_sent: int | None  # index of the last picture this sender sent
    bitrate_bps: int
    own: Vp8Compressor | None = None  # while detached: its private encoder


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
        self._last_key_index: int | None = None
        self._members: weakref.WeakKeyDictionary[object, _Member] = weakref.WeakKeyDictionary()
        self.frames_sent = 0  # group-encoded frames handed to senders, each sender counted
        self.detachments = 0  # times a sender fell out of step and encoded on its own
        self.rejoins = 0  # times a detached sender came back on a keyframe
        self.prepared_ahead = False  # libvpx was set up before the group's first picture

    @property
    def sender_count(self) -> int:
        return len(self._members)

    def detached_count(self) -> int:
        with self._lock:
            return sum(m.own is not None for m in self._members.values())

    def stats(self) -> dict[str, int]:
        """Counters for diagnosis: ``senders`` and ``detached`` now; since creation the
        group's ``frames_encoded`` and ``keyframes_encoded``, the ``frames_sent`` from
        them (each sender counted), ``detachments`` and ``rejoins``; ``prepared_ahead``
        is 1 when libvpx was set up before the first picture (:meth:`prepare`)."""
        with self._lock:
            detached = sum(m.own is not None for m in self._members.values())
            return {
                "senders": len(self._members),
                "detached": detached,
                "frames_encoded": self.compressor.frames_encoded,
                "keyframes_encoded": self.compressor.keyframes_encoded,
                "frames_sent": self.frames_sent,
                "detachments": self.detachments,
                "rejoins": self.rejoins,
                "prepared_ahead": int(self.prepared_ahead),
            }

    def prepare(self, width: int, height: int, bitrate_bps: int) -> None:
        """Set the group's encoder up for ``width`` x ``height`` pictures before its first
        one, so a new peer's first frame does not wait for libvpx's set-up (see
        :func:`~app.media.webrtc.install.prepare_shared_encoding`). Blocking; thread-safe.
        Raises :class:`~app.media.webrtc.libvpx.VpxError`."""
        with self._lock:
            first = self.compressor.frames_encoded == 0
            self.compressor.prepare(width, height, bitrate_bps)
            self.prepared_ahead = self.prepared_ahead or first

    def join(self, member: object, bitrate_bps: int) -> None:
        """Make ``member`` (a sender's encoder) one of the senders; idempotent."""
        with self._lock:
            if member not in self._members:
                self._members[member] = _Member(None, bitrate_bps)

    def leave(self, member: object) -> None:
        """Take ``member`` out of the senders (it moved to another layer or stream): if it
        comes back it joins as a new peer, with a keyframe. Kept in, it would go on from
        the last picture it sent here, which its receiver's decoder no longer holds.
        Idempotent."""
        with self._lock:
            state = self._members.pop(member, None)
        if state is not None and state.own is not None:
            state.own.close()

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
        when there is nothing new to send (the same picture again). ``bitrate_bps`` is the
        member's own target. See the module doc for the rules."""
        with self._lock:
            state = self._members.setdefault(member, _Member(None, bitrate_bps))
            state.bitrate_bps = bitrate_bps
            if tag.index == state.last_sent:
                return b""
            encoded = self._cache.get(tag.index)
            if state.own is not None:
                own = state.own  # detached: encode below, outside the group's lock
                if self._may_rejoin(tag.index, encoded):
                    state.own.close()
                    state.own = None
                    self.rejoins += 1
                    if encoded is None:
                        self._keyframe_next = True  # the picture below is the way back
                elif self._attached_count() and self._group_keyframe_due(tag.index):
                    self._keyframe_next = True  # the group's next picture brings it back
            if state.own is None:
                if keyframe_requested:
                    self._keyframe_next = True
                if encoded is None and self._is_new(tag.index):
                    # A new member joining a running stream needs a keyframe.
                    joining = state.last_sent is None and self._last_index is not None
                    encoded = self._encode(tag, frame, keyframe=joining)
                if encoded is not None and (
                    encoded.is_key or state.last_sent == encoded.previous_index
                ):
                    state.last_sent = tag.index
                    self.frames_sent += 1
                    return encoded.data
                # Out of step: from now on this sender encodes on its own.
                joining = state.last_sent is None
                own = state.own = Vp8Compressor()
                self.detachments += 1
                if joining or self._group_keyframe_due(tag.index):
                    # a new peer needs a keyframe anyway: the group's next one brings it in
                    self._keyframe_next = True
            state.last_sent = tag.index
        data, _ = own.compress(
            frame, tag.pts_90k, keyframe=keyframe_requested, bitrate_bps=bitrate_bps
        )
        return data

    def _is_new(self, index: int) -> bool:
        return self._last_index is None or index > self._last_index

    def _attached_count(self) -> int:
        return sum(m.own is None for m in self._members.values())

    def _group_keyframe_due(self, index: int) -> bool:
        """Whether a keyframe to bring detached senders back may be forced at picture
        ``index``: at most one per ``REJOIN_KEYFRAME_INTERVAL`` pictures, so a loaded
        machine is not sent into a keyframe storm."""
        return self._last_key_index is None or index - self._last_key_index >= (
            REJOIN_KEYFRAME_INTERVAL
        )

    def _may_rejoin(self, index: int, encoded: _Encoded | None) -> bool:
        """A detached sender comes back with a group keyframe: one already encoded for
        picture ``index``, or one the group is about to encode for it — a keyframe is
        pending, or no sender is left in the group (it would never encode another)."""
        if encoded is not None:
            return encoded.is_key
        if not self._is_new(index):
            return False
        return self._keyframe_next or (
            not self._attached_count() and self._group_keyframe_due(index)
        )

    def _encode(self, tag: FrameTag, frame: VideoFrame, *, keyframe: bool) -> _Encoded:
        bitrate_bps = min(m.bitrate_bps for m in self._members.values() if m.own is None)
        data, is_key = self.compressor.compress(
            frame,
            tag.pts_90k,
            keyframe=keyframe or self._keyframe_next,
            bitrate_bps=bitrate_bps,
        )
        self._keyframe_next = False
        if is_key:
            self._last_key_index = tag.index
        encoded = _Encoded(data, is_key, self._last_index)
        self._last_index = tag.index
        self._cache[tag.index] = encoded
        while len(self._cache) > CACHED_FRAMES:
            self._cache.popitem(last=False)
        return encoded


_registry_lock = threading.Lock()
_registry: weakref.WeakValueDictionary[int, SharedEncoding] = weakref.WeakValueDictionary()


def existing_shared_encoding(stream_id: int) -> SharedEncoding | None:
    """The shared encoder of tagged stream ``stream_id`` if a sender made one, else None."""
    with _registry_lock:
        return _registry.get(stream_id)


def stream_encoding_stats(stream_id: int) -> dict[str, dict[str, int]]:
    """:meth:`SharedEncoding.stats` of tagged stream ``stream_id`` (as ``"source"``) and of
    each of its layers being sent (as ``"WxH"``); streams no sender encodes are left out."""
    streams = {"source": stream_id} | {
        f"{width}x{height}": layer for (width, height), layer in stream_layers(stream_id).items()
    }
    return {
        name: shared.stats()
        for name, sid in streams.items()
        if (shared := existing_shared_encoding(sid)) is not None
    }


def shared_encoding_for(stream_id: int) -> SharedEncoding:
    """The shared encoder of tagged stream ``stream_id`` (made on first use; it lives as
    long as a sender's encoder holds it)."""
    with _registry_lock:
        shared = _registry.get(stream_id)
        if shared is None:
            shared = SharedEncoding(stream_id)
            _registry[stream_id] = shared
        return shared
