"""WebSocket messages: coordinator events (server → client) and client requests.

One WebSocket per client connection at ``/api/v1/ws``. The first client message must be
``auth`` (a token in the URL would land in access logs); the server answers
``connection.ok`` with the ``connection_id`` that REST calls (join) refer to, or an
``error`` and a close with code 4401 (bad token) / 4400 (bad message).

Event names are Stream's (``call.created``, ``call.session_participant_joined``, ...); every
event carries ``type`` and ``created_at``, call events carry ``call_cid``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from app.protocol.errors import ErrorCode
from app.protocol.models import (
    CallResponse,
    MemberResponse,
    ParticipantResponse,
    ReactionResponse,
    RejectReason,
    RingResponse,
    TrackType,
    UserResponse,
)

WS_PATH = "/api/v1/ws"
WS_CLOSE_UNAUTHORIZED = 4401
WS_CLOSE_BAD_MESSAGE = 4400
HEALTH_CHECK_INTERVAL_S = 10.0


def utc_now() -> datetime:
    return datetime.now(UTC)


class _Event(BaseModel):
    created_at: datetime = Field(default_factory=utc_now)


class _CallEvent(_Event):
    call_cid: str


# --- server → client --------------------------------------------------------------------


class ConnectionOkEvent(_Event):
    type: Literal["connection.ok"] = "connection.ok"
    connection_id: str
    user: UserResponse


class HealthCheckEvent(_Event):
    type: Literal["health.check"] = "health.check"
    connection_id: str = ""


class ErrorEvent(_Event):
    """A refused client message; ``request_type`` names what was refused."""

    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    request_type: str | None = None


class CallCreatedEvent(_CallEvent):
    type: Literal["call.created"] = "call.created"
    call: CallResponse
    members: list[MemberResponse] = Field(default_factory=list)


class CallUpdatedEvent(_CallEvent):
    type: Literal["call.updated"] = "call.updated"
    call: CallResponse


class CallEndedEvent(_CallEvent):
    type: Literal["call.ended"] = "call.ended"
    call: CallResponse
    user: UserResponse | None = None


class CallMemberAddedEvent(_CallEvent):
    type: Literal["call.member_added"] = "call.member_added"
    call: CallResponse
    members: list[MemberResponse]


class ParticipantJoinedEvent(_CallEvent):
    type: Literal["call.session_participant_joined"] = "call.session_participant_joined"
    session_id: str
    participant: ParticipantResponse


class ParticipantLeftEvent(_CallEvent):
    type: Literal["call.session_participant_left"] = "call.session_participant_left"
    session_id: str
    participant: ParticipantResponse


class TrackPublishedEvent(_CallEvent):
    type: Literal["call.track_published"] = "call.track_published"
    session_id: str
    track_type: TrackType
    participant: ParticipantResponse


class TrackUnpublishedEvent(_CallEvent):
    type: Literal["call.track_unpublished"] = "call.track_unpublished"
    session_id: str
    track_type: TrackType
    participant: ParticipantResponse


class CustomEvent(_CallEvent):
    type: Literal["custom"] = "custom"
    user: UserResponse
    custom: dict[str, Any]


class CallRingEvent(_CallEvent):
    """Someone rang members of the call (Stream's ``call.ring``). Sent to the call's
    creator and members on every connection; a connection that opens while a ring for
    its user is going on gets it too. ``user`` is the caller; ``ring`` the ring now."""

    type: Literal["call.ring"] = "call.ring"
    call: CallResponse
    members: list[MemberResponse] = Field(default_factory=list)
    user: UserResponse
    video: bool = True
    ring: RingResponse


class CallAcceptedEvent(_CallEvent):
    """``user`` accepted the ring (on one of their devices: the others stop ringing)."""

    type: Literal["call.accepted"] = "call.accepted"
    call: CallResponse
    user: UserResponse
    ring: RingResponse


class CallRejectedEvent(_CallEvent):
    """``user``'s ring ended without an answer, for ``reason``. When ``user`` is the
    caller (``ring.caller``) the whole ring is over: the caller cancelled (``cancel``) or
    nobody accepted within ``auto_cancel_timeout_ms`` (``timeout``)."""

    type: Literal["call.rejected"] = "call.rejected"
    call: CallResponse
    user: UserResponse
    reason: RejectReason
    ring: RingResponse


class CallMissedEvent(_CallEvent):
    """To the callee only: a ring from ``user`` ended unanswered (timeout or cancel); it
    is now listed by ``GET /api/v1/users/me/missed_calls``."""

    type: Literal["call.missed"] = "call.missed"
    call: CallResponse
    user: UserResponse


class CallReactionEvent(_CallEvent):
    """Someone in the call reacted (Stream's ``call.reaction``): an emoji to show for a
    moment, or a raised hand raised/lowered (``reaction.type == "raised-hand"``, see
    ``SendReactionRequest``). Sent to the call's whole audience."""

    type: Literal["call.reaction"] = "call.reaction"
    reaction: ReactionResponse


class CallParticipantHoldEvent(_CallEvent):
    """A session put the call on hold or took it off (``hold.update``; beyond Stream,
    whose suspension is invisible to the others). ``participant.on_hold`` says which.
    Sent to the call's whole audience."""

    type: Literal["call.session_participant_hold"] = "call.session_participant_hold"
    session_id: str
    on_hold: bool
    participant: ParticipantResponse


MAX_VIDEO_DIMENSION_PX = 16_384  # a 16K display; more is a mistake, not a screen


class SignalPayload(BaseModel):
    """A peer-to-peer signalling message (W3C ``RTCSessionDescriptionInit`` /
    ``RTCIceCandidateInit`` shapes). aiortc gathers candidates before it answers, so
    ``offer``/``answer`` carry complete SDP; ``ice_candidate`` serves peers that trickle.

    ``video_dimension``: the sender paints the addressee's camera at ``width`` x
    ``height`` device pixels (both absent: no preference), so the addressee sends the
    video layer that fits (``app.media.video_layers``; Stream's subscriber
    ``TrackSubscriptionDetails.dimension``)."""

    kind: Literal["offer", "answer", "ice_candidate", "restart", "video_dimension"]
    sdp: str | None = Field(default=None, max_length=200_000)
    candidate: str | None = Field(default=None, max_length=2_000)
    sdp_mid: str | None = None
    sdp_mline_index: int | None = None
    width: int | None = Field(default=None, ge=1, le=MAX_VIDEO_DIMENSION_PX)
    height: int | None = Field(default=None, ge=1, le=MAX_VIDEO_DIMENSION_PX)


class CallSignalEvent(_CallEvent):
    """A signalling message relayed from one session of a call to another of the same."""

    type: Literal["call.signal"] = "call.signal"
    from_session_id: str
    to_session_id: str
    signal: SignalPayload


ServerEvent = Annotated[
    ConnectionOkEvent
    | HealthCheckEvent
    | ErrorEvent
    | CallCreatedEvent
    | CallUpdatedEvent
    | CallEndedEvent
    | CallMemberAddedEvent
    | ParticipantJoinedEvent
    | ParticipantLeftEvent
    | TrackPublishedEvent
    | TrackUnpublishedEvent
    | CustomEvent
    | CallSignalEvent
    | CallRingEvent
    | CallAcceptedEvent
    | CallRejectedEvent
    | CallMissedEvent
    | CallReactionEvent
    | CallParticipantHoldEvent,
    Field(discriminator="type"),
]
SERVER_EVENT_ADAPTER: TypeAdapter[ServerEvent] = TypeAdapter(ServerEvent)


# --- client → server --------------------------------------------------------------------


class AuthMessage(BaseModel):
    type: Literal["auth"] = "auth"
    token: str


class HealthCheckMessage(BaseModel):
    type: Literal["health.check"] = "health.check"


class SignalMessage(BaseModel):
    """Relay ``signal`` from ``from_session_id`` (a session of this connection) to
    ``to_session_id`` (another session joined to ``call_cid``)."""

    type: Literal["signal"] = "signal"
    call_cid: str
    from_session_id: str
    to_session_id: str
    signal: SignalPayload


class TrackUpdateMessage(BaseModel):
    """The tracks a session now publishes (sent on mute/unmute, camera on/off). The server
    answers with ``call.track_published``/``call.track_unpublished`` for the difference."""

    type: Literal["track.update"] = "track.update"
    call_cid: str
    session_id: str
    published_tracks: list[TrackType]


class HoldUpdateMessage(BaseModel):
    """Put a session's call on hold (``on_hold``) or take it off. The server answers with
    ``call.session_participant_hold`` to the call's audience (nothing when unchanged)."""

    type: Literal["hold.update"] = "hold.update"
    call_cid: str
    session_id: str
    on_hold: bool


ClientMessage = Annotated[
    AuthMessage | HealthCheckMessage | SignalMessage | TrackUpdateMessage | HoldUpdateMessage,
    Field(discriminator="type"),
]
CLIENT_MESSAGE_ADAPTER: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
