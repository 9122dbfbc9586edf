"""``VideoClient``: a signed-in user's connection to one coordinator (Stream's
``StreamVideo``): REST, the event stream, local media, the active call(s) with their
audio policy (``ActiveCalls``), and the calls that ring this user (``incoming_calls``)
and the ones they missed."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter

from app.call import (
    ActiveCalls,
    AudioProfile,
    Call,
    CallError,
    CallState,
    LocalMedia,
    MultiCallAudioPolicy,
)
from app.call.active_calls import ActiveCallsListener
from app.call.background import spawn
from app.client.credentials import CredentialStore
from app.client.errors import ClientError
from app.client.event_stream import ConnectionState, EventStream
from app.client.rest import CoordinatorApi
from app.protocol import (
    API_PREFIX,
    GUEST_PATH,
    MISSED_CALLS_PATH,
    CallMissedEvent,
    CallRingEvent,
    CallStateResponse,
    ErrorCode,
    GuestRequest,
    MissedCallResponse,
    ServerEvent,
    TokenResponse,
    UserRequest,
    UserResponse,
    split_call_cid,
)

log = logging.getLogger(__name__)

_RECENT_CALLS = TypeAdapter(list[CallStateResponse])
_MISSED_CALLS = TypeAdapter(list[MissedCallResponse])
IncomingCallsListener = Callable[[tuple[Call, ...]], None]
MissedCallListener = Callable[[CallMissedEvent], None]


class VideoClient:
    """One user on one coordinator.

    ``token`` or ``token_provider`` (an async callable returning a fresh JWT) authenticate
    every request, as in Stream's SDK. In single-call mode (the default) joining a call
    leaves the active one with ``DisconnectReason.REPLACED``. A ring for this user makes
    an ``incoming`` call even while another call is active (the UI decides: accept, or
    ``reject("busy")``).

    Multicall (Stream's ``StreamVideoOptions``): ``allow_multiple_active_calls`` keeps
    several calls joined; ``multi_call_audio_policy`` decides which of them has the
    microphone and the speakers on join and leave; ``background_call_volume`` (linear
    0..1, beyond Stream) plays suspended calls ducked instead of silent;
    ``hold_background_calls`` (beyond Stream) also puts them on hold, visibly to their
    participants. See ``app.call.active_calls``. Raises ``ValueError`` for a volume
    outside 0..1.
    """

    def __init__(
        self,
        server_url: str,
        *,
        token: str | None = None,
        token_provider: Callable[[], Awaitable[str]] | None = None,
        local_media: LocalMedia | None = None,
        user: UserResponse | None = None,
        allow_multiple_active_calls: bool = False,
        multi_call_audio_policy: MultiCallAudioPolicy = MultiCallAudioPolicy.SUSPEND_EXISTING,
        background_call_volume: float = 0.0,
        hold_background_calls: bool = False,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.user = user
        self.local_media = local_media or LocalMedia()
        self._api = CoordinatorApi(self.server_url, token=token, token_provider=token_provider)
        self._events = EventStream(self.server_url, self._api.current_token)
        self._events.add_listener(self._on_event)
        self._events.on_state_changed = self._on_connection_state
        self._events.on_reconnected = self._on_reconnected
        self._calls: dict[str, Call] = {}
        self._active_calls = ActiveCalls(
            allow_multiple=allow_multiple_active_calls,
            policy=multi_call_audio_policy,
            background_call_volume=background_call_volume,
            hold_background_calls=hold_background_calls,
        )
        self._incoming: tuple[Call, ...] = ()
        self._incoming_listeners: list[IncomingCallsListener] = []
        self._missed_listeners: list[MissedCallListener] = []
        self.on_connection_state_changed: Callable[[ConnectionState], None] | None = None
        # Stream's audioConfigurationPolicy default: calls made from now on start with it
        # (``Call.set_audio_profile`` overrides it per call); None sends the microphone
        # unprocessed, as bots and tests with file media want.
        self.default_audio_profile: AudioProfile | None = None

    # --- sign-in ----------------------------------------------------------------------

    @classmethod
    async def sign_in_guest(
        cls,
        server_url: str,
        name: str,
        *,
        user_id: str | None = None,
        local_media: LocalMedia | None = None,
        credentials: CredentialStore | None = None,
        allow_multiple_active_calls: bool = False,
        multi_call_audio_policy: MultiCallAudioPolicy = MultiCallAudioPolicy.SUSPEND_EXISTING,
        background_call_volume: float = 0.0,
        hold_background_calls: bool = False,
    ) -> VideoClient:
        """Sign in as a guest (local mode) and open the event stream; the multicall
        options are the constructor's.

        A token kept in the OS keyring for ``(server_url, user_id)`` is reused while it is
        valid. Raises ``ClientError`` when the coordinator refuses or cannot be reached.
        """
        store = credentials or CredentialStore()

        def make(token: str, user: UserResponse | None = None) -> VideoClient:
            return cls(
                server_url,
                token=token,
                user=user,
                local_media=local_media,
                allow_multiple_active_calls=allow_multiple_active_calls,
                multi_call_audio_policy=multi_call_audio_policy,
                background_call_volume=background_call_volume,
                hold_background_calls=hold_background_calls,
            )

        if user_id is not None:
            stored = store.get(server_url, user_id)
            if stored is not None:
                client = make(stored)
                try:
                    await client.connect()
                    return client
                except ClientError as exc:
                    await client.disconnect()
                    if exc.code not in (ErrorCode.TOKEN_EXPIRED, ErrorCode.TOKEN_INVALID):
                        raise
        api = CoordinatorApi(server_url)
        try:
            issued = await api.request(
                "POST",
                GUEST_PATH,
                body=GuestRequest(user=UserRequest(id=user_id, name=name)),
                response_model=TokenResponse,
                authenticated=False,
            )
        finally:
            await api.close()
        store.set(server_url, issued.user.id, issued.access_token)
        client = make(issued.access_token, issued.user)
        await client.connect()
        return client

    async def connect(self) -> UserResponse:
        """Check the token (``GET /users/me``) and open the event stream."""
        self.user = await self._api.request(
            "GET", f"{API_PREFIX}/users/me", response_model=UserResponse
        )
        await self._events.connect()
        return self.user

    async def disconnect(self) -> None:
        """Cancel this device's outgoing rings, leave every active call, close the event
        stream and the devices."""
        for call in list(self._calls.values()):
            if call.state.status.is_outgoing:
                try:
                    await call.cancel()
                except CallError as exc:  # the coordinator's auto-cancel ends it anyway
                    log.warning("could not cancel the ring of %s: %s", call.cid, exc.message)
        # least recently focused first: the focused call stays until last, so the policy
        # never resumes a call that is about to be left too
        for call in self._active_calls.focus_order:
            await call.leave()
        await self._events.close()
        await self._api.close()
        await self.local_media.close()

    @property
    def connection_state(self) -> ConnectionState:
        return self._events.state

    # --- calls ------------------------------------------------------------------------

    def make_call(self, call_type: str = "default", call_id: str | None = None) -> Call:
        """The ``Call`` object for ``call_type:call_id`` (one per cid); a ``None`` id makes
        a new random one, as Stream does."""
        call_id = call_id or uuid.uuid4().hex[:12]
        cid = f"{call_type}:{call_id}"
        if cid not in self._calls:
            call = Call(_Host(self), call_type, call_id)
            call.set_audio_profile(self.default_audio_profile)
            call.subscribe(self._on_call_state)
            self._calls[cid] = call
        return self._calls[cid]

    @property
    def active_call(self) -> Call | None:
        """The active call in single-call mode (Stream's ``activeCall``). Raises
        ``CallError`` (``multiple_active_calls``) when ``allow_multiple_active_calls`` is
        on, as Stream's does: use ``active_calls`` / ``focused_call`` then."""
        return self._active_calls.active_call

    @property
    def active_calls(self) -> tuple[Call, ...]:
        """The joined calls (connecting, connected or reconnecting), in join order
        (Stream's ``activeCalls``)."""
        return self._active_calls.calls

    @property
    def focused_call(self) -> Call | None:
        """The active call the user focused last (the one the audio policy resumes after
        a leave under ``suspend_existing``), or None."""
        return self._active_calls.focused

    @property
    def multi_call_audio_policy(self) -> MultiCallAudioPolicy:
        return self._active_calls.policy

    @property
    def allow_multiple_active_calls(self) -> bool:
        return self._active_calls.allow_multiple

    async def switch_focus(self, from_call: Call | None, to_call: Call) -> None:
        """Give the microphone and speakers to ``to_call`` and take them from
        ``from_call`` (suspended, or ducked with ``background_call_volume``); both must
        be active (the cookbook's ``switchFocus``; the user's mute and camera choices are
        left alone). Raises ``CallError`` (``not_active``)."""
        await self._active_calls.switch_focus(from_call, to_call)

    def subscribe_active_calls(self, listener: ActiveCallsListener) -> Callable[[], None]:
        """Call ``listener(active_calls)`` when calls join or leave or the focus changes
        (Stream's ``listenActiveCalls``); returns the unsubscriber."""
        return self._active_calls.subscribe(listener)

    async def query_recent_calls(self) -> list[CallStateResponse]:
        """Calls the user created, is a member of, or joined; newest first."""
        data = await self._api.request_json("GET", f"{API_PREFIX}/calls")
        return _RECENT_CALLS.validate_python(data)

    # --- ringing ----------------------------------------------------------------------

    @property
    def incoming_calls(self) -> tuple[Call, ...]:
        """Calls ringing this user now (status ``incoming``; ``accepted_by_me`` while
        this device answers), in the order their ``Call`` objects were made (Stream's
        ``state.incomingCall``)."""
        return self._incoming

    def subscribe_incoming_calls(self, listener: IncomingCallsListener) -> Callable[[], None]:
        """Call ``listener(incoming_calls)`` whenever that tuple changes (a ring arrives,
        is answered here or elsewhere, declined, cancelled or times out); returns the
        unsubscriber."""
        self._incoming_listeners.append(listener)
        return lambda: (
            self._incoming_listeners.remove(listener)
            if listener in self._incoming_listeners
            else None
        )

    def subscribe_missed_calls(self, listener: MissedCallListener) -> Callable[[], None]:
        """Call ``listener(event)`` on each ``call.missed`` for this user (the missed list
        changed: ``missed_calls()``); returns the unsubscriber."""
        self._missed_listeners.append(listener)
        return lambda: (
            self._missed_listeners.remove(listener) if listener in self._missed_listeners else None
        )

    async def missed_calls(self) -> list[MissedCallResponse]:
        """The user's last 50 missed calls, newest first. Raises ``ClientError``."""
        return _MISSED_CALLS.validate_python(await self._api.request_json("GET", MISSED_CALLS_PATH))

    # --- plumbing used by Call (through _Host) ----------------------------------------

    def _on_event(self, event: ServerEvent) -> None:
        call_cid = getattr(event, "call_cid", None)
        if call_cid is None:
            return
        call = self._calls.get(call_cid)
        if call is None and isinstance(event, CallRingEvent) and self._rings_me(event):
            call = self.make_call(event.call.type, event.call.id)
        if call is not None:
            call.handle_event(event)
        if isinstance(event, CallMissedEvent):
            for listener in list(self._missed_listeners):
                try:
                    listener(event)
                except Exception:
                    log.exception("missed-call listener failed")

    def _rings_me(self, event: CallRingEvent) -> bool:
        return self.user is not None and self.user.id in event.ring.ringing_user_ids

    def _on_call_state(self, _state: CallState) -> None:
        incoming = tuple(c for c in self._calls.values() if c.state.status.is_incoming)
        if incoming == self._incoming:
            return
        self._incoming = incoming
        for listener in list(self._incoming_listeners):
            try:
                listener(incoming)
            except Exception:
                log.exception("incoming-calls listener failed")

    def _on_connection_state(self, state: ConnectionState) -> None:
        if state is ConnectionState.RECONNECTING:
            for call in self._active_calls.calls:
                call.mark_reconnecting()
        if self.on_connection_state_changed is not None:
            self.on_connection_state_changed(state)

    def _on_reconnected(self, connection_id: str) -> None:
        calls = self._active_calls.calls
        log.info("event stream back as %s; rejoining %d call(s)", connection_id, len(calls))
        for call in calls:
            spawn(call.rejoin(), name=f"rejoin {call.cid}")


class _Host:
    """The narrow face of ``VideoClient`` that a ``Call`` sees (``CallHost``)."""

    def __init__(self, client: VideoClient) -> None:
        self._client = client
        self.local_media = client.local_media

    @property
    def user_id(self) -> str | None:
        user = self._client.user
        return user.id if user is not None else None

    def call_for(self, call_cid: str) -> Call:
        call_type, call_id = split_call_cid(call_cid)
        return self._client.make_call(call_type, call_id)

    async def request(self, method: str, path: str, body: Any, model: type[Any]) -> Any:
        try:
            if model is dict:
                return await self._client._api.request_json(method, path, body=body)
            return await self._client._api.request(method, path, body=body, response_model=model)
        except ClientError as exc:
            code = exc.code.value if exc.code is not None else "unreachable"
            raise CallError(code, exc.message) from exc

    async def ensure_connected(self) -> str:
        events = self._client._events
        if events.state is ConnectionState.DISCONNECTED:
            try:
                await self._client.connect()
            except ClientError as exc:
                raise CallError("unreachable", exc.message) from exc
        if events.connection_id is None:
            raise CallError("unreachable", "no connection to the coordinator")
        return events.connection_id

    async def send_message(self, message: BaseModel) -> None:
        await self._client._events.send(message)

    async def call_became_active(self, call: Call) -> None:
        await self._client._active_calls.set_active_call(call)

    async def call_became_inactive(self, call: Call) -> None:
        await self._client._active_calls.remove_active_call(call)
