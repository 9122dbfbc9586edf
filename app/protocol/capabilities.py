"""Call capabilities and user roles, named as in Stream's docs.

Source: ``shared/reference/stream-video-flutter-docs.txt`` ("User roles", "Default call
capabilities"). Capabilities travel on the wire as their kebab-case string values.
"""

from __future__ import annotations

from enum import StrEnum


class OwnCapability(StrEnum):
    """An action a user may perform on a call (Stream's ``OwnCapability``)."""

    JOIN_CALL = "join-call"
    READ_CALL = "read-call"
    CREATE_CALL = "create-call"
    JOIN_ENDED_CALL = "join-ended-call"
    JOIN_BACKSTAGE = "join-backstage"
    UPDATE_CALL = "update-call"
    UPDATE_CALL_SETTINGS = "update-call-settings"
    SCREENSHARE = "screenshare"
    SEND_VIDEO = "send-video"
    SEND_AUDIO = "send-audio"
    START_RECORD_CALL = "start-record-call"
    STOP_RECORD_CALL = "stop-record-call"
    START_BROADCAST_CALL = "start-broadcast-call"
    STOP_BROADCAST_CALL = "stop-broadcast-call"
    END_CALL = "end-call"
    MUTE_USERS = "mute-users"
    UPDATE_CALL_PERMISSIONS = "update-call-permissions"
    BLOCK_USERS = "block-users"
    CREATE_REACTION = "create-reaction"
    PIN_FOR_EVERYONE = "pin-for-everyone"
    REMOVE_CALL_MEMBER = "remove-call-member"
    START_TRANSCRIPTION_CALL = "start-transcription-call"
    STOP_TRANSCRIPTION_CALL = "stop-transcription-call"


class UserRole(StrEnum):
    """The five predefined roles of Stream's docs ("User roles").

    ``user``/``admin`` are roles of a user account; ``call-member``, ``host`` and
    ``moderator`` are roles a user holds within one call (the call's creator is its host).
    """

    USER = "user"
    MODERATOR = "moderator"
    HOST = "host"
    ADMIN = "admin"
    CALL_MEMBER = "call-member"
    GUEST = "guest"
