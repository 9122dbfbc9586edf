"""The track given to an ``RTCRtpSender`` once; its source changes without renegotiation."""

import asyncio
import time
from typing import Literal

import av
import av.frame
from aiortc import MediaStreamTrack
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError

__all__ = ["RelayedSource", "SwitchableTrack"]

type Frame = av.frame.Frame | av.Packet

# Gap assumed between two frames when a new source starts right after the old one.
_MIN_SOURCE_GAP_S = 0.001


def _copy_frame(
    frame: av.VideoFrame | av.AudioFrame | av.Packet,
) -> av.VideoFrame | av.AudioFrame | av.Packet:
    """A new frame (or encoded packet) with the same pixels/samples/bytes and time base
    (pts set by the caller)."""
    copy: av.VideoFrame | av.AudioFrame | av.Packet
    if isinstance(frame, av.Packet):
        copy = av.Packet(bytes(frame))
        copy.time_base = frame.time_base
        return copy
    if isinstance(frame, av.VideoFrame):
        if frame.format.name == "yuv420p":
            copy = av.VideoFrame.from_ndarray(frame.to_ndarray(), format="yuv420p")
        else:  # reformat to another format always allocates a new frame
            copy = frame.reformat(format="yuv420p")
    else:
        copy = av.AudioFrame.from_ndarray(
            frame.to_ndarray(), format=frame.format.name, layout=frame.layout.name
        )
        copy.sample_rate = frame.sample_rate
    copy.time_base = frame.time_base
    copy.opaque = frame.opaque  # the source's frame tag (app.media.webrtc.frame_tags)
    return copy


class SwitchableTrack(MediaStreamTrack):
    """A sender-side track whose source is swapped with :meth:`set_source` at any time.

    Parley gives one SwitchableTrack per kind to each ``RTCRtpSender`` when the peer
    connection is created; turning the camera off, switching devices or starting a
    file source only calls :meth:`set_source` (the W3C ``replaceTrack`` idea, without
    touching the sender). With no source, :meth:`recv` waits, so nothing is sent.

    Timestamps: the RTP receiver in aiortc treats a timestamp that goes backwards as a
    32-bit wrap, so output pts must only grow. The first frame after a switch is placed
    after the last one sent by the wall time that passed, and later frames keep their
    source's pts differences. While the offset is zero frames pass through untouched;
    otherwise they are copied before their pts is changed, because a frame read through
    a :class:`MediaRelay` is shared with other consumers.

    The SwitchableTrack never stops its sources: whoever passed a source in stops it
    (:meth:`set_source` returns the previous one for that). Loop thread only.
    """

    def __init__(self, kind: Literal["audio", "video"]) -> None:
        super().__init__()
        self.kind = kind
        self._source: MediaStreamTrack | None = None
        self._pending: asyncio.Future[Frame] | None = None  # source.recv() in flight
        self._switched: asyncio.Future[None] | None = None
        self._anchor: MediaStreamTrack | None = None  # source the offset was computed for
        self._offset = 0
        self._last_out_s: float | None = None
        self._last_out_wall_s = 0.0

    @property
    def source(self) -> MediaStreamTrack | None:
        """The current source, or None."""
        return self._source

    def set_source(self, track: MediaStreamTrack | None) -> MediaStreamTrack | None:
        """Read from ``track`` from now on (None: send nothing); return the previous source.

        Raises ``ValueError`` if ``track.kind`` differs from this track's kind.
        """
        if track is not None and track.kind != self.kind:
            raise ValueError(f"a {track.kind} track cannot feed a {self.kind} SwitchableTrack")
        previous = self._source
        if track is previous:
            return previous
        self._source = track
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._switched is not None and not self._switched.done():
            self._switched.set_result(None)
        return previous

    async def recv(self) -> Frame:
        """Return the next frame of the current source, waiting while there is none.

        Raises ``MediaStreamError`` once this track is stopped. A source that ends is
        dropped (as if ``set_source(None)``) and this track waits for the next one.
        """
        loop = asyncio.get_running_loop()
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            if self._switched is None or self._switched.done():
                self._switched = loop.create_future()
            switched = self._switched
            source = self._source
            if source is None:
                await switched
                continue
            if self._pending is None:
                self._pending = asyncio.ensure_future(source.recv())
            pending = self._pending
            await asyncio.wait((pending, switched), return_when=asyncio.FIRST_COMPLETED)
            if pending is not self._pending or not pending.done():
                continue  # the source changed meanwhile
            self._pending = None
            try:
                frame = pending.result()
            except MediaStreamError:
                if self._source is source:
                    self._source = None
                continue
            return self._retime(frame, source)

    def stop(self) -> None:
        """End this track (the sender stops reading); the source is left running."""
        super().stop()
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._switched is not None and not self._switched.done():
            self._switched.set_result(None)

    def _retime(self, frame: Frame, source: MediaStreamTrack) -> Frame:
        if (
            not isinstance(frame, av.VideoFrame | av.AudioFrame | av.Packet)
            or frame.pts is None
            or frame.time_base is None
        ):
            return frame
        time_base = frame.time_base
        now_s = time.monotonic()
        pts_s = float((frame.pts + self._offset) * time_base)
        if source is not self._anchor or (
            self._last_out_s is not None and pts_s <= self._last_out_s
        ):
            self._anchor = source
            if self._last_out_s is None:
                self._offset = 0
            else:
                gap_s = max(now_s - self._last_out_wall_s, _MIN_SOURCE_GAP_S)
                self._offset = round((self._last_out_s + gap_s) / time_base) - frame.pts
        out_pts = frame.pts + self._offset
        if self._offset != 0:
            frame = _copy_frame(frame)
            frame.pts = out_pts
        self._last_out_s = float(out_pts * time_base)
        self._last_out_wall_s = now_s
        return frame


class RelayedSource:
    """One local source fanned out to several SwitchableTracks through one ``MediaRelay``.

    Ownership: the engine creates one RelayedSource per local source (camera,
    microphone, file) and owns it; each peer connection's SwitchableTrack reads a
    :meth:`subscribe` proxy. Video proxies are unbuffered (a slow sender skips to the
    newest frame); audio proxies are buffered (audio must not skip). Stop a proxy when
    its SwitchableTrack stops using it; :meth:`stop` ends every proxy and the source.
    """

    def __init__(self, source: MediaStreamTrack) -> None:
        self.source = source
        self._relay = MediaRelay()
        self._proxies: set[MediaStreamTrack] = set()

    def subscribe(self) -> MediaStreamTrack:
        """A new proxy track of the source for one consumer."""
        proxy = self._relay.subscribe(self.source, buffered=self.source.kind == "audio")
        self._proxies.add(proxy)
        proxy.on("ended", lambda: self._proxies.discard(proxy))
        return proxy

    def stop(self) -> None:
        """Stop every proxy handed out, then the source."""
        for proxy in tuple(self._proxies):
            proxy.stop()
        self.source.stop()
