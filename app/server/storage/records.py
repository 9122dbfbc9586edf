"""Immutable copies of stored rows: the service layer never holds ORM objects outside a
database session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class UserRecord:
    id: str
    name: str
    role: str
    origin: str
    created_at: datetime
    image: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallRecord:
    """A call; ``settings`` is a ``CallSettings`` dump (JSON object)."""

    cid: str
    type: str
    id: str
    created_by: UserRecord
    custom: dict[str, Any]
    settings: dict[str, Any]
    backstage: bool
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True)
class MemberRecord:
    call_cid: str
    user: UserRecord
    role: str
    custom: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class NewMember:
    """A member to add or update: ``role=None`` keeps an existing member's role and gives
    a new one ``call-member``."""

    user_id: str
    role: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MissedCallRecord:
    """A ring that ended unanswered for its callee."""

    call: CallRecord
    caller: UserRecord
    missed_at: datetime
