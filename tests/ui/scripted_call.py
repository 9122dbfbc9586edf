"""``ScriptedCall``: the engine's ``Call`` surface that widgets use, driven by a test.

Widget tests need exact snapshots (a muted participant, a speaker, a failure) at exact
moments; a real call over the network cannot be steered like that. The snapshots are real
``CallState`` objects and the sinks real ``FrameSink``s fed with real decoded frames; only
the call's network side is replaced. End-to-end tests use the real ``Call``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiortc import MediaStreamTrack

from app.call import (
    CallError,
    CallParticipantState,
    CallState,
    CallStatus,
    DisconnectReason,
    Reaction,
)
from app.media import FrameSink, VideoDimension
from app.protocol import (
    CallResponse,
    CallSettings,
    GetOrCreateCallResponse,
    OwnCapability,
    TrackType,
    UserResponse,
)


def participant(
    session_id: str,
    name: str,
    *,
    local: bool = False,
    audio: bool = True,
    video: bool = True,
    speaking: bool = False,
) -> CallParticipantState:
    tracks = {TrackType.AUDIO} if audio else set()
    if video:
        tracks.add(TrackType.VIDEO)
    return CallParticipantState(
        session_id=session_id,
        user_id=name.lower().replace(" ", "-"),
        name=name,
        is_local=local,
        published_tracks=frozenset(tracks),
        is_speaking=speaking,
    )


class ScriptedCall:
    """Publishes the snapshots a test gives it; commands change the state like the real
    call does, or raise ``CallError`` when ``fail_with`` is set."""

    def __init__(self, call_type: str = "default", call_id: str = "standup") -> None:
        self.call_type = call_type
        self.id = call_id
        self.cid = f"{call_type}:{call_id}"
        self._state = CallState(call_cid=self.cid, call_type=call_type, call_id=call_id)
        self._listeners: list[Callable[[CallState], None]] = []
        self.sinks: dict[str, FrameSink] = {}
        self.commands: list[tuple[str, object]] = []
        self.fail_with: CallError | None = None
        self.running_session_id: str | None = None  # the call's session, as the server says
        self.share_sinks: dict[str, FrameSink] = {}  # screen shares by session id
        self.shared_track: MediaStreamTrack | None = None
        # what the UI said it paints each remote camera at (update_subscriptions_partial)
        self.video_dimensions: dict[str, VideoDimension | None] = {}

    @property
    def state(self) -> CallState:
        return self._state

    @property
    def listener_count(self) -> int:
        return len(self._listeners)

    def subscribe(self, listener: Callable[[CallState], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def publish(self, state: CallState) -> None:
        self._state = state
        for listener in list(self._listeners):
            listener(state)

    def video_sink(self, session_id: str) -> FrameSink | None:
        return self.sinks.get(session_id)

    async def join(self, *, create: bool = True) -> None:
        self._command("join", create)
        self.publish(self._state.with_changes(status=CallStatus.connecting()))

    async def leave(self) -> None:
        self._command("leave", None)
        self.publish(
            self._state.with_changes(status=CallStatus.disconnected(DisconnectReason.LEFT))
        )

    async def end(self) -> None:
        self._command("end", None)
        self.publish(
            self._state.with_changes(status=CallStatus.disconnected(DisconnectReason.ENDED))
        )

    async def get_or_create(self, **_: object) -> GetOrCreateCallResponse:
        self._command("get_or_create", None)
        now = datetime.now(UTC)
        call = CallResponse(
            cid=self.cid,
            type=self.call_type,
            id=self.id,
            created_by=UserResponse(id="ada", name="Ada"),
            settings=CallSettings(),
            created_at=now,
            updated_at=now,
            session_id=self.running_session_id,
        )
        if self.running_session_id is not None:  # the real Call lists who is in the call
            present = participant(self.running_session_id, "Grace Hopper")
            self.publish(self._state.with_changes(participants=(present,)))
        return GetOrCreateCallResponse(call=call, created=False)

    async def set_microphone_enabled(self, enabled: bool) -> None:
        self._command("microphone", enabled)
        self._set_local_track(TrackType.AUDIO, enabled, microphone_enabled=enabled)

    async def set_camera_enabled(self, enabled: bool) -> None:
        self._command("camera", enabled)
        self._set_local_track(TrackType.VIDEO, enabled, camera_enabled=enabled)

    async def send_reaction(self, emoji_code: str) -> None:
        """Like the real call once its ``call.reaction`` came back: the user's tile shows
        it (a test clears it with ``publish``, the real call does after a few seconds)."""
        self._command("reaction", emoji_code)
        shown = Reaction("reaction", emoji_code, datetime.now(UTC))
        self._change_local(reaction=shown)

    async def update_subscriptions_partial(
        self, track_type: str, changes: dict[str, VideoDimension | None]
    ) -> None:
        """Records the painted sizes (the real call sends the changes to the peers)."""
        if track_type != "video":
            raise ValueError(track_type)
        self.video_dimensions.update(changes)

    async def set_hand_raised(self, raised: bool) -> None:
        self._command("hand_raised", raised)
        self._change_local(is_hand_raised=raised)

    def _change_local(self, **changes: object) -> None:
        participants = tuple(
            p.with_changes(**changes) if p.is_local else p for p in self._state.participants
        )
        self.publish(self._state.with_changes(participants=participants))

    def _command(self, name: str, argument: object) -> None:
        self.commands.append((name, argument))
        if self.fail_with is not None:
            raise self.fail_with

    def _set_local_track(self, track: TrackType, on: bool, **changes: bool) -> None:
        participants = tuple(
            p.with_changes(
                published_tracks=(p.published_tracks | {track})
                if on
                else (p.published_tracks - {track})
            )
            if p.is_local
            else p
            for p in self._state.participants
        )
        self.publish(self._state.with_changes(participants=participants, **changes))

    # --- screen share (the surface of app/call/screen_share.py) -------------------------

    @property
    def is_screen_sharing(self) -> bool:
        return self.shared_track is not None

    def screen_share_sink(self, session_id: str) -> FrameSink | None:
        return self.share_sinks.get(session_id)

    def screen_share_refusal(self) -> str | None:
        state = self._state
        if not state.status.is_active or state.session_id is None:
            return "Join the call to share your screen"
        if OwnCapability.SCREENSHARE not in state.own_capabilities:
            return "You are not allowed to share your screen in this call"
        if not CallSettings.model_validate(state.settings).screensharing.enabled:
            return "Screen sharing is turned off for this call"
        return None

    async def start_screen_share(self, track: MediaStreamTrack) -> None:
        self._command("start_screen_share", track)
        self.shared_track = track
        self._set_local_track(TrackType.SCREEN_SHARE, True)

    async def stop_screen_share(self) -> None:
        self._command("stop_screen_share", None)
        if self.shared_track is not None:
            self.shared_track.stop()
        self.shared_track = None
        self._set_local_track(TrackType.SCREEN_SHARE, False)


def show_call_content(qtbot: Any, call: ScriptedCall) -> Any:
    """A ``CallContent`` for ``call`` at 1280x800, shown and exposed (closed by qtbot)."""
    from ui.bridge import CallBridge
    from ui.call_content import CallContent

    content = CallContent(CallBridge(call))  # type: ignore[arg-type]
    qtbot.addWidget(content)
    content.resize(1280, 800)
    content.show()
    qtbot.waitExposed(content)
    return content
