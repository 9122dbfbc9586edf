"""``Call``: one call's lifecycle, commands and state (Stream's ``Call``).

All methods run on the event loop (the Qt GUI thread under qasync). State changes become
new ``CallState`` snapshots pushed to listeners; commands that fail raise ``CallError``
and, when the failure ends the call, leave ``status`` as ``disconnected(FAILURE, error)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, Protocol

from app.call import call_events
from app.call.audio_profile import CallAudioProfile
from app.call.audio_suspension import CallAudioSuspension
from app.call.background import spawn
from app.call.call_media import CallMedia
from app.call.errors import CallError
from app.call.hold import CallHold
from app.call.local_media import LocalMedia
from app.call.reactions import CallReactions
from app.call.ringing import CallRinging
from app.call.screen_share import CallScreenShare
from app.call.state import AudioProfile, CallState, CallStatus, DisconnectReason
from app.call.video_subscriptions import CallVideoSubscriptions
from app.media import FrameSink, apply_ice_policy
from app.media.webrtc import stream_encoding_stats
from app.protocol import (
    CallAcceptedEvent,
    CallEndedEvent,
    CallMemberAddedEvent,
    CallMissedEvent,
    CallParticipantHoldEvent,
    CallReactionEvent,
    CallRejectedEvent,
    CallRequest,
    CallRingEvent,
    CallSignalEvent,
    CallStateResponse,
    CallUpdatedEvent,
    GetOrCreateCallRequest,
    GetOrCreateCallResponse,
    JoinCallRequest,
    JoinCallResponse,
    LeaveCallRequest,
    MemberRequest,
    ParticipantJoinedEvent,
    ParticipantLeftEvent,
    ServerEvent,
    SignalMessage,
    SignalPayload,
    TrackPublishedEvent,
    TrackType,
    TrackUnpublishedEvent,
    TrackUpdateMessage,
    call_path,
    make_call_cid,
)

log = logging.getLogger(__name__)

CallListener = Callable[[CallState], None]


class CallHost(Protocol):
    """What a ``Call`` needs from its ``VideoClient`` (kept narrow on purpose)."""

    local_media: LocalMedia

    @property
    def user_id(self) -> str | None: ...  # the signed-in user
    def call_for(self, call_cid: str) -> Call: ...  # the client's Call object of a cid
    async def request(self, method: str, path: str, body: Any, model: type[Any]) -> Any: ...
    async def ensure_connected(self) -> str: ...
    async def send_message(self, message: Any) -> None: ...
    async def call_became_active(self, call: Call) -> None: ...
    async def call_became_inactive(self, call: Call) -> None: ...


class Call(
    CallRinging,
    CallReactions,
    CallScreenShare,
    CallAudioSuspension,
    CallHold,
    CallAudioProfile,
    CallVideoSubscriptions,
):
    """A call of type ``call_type`` with id ``call_id`` (``cid`` = ``"type:id"``).

    Ringing commands (``ring``, ``accept``, ``reject``, ``cancel``) come from
    ``CallRinging``; ``send_reaction`` and ``set_hand_raised`` from ``CallReactions``;
    ``start_screen_share``, ``stop_screen_share`` and ``screen_share_sink`` from
    ``CallScreenShare``; ``suspend_audio`` and ``resume_audio`` from
    ``CallAudioSuspension``; ``set_on_hold`` from ``CallHold``; ``set_audio_profile``
    from ``CallAudioProfile``."""

    def __init__(self, host: CallHost, call_type: str, call_id: str) -> None:
        self._host = host
        self.call_type = call_type
        self.id = call_id
        self.cid = make_call_cid(call_type, call_id)
        self._state = CallState(call_cid=self.cid, call_type=call_type, call_id=call_id)
        self._listeners: list[CallListener] = []
        self._media: CallMedia | None = None
        self._unsubscribe_media: Callable[[], None] | None = None
        self._buffered_events: list[ServerEvent] | None = None

    # --- state ------------------------------------------------------------------------

    @property
    def state(self) -> CallState:
        return self._state

    def subscribe(self, listener: CallListener) -> Callable[[], None]:
        """Call ``listener(snapshot)`` on every new snapshot; returns the unsubscriber."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _set_state(self, state: CallState) -> None:
        if state == self._state:
            return
        self._state = state
        for listener in list(self._listeners):
            try:
                listener(state)
            except Exception:
                log.exception("call state listener failed")

    def _get_state(self) -> CallState:
        return self._state

    def video_sink(self, session_id: str) -> FrameSink | None:
        """The newest-frame sink of a participant's camera; the local session's is the
        preview of the user's own camera."""
        if session_id == self._state.session_id:
            return self._host.local_media.preview_sink
        return self._media.video_sink(session_id) if self._media else None

    async def get_stats(self, session_id: str) -> dict[str, Any]:
        """The W3C ``RTCStatsReport`` of the peer connection to ``session_id`` as a dict of
        stats objects by id (``inbound-rtp``, ``outbound-rtp``, ``transport``, ...); empty
        when there is no connection to that session."""
        return await self._media.get_stats(session_id) if self._media else {}

    def local_stats(self) -> dict[str, Any]:
        """What the local media stage reports about itself, beside the W3C stats:
        ``{"video_filter": FilterChainStats as a dict, or None while the camera is off,
        "video_encoding": {"WxH" or "source": SharedEncoding.stats()} of the camera and
        its layers being sent}`` (filter: frame counts, ``filter_ms``,
        ``segmentation_ms``, mask reuses; encoding: senders, detached senders, frames
        encoded and sent, keyframes), "cpu_adaptation": CpuOveruseDetector.stats() while
        joined, else None}``."""
        media = self._host.local_media
        chain = media.video_filter_chain
        stream_id = media.camera_stream_id
        return {
            "video_filter": asdict(chain.stats()) if chain is not None else None,
            "video_encoding": stream_encoding_stats(stream_id) if stream_id is not None else {},
            "cpu_adaptation": self._media.cpu_overuse.stats() if self._media else None,
        }

    # --- coordinator commands ---------------------------------------------------------

    async def get_or_create(
        self,
        *,
        members: list[str] | None = None,
        custom: dict[str, Any] | None = None,
        ring: bool = False,
        video: bool = True,
        settings_override: dict[str, Any] | None = None,
    ) -> GetOrCreateCallResponse:
        """Create the call or load it (``POST /calls/{type}/{id}``); with ``ring`` then
        ring its members as ``ring()`` does (``response.ring_redirect_cid`` names the call
        joined instead on glare). Raises ``CallError``."""
        body = GetOrCreateCallRequest(
            data=CallRequest(
                members=[MemberRequest(user_id=u) for u in members or []],
                custom=custom or {},
                settings_override=settings_override,
            ),
            ring=ring,
            video=video,
        )
        path = await self._watch_path()
        if not ring:
            response: GetOrCreateCallResponse = await self._request(
                "POST", path, body, GetOrCreateCallResponse
            )
            self._apply_loaded(response)
            return response
        async with self._ringing_out():
            response = await self._request("POST", path, body, GetOrCreateCallResponse)
        self._apply_loaded(response)
        await self._after_ring(response.ring_redirect_cid)
        return response

    async def get(self) -> CallStateResponse:
        """Load the call and watch it. Raises ``CallError``."""
        response: CallStateResponse = await self._request(
            "GET", await self._watch_path(), None, CallStateResponse
        )
        self._apply_loaded(response)
        return response

    async def _watch_path(self) -> str:
        # Stream's "watch": this connection then gets the call's events before joining,
        # so a Lobby sees people come and go.
        connection_id = await self._host.ensure_connected()
        return f"{call_path(self.call_type, self.id)}?connection_id={connection_id}"

    def _apply_loaded(self, response: CallStateResponse) -> None:
        state = call_events.apply_call_state_response(self._state, response)
        if not state.status.is_active:  # while joined, the session's own view is newer
            state = call_events.set_participants(state, response.participants, None)
        self._set_state(state)

    async def join(self, *, create: bool = True) -> None:
        """Join with the user's current camera/microphone choices; media starts flowing
        peer to peer. Raises ``CallError``; the status is then ``disconnected(FAILURE)``."""
        if self._state.status.is_active:
            raise CallError("already_joined", f"already in call {self.cid}")
        media = self._host.local_media
        self._set_state(
            self._state.with_changes(
                status=CallStatus.connecting(),
                camera_enabled=media.camera_enabled,
                microphone_enabled=media.microphone_enabled,
            )
        )
        # Stream runs setActiveCall at the top of join (multicall cookbook): the audio
        # policy, or single-call replacement, applies before any media flows
        await self._host.call_became_active(self)
        try:
            await self._join_session(create=create)
        except CallError as exc:
            await self._fail(exc)
            raise
        self._unsubscribe_media = media.subscribe(self._on_local_media_changed)
        await media.start_output()
        self._set_state(self._state.with_changes(status=CallStatus.connected(), joined_at=_now()))

    async def leave(self, reason: DisconnectReason = DisconnectReason.LEFT) -> None:
        """Leave the call (others stay); an outgoing ring is cancelled. Safe to call
        twice."""
        if self._state.status.is_outgoing:
            await self.cancel()
            return
        session_id = self._state.session_id
        if not self._state.status.is_active:
            return
        await self._teardown()
        if session_id is not None and reason is not DisconnectReason.ENDED:
            try:
                await self._request(
                    "POST",
                    call_path(self.call_type, self.id, "leave"),
                    LeaveCallRequest(session_id=session_id),
                    dict,
                )
            except CallError as exc:  # the server drops the session with the socket anyway
                log.warning("leave of %s not confirmed: %s", self.cid, exc.message)
        self._set_state(self._state.with_changes(status=CallStatus.disconnected(reason)))

    async def end(self) -> None:
        """End the call for everyone (needs ``end-call``). Raises ``CallError``."""
        await self._request("POST", call_path(self.call_type, self.id, "end"), None, dict)
        await self.leave(DisconnectReason.ENDED)

    async def set_camera_enabled(self, enabled: bool) -> None:
        """Turn the user's camera on or off in this call. Raises ``CallError`` when the
        camera cannot be opened (it stays off)."""
        await self._set_device(enabled, video=True)

    async def set_microphone_enabled(self, enabled: bool) -> None:
        """Mute or unmute. Raises ``CallError`` when the microphone cannot be opened."""
        await self._set_device(enabled, video=False)

    # --- internals: joining -----------------------------------------------------------

    async def _join_session(self, *, create: bool) -> None:
        connection_id = await self._host.ensure_connected()
        self._buffered_events = []
        try:
            response: JoinCallResponse = await self._request(
                "POST",
                call_path(self.call_type, self.id, "join"),
                JoinCallRequest(
                    connection_id=connection_id,
                    create=create,
                    published_tracks=self._wanted_tracks(),
                ),
                JoinCallResponse,
            )
        except CallError:
            self._buffered_events = None
            raise
        apply_ice_policy(response.credentials.loopback_only)
        state = call_events.apply_call_state_response(self._state, response)
        state = state.with_changes(session_id=response.session_id)
        self._set_state(
            call_events.set_participants(state, response.participants, response.session_id)
        )
        self._carry_hold_into_session()
        self._media = CallMedia(
            self.cid,
            response.session_id,
            response.credentials,
            self._host.local_media,
            send_signal=self._send_signal,
            get_state=self._get_state,
            set_state=self._set_state,
        )
        self._attach_screen_share(self._media)  # a rejoin keeps sharing
        buffered, self._buffered_events = self._buffered_events, None
        for event in buffered or ():
            self.handle_event(event)
        for participant in self._state.remote_participants:
            await self._media.maybe_offer(participant.session_id)

    async def rejoin(self) -> None:
        """Join again after the event stream reconnected (the coordinator dropped our old
        session with the old socket): a new session, new peer connections."""
        if not self._state.status.is_active:
            return
        self.mark_reconnecting()
        await self._close_media()
        try:
            await self._join_session(create=False)
        except CallError as exc:
            await self._fail(exc)
            return
        self._set_state(self._state.with_changes(status=CallStatus.connected()))

    def mark_reconnecting(self) -> None:
        if self._state.status.is_active:
            attempt = self._state.status.attempt + 1
            self._set_state(self._state.with_changes(status=CallStatus.reconnecting(attempt)))

    async def _fail(self, error: CallError) -> None:
        await self._teardown()
        self._set_state(
            self._state.with_changes(
                status=CallStatus.disconnected(DisconnectReason.FAILURE, error.message)
            )
        )

    async def _teardown(self) -> None:
        await self._host.call_became_inactive(self)
        if self._unsubscribe_media is not None:
            self._unsubscribe_media()
            self._unsubscribe_media = None
        self._end_screen_share()
        await self._close_media()

    async def _close_media(self) -> None:
        media, self._media = self._media, None
        if media is not None:
            await media.close()

    # --- internals: local media -------------------------------------------------------

    async def _set_device(self, enabled: bool, *, video: bool) -> None:
        media = self._host.local_media
        try:
            if video:
                await media.set_camera_enabled(enabled)
            else:
                await media.set_microphone_enabled(enabled)
        except Exception as exc:
            what = "camera" if video else "microphone"
            raise CallError("device_error", f"cannot turn the {what} on: {exc}") from exc

    def _wanted_tracks(self) -> list[TrackType]:
        media = self._host.local_media
        tracks = []
        held = self._state.is_on_hold  # a held call publishes neither (app/call/hold.py)
        # a suspended call or a viewer's (playout only) sends no microphone
        silent = self._state.is_audio_suspended or self._state.audio_profile is AudioProfile.VIEWER
        if media.microphone_enabled and not silent and not held:
            tracks.append(TrackType.AUDIO)
        if media.camera_enabled and not held:
            tracks.append(TrackType.VIDEO)
        return tracks + self._screen_share_tracks()

    def _on_local_media_changed(self) -> None:
        media = self._host.local_media
        if self._media is not None:
            self._media.point_senders()
        state = self._state.with_changes(
            camera_enabled=media.camera_enabled, microphone_enabled=media.microphone_enabled
        )
        tracks = frozenset(self._wanted_tracks())
        if state.session_id is not None:
            state = call_events.update_participant(state, state.session_id, published_tracks=tracks)
        self._set_state(state)
        if state.session_id is not None and self._state.status.is_active:
            message = TrackUpdateMessage(
                call_cid=self.cid, session_id=state.session_id, published_tracks=sorted(tracks)
            )
            spawn(self._send_quietly(message), name=f"track.update {self.cid}")

    async def _send_quietly(self, message: TrackUpdateMessage) -> None:
        try:
            await self._host.send_message(message)
        except Exception as exc:
            log.warning("could not send %s for %s: %s", message.type, self.cid, exc)

    async def _send_signal(self, to_session_id: str, signal: SignalPayload) -> None:
        session_id = self._state.session_id
        if session_id is None:
            return
        await self._host.send_message(
            SignalMessage(
                call_cid=self.cid,
                from_session_id=session_id,
                to_session_id=to_session_id,
                signal=signal,
            )
        )

    # --- internals: coordinator events ------------------------------------------------

    def handle_event(self, event: ServerEvent) -> None:
        """Apply one coordinator event addressed to this call (called by the client).

        Events that arrive while the join request is in flight wait for its answer: the
        answer sets the participant list, and an event applied before it would be lost."""
        if self._buffered_events is not None:
            self._buffered_events.append(event)
            return
        state, media = self._state, self._media
        match event:
            case ParticipantJoinedEvent(participant=p):
                participant = call_events.participant_from_response(
                    p, local_session_id=state.session_id
                )
                self._set_state(call_events.add_participant(state, participant))
                if media is not None and not participant.is_local:
                    spawn(media.maybe_offer(p.session_id), name=f"offer to {p.session_id}")
            case ParticipantLeftEvent(session_id=session_id):
                self._set_state(call_events.remove_participant(state, session_id))
                if media is not None and session_id != state.session_id:
                    spawn(media.drop_peer(session_id), name=f"drop peer {session_id}")
            case TrackPublishedEvent(participant=p) | TrackUnpublishedEvent(participant=p):
                self._set_state(
                    call_events.update_participant(
                        state, p.session_id, published_tracks=frozenset(p.published_tracks)
                    )
                )
            case CallUpdatedEvent(call=call) | CallMemberAddedEvent(call=call):
                self._set_state(call_events.apply_call(state, call))
            case CallEndedEvent(call=call):
                self._set_state(call_events.apply_call(state, call))
                if state.status.is_active:
                    spawn(self.leave(DisconnectReason.ENDED), name=f"leave ended {self.cid}")
                elif state.status.is_ringing:
                    ended = CallStatus.disconnected(DisconnectReason.ENDED)
                    self._set_state(self._state.with_changes(status=ended))
            case CallRingEvent() | CallAcceptedEvent() | CallRejectedEvent() | CallMissedEvent():
                self._handle_ring_event(event)
            case CallReactionEvent():
                self._handle_reaction_event(event)
            case CallParticipantHoldEvent():
                self._handle_hold_event(event)
            case CallSignalEvent(from_session_id=sender, to_session_id=target, signal=signal):
                if media is not None and target == state.session_id:
                    spawn(media.apply_signal(sender, signal), name=f"signal from {sender}")
            case _:
                pass

    async def _request(self, method: str, path: str, body: Any, model: type[Any]) -> Any:
        return await self._host.request(method, path, body, model)


def _now() -> datetime:
    return datetime.now(UTC)
