"""REST wire models: users, call settings, calls, members, participants, join credentials.

One source of truth for the coordinator, the client and the OpenAPI document. Field names
follow Stream's Video API in snake_case (``cid``, ``own_capabilities``, ``session_id``).
Times are timezone-aware UTC ``datetime`` values (ISO 8601 on the wire).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from app.protocol.capabilities import OwnCapability

# Call ids: Stream accepts ids of letters, digits, '_' and '-' ("Call ID" in its docs).
# Parley caps the length at 64 so a cid stays a sane key, path segment and log field.
CALL_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
CALL_TYPE_PATTERN = r"^[a-z0-9_]{1,64}$"
USER_ID_PATTERN = r"^[A-Za-z0-9@._-]{1,128}$"
_CALL_ID_RE = re.compile(CALL_ID_PATTERN)


def is_valid_call_id(call_id: str) -> bool:
    """True when ``call_id`` is 1–64 characters of ``[A-Za-z0-9_-]``."""
    return bool(_CALL_ID_RE.match(call_id))


def make_call_cid(call_type: str, call_id: str) -> str:
    """``"{type}:{id}"`` — Stream's call cid."""
    return f"{call_type}:{call_id}"


def split_call_cid(call_cid: str) -> tuple[str, str]:
    """Split ``"type:id"``; raises ``ValueError`` when there is no colon."""
    call_type, sep, call_id = call_cid.partition(":")
    if not sep or not call_type or not call_id:
        raise ValueError(f"not a call cid: {call_cid!r}")
    return call_type, call_id


# --- users -----------------------------------------------------------------------------


class UserRequest(BaseModel):
    """A user as a client describes it (guest sign-in, members)."""

    id: str | None = Field(default=None, pattern=USER_ID_PATTERN)
    name: str | None = Field(default=None, max_length=200)
    image: str | None = Field(default=None, max_length=2000)
    custom: dict[str, Any] = Field(default_factory=dict)


class UserResponse(BaseModel):
    id: str
    name: str
    image: str | None = None
    role: str = "user"
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None


class GuestRequest(BaseModel):
    """``POST /api/v1/auth/guest`` (local mode only)."""

    user: UserRequest = Field(default_factory=UserRequest)


class TokenResponse(BaseModel):
    """A user and an HS256 JWT for it; ``expires_at`` is the token's ``exp``."""

    user: UserResponse
    access_token: str
    expires_at: datetime


# --- call settings (Stream's "Call type settings") ----------------------------------------


class TargetResolution(BaseModel):
    width: int = 1280
    height: int = 720
    bitrate: int = 1_500_000  # bits per second


class AudioSettings(BaseModel):
    access_request_enabled: bool = True
    opus_dtx_enabled: bool = True
    redundant_coding_enabled: bool = True
    mic_default_on: bool = True
    speaker_default_on: bool = True
    default_device: Literal["speaker", "earpiece"] = "speaker"


class VideoSettings(BaseModel):
    enabled: bool = True
    access_request_enabled: bool = True
    camera_default_on: bool = True
    camera_facing: Literal["front", "back", "external"] = "front"
    target_resolution: TargetResolution | None = Field(default_factory=TargetResolution)


class ScreensharingSettings(BaseModel):
    enabled: bool = True
    access_request_enabled: bool = True


class BackstageSettings(BaseModel):
    enabled: bool = False


class RecordSettings(BaseModel):
    mode: Literal["available", "disabled", "auto-on"] = "available"
    quality: str = "720p"


class RingSettings(BaseModel):
    incoming_call_timeout_ms: int = Field(default=15_000, ge=0)
    auto_cancel_timeout_ms: int = Field(default=15_000, ge=0)


class CallSettings(BaseModel):
    audio: AudioSettings = Field(default_factory=AudioSettings)
    video: VideoSettings = Field(default_factory=VideoSettings)
    screensharing: ScreensharingSettings = Field(default_factory=ScreensharingSettings)
    backstage: BackstageSettings = Field(default_factory=BackstageSettings)
    recording: RecordSettings = Field(default_factory=RecordSettings)
    ring: RingSettings = Field(default_factory=RingSettings)


# --- calls, members ---------------------------------------------------------------------


class MemberRequest(BaseModel):
    user_id: str = Field(pattern=USER_ID_PATTERN)
    role: str | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


class MemberResponse(BaseModel):
    user_id: str
    user: UserResponse
    role: str = "call-member"
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None


class CallResponse(BaseModel):
    cid: str
    type: str
    id: str
    created_by: UserResponse
    custom: dict[str, Any] = Field(default_factory=dict)
    settings: CallSettings
    backstage: bool = False
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None = None
    session_id: str | None = None  # the current session of the call, when anyone is in it


