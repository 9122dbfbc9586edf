"""Durable storage of users, calls, members and missed calls behind an async SQLAlchemy engine.

Every method runs in its own short transaction and returns frozen records. SQLite runs
in WAL mode with a busy timeout and foreign keys on, so it behaves like the PostgreSQL
deployments this schema also serves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, func, select, union_all
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import aliased
from sqlalchemy.pool import StaticPool

from app.protocol import UserRole
from app.server.storage.records import (
    CallRecord,
    MemberRecord,
    MissedCallRecord,
    NewMember,
    UserRecord,
)
from app.server.storage.tables import (
    Base,
    CallRow,
    MemberRow,
    MissedCallRow,
    ParticipationRow,
    UserRow,
)


def _user(row: UserRow) -> UserRecord:
    return UserRecord(
        id=row.id,
        name=row.name,
        role=row.role,
        origin=row.origin,
        created_at=row.created_at,
        image=row.image,
        custom=dict(row.custom or {}),
    )


def _call(row: CallRow, creator: UserRow) -> CallRecord:
    return CallRecord(
        cid=row.cid,
        type=row.type,
        id=row.id,
        created_by=_user(creator),
        custom=dict(row.custom or {}),
        settings=dict(row.settings),
        backstage=row.backstage,
        created_at=row.created_at,
        updated_at=row.updated_at,
        ended_at=row.ended_at,
    )


def _member(row: MemberRow, user: UserRow) -> MemberRecord:
    return MemberRecord(
        call_cid=row.call_cid,
        user=_user(user),
        role=row.role,
        custom=dict(row.custom or {}),
        created_at=row.created_at,
    )


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Store:
    """The coordinator's database (``database_url`` is a SQLAlchemy async URL)."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        options: dict[str, Any] = {}
        is_sqlite = url.get_backend_name() == "sqlite"
        if is_sqlite and url.database in (None, "", ":memory:"):
            # One shared connection, or every pooled connection gets its own empty DB.
            options["poolclass"] = StaticPool
        elif is_sqlite and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        self._engine = create_async_engine(url, **options)
        if is_sqlite:
            event.listen(self._engine.sync_engine, "connect", _enable_sqlite_pragmas)
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)

    async def create_tables(self) -> None:
        async with self._engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)

    async def close(self) -> None:
        await self._engine.dispose()

    # --- users ---------------------------------------------------------------------------

    async def get_user(self, user_id: str) -> UserRecord | None:
        async with self._sessions() as session:
            row = await session.get(UserRow, user_id)
            return _user(row) if row else None

    async def ensure_user(self, user_id: str, *, origin: str, now: datetime) -> UserRecord:
        """The user ``user_id``, created (named by its id, role ``user``) when unknown."""
        try:
            async with self._sessions.begin() as session:
                row = await self._ensure_user_row(session, user_id, origin=origin, now=now)
                return _user(row)
        except IntegrityError:
            # A concurrent first request of the same user inserted it: read theirs.
            user = await self.get_user(user_id)
            if user is None:
                raise
            return user

    async def put_user(
        self,
        user_id: str,
        *,
        name: str,
        image: str | None,
        custom: dict[str, Any],
        origin: str,
        now: datetime,
    ) -> UserRecord:
        """Create or overwrite ``user_id`` with role ``user``."""
        async with self._sessions.begin() as session:
            row = await session.get(UserRow, user_id)
            if row is None:
                row = UserRow(id=user_id, role=UserRole.USER, created_at=now)
                session.add(row)
            row.name, row.image, row.custom = name, image, custom
            row.origin, row.updated_at = origin, now
            await session.flush()
            return _user(row)

    @staticmethod
    async def _ensure_user_row(
        session: AsyncSession, user_id: str, *, origin: str, now: datetime
    ) -> UserRow:
        row = await session.get(UserRow, user_id)
        if row is None:
            row = UserRow(
                id=user_id,
                name=user_id,
                image=None,
                role=UserRole.USER,
                custom={},
                origin=origin,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            await session.flush()
        return row

    # --- calls ---------------------------------------------------------------------------

    async def get_call(self, cid: str) -> CallRecord | None:
        async with self._sessions() as session:
            found = (
                await session.execute(
                    select(CallRow, UserRow)
                    .join(UserRow, CallRow.created_by_id == UserRow.id)
                    .where(CallRow.cid == cid)
                )
            ).first()
            return _call(found[0], found[1]) if found else None

    async def create_call(self, call: CallRecord, members: Sequence[NewMember]) -> bool:
        """Insert ``call`` and its members; False (nothing written) when the cid exists."""
        try:
            async with self._sessions.begin() as session:
                if await session.get(CallRow, call.cid) is not None:
                    return False
                session.add(
                    CallRow(
                        cid=call.cid,
                        type=call.type,
                        id=call.id,
                        created_by_id=call.created_by.id,
                        custom=call.custom,
                        settings=call.settings,
                        backstage=call.backstage,
                        created_at=call.created_at,
                        updated_at=call.updated_at,
                        ended_at=None,
                    )
                )
                await session.flush()
                await self._upsert_members(session, call.cid, members, now=call.created_at)
                return True
        except IntegrityError:
            # Another replica created the same cid between our check and our insert.
            if await self.get_call(call.cid) is None:
                raise
            return False

    async def update_call(
        self,
        cid: str,
        *,
        now: datetime,
        custom: dict[str, Any] | None = None,
        settings: dict[str, Any] | None = None,
        backstage: bool | None = None,
        ended_at: datetime | None = None,
    ) -> None:
        """Change the given fields of a call and stamp ``updated_at``."""
        async with self._sessions.begin() as session:
            row = await session.get(CallRow, cid)
            if row is None:
                return
            if custom is not None:
                row.custom = custom
            if settings is not None:
                row.settings = settings
            if backstage is not None:
                row.backstage = backstage
            if ended_at is not None:
                row.ended_at = ended_at
            row.updated_at = now

    async def recent_calls(self, user_id: str, limit: int) -> list[CallRecord]:
        """Calls ``user_id`` created, is a member of or joined, latest activity first."""
        activity = union_all(
            select(CallRow.cid.label("cid"), CallRow.created_at.label("at")).where(
                CallRow.created_by_id == user_id
            ),
            select(MemberRow.call_cid, MemberRow.created_at).where(MemberRow.user_id == user_id),
            select(ParticipationRow.call_cid, ParticipationRow.last_joined_at).where(
                ParticipationRow.user_id == user_id
            ),
        ).subquery()
        latest = (
            select(activity.c.cid, func.max(activity.c.at).label("at"))
            .group_by(activity.c.cid)
            .subquery()
        )
        statement = (
            select(CallRow, UserRow)
            .join(latest, latest.c.cid == CallRow.cid)
            .join(UserRow, CallRow.created_by_id == UserRow.id)
            .order_by(latest.c.at.desc(), CallRow.cid)
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(statement)).all()
            return [_call(call, creator) for call, creator in rows]

    async def record_participation(self, cid: str, user_id: str, now: datetime) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(ParticipationRow, (cid, user_id))
            if row is None:
                session.add(ParticipationRow(call_cid=cid, user_id=user_id, last_joined_at=now))
            else:
                row.last_joined_at = now

    # --- members -------------------------------------------------------------------------

    async def members(self, cid: str) -> list[MemberRecord]:
        return (await self.members_of([cid])).get(cid, [])

    async def members_of(self, cids: Iterable[str]) -> dict[str, list[MemberRecord]]:
        """Members of each call in ``cids`` (oldest first)."""
        wanted = list(cids)
        if not wanted:
            return {}
        statement = (
            select(MemberRow, UserRow)
            .join(UserRow, MemberRow.user_id == UserRow.id)
            .where(MemberRow.call_cid.in_(wanted))
            .order_by(MemberRow.created_at, MemberRow.user_id)
        )
        result: dict[str, list[MemberRecord]] = {cid: [] for cid in wanted}
        async with self._sessions() as session:
            for member, user in (await session.execute(statement)).all():
                result[member.call_cid].append(_member(member, user))
        return result

    async def upsert_members(
        self, cid: str, members: Sequence[NewMember], now: datetime
    ) -> list[str]:
        """Add or update members (creating unknown users as placeholders); returns the ids
        of members that were new."""
        async with self._sessions.begin() as session:
            return await self._upsert_members(session, cid, members, now=now)

    async def _upsert_members(
        self, session: AsyncSession, cid: str, members: Sequence[NewMember], *, now: datetime
    ) -> list[str]:
        added: list[str] = []
        for member in members:
            await self._ensure_user_row(session, member.user_id, origin="member", now=now)
            row = await session.get(MemberRow, (cid, member.user_id))
            if row is None:
                session.add(
                    MemberRow(
                        call_cid=cid,
                        user_id=member.user_id,
                        role=member.role or UserRole.CALL_MEMBER,
                        custom=member.custom,
                        created_at=now,
                    )
                )
                added.append(member.user_id)
            else:
                if member.role is not None:
                    row.role = member.role
                if member.custom:
                    row.custom = member.custom
            await session.flush()
        return added

    async def remove_members(self, cid: str, user_ids: Iterable[str]) -> None:
        ids = list(user_ids)
        if not ids:
            return
        async with self._sessions.begin() as session:
            await session.execute(
                delete(MemberRow).where(MemberRow.call_cid == cid, MemberRow.user_id.in_(ids))
            )

    # --- missed calls --------------------------------------------------------------------

    async def add_missed_call(
        self, user_id: str, call_cid: str, caller_id: str, missed_at: datetime
    ) -> None:
        async with self._sessions.begin() as session:
            session.add(
                MissedCallRow(
                    user_id=user_id, call_cid=call_cid, caller_id=caller_id, missed_at=missed_at
                )
            )

    async def missed_calls(self, user_id: str, limit: int) -> list[MissedCallRecord]:
        """Up to ``limit`` missed calls of ``user_id``, newest first."""
        creator, caller = aliased(UserRow), aliased(UserRow)
        statement = (
            select(MissedCallRow, CallRow, creator, caller)
            .join(CallRow, MissedCallRow.call_cid == CallRow.cid)
            .join(creator, CallRow.created_by_id == creator.id)
            .join(caller, MissedCallRow.caller_id == caller.id)
            .where(MissedCallRow.user_id == user_id)
            .order_by(MissedCallRow.missed_at.desc(), MissedCallRow.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(statement)).all()
            return [
                MissedCallRecord(
                    call=_call(call, call_creator), caller=_user(by), missed_at=missed.missed_at
                )
                for missed, call, call_creator, by in rows
            ]
