"""Call operations behind the REST routes: get-or-create (and ring), get, update, members,
go live, end, custom events and the user's recent calls.

Each operation checks the caller's capabilities in the call (``app.server.call_types``),
writes storage, and publishes the matching Stream event (``call.created``,
``call.updated``, ``call.member_added``, ``call.ended``, ``custom``). Joining and leaving
live in ``app.server.participation``.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.protocol import (
    CallCreatedEvent,
    CallEndedEvent,
    CallRequest,
    CallStateResponse,
    CallUpdatedEvent,
    CustomEvent,
    ErrorCode,
    GetOrCreateCallRequest,
    GetOrCreateCallResponse,
    MemberRequest,
    OwnCapability,
    UpdateCallMembersRequest,
    UpdateCallRequest,
    UserRole,
    make_call_cid,
)
from app.protocol.events import CallMemberAddedEvent
from app.server.call_types import CallType, call_role
from app.server.coordinator import Coordinator, require, utc_now
from app.server.errors import ApiError, invalid_request
from app.server.ringing import RingingService
from app.server.settings_override import apply_settings_override
from app.server.storage import CallRecord, MemberRecord, NewMember, UserRecord
from app.server.validation import check_custom
from app.server.views import call_response, member_response, user_response

C = OwnCapability
RECENT_CALLS_LIMIT = 50
# Roles a user can hold within one call (``UserRole``'s docstring); ``admin`` is an
# account role and cannot be handed out per call.
MEMBER_ROLES = (UserRole.CALL_MEMBER, UserRole.MODERATOR, UserRole.HOST)


def check_call_request(data: CallRequest, field: str) -> None:
    """Refuse bad custom data in a call request (``ApiError`` 422 naming the field)."""
    check_custom(data.custom, f"{field}.custom")
    for index, member in enumerate(data.members):
        check_custom(member.custom, f"{field}.members.{index}.custom")


class CallsService:
    def __init__(self, coordinator: Coordinator, ringing: RingingService) -> None:
        self._c = coordinator
        self._ringing = ringing

    def own_connection(self, user: UserRecord, connection_id: str | None) -> str | None:
        """``connection_id`` when it is a live WebSocket connection of ``user``; raises
        ``ApiError`` 403 otherwise (unknown ids too: they reveal nothing)."""
        if connection_id is None:
            return None
        connection = self._c.hub.get(connection_id)
        if connection is None or connection.user.id != user.id:
            raise ApiError(
                403,
                ErrorCode.FORBIDDEN,
                "connection_id is not a live WebSocket connection of this user",
                field="connection_id",
            )
        return connection_id

    @staticmethod
    def new_members(
        requests: Sequence[MemberRequest],
        granted: frozenset[OwnCapability],
        field: str,
    ) -> list[NewMember]:
        """Members to store; giving a role above ``call-member`` needs
        ``update-call-permissions``."""
        members = []
        for index, request in enumerate(requests):
            if request.role is not None:
                if request.role not in MEMBER_ROLES:
                    raise invalid_request(
                        f"{field}.{index}.role: one of {', '.join(MEMBER_ROLES)}",
                        f"{field}.{index}.role",
                    )
                if request.role != UserRole.CALL_MEMBER:
                    require(granted, C.UPDATE_CALL_PERMISSIONS, f"make a member {request.role}")
            check_custom(request.custom, f"{field}.{index}.custom")
            members.append(NewMember(request.user_id, request.role, request.custom))
        return members

    async def create(
        self, user: UserRecord, call_type: CallType, call_id: str, data: CallRequest
    ) -> tuple[CallRecord, bool]:
        """Create the call (caller holds its lock); ``(call, created)`` — ``created`` is
        False when another replica created it first."""
        require(call_type.capabilities(user.role), C.CREATE_CALL, "create a call")
        settings = apply_settings_override(
            call_type.settings, data.settings_override, field="data.settings_override"
        )
        creator_role = call_role(
            account_role=user.role, user_id=user.id, created_by_id=user.id, member_role=None
        )
        members = self.new_members(
            data.members, call_type.capabilities(creator_role), "data.members"
        )
        now = utc_now()
        call = CallRecord(
            cid=make_call_cid(call_type.name, call_id),
            type=call_type.name,
            id=call_id,
            created_by=user,
            custom=data.custom,
            settings=settings.model_dump(mode="json"),
            backstage=settings.backstage.enabled,
            created_at=now,
            updated_at=now,
        )
        if await self._c.store.create_call(call, members):
            return call, True
        return await self._c.load_call(call_type, call_id), False

    async def announce_created(self, call: CallRecord, members: Sequence[MemberRecord]) -> None:
        event = CallCreatedEvent(
            call_cid=call.cid,
            call=call_response(call, self._c.sessions.call_session_id(call.cid)),
            members=[member_response(m) for m in members],
        )
        await self._c.publish(call, event, members)

    async def get_or_create(
        self,
        user: UserRecord,
        type_name: str,
        call_id: str,
        request: GetOrCreateCallRequest,
        watch_connection_id: str | None,
    ) -> GetOrCreateCallResponse:
        """Get or create the call; with ``request.ring`` then ring its members (see
        ``RingingService.start``: refused before anything is created when a member to
        ring is no real user)."""
        call_type, cid = self._c.resolve(type_name, call_id)
        check_call_request(request.data, "data")
        watch = self.own_connection(user, watch_connection_id)
        if request.ring:
            await self._ringing.check_callees_exist(
                [m.user_id for m in request.data.members], "data.members"
            )
        async with self._c.call_lock(cid):
            call = await self._c.store.get_call(cid)
            created = False
            if call is None:
                call, created = await self.create(user, call_type, call_id, request.data)
            members = await self._c.store.members(cid)
        if not created:
            require(self._c.capabilities(user, call, members), C.READ_CALL, "read this call")
        if watch:
            self._c.hub.watch(watch, cid)
        if created:
            await self.announce_created(call, members)
        redirect = None
        if request.ring:
            redirect = await self._ringing.start(user, call, members, [], request.video)
        state = self._c.state(user, call, members)
        return GetOrCreateCallResponse(**dict(state), created=created, ring_redirect_cid=redirect)

    async def get(
        self, user: UserRecord, type_name: str, call_id: str, watch_connection_id: str | None
    ) -> CallStateResponse:
        call_type, _ = self._c.resolve(type_name, call_id)
        watch = self.own_connection(user, watch_connection_id)
        call = await self._c.load_call(call_type, call_id)
        members = await self._c.store.members(call.cid)
        require(self._c.capabilities(user, call, members), C.READ_CALL, "read this call")
        if watch:
            self._c.hub.watch(watch, call.cid)
        return self._c.state(user, call, members)

    async def update(
        self, user: UserRecord, type_name: str, call_id: str, request: UpdateCallRequest
    ) -> CallStateResponse:
        call_type, cid = self._c.resolve(type_name, call_id)
        check_custom(request.custom, "custom")
        async with self._c.call_lock(cid):
            call = await self._c.load_call(call_type, call_id)
            members = await self._c.store.members(cid)
            granted = self._c.capabilities(user, call, members)
            require(granted, C.UPDATE_CALL, "update this call")
            settings = None
            if request.settings_override is not None:
                require(granted, C.UPDATE_CALL_SETTINGS, "change this call's settings")
                current = call_response(call, None).settings
                settings = apply_settings_override(
                    current, request.settings_override, field="settings_override"
                ).model_dump(mode="json")
            await self._c.store.update_call(
                cid, now=utc_now(), custom=request.custom, settings=settings
            )
            call = await self._c.load_call(call_type, call_id)
        await self._publish_updated(call, members)
        return self._c.state(user, call, members)

    async def set_live(
        self, user: UserRecord, type_name: str, call_id: str, *, live: bool
    ) -> CallStateResponse:
        """Stream's ``goLive`` (``live=True``: leave backstage) / ``stopLive``."""
        call_type, cid = self._c.resolve(type_name, call_id)
        async with self._c.call_lock(cid):
            call = await self._c.load_call(call_type, call_id)
            members = await self._c.store.members(cid)
            doing = "go live" if live else "stop the live call"
            require(self._c.capabilities(user, call, members), C.UPDATE_CALL, doing)
            await self._c.store.update_call(cid, now=utc_now(), backstage=not live)
            call = await self._c.load_call(call_type, call_id)
        await self._publish_updated(call, members)
        return self._c.state(user, call, members)

    async def _publish_updated(self, call: CallRecord, members: Sequence[MemberRecord]) -> None:
        event = CallUpdatedEvent(
            call_cid=call.cid, call=call_response(call, self._c.sessions.call_session_id(call.cid))
        )
        await self._c.publish(call, event, members)

    async def update_members(
        self, user: UserRecord, type_name: str, call_id: str, request: UpdateCallMembersRequest
    ) -> CallStateResponse:
        call_type, cid = self._c.resolve(type_name, call_id)
        async with self._c.call_lock(cid):
            call = await self._c.load_call(call_type, call_id)
            members = await self._c.store.members(cid)
            granted = self._c.capabilities(user, call, members)
            updates: list[NewMember] = []
            if request.update_members:
                require(granted, C.UPDATE_CALL, "add or update members")
                updates = self.new_members(request.update_members, granted, "update_members")
            if request.remove_members:
                require(granted, C.REMOVE_CALL_MEMBER, "remove members")
            now = utc_now()
            added = await self._c.store.upsert_members(cid, updates, now) if updates else []
            await self._c.store.remove_members(cid, request.remove_members)
            members = await self._c.store.members(cid)
        if added:
            event = CallMemberAddedEvent(
                call_cid=cid,
                call=call_response(call, self._c.sessions.call_session_id(cid)),
                members=[member_response(m) for m in members if m.user.id in added],
            )
            await self._c.publish(call, event, members)
        return self._c.state(user, call, members)

    async def end(self, user: UserRecord, type_name: str, call_id: str) -> CallStateResponse:
        """End the call for everyone: its sessions are dropped after ``call.ended`` went
        out to them. Ending an ended call changes nothing."""
        call_type, cid = self._c.resolve(type_name, call_id)
        async with self._c.call_lock(cid):
            call = await self._c.load_call(call_type, call_id)
            members = await self._c.store.members(cid)
            require(self._c.capabilities(user, call, members), C.END_CALL, "end this call")
            if call.ended_at is not None:
                return self._c.state(user, call, members)
            now = utc_now()
            await self._c.store.update_call(cid, now=now, ended_at=now)
            call = await self._c.load_call(call_type, call_id)
            event = CallEndedEvent(
                call_cid=cid,
                call=call_response(call, self._c.sessions.call_session_id(cid)),
                user=user_response(user),
            )
            await self._c.publish(call, event, members)
            self._c.sessions.end_call(cid)
        await self._ringing.call_ended(cid)
        return self._c.state(user, call, members)

    async def send_event(
        self, user: UserRecord, type_name: str, call_id: str, custom: dict[str, object]
    ) -> None:
        """A ``custom`` event from ``user`` to everyone following the call (needs
        ``read-call``: whoever may see the call may talk to it)."""
        call_type, _ = self._c.resolve(type_name, call_id)
        check_custom(custom, "custom")
        call = await self._c.load_call(call_type, call_id)
        members = await self._c.store.members(call.cid)
        require(self._c.capabilities(user, call, members), C.READ_CALL, "send events to this call")
        event = CustomEvent(call_cid=call.cid, user=user_response(user), custom=custom)
        await self._c.publish(call, event, members)

    async def recent(self, user: UserRecord) -> list[CallStateResponse]:
        """Up to ``RECENT_CALLS_LIMIT`` calls the user created, is a member of or joined,
        latest activity first."""
        calls = await self._c.store.recent_calls(user.id, RECENT_CALLS_LIMIT)
        members_of = await self._c.store.members_of(call.cid for call in calls)
        return [self._c.state(user, call, members_of[call.cid]) for call in calls]
