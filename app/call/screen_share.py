"""Screen-share commands of a ``Call`` (Stream's ``call.screenShare.enable()`` /
``disable()``), as a mixin so ``Call`` keeps one public face while its lifecycle code
stays in ``call.py``.

A screen share is a second video track beside the camera: the caller hands in a video
track (typically a :class:`~app.media.ScreenShareTrack` fed by a screen capture), the call
fans it out through one ``MediaRelay`` to the screen-share sender of every peer connection
(``app.call.mesh``: the third transceiver, there from the start, so starting and stopping
need no renegotiation) and announces ``TrackType.SCREEN_SHARE`` in the session's published
tracks (``track.update``). Others learn who shares from ``call.track_published`` /
``call.track_unpublished`` and read the picture from :meth:`screen_share_sink`.

Rules (Stream's "Screen sharing settings"): sharing needs the ``screenshare`` capability
and the call's ``settings.screensharing.enabled``; the coordinator enforces both
(``app.server.participation``) and the call checks them first, so the user gets the reason
at once instead of a refused ``track.update``. While sharing, the call follows its own
state: when the capability is taken away or the call's settings turn screen sharing off
(``call.updated``), the share stops.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from aiortc import MediaStreamTrack

from app.call import call_events
from app.call.background import spawn
from app.call.errors import CallError
from app.call.state import CallState
from app.media import FrameSink, RelayedSource, ScreenShareTrack
from app.media.webrtc import TaggedVideoTrack
from app.protocol import CallSettings, OwnCapability, TrackType, TrackUpdateMessage

if TYPE_CHECKING:
    from app.call.call_media import CallMedia


class CallScreenShare:
    """Mixin of ``Call``: publishing a screen share and reading others'."""

    # The local share, fanned out to every screen-share sender; None when not sharing.
    _screen_share: RelayedSource | None = None
    _screen_share_track: MediaStreamTrack | None = None  # as given to start_screen_share
    _screen_share_unsubscribe: Callable[[], None] | None = None  # the rules watch

    if TYPE_CHECKING:
        cid: str
        _state: CallState
        _media: CallMedia | None

        def _set_state(self, state: CallState) -> None: ...
        def subscribe(self, listener: Callable[[CallState], None]) -> Callable[[], None]: ...
        def _wanted_tracks(self) -> list[TrackType]: ...
        def _send_quietly(self, message: TrackUpdateMessage) -> Coroutine[Any, Any, None]: ...

    @property
    def is_screen_sharing(self) -> bool:
        """Whether this client shares a screen (or window) in this call."""
        return self._screen_share is not None

    @property
    def screen_share_track(self) -> MediaStreamTrack | None:
        """The track being shared (as passed to :meth:`start_screen_share`), or None."""
        return self._screen_share_track if self._screen_share is not None else None

    def screen_share_sink(self, session_id: str) -> FrameSink | None:
        """The newest-frame sink of a participant's screen share (None when there is no
        connection to that session). For the local session: the frames this client sends,
        when the shared track is a ``ScreenShareTrack``. A sink keeps its last frame after
        the share stops; whether someone shares is ``published_tracks`` in the state."""
        if session_id == self._state.session_id:
            track = self.screen_share_track
            return track.preview_sink if isinstance(track, ScreenShareTrack) else None
        return self._media.screen_share_sink(session_id) if self._media else None

    def screen_share_refusal(self) -> str | None:
        """Why this call cannot share a screen now, for a person (a disabled control's
        tooltip), or None when it can."""
        state = self._state
        if not state.status.is_active or state.session_id is None or self._media is None:
            return "Join the call to share your screen"
        return _rules_refusal(state)

    async def start_screen_share(self, track: MediaStreamTrack) -> None:
        """Share ``track`` (kind video) as this session's screen share, beside the camera.

        The call owns ``track`` from now on and stops it in :meth:`stop_screen_share` or
        when the call is left. Sharing again while sharing replaces the shared track (the
        previous one is stopped). Raises ``CallError``: ``not_joined`` outside the call,
        ``forbidden`` without the ``screenshare`` capability or with
        ``settings.screensharing.enabled`` off, ``invalid_request`` for an audio track;
        ``track`` is left untouched then.
        """
        if track.kind != "video":
            raise CallError("invalid_request", "a screen share needs a video track")
        refusal = self.screen_share_refusal()
        if refusal is not None:
            code = "not_joined" if self._media is None else "forbidden"
            raise CallError(code, refusal)
        # Tagged like the camera, so each picture is encoded once for every peer
        # (app.media.webrtc.shared_encoding). The first shared encoder asked everyone
        # for a keyframe when one sender fell out of step, which looped on 1080p shares
        # (~4 fps, 2.5 s p95 in bench/screen_share.py); a sender out of step now encodes
        # on its own instead: 13.4 fps, 68/116 ms p50/p95 at the 15 fps profile.
        previous, self._screen_share = self._screen_share, RelayedSource(TaggedVideoTrack(track))
        self._screen_share_track = track
        self._attach_screen_share(self._media)
        if previous is not None:
            previous.stop()
        if self._screen_share_unsubscribe is None:
            self._screen_share_unsubscribe = self.subscribe(self._follow_screen_share_rules)
        self._publish_screen_share_change()

    async def stop_screen_share(self) -> None:
        """Stop sharing and stop the shared track; nothing happens when not sharing."""
        self._end_screen_share()
        self._publish_screen_share_change()

    # --- hooks for ``Call`` -----------------------------------------------------------

    def _screen_share_tracks(self) -> list[TrackType]:
        # a held call pauses its share as it pauses its camera (app/call/hold.py)
        sending = self._screen_share is not None and not self._state.is_on_hold
        return [TrackType.SCREEN_SHARE] if sending else []

    def _attach_screen_share(self, media: CallMedia | None) -> None:
        """Point ``media``'s screen-share senders at the current share (after a join or
        rejoin made new peer connections, when the share changes, or when the call goes on
        or off hold: a held call sends nobody its screen, and the share resumes after)."""
        if media is not None:
            relay = self._screen_share
            source: Callable[[], MediaStreamTrack | None] | None = (
                relay.subscribe if relay is not None and not self._state.is_on_hold else None
            )
            media.point_screen_share(source)

    def _end_screen_share(self) -> None:
        """Stop the share without announcing it (the call is being left)."""
        relay, self._screen_share = self._screen_share, None
        self._screen_share_track = None
        unsubscribe, self._screen_share_unsubscribe = self._screen_share_unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
        if relay is None:
            return
        self._attach_screen_share(self._media)  # stops each sender's proxy
        relay.stop()

    def _follow_screen_share_rules(self, state: CallState) -> None:
        # A listener must not change the state it is being told about: stop in a task.
        if self._screen_share is not None and _rules_refusal(state) is not None:
            spawn(self.stop_screen_share(), name=f"screen share no longer allowed {self.cid}")

    def _publish_screen_share_change(self) -> None:
        state = self._state
        session_id = state.session_id
        if session_id is None or not state.status.is_active:
            return
        tracks = frozenset(self._wanted_tracks())
        self._set_state(call_events.update_participant(state, session_id, published_tracks=tracks))
        message = TrackUpdateMessage(
            call_cid=self.cid, session_id=session_id, published_tracks=sorted(tracks)
        )
        spawn(self._send_quietly(message), name=f"track.update {self.cid}")


def _rules_refusal(state: CallState) -> str | None:
    """Why the call's rules (capability, settings) forbid sharing now, or None."""
    if OwnCapability.SCREENSHARE not in state.own_capabilities:
        return "You are not allowed to share your screen in this call"
    if not CallSettings.model_validate(state.settings).screensharing.enabled:
        return "Screen sharing is turned off for this call"
    return None
