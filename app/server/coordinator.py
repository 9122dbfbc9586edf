"""The coordinator's shared state and the rules every operation applies: which call type
a name means, which role and capabilities a user holds in a call, who hears a call's
events.

``Coordinator`` is created once per app (``create_app``) and reached from routes and the
WebSocket through ``app.state.coordinator``.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel

from app.protocol import CallStateResponse, ErrorCode, OwnCapability, make_call_cid
from app.server.call_types import CALL_TYPES, CallType, call_role
from app.server.errors import ApiError, forbidden
from app.server.events_hub import EventsHub
from app.server.rings import RingRegistry
from app.server.sessions import CallSessions
from app.server.settings import ServerSettings
from app.server.storage import CallRecord, MemberRecord, Store, UserRecord
from app.server.validation import check_call_id
from app.server.views import call_response, member_response

_CAPABILITY_ORDER = list(OwnCapability)


def utc_now() -> datetime:
    return datetime.now(UTC)


def require(capabilities: Iterable[OwnCapability], needed: OwnCapability, doing: str) -> None:
    """Raise ``ApiError`` 403 ``forbidden`` naming ``needed`` when it is not held."""
    if needed not in set(capabilities):
        raise forbidden(f"missing capability '{needed.value}' to {doing}")


class Coordinator:
    """Settings, storage, live sessions, rings and the events hub of one coordinator
    process."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.store = Store(settings.database_url)
        self.sessions = CallSessions()
        self.hub = EventsHub(self.sessions)
        self.rings = RingRegistry()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def call_lock(self, call_cid: str) -> asyncio.Lock:
        """The lock that serialises changes to one call within this process (creation,
        membership, join/end), so concurrent requests never race to the database."""
        lock = self._locks.get(call_cid)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[call_cid] = lock
        return lock

    @staticmethod
    def call_type(name: str) -> CallType:
        """The call type ``name``; ``ApiError`` 404 ``call_type_not_found`` otherwise."""
        call_type = CALL_TYPES.get(name)
        if call_type is None:
            raise ApiError(
                404,
                ErrorCode.CALL_TYPE_NOT_FOUND,
                f"unknown call type {name[:64]!r}; known: {', '.join(sorted(CALL_TYPES))}",
                field="type",
            )
        return call_type

    def resolve(self, type_name: str, call_id: str) -> tuple[CallType, str]:
        """The call type and cid named by a request path: 404 ``call_type_not_found`` for
        an unknown type, 422 ``invalid_call_id`` for an id Parley does not accept."""
        call_type = self.call_type(type_name)
        check_call_id(call_id)
        return call_type, make_call_cid(call_type.name, call_id)

    async def load_call(self, call_type: CallType, call_id: str) -> CallRecord:
        """The stored call; ``ApiError`` 404 ``call_not_found`` when it does not exist."""
        call = await self.store.get_call(make_call_cid(call_type.name, call_id))
        if call is None:
            raise ApiError(
                404, ErrorCode.CALL_NOT_FOUND, f"call {call_type.name}:{call_id} not found"
            )
        return call

    @staticmethod
    def role_in(user: UserRecord, call: CallRecord, members: Sequence[MemberRecord]) -> str:
        member_role = next((m.role for m in members if m.user.id == user.id), None)
        return call_role(
            account_role=user.role,
            user_id=user.id,
            created_by_id=call.created_by.id,
            member_role=member_role,
        )

    def capabilities(
        self, user: UserRecord, call: CallRecord, members: Sequence[MemberRecord]
    ) -> frozenset[OwnCapability]:
        return self.call_type(call.type).capabilities(self.role_in(user, call, members))

    def state(
        self, user: UserRecord, call: CallRecord, members: Sequence[MemberRecord]
    ) -> CallStateResponse:
        """The call as ``user`` sees it: call, members, ``own_capabilities``, ring."""
        capabilities = self.capabilities(user, call, members)
        return CallStateResponse(
            call=call_response(call, self.sessions.call_session_id(call.cid)),
            members=[member_response(m) for m in members],
            participants=[p.to_response() for p in self.sessions.participants(call.cid)],
            own_capabilities=sorted(capabilities, key=_CAPABILITY_ORDER.index),
            ring=self.rings.response(call.cid),
        )

    async def publish(
        self, call: CallRecord, event: BaseModel, members: Sequence[MemberRecord] | None = None
    ) -> None:
        """Send a call event to the call's creator, members, participants and watchers
        (``members`` are read from storage when not given)."""
        if members is None:
            members = await self.store.members(call.cid)
        audience = {call.created_by.id, *(m.user.id for m in members)}
        self.hub.publish(call.cid, event, audience)
