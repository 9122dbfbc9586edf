"""The media side of one joined call session: peer links, senders, remote audio in the
mix, remote video sinks, and speaking / dominant-speaker detection.

A ``CallMedia`` lives from a join answer to the leave (a rejoin makes a new one). It reads
and writes the call's state through the two callables it is given, on the loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc import MediaStreamTrack
from av import VideoFrame

from app.call import call_events
from app.call.activity import ActivityTracker
from app.call.local_media import LocalMedia
from app.call.mesh import MeshTransport
from app.call.state import AudioProfile, CallState, ConnectionQuality
from app.media import CpuOveruseDetector, FrameSink, SwitchableTrack, VideoDimension
from app.protocol import CallSettings, MediaCredentials, SignalPayload

log = logging.getLogger(__name__)

ACTIVITY_TICK_S = 0.1
LEVEL_STEP = 0.05  # levels are published in steps, so snapshots change ~10x/s at most

_QUALITY_BY_PEER_STATE = {
    "connected": ConnectionQuality.GOOD,
    "disconnected": ConnectionQuality.POOR,
    "failed": ConnectionQuality.POOR,
}


class CallMedia:
    """Media of the local session ``session_id`` in call ``call_cid``."""

    def __init__(
        self,
        call_cid: str,
        session_id: str,
        credentials: MediaCredentials,
        local_media: LocalMedia,
        *,
        send_signal: Callable[[str, SignalPayload], Awaitable[None]],
        get_state: Callable[[], CallState],
        set_state: Callable[[CallState], None],
    ) -> None:
        self._call_cid = call_cid
        self._session_id = session_id
        self._local = local_media
        self._get_state = get_state
        self._set_state = set_state
        self._mesh = MeshTransport(
            credentials,
            send_signal,
            on_remote_audio=self._on_remote_audio,
            on_peer_state=self._on_peer_state,
            settings=CallSettings.model_validate(get_state().settings),
        )
        self._activity = ActivityTracker()
        self._video_watches: dict[str, tuple[FrameSink, Callable[[], None]]] = {}
        self._paused_peers: set[str] = set()  # on hold: their senders read nothing
        self._ticker = asyncio.get_running_loop().create_task(
            self._tick_activity(), name=f"activity {call_cid}"
        )
        self.point_senders()

    # --- queries ----------------------------------------------------------------------

    @property
    def cpu_overuse(self) -> CpuOveruseDetector:
        """The call's CPU adaptation (``app.media.cpu_overuse``)."""
        return self._mesh.cpu_overuse

    def video_sink(self, session_id: str) -> FrameSink | None:
        return self._mesh.video_sink(session_id)

    def screen_share_sink(self, session_id: str) -> FrameSink | None:
        return self._mesh.screen_share_sink(session_id)

    async def get_stats(self, session_id: str) -> dict[str, Any]:
        link = self._mesh.link(session_id)
        return dict(await link.pc.getStats()) if link is not None else {}

    # --- commands ---------------------------------------------------------------------

    def point_senders(self) -> None:
        """Make every sender read the local devices as they are now (on, off, switched)."""
        self._mesh.set_sources(
            self._audio_for_sender, self._video_for_sender, video_picture=self._camera_picture
        )
        self._paused_peers.clear()  # every sender has a source again...
        for session_id in self._mesh.session_ids:
            self.apply_peer_hold(session_id)  # ...save those to peers on hold

    def apply_peer_hold(self, session_id: str) -> None:
        """Pause the audio and video senders to a participant that put the call on hold
        (it plays nothing here: sending costs CPU and bandwidth for nothing), or restore
        them when it comes back. The W3C ``replaceTrack(null)`` idea, per peer."""
        link = self._mesh.link(session_id)
        participant = self._get_state().participant(session_id)
        held = participant is not None and participant.is_on_hold
        if link is None or held == (session_id in self._paused_peers):
            return
        if held:
            self._paused_peers.add(session_id)
            _replace_source(link.audio_out, None)
            _replace_source(link.video_out, None)
        else:
            self._paused_peers.discard(session_id)
            _replace_source(link.audio_out, self._audio_for_sender())
            self._mesh.point_video(session_id)  # at the layer that peer asked for

    def apply_playout_volume(self) -> None:
        """Play this call's remote audio at the state's ``audio_playout_volume`` (0 while
        the call's audio is suspended, or the call is on hold); tracks that arrive later
        get it too."""
        volume = self._playout_volume()
        mixer = self._local.mixer
        keys = set(mixer.keys())
        for session_id in self._mesh.session_ids:
            if (key := self._mixer_key(session_id)) in keys:
                mixer.set_gain(key, volume)

    def point_screen_share(self, source: Callable[[], MediaStreamTrack | None] | None) -> None:
        """Make every screen-share sender read ``source`` (one new track per sender), or
        send nothing with ``None``; no renegotiation either way."""
        self._mesh.set_screen_share_source(source or (lambda: None))

    async def send_video_dimension(self, session_id: str, dimension: VideoDimension | None) -> None:
        """Tell ``session_id`` the size its camera is painted at here (``video_dimension``
        signal; None: no preference)."""
        await self._mesh.send_video_dimension(session_id, dimension)

    def wanted_video_dimension(self, session_id: str) -> VideoDimension | None:
        """What ``session_id`` last asked our camera to be sent at (None: its own size)."""
        return self._mesh.wanted_dimension(session_id)

    async def maybe_offer(self, session_id: str) -> None:
        """Offer to ``session_id`` when this side is the offerer of the pair.

        The session with the greater id offers, the other answers. Both sides know the
        rule, so offers never cross even when two people join at the same instant (each
        join answer then lists the other) — "the later joiner offers" breaks exactly then.
        """
        if self._session_id <= session_id or self._mesh.link(session_id) is not None:
            return
        try:
            await self._mesh.connect_to(session_id)
            self._watch_video(session_id)
            self.apply_peer_hold(session_id)
        except Exception as exc:  # one bad peer must not fail the whole call
            log.exception("offer to %s failed", session_id)
            self._update_participant(session_id, peer_connection_state=f"failed: {exc}")

    async def apply_signal(self, sender: str, signal: SignalPayload) -> None:
        try:
            await self._mesh.handle_signal(sender, signal)
            self._watch_video(sender)
            self.apply_peer_hold(sender)
        except Exception:
            log.exception("signal %s from %s failed", signal.kind, sender)

    async def drop_peer(self, session_id: str) -> None:
        watched = self._video_watches.pop(session_id, None)
        if watched is not None:
            watched[1]()
        self._local.mixer.remove_source(self._mixer_key(session_id))
        self._paused_peers.discard(session_id)
        await self._mesh.disconnect(session_id)

    async def close(self) -> None:
        self._ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._ticker
        for session_id in self._mesh.session_ids:
            await self.drop_peer(session_id)
        await self._mesh.close()

    # --- internals --------------------------------------------------------------------

    def _mixer_key(self, session_id: str) -> str:
        return f"{self._call_cid}/{session_id}"

    def _update_participant(self, session_id: str, **changes: object) -> None:
        self._set_state(call_events.update_participant(self._get_state(), session_id, **changes))

    def _watch_video(self, session_id: str) -> None:
        """Follow the size of a remote video; a renegotiated link brings a new sink."""
        link = self._mesh.link(session_id)
        if link is None:
            return
        sink = link.video_in
        watched = self._video_watches.get(session_id)
        if watched is not None:
            if watched[0] is sink:
                return
            watched[1]()

        def on_frame() -> None:
            if sink.frame_size is not None:
                self._update_participant(session_id, video_size=sink.frame_size)

        self._video_watches[session_id] = (sink, sink.add_listener(on_frame))

    def _audio_for_sender(self) -> MediaStreamTrack | None:
        # a suspended or held call sends no microphone (Stream's suspendAudio), per call
        state = self._get_state()
        if state.is_audio_suspended or state.is_on_hold:
            return None
        if state.audio_profile is AudioProfile.VIEWER:  # playout only (app/call/audio_profile)
            return None
        if state.audio_profile is AudioProfile.BROADCASTER:
            return self._local.voice_track_for_sender()
        return self._local.audio_track_for_sender()

    def _video_for_sender(self) -> MediaStreamTrack | None:
        # a held call pauses the camera for this call only; the device stays open
        if self._get_state().is_on_hold:
            return None
        return self._local.video_track_for_sender()

    def _camera_picture(self) -> VideoFrame | None:
        # what the camera senders will be sent first (None: they send nothing)
        if self._get_state().is_on_hold or not self._local.camera_enabled:
            return None
        return self._local.preview_sink.latest()

    def _playout_volume(self) -> float:
        state = self._get_state()
        return 0.0 if state.is_on_hold else state.audio_playout_volume

    def _on_remote_audio(self, session_id: str, track: MediaStreamTrack) -> None:
        volume = self._playout_volume()
        self._local.mixer.add_source(self._mixer_key(session_id), track, gain=volume)

    def _on_peer_state(self, session_id: str, connection_state: str) -> None:
        self._update_participant(
            session_id,
            peer_connection_state=connection_state,
            connection_quality=_QUALITY_BY_PEER_STATE.get(
                connection_state, ConnectionQuality.UNKNOWN
            ),
        )

    async def _tick_activity(self) -> None:
        mixer = self._local.mixer
        while True:
            await asyncio.sleep(ACTIVITY_TICK_S)
            state = self._get_state()
            levels = {
                p.session_id: self._local.microphone_level
                if p.is_local
                else mixer.source_level(self._mixer_key(p.session_id))
                for p in state.participants
            }
            self._activity.update(levels, ACTIVITY_TICK_S * 1000)
            for session_id, level in levels.items():
                state = call_events.update_participant(
                    state,
                    session_id,
                    audio_level=round(level / LEVEL_STEP) * LEVEL_STEP,
                    is_speaking=self._activity.is_speaking(session_id),
                    is_dominant_speaker=self._activity.dominant == session_id,
                )
            self._set_state(state)


def _replace_source(switchable: SwitchableTrack, source: MediaStreamTrack | None) -> None:
    previous = switchable.set_source(source)
    if previous is not None and previous is not source:
        previous.stop()  # a relay proxy made for this sender (see MeshTransport.set_sources)
