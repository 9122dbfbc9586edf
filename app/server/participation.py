"""Being in a call: join, leave, peer-to-peer signalling and published tracks.

A session belongs to the WebSocket connection named at join; every live operation checks
that ownership, so a client can only speak for its own sessions and only to sessions of
the same call. Events: ``call.session_participant_joined``/``_left``,
``call.track_published``/``_unpublished`` (to the whole call) and ``call.signal`` (to the
addressed session's connection only).
"""

from __future__ import annotations

import logging

from app.protocol import (
    CallRequest,
    CallSettings,
    CallSignalEvent,
    ErrorCode,
    JoinCallRequest,
    JoinCallResponse,
    LeaveCallRequest,
    MediaCredentials,
    OwnCapability,
    ParticipantJoinedEvent,
    ParticipantLeftEvent,
    SignalMessage,
    TrackPublishedEvent,
    TrackType,
    TrackUnpublishedEvent,
    TrackUpdateMessage,
)
from app.server.calls_service import CallsService, check_call_request
from app.server.coordinator import Coordinator, require, utc_now
from app.server.errors import ApiError, forbidden
from app.server.events_hub import Connection
from app.server.ringing import RingingService
from app.server.sessions import Participant
from app.server.storage import CallRecord, UserRecord
from app.server.views import user_response

C = OwnCapability
# The capability that publishing each track type needs (Stream's send-audio, send-video,
# screenshare; screen-share audio travels with the screen share).
TRACK_CAPABILITY = {
    TrackType.AUDIO: C.SEND_AUDIO,
    TrackType.VIDEO: C.SEND_VIDEO,
    TrackType.SCREEN_SHARE: C.SCREENSHARE,
    TrackType.SCREEN_SHARE_AUDIO: C.SCREENSHARE,
}
# Track types that the call's ``settings.screensharing.enabled`` switches off.
SCREEN_SHARE_TRACKS = frozenset({TrackType.SCREEN_SHARE, TrackType.SCREEN_SHARE_AUDIO})
_TRACK_ORDER = list(TrackType)
_log = logging.getLogger(__name__)


def _check_tracks(
    granted: frozenset[OwnCapability], tracks: frozenset[TrackType], call: CallRecord
) -> None:
    """Raise ``ApiError`` 403 ``forbidden`` for the first track that may not be published:
    its capability missing from ``granted`` (``TRACK_CAPABILITY``), or a screen-share
    track while the call's ``settings.screensharing.enabled`` is off (Stream's "Screen
    sharing settings": the setting gates screen sharing for everyone, capability or not).
    """
    for track in sorted(tracks, key=_TRACK_ORDER.index):
        require(granted, TRACK_CAPABILITY[track], f"publish {track.value}")
    if tracks & SCREEN_SHARE_TRACKS:
        settings = CallSettings.model_validate(call.settings)
        if not settings.screensharing.enabled:
            raise forbidden(
                "screen sharing is turned off for this call (settings.screensharing.enabled)"
            )


