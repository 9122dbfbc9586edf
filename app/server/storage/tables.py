"""Relational schema of the coordinator (SQLAlchemy 2 declarative; SQLite and PostgreSQL).

Only durable data lives here — users, calls, members, who joined which call (for
"recent calls") and missed calls. Who is in a call right now is process state
(``app.server.sessions``), as an SFU keeps it; so is who is being rung
(``app.server.rings``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values: store
    UTC and re-attach the zone when reading)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: UTCDateTime}


class UserRow(Base):
    """A user. ``origin`` says how the record came to be: ``guest`` (guest sign-in),
    ``member`` (named as a member before ever signing in) or ``token`` (first seen in a
    token minted by the operator) — guest sign-in may take over only the first two."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    image: Mapped[str | None] = mapped_column(String(2000))
    role: Mapped[str] = mapped_column(String(32))
    custom: Mapped[dict[str, Any]]
    origin: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CallRow(Base):
    __tablename__ = "calls"

    cid: Mapped[str] = mapped_column(String(140), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    id: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    custom: Mapped[dict[str, Any]]
    settings: Mapped[dict[str, Any]]
    backstage: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class MemberRow(Base):
    __tablename__ = "call_members"
    __table_args__ = (Index("ix_call_members_user_id", "user_id"),)

    call_cid: Mapped[str] = mapped_column(ForeignKey("calls.cid"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(64))
    custom: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class ParticipationRow(Base):
    """The last time a user joined a call (feeds "recent calls")."""

    __tablename__ = "call_participations"
    __table_args__ = (Index("ix_call_participations_user_id", "user_id"),)

    call_cid: Mapped[str] = mapped_column(ForeignKey("calls.cid"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    last_joined_at: Mapped[datetime]


class MissedCallRow(Base):
    """A ring that ended unanswered for ``user_id`` (timeout or the caller cancelling)."""

    __tablename__ = "missed_calls"
    __table_args__ = (Index("ix_missed_calls_user_id_missed_at", "user_id", "missed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    call_cid: Mapped[str] = mapped_column(ForeignKey("calls.cid"))
    caller_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    missed_at: Mapped[datetime]