class CallRequest(BaseModel):
    """The ``data`` of get-or-create: members, custom data, a settings override.

    ``settings_override`` is a partial ``CallSettings`` (nested objects merge key by key).
    """

    members: list[MemberRequest] = Field(default_factory=list, max_length=1000)
    custom: dict[str, Any] = Field(default_factory=dict)
    settings_override: dict[str, Any] | None = None


class GetOrCreateCallRequest(BaseModel):
    """``ring`` rings the members (not the caller) once the call exists; ``video`` tells
    the callees whether it is a video or an audio-only call (Stream's ``video``)."""

    data: CallRequest = Field(default_factory=CallRequest)
    ring: bool = False
    notify: bool = False
    video: bool = True


class UpdateCallRequest(BaseModel):
    custom: dict[str, Any] | None = None
    settings_override: dict[str, Any] | None = None


class UpdateCallMembersRequest(BaseModel):
    update_members: list[MemberRequest] = Field(default_factory=list)
    remove_members: list[str] = Field(default_factory=list)


# --- ringing ----------------------------------------------------------------------------


class RejectReason(StrEnum):
    """Why a ring ended without an answer from someone (Stream's ``call.rejected``
    reasons): the callee said no (``decline``) or is in another call (``busy``); nobody
    answered in time (``timeout``, set by the coordinator's timers); the caller gave up
    (``cancel``)."""

    DECLINE = "decline"
    BUSY = "busy"
    TIMEOUT = "timeout"
    CANCEL = "cancel"


class RingResponse(BaseModel):
    """A call's ring as the coordinator holds it.

    ``callees`` are everyone this ring called (names and avatars for the call screens);
    ``ringing_user_ids`` those whose devices ring now; a callee leaves that list when they
    accept (``accepted_by``) or when their ring ends otherwise (``rejected_by``: user id →
    reason). ``incoming_call_timeout_ms`` / ``auto_cancel_timeout_ms`` are the call's ring
    settings at the time the ring started.
    """

    caller: UserResponse
    callees: list[UserResponse] = Field(default_factory=list)
    ringing_user_ids: list[str] = Field(default_factory=list)
    accepted_by: list[str] = Field(default_factory=list)
    rejected_by: dict[str, RejectReason] = Field(default_factory=dict)
    video: bool = True
    started_at: datetime
    incoming_call_timeout_ms: int = 0
    auto_cancel_timeout_ms: int = 0


class RingCallRequest(BaseModel):
    """``POST /api/v1/calls/{type}/{id}/ring``: ring ``members`` (user ids of the call's
    members; empty = every member but the caller)."""

    members: list[str] = Field(default_factory=list, max_length=1000)
    video: bool = True

    @field_validator("members")
    @classmethod
    def _user_ids(cls, value: list[str]) -> list[str]:
        for user_id in value:
            if not re.match(USER_ID_PATTERN, user_id):
                raise ValueError(f"not a user id: {user_id[:128]!r}")
        return value


class RejectCallRequest(BaseModel):
    """``POST /api/v1/calls/{type}/{id}/reject``. From the caller it cancels the ring
    for everyone (whatever the reason given)."""

    reason: RejectReason = RejectReason.DECLINE


class MissedCallResponse(BaseModel):
    """A ring that ended for this user without an answer (``GET /users/me/missed_calls``):
    the call, who rang, and when the ring ended."""

    call: CallResponse
    caller: UserResponse
    missed_at: datetime


# --- participants and media -------------------------------------------------------------


class TrackType(StrEnum):
    """A published track kind (Stream's ``SfuTrackType``)."""

    AUDIO = "audio"
    VIDEO = "video"
    SCREEN_SHARE = "screen_share"
    SCREEN_SHARE_AUDIO = "screen_share_audio"


class ParticipantResponse(BaseModel):
    """One session of a user joined to a call."""

    user: UserResponse
    session_id: str
    role: str = "user"
    joined_at: datetime
    published_tracks: list[TrackType] = Field(default_factory=list)
    # Set and cleared by ``raised-hand`` reactions (``SendReactionRequest``); kept here so
    # whoever joins later sees the raised hands.
    raised_hand: bool = False
    # The session put the call on hold (``hold.update``): it neither sends nor plays
    # media in this call until it comes back, so the others need not send it any.
    on_hold: bool = False


class CallStateResponse(BaseModel):
    """A call, its members, who is in it now (``participants``: one per joined session,
    so a Lobby can say who is there), what the requesting user may do in it, and its ring
    while one is going on (``None`` otherwise)."""

    call: CallResponse
    members: list[MemberResponse] = Field(default_factory=list)
    participants: list[ParticipantResponse] = Field(default_factory=list)
    own_capabilities: list[OwnCapability] = Field(default_factory=list)
    ring: RingResponse | None = None