class ParticipationService:
    def __init__(
        self, coordinator: Coordinator, calls: CallsService, ringing: RingingService
    ) -> None:
        self._c = coordinator
        self._calls = calls
        self._ringing = ringing

    async def join(
        self, user: UserRecord, type_name: str, call_id: str, request: JoinCallRequest
    ) -> JoinCallResponse:
        """Join (and with ``create`` first create) a call as a new session of the
        request's connection.

        Raises ``ApiError``: 404 ``call_not_found``; 403 ``forbidden`` without join-call,
        without join-backstage while the call is in backstage, without the capability of
        a requested track, or for a connection that is not the caller's; 410
        ``call_ended`` unless the caller holds join-ended-call.
        ``participants`` in the answer include the new session.
        """
        call_type, cid = self._c.resolve(type_name, call_id)
        if request.data is not None:
            check_call_request(request.data, "data")
        self._calls.own_connection(user, request.connection_id)
        async with self._c.call_lock(cid):
            call = await self._c.store.get_call(cid)
            created = False
            if call is None:
                if not request.create:
                    raise ApiError(404, ErrorCode.CALL_NOT_FOUND, f"call {cid} not found")
                call, created = await self._calls.create(
                    user, call_type, call_id, request.data or CallRequest()
                )
            members = await self._c.store.members(cid)
            role = self._c.role_in(user, call, members)
            granted = call_type.capabilities(role)
            require(granted, C.JOIN_CALL, "join this call")
            if call.ended_at is not None and C.JOIN_ENDED_CALL not in granted:
                raise ApiError(410, ErrorCode.CALL_ENDED, f"call {cid} has ended")
            if call.backstage:
                require(granted, C.JOIN_BACKSTAGE, "join while the call is in backstage")
            tracks = frozenset(request.published_tracks)
            _check_tracks(granted, tracks, call)
            # Checked again right before joining, with no await in between: a connection
            # that closed meanwhile must not leave an orphan session behind.
            self._calls.own_connection(user, request.connection_id)
            participant = self._c.sessions.join(
                call_cid=cid,
                call_type=call_type.name,
                user=user_response(user),
                role=role,
                connection_id=request.connection_id,
                joined_at=utc_now(),
                published_tracks=tracks,
            )
        await self._c.store.record_participation(cid, user.id, participant.joined_at)
        if created:
            await self._calls.announce_created(call, members)
        joined = ParticipantJoinedEvent(
            call_cid=cid, session_id=participant.session_id, participant=participant.to_response()
        )
        await self._c.publish(call, joined, members)
        await self._ringing.joined(user, cid)
        state = self._c.state(user, call, members)
        return JoinCallResponse(
            **dict(state),
            session_id=participant.session_id,
            credentials=MediaCredentials(
                mode="mesh",
                ice_servers=list(self._c.settings.ice_servers),
                loopback_only=self._c.settings.local_mode,
            ),
            created=created,
        )

    async def leave(
        self, user: UserRecord, type_name: str, call_id: str, request: LeaveCallRequest
    ) -> None:
        """Leave with one of the caller's sessions. Raises ``ApiError`` 409 ``not_joined``
        when the session is not in this call, 403 ``forbidden`` when it is not the
        caller's."""
        _, cid = self._c.resolve(type_name, call_id)
        participant = self._c.sessions.get(request.session_id)
        if participant is None or participant.call_cid != cid:
            raise ApiError(
                409, ErrorCode.NOT_JOINED, f"no such session in call {cid}", field="session_id"
            )
        if participant.user.id != user.id:
            raise ApiError(
                403, ErrorCode.FORBIDDEN, "the session belongs to another user", field="session_id"
            )
        self._c.sessions.leave(participant.session_id)
        await self._announce_left(participant)

    async def _announce_left(self, participant: Participant) -> None:
        call = await self._c.store.get_call(participant.call_cid)
        if call is None:
            return
        event = ParticipantLeftEvent(
            call_cid=call.cid,
            session_id=participant.session_id,
            participant=participant.to_response(),
        )
        await self._c.publish(call, event)

    def _own_session(self, connection: Connection, call_cid: str, session_id: str) -> Participant:
        participant = self._c.sessions.get(session_id)
        if (
            participant is None
            or participant.connection_id != connection.connection_id
            or participant.call_cid != call_cid
        ):
            raise ApiError(
                409,
                ErrorCode.NOT_JOINED,
                f"session {session_id[:64]!r} is not a session of this connection in "
                f"call {call_cid[:140]!r}",
            )
        return participant

    def relay_signal(self, connection: Connection, message: SignalMessage) -> None:
        """Deliver ``message.signal`` as ``call.signal`` to the addressed session.

        Raises ``ApiError`` ``not_joined`` when ``from_session_id`` is not a session of
        this connection joined to ``call_cid``, ``forbidden`` when ``to_session_id`` is
        not another session joined to the same call. Nothing is delivered then.
        """
        sender = self._own_session(connection, message.call_cid, message.from_session_id)
        target = self._c.sessions.get(message.to_session_id)
        if target is None or target.call_cid != sender.call_cid or target is sender:
            raise ApiError(
                403,
                ErrorCode.FORBIDDEN,
                "to_session_id is not another session joined to this call",
            )
        event = CallSignalEvent(
            call_cid=sender.call_cid,
            from_session_id=sender.session_id,
            to_session_id=target.session_id,
            signal=message.signal,
        )
        self._c.hub.send_to(target.connection_id, event)

    async def update_tracks(self, connection: Connection, message: TrackUpdateMessage) -> None:
        """Set the tracks a session publishes and announce the difference.

        Raises ``ApiError`` ``not_joined`` (not this connection's session in that call, or
        the call is gone) or ``forbidden`` (a track type whose capability the session's
        role lacks, or a screen share while the call's settings turn it off); the
        published tracks stay as they were then.
        """
        participant = self._own_session(connection, message.call_cid, message.session_id)
        tracks = frozenset(message.published_tracks)
        granted = self._c.call_type(participant.call_type).capabilities(participant.role)
        call = await self._c.store.get_call(participant.call_cid)
        if call is None:
            raise ApiError(409, ErrorCode.NOT_JOINED, f"call {participant.call_cid} is gone")
        _check_tracks(granted, tracks, call)
        updated = self._c.sessions.set_published_tracks(participant.session_id, tracks)
        if updated is None:
            return
        members = await self._c.store.members(call.cid)
        response = updated.to_response()
        for track in sorted(tracks - participant.published_tracks, key=_TRACK_ORDER.index):
            published = TrackPublishedEvent(
                call_cid=call.cid,
                session_id=updated.session_id,
                track_type=track,
                participant=response,
            )
            await self._c.publish(call, published, members)
        for track in sorted(participant.published_tracks - tracks, key=_TRACK_ORDER.index):
            unpublished = TrackUnpublishedEvent(
                call_cid=call.cid,
                session_id=updated.session_id,
                track_type=track,
                participant=response,
            )
            await self._c.publish(call, unpublished, members)

    async def drop_connection(self, connection_id: str) -> None:
        """A WebSocket closed: forget it, and its sessions leave their calls."""
        # Unregister and leave without an await in between (see ``join``).
        self._c.hub.unregister(connection_id)
        left = self._c.sessions.of_connection(connection_id)
        for participant in left:
            self._c.sessions.leave(participant.session_id)
        for participant in left:
            try:
                await self._announce_left(participant)
            except Exception:  # storage gone during shutdown: nobody is left to tell
                _log.exception("could not announce that %s left", participant.session_id)
