"""Call types: Stream's four built-in types, their default settings and the capabilities
each call role holds in them.

Settings: Stream's "Defaults for call type settings" table
(``shared/reference/stream-video-flutter-docs.txt``, "Call Types"), numbers kept as
Stream publishes them (e.g. ``default`` targets 2560x1440 at 5 Mbps, ``audio_room`` has no
video and no target resolution, ``audio_room``/``livestream`` start in backstage and do not
ring).

Capabilities: Stream's docs list the capabilities ("Default call capabilities") and the
roles ("User roles") but leave the per-role grants to the dashboard. This table follows the
dashboard's defaults:

===============  ==========================================================================
call type        grants
===============  ==========================================================================
development      every role: every capability (a playground, as Stream describes it)
default          ``user``, ``guest``, ``call-member``: PARTICIPANT = read-call, join-call,
                 create-call, send-audio, send-video, screenshare, create-reaction.
                 ``moderator``: PARTICIPANT + MODERATION (update-call,
                 update-call-settings, end-call, mute-users, block-users,
                 remove-call-member, pin-for-everyone, start/stop-record-call,
                 start/stop-broadcast-call, start/stop-transcription-call,
                 join-backstage). ``host``, ``admin``: moderator's +
                 update-call-permissions.
livestream       ``user``, ``guest``, ``call-member``: VIEWER = read-call, join-call,
                 create-call, create-reaction (they watch). ``moderator``/``host``/
                 ``admin``: as in ``default`` (they publish and run the stream).
audio_room       listeners (``user``, ``guest``, ``call-member``): VIEWER. Speakers
                 (``moderator``, ``host``, ``admin``): as in ``livestream`` without
                 send-video and screenshare (the type has no video).
===============  ==========================================================================

``join-ended-call`` is granted by ``development`` only. ``guest`` equals ``user``: guests
are the ordinary users of the embedded (local) coordinator. A role missing from a type's
table (e.g. a custom member role) holds no capability.

A user's role in a call (``call_role``): an account with role ``admin`` is ``admin``; the
call's creator is its ``host``; a member holds the member's role (``call-member`` unless
given); anyone else holds their account role (``user``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.protocol import CallSettings, OwnCapability, UserRole
from app.protocol.models import (
    AudioSettings,
    BackstageSettings,
    RingSettings,
    ScreensharingSettings,
    TargetResolution,
    VideoSettings,
)

C = OwnCapability
Capabilities = frozenset[OwnCapability]

VIEWER: Capabilities = frozenset({C.READ_CALL, C.JOIN_CALL, C.CREATE_CALL, C.CREATE_REACTION})
PARTICIPANT: Capabilities = VIEWER | {C.SEND_AUDIO, C.SEND_VIDEO, C.SCREENSHARE}
MODERATION: Capabilities = frozenset(
    {
        C.UPDATE_CALL,
        C.UPDATE_CALL_SETTINGS,
        C.END_CALL,
        C.MUTE_USERS,
        C.BLOCK_USERS,
        C.REMOVE_CALL_MEMBER,
        C.PIN_FOR_EVERYONE,
        C.START_RECORD_CALL,
        C.STOP_RECORD_CALL,
        C.START_BROADCAST_CALL,
        C.STOP_BROADCAST_CALL,
        C.START_TRANSCRIPTION_CALL,
        C.STOP_TRANSCRIPTION_CALL,
        C.JOIN_BACKSTAGE,
    }
)
MODERATOR: Capabilities = PARTICIPANT | MODERATION
HOST: Capabilities = MODERATOR | {C.UPDATE_CALL_PERMISSIONS}
EVERYTHING: Capabilities = frozenset(OwnCapability)
_NO_VIDEO: Capabilities = frozenset({C.SEND_VIDEO, C.SCREENSHARE})

R = UserRole
_ALL_ROLES = tuple(UserRole)


def _roles(
    ordinary: Capabilities, moderator: Capabilities, host: Capabilities
) -> dict[str, Capabilities]:
    return {
        R.USER: ordinary,
        R.GUEST: ordinary,
        R.CALL_MEMBER: ordinary,
        R.MODERATOR: moderator,
        R.HOST: host,
        R.ADMIN: host,
    }


@dataclass(frozen=True)
class CallType:
    """A call type: its name, default ``CallSettings`` and role → capabilities grants."""

    name: str
    settings: CallSettings
    grants: Mapping[str, Capabilities]

    def capabilities(self, role: str) -> Capabilities:
        """What ``role`` may do in calls of this type (nothing for an unknown role)."""
        return self.grants.get(role, frozenset())


def _settings(
    *,
    audio: AudioSettings,
    video: VideoSettings,
    screensharing: bool,
    screensharing_access_request: bool,
    backstage: bool,
    ring_timeout_ms: int,
) -> CallSettings:
    return CallSettings(
        audio=audio,
        video=video,
        screensharing=ScreensharingSettings(
            enabled=screensharing, access_request_enabled=screensharing_access_request
        ),
        backstage=BackstageSettings(enabled=backstage),
        ring=RingSettings(
            incoming_call_timeout_ms=ring_timeout_ms, auto_cancel_timeout_ms=ring_timeout_ms
        ),
    )


_AUDIO_ROOM = CallType(
    name="audio_room",
    settings=_settings(
        audio=AudioSettings(mic_default_on=False, default_device="speaker"),
        video=VideoSettings(
            enabled=False,
            access_request_enabled=False,
            camera_default_on=False,
            target_resolution=None,
        ),
        screensharing=False,
        screensharing_access_request=False,
        backstage=True,
        ring_timeout_ms=0,
    ),
    grants=_roles(VIEWER, MODERATOR - _NO_VIDEO, HOST - _NO_VIDEO),
)
_DEFAULT = CallType(
    name="default",
    settings=_settings(
        audio=AudioSettings(default_device="earpiece"),
        video=VideoSettings(
            target_resolution=TargetResolution(width=2560, height=1440, bitrate=5_000_000)
        ),
        screensharing=True,
        screensharing_access_request=True,
        backstage=False,
        ring_timeout_ms=15_000,
    ),
    grants=_roles(PARTICIPANT, MODERATOR, HOST),
)
_LIVESTREAM = CallType(
    name="livestream",
    settings=_settings(
        audio=AudioSettings(
            access_request_enabled=False, mic_default_on=False, default_device="speaker"
        ),
        video=VideoSettings(
            access_request_enabled=False,
            target_resolution=TargetResolution(width=1920, height=1080, bitrate=3_000_000),
        ),
        screensharing=True,
        screensharing_access_request=False,
        backstage=True,
        ring_timeout_ms=0,
    ),
    grants=_roles(VIEWER, MODERATOR, HOST),
)
_DEVELOPMENT = CallType(
    name="development",
    settings=_settings(
        audio=AudioSettings(default_device="earpiece"),
        video=VideoSettings(
            target_resolution=TargetResolution(width=1920, height=1080, bitrate=3_000_000)
        ),
        screensharing=True,
        screensharing_access_request=True,
        backstage=False,
        ring_timeout_ms=15_000,
    ),
    grants={role: EVERYTHING for role in _ALL_ROLES},
)

CALL_TYPES: Mapping[str, CallType] = {
    call_type.name: call_type for call_type in (_DEFAULT, _AUDIO_ROOM, _LIVESTREAM, _DEVELOPMENT)
}


def call_role(
    *, account_role: str, user_id: str, created_by_id: str, member_role: str | None
) -> str:
    """The role ``user_id`` holds in one call (rule in the module docstring).

    ``member_role`` is the user's member role, ``None`` when not a member.
    """
    if account_role == R.ADMIN:
        return R.ADMIN
    if user_id == created_by_id:
        return R.HOST
    if member_role is not None:
        return member_role
    return account_role