class GetOrCreateCallResponse(CallStateResponse):
    """``ring_redirect_cid``: see ``RingCallResponse``."""

    created: bool
    ring_redirect_cid: str | None = None


class RingCallResponse(CallStateResponse):
    """The call after ringing. ``ring_redirect_cid`` is set when the ring met a ring the
    other way (the callee was ringing the caller at that moment): the coordinator then
    accepted that other call for the caller instead of ringing, and the caller joins it —
    two people ringing each other end up in one call."""

    ring_redirect_cid: str | None = None


class ICEServer(BaseModel):
    """One entry of ``RTCConfiguration.iceServers`` (W3C WebRTC)."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class MediaCredentials(BaseModel):
    """How to send and receive media in this call.

    ``mode`` is ``"mesh"`` (one peer connection per remote participant, signalled through
    the coordinator's WebSocket). ``ice_transport_policy`` is W3C's ``all`` or ``relay``;
    ``loopback_only`` tells the client to gather host candidates on 127.0.0.1 only (local
    mode).
    """

    mode: Literal["mesh", "sfu"] = "mesh"
    ice_servers: list[ICEServer] = Field(default_factory=list)
    ice_transport_policy: Literal["all", "relay"] = "all"
    loopback_only: bool = False


class JoinCallRequest(BaseModel):
    """``POST /api/v1/calls/{type}/{id}/join``.

    ``connection_id`` names the caller's WebSocket connection: signalling and events for
    the new session go there. ``create`` makes the call when it does not exist.
    """

    connection_id: str
    create: bool = False
    data: CallRequest | None = None
    published_tracks: list[TrackType] = Field(default_factory=list)

    @field_validator("connection_id")
    @classmethod
    def _non_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("connection_id must not be empty")
        return value


class JoinCallResponse(CallStateResponse):
    session_id: str
    credentials: MediaCredentials
    created: bool = False


class LeaveCallRequest(BaseModel):
    session_id: str


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    local_mode: bool
    active_calls: int
    active_sessions: int


class SendEventRequest(BaseModel):
    """``POST /api/v1/calls/{type}/{id}/event``: a ``custom`` event to everyone in the call."""

    custom: dict[str, Any] = Field(default_factory=dict)


# --- reactions (Stream's "Reactions": ``call.sendReaction``) ------------------------------

RAISED_HAND_REACTION = "raised-hand"
REACTION_TYPE_PATTERN = r"^[a-z0-9_-]{1,64}$"
# Stream's emoji codes are short names between colons (":like:", ":fireworks:").
EMOJI_CODE_PATTERN = r"^:[a-z0-9_+-]{1,64}:$"


def reaction_hand_raised(reaction_type: str, custom: dict[str, Any]) -> bool | None:
    """What a reaction does to the sender's hand: raise (True), lower (False, when
    ``custom["raised"] is False``), or nothing (None: not a ``raised-hand`` reaction)."""
    if reaction_type != RAISED_HAND_REACTION:
        return None
    return custom.get("raised", True) is not False


class SendReactionRequest(BaseModel):
    """``POST /api/v1/calls/{type}/{id}/reaction`` (needs ``create-reaction``).

    ``type`` is ``"reaction"`` for a passing emoji, or ``"raised-hand"``
    (``RAISED_HAND_REACTION``): a state on the sender's sessions that lasts until lowered —
    ``custom={"raised": false}`` lowers it, anything else raises it (``raised`` must then be
    a boolean when present). The raised hand needs the sender to be joined to the call.
    """

    type: str = Field(default="reaction", pattern=REACTION_TYPE_PATTERN)
    emoji_code: str | None = Field(default=None, pattern=EMOJI_CODE_PATTERN)
    custom: dict[str, Any] = Field(default_factory=dict)

    @property
    def hand_raised(self) -> bool | None:
        """For ``raised-hand``: raise (True) or lower (False); None for other types."""
        return reaction_hand_raised(self.type, self.custom)

    @field_validator("custom")
    @classmethod
    def _raised_is_bool(cls, value: dict[str, Any]) -> dict[str, Any]:
        if "raised" in value and not isinstance(value["raised"], bool):
            raise ValueError("custom.raised must be a boolean")
        return value


class ReactionResponse(BaseModel):
    """A reaction as everyone in the call receives it (``call.reaction``)."""

    user: UserResponse
    type: str
    emoji_code: str | None = None
    custom: dict[str, Any] = Field(default_factory=dict)

    @property
    def hand_raised(self) -> bool | None:
        """See ``reaction_hand_raised``."""
        return reaction_hand_raised(self.type, self.custom)


class SendReactionResponse(BaseModel):
    reaction: ReactionResponse
