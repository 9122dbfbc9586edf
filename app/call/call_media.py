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

from app.call import call_events
from app.call.activity import ActivityTracker
from app.call.local_media import LocalMedia
from app.call.mesh import MeshTransport
from app.call.state import CallState, ConnectionQuality
from app.media import FrameSink
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
        self._ticker = asyncio.get_running_loop().create_task(
            self._tick_activity(), name=f"activity {call_cid}"
        )
        self.point_senders()

    # --- queries ----------------------------------------------------------------------

    def video_sink(self, session_id: str) -> FrameSink | None:
        return self._mesh.video_sink(session_id)

    async def get_stats(self, session_id: str) -> dict[str, Any]:
        link = self._mesh.link(session_id)
        return dict(await link.pc.getStats()) if link is not None else {}

    # --- commands ---------------------------------------------------------------------

    def point_senders(self) -> None:
        """Make every sender read the local devices as they are now (on, off, switched)."""
        self._mesh.set_sources(
            self._local.audio_track_for_sender, self._local.video_track_for_sender
        )

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
        except Exception as exc:  # one bad peer must not fail the whole call
            log.exception("offer to %s failed", session_id)
            self._update_participant(session_id, peer_connection_state=f"failed: {exc}")

    async def apply_signal(self, sender: str, signal: SignalPayload) -> None:
        try:
            await self._mesh.handle_signal(sender, signal)
            self._watch_video(sender)
        except Exception:
            log.exception("signal %s from %s failed", signal.kind, sender)

    async def drop_peer(self, session_id: str) -> None:
        watched = self._video_watches.pop(session_id, None)
        if watched is not None:
            watched[1]()
        self._local.mixer.remove_source(self._mixer_key(session_id))
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

    def _on_remote_audio(self, session_id: str, track: MediaStreamTrack) -> None:
        self._local.mixer.add_source(self._mixer_key(session_id), track)

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
