"""Mesh media transport: one aiortc ``RTCPeerConnection`` per remote participant.

Who offers: of each pair of sessions, the one with the greater session id (the rule
lives in ``Call``); the other only answers. Both sides apply the same rule to what they
know, so offers never cross (no glare), even when two people join at the same instant.

aiortc gathers all ICE candidates before ``setLocalDescription`` returns, so an offer or
answer carries complete SDP and no trickle messages are needed.

Each connection gets three transceivers at creation, in this order: audio (the
microphone), video (the camera) and video (the screen share). Each sends through a
``SwitchableTrack``: muting, unmuting, switching devices and starting or stopping a screen
share swap the source under the sender without renegotiation (a sender with no source
sends no RTP). Both sides create the same three before any description is applied, and
aiortc pairs a remote m-line with the first local transceiver of its kind that has no
mid yet, so the offerer's m-lines ``mid 0, 1, 2`` land on the answerer's audio, camera and
screen-share transceivers in that order. A receiver tells the two remote video tracks
apart by the transceiver they arrive on, never by arrival order.

Bundling is ``max-bundle`` (all media on one ICE/DTLS transport). aiortc's default,
``balanced``, gives a second transceiver of a kind the first one's transport and marks it
bundled; when the answer then moves the video onto the audio's transport, that second
transceiver is skipped and its sender never starts (aiortc 1.16,
``RTCPeerConnection.__createTransceiver`` / ``setRemoteDescription``).

Each camera sender reads a :class:`~app.media.LayeredVideoTrack`: the remote side tells
(a ``video_dimension`` signal) the size it paints this side's camera at, and the sender
sends the layer that fits it (:mod:`app.media.video_layers`). Preferences that arrive
before the link exists are kept for it. A new link sets the camera's shared encoder up
on an executor thread while ICE and DTLS run, so the first frame to that peer does not
wait for libvpx (:func:`~app.media.webrtc.prepare_shared_encoding`).

Parley's aiortc components (:mod:`app.media.webrtc`: VP8 that follows REMB without
restarting, frames complete on the RTP marker bit, the call type's target bitrate as the
start and cap) are installed when a transport is made, before any peer connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from av import VideoFrame

from app.call.background import spawn
from app.media import (
    CpuOveruseDetector,
    FrameSink,
    LayeredVideoTrack,
    SwitchableTrack,
    VideoBitratePolicy,
    VideoDimension,
    install_parley_webrtc,
)
from app.media.webrtc import SharedEncoding, prepare_shared_encoding
from app.protocol import CallSettings, MediaCredentials, SignalPayload

log = logging.getLogger(__name__)

SendSignal = Callable[[str, SignalPayload], Awaitable[None]]


@dataclass
class PeerLink:
    """The media link to one remote session."""

    session_id: str
    pc: RTCPeerConnection
    audio_out: SwitchableTrack
    video_out: SwitchableTrack
    screen_share_out: SwitchableTrack
    video_layer: LayeredVideoTrack | None = None  # the camera source video_out reads
    video_in: FrameSink = field(default_factory=FrameSink)
    screen_share_in: FrameSink = field(default_factory=FrameSink)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    audio_in: MediaStreamTrack | None = None
    # holds the camera's shared encoder being set up for this peer (weakly kept otherwise)
    camera_encoding: asyncio.Future[SharedEncoding | None] | None = None


class MeshTransport:
    """Peer connections of one call, keyed by remote session id.

    Callbacks (all on the loop thread): ``on_remote_audio(session_id, track)`` when a
    remote audio track arrives (the call puts it into the mixer),
    ``on_peer_state(session_id, connection_state)`` with W3C ``RTCPeerConnectionState``
    values, ``on_video_frame(session_id)`` after each new remote frame.

    ``settings`` are the call's (Stream's call type settings); their
    ``video.target_resolution`` is where each video sender's bitrate starts and stops.
    """

    def __init__(
        self,
        credentials: MediaCredentials,
        send_signal: SendSignal,
        *,
        on_remote_audio: Callable[[str, MediaStreamTrack], None],
        on_peer_state: Callable[[str, str], None],
        settings: CallSettings | None = None,
    ) -> None:
        target = (settings or CallSettings()).video.target_resolution
        install_parley_webrtc(
            VideoBitratePolicy(target.bitrate, target.width, target.height) if target else None
        )
        self._configuration = RTCConfiguration(
            iceServers=[
                RTCIceServer(urls=s.urls, username=s.username, credential=s.credential)
                for s in credentials.ice_servers
            ],
            bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,  # see the module docstring
        )
        self._send_signal = send_signal
        self._on_remote_audio = on_remote_audio
        self._on_peer_state = on_peer_state
        self._links: dict[str, PeerLink] = {}
        self._audio_source: Callable[[], MediaStreamTrack | None] = lambda: None
        self._video_source: Callable[[], MediaStreamTrack | None] = lambda: None
        self._video_picture: Callable[[], VideoFrame | None] = lambda: None
        self._screen_share_source: Callable[[], MediaStreamTrack | None] = lambda: None
        # halves the camera's frame rate while this process cannot keep up
        self.cpu_overuse = CpuOveruseDetector()
        self.cpu_overuse.start()
        # what each remote session paints our camera at (its video_dimension signals)
        self._wanted_dimensions: dict[str, VideoDimension | None] = {}

    @property
    def session_ids(self) -> list[str]:
        return list(self._links)

    def video_sink(self, session_id: str) -> FrameSink | None:
        link = self._links.get(session_id)
        return link.video_in if link else None

    def screen_share_sink(self, session_id: str) -> FrameSink | None:
        link = self._links.get(session_id)
        return link.screen_share_in if link else None

    def link(self, session_id: str) -> PeerLink | None:
        return self._links.get(session_id)

    def set_screen_share_source(self, source: Callable[[], MediaStreamTrack | None]) -> None:
        """Point every screen-share sender at ``source`` (a factory of one new track per
        sender, or of ``None`` to send nothing); links made later use it too. The
        previous source tracks are stopped."""
        self._screen_share_source = source
        for link in self._links.values():
            _swap(link.screen_share_out, source())

    def set_sources(
        self,
        audio: Callable[[], MediaStreamTrack | None],
        video: Callable[[], MediaStreamTrack | None],
        *,
        video_picture: Callable[[], VideoFrame | None] = lambda: None,
    ) -> None:
        """Point every sender at new local sources. ``audio``/``video`` make one new
        track per sender (a relay proxy) or ``None`` to send nothing; ``video_picture``
        gives the camera's latest (tagged) picture, from which a new link prepares the
        encoder (None: nothing to prepare)."""
        self._audio_source, self._video_source = audio, video
        self._video_picture = video_picture
        for link in self._links.values():
            _swap(link.audio_out, audio())
            self._point_video(link)

    def wanted_dimension(self, session_id: str) -> VideoDimension | None:
        """The size ``session_id`` paints our camera at, as it last said (None: unknown
        or no preference: the camera's own size is sent)."""
        return self._wanted_dimensions.get(session_id)

    async def send_video_dimension(self, session_id: str, dimension: VideoDimension | None) -> None:
        """Tell ``session_id`` the size we paint its camera at (None: no preference)."""
        await self._send_signal(
            session_id,
            SignalPayload(
                kind="video_dimension",
                width=dimension.width if dimension else None,
                height=dimension.height if dimension else None,
            ),
        )

    def point_video(self, session_id: str) -> None:
        """Make the camera sender to ``session_id`` read a new track of the current
        source, at the layer that session asked for (after a pause, e.g. hold)."""
        link = self._links.get(session_id)
        if link is not None:
            self._point_video(link)

    def _point_video(self, link: PeerLink) -> None:
        link.camera_encoding = None  # an encoder prepared for the old source may go
        source = self._video_source()
        link.video_layer = (
            LayeredVideoTrack(
                source, self._wanted_dimensions.get(link.session_id), overuse=self.cpu_overuse
            )
            if source is not None
            else None
        )
        _swap(link.video_out, link.video_layer)

    async def connect_to(self, session_id: str) -> None:
        """Offer a connection to ``session_id`` (this side is the pair's offerer)."""
        link = self._create_link(session_id)
        offer = await link.pc.createOffer()
        await link.pc.setLocalDescription(offer)
        await self._send_signal(
            session_id, SignalPayload(kind="offer", sdp=link.pc.localDescription.sdp)
        )

    async def handle_signal(self, from_session_id: str, signal: SignalPayload) -> None:
        """Apply an offer or answer from ``from_session_id``; a new offer from a session
        we already have a link to (it rejoined or restarted) replaces that link."""
        if signal.kind == "offer" and signal.sdp:
            if from_session_id in self._links:
                await self.disconnect(from_session_id)
            link = self._create_link(from_session_id)
            await link.pc.setRemoteDescription(RTCSessionDescription(signal.sdp, "offer"))
            answer = await link.pc.createAnswer()
            await link.pc.setLocalDescription(answer)
            await self._send_signal(
                from_session_id,
                SignalPayload(kind="answer", sdp=link.pc.localDescription.sdp),
            )
        elif signal.kind == "answer" and signal.sdp:
            existing = self._links.get(from_session_id)
            if existing is None or existing.pc.signalingState != "have-local-offer":
                log.warning("ignoring an answer from %s: no offer pending", from_session_id)
                return
            await existing.pc.setRemoteDescription(RTCSessionDescription(signal.sdp, "answer"))
        elif signal.kind == "video_dimension":
            wanted = (
                VideoDimension(signal.width, signal.height)
                if signal.width is not None and signal.height is not None
                else None
            )
            self._wanted_dimensions[from_session_id] = wanted
            existing = self._links.get(from_session_id)
            if existing is not None and existing.video_layer is not None:
                existing.video_layer.set_wanted(wanted)
        else:
            log.debug("ignoring signal %s from %s", signal.kind, from_session_id)

    def _prepare_camera_encoding(
        self, session_id: str
    ) -> asyncio.Future[SharedEncoding | None] | None:
        """Start setting the camera's shared encoder up for a new link, on the loop's
        executor (where aiortc's encodes run too), unless that peer asked for a smaller
        layer or no camera picture is there yet."""
        picture = self._video_picture()
        if picture is None or self._wanted_dimensions.get(session_id) is not None:
            return None
        future = asyncio.get_running_loop().run_in_executor(None, prepare_shared_encoding, picture)
        future.add_done_callback(_log_failed_preparation)
        return future

    async def disconnect(self, session_id: str) -> None:
        link = self._links.pop(session_id, None)
        if link is None:
            return
        for task in link.tasks:
            task.cancel()
        for task in link.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # the proxies are ours to stop: a buffered one left registered with its relay
        # would queue every frame from now on, read by nobody
        _swap(link.audio_out, None)
        _swap(link.video_out, None)
        _swap(link.screen_share_out, None)
        await link.pc.close()

    async def close(self) -> None:
        for session_id in list(self._links):
            await self.disconnect(session_id)
        await self.cpu_overuse.stop()

    def _create_link(self, session_id: str) -> PeerLink:
        pc = RTCPeerConnection(self._configuration)
        link = PeerLink(
            session_id=session_id,
            pc=pc,
            audio_out=SwitchableTrack("audio"),
            video_out=SwitchableTrack("video"),
            screen_share_out=SwitchableTrack("video"),
        )
        # The order is the contract between the two sides (module docstring).
        pc.addTransceiver(link.audio_out, direction="sendrecv")
        pc.addTransceiver(link.video_out, direction="sendrecv")
        screen_share = pc.addTransceiver(link.screen_share_out, direction="sendrecv")
        _swap(link.audio_out, self._audio_source())
        self._point_video(link)
        _swap(link.screen_share_out, self._screen_share_source())
        link.camera_encoding = self._prepare_camera_encoding(session_id)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video" and screen_share.receiver.track is track:
                link.tasks.append(
                    spawn(
                        link.screen_share_in.consume(track),
                        name=f"screen share from {session_id}",
                    )
                )
            elif track.kind == "video":
                link.tasks.append(
                    spawn(link.video_in.consume(track), name=f"video from {session_id}")
                )
            else:
                link.audio_in = track
                self._on_remote_audio(session_id, track)

        @pc.on("connectionstatechange")
        def on_state() -> None:
            self._on_peer_state(session_id, pc.connectionState)

        self._links[session_id] = link
        return link


def _log_failed_preparation(future: asyncio.Future[SharedEncoding | None]) -> None:
    # the first frame sets libvpx up then, or reports it: not worth more than a line here
    if not future.cancelled() and (exc := future.exception()) is not None:
        log.warning("could not prepare the camera's encoder ahead: %s", exc)


def _swap(switchable: SwitchableTrack, source: MediaStreamTrack | None) -> None:
    previous = switchable.set_source(source)
    if previous is not None:
        previous.stop()
